"""`gpucost estimate` and `gpucost scenario`: their JSON, and one-line errors with exit status 2."""

import json

import pytest

import warehouse
from assets.reference.files import GPU_SPECS, MODEL_ARCHITECTURES, REFERENCE_MODELS, TRAINING_RUNS
from costmodel.utilization import default_utilization
from pipeline.cli import main
from pipeline.home import read_copy_path, warehouse_path

GPT3_FLOPS = 6 * 175e9 * 300e9
# the default utilization the CLI derives from training_runs.csv (median end-to-end of published 16-bit runs)
FIT = default_utilization(TRAINING_RUNS.load(), REFERENCE_MODELS.load(), GPU_SPECS.load(), MODEL_ARCHITECTURES.load())
MFU = FIT["central"]
FIT_FP8 = default_utilization(
    TRAINING_RUNS.load(), REFERENCE_MODELS.load(), GPU_SPECS.load(), MODEL_ARCHITECTURES.load(), "fp8"
)["central"]
H100_POWER_KW = 10.2 / 8 * 0.75  # DGX H100 10.2 kW / 8 GPUs, 75% average draw


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit status, stdout, stderr), argparse's own exits included."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli_json(capsys, *args: str) -> dict:
    code, out, err = cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_estimate_training_json_needs_no_warehouse_when_price_and_tariff_are_given(capsys):
    out = cli_json(
        capsys,
        "estimate",
        "training",
        "--params",
        "175B",
        "--tokens",
        "300B",
        "--gpu",
        "H100",
        "--gpus",
        "1024",
        "--price-per-gpu-hour",
        "2",
        "--tariff-usd-per-kwh",
        "0.1",
        "--pue",
        "1.1",
        "--grid-gco2-per-kwh",
        "400",
    )
    hours = GPT3_FLOPS / (989e12 * MFU * 3600)  # --params: no architecture, so no attention FLOPs
    assert out["gpu_model"] == "H100-SXM"  # an alias resolves to the canonical chip
    assert out["flops"] == pytest.approx(GPT3_FLOPS) and out["flops_attention"] == 0
    assert out["gpu_hours"] == pytest.approx(hours)
    assert out["gpu_hours_low"] == pytest.approx(hours * MFU / FIT["high"])
    assert out["gpu_hours_high"] == pytest.approx(hours * MFU / FIT["low"])
    assert out["wall_clock_days"] == pytest.approx(hours / 1024 / 24)
    assert out["price_per_gpu_hour_usd"] == 2 and out["cloud_cost_usd"] == pytest.approx(hours * 2)
    assert out["energy_kwh"] == pytest.approx(hours * H100_POWER_KW * 1.1)
    assert out["energy_cost_usd"] == pytest.approx(hours * H100_POWER_KW * 1.1 * 0.1)
    assert out["co2_kg"] == pytest.approx(hours * H100_POWER_KW * 1.1 * 0.4)
    # owned: the H100 purchase price of the data file (DGX H100 $33,750 per GPU), valued at training start (Epoch)
    assert out["owned_cost_usd"] > 0 and 0 < out["owning_breakeven_utilization"] < 1
    assert out["offer"] is None and out["utilization_basis"].startswith("derived: median end-to-end utilization")
    a = out["assumptions"]
    assert a["price_per_gpu_hour_usd"] == {"value": 2.0, "source": "given"}
    assert a["mfu"]["value"] == MFU and a["mfu"]["source"].startswith("derived")
    assert a["power_w_per_gpu"]["value"] == pytest.approx(956.25) and "DGX H100" in a["power_w_per_gpu"]["source"]
    assert a["peak_tflops_dense"]["value"] == 989 and a["server_price_per_gpu_usd"]["value"] == 33_750
    assert a["value_at_start_usd_per_gpu"]["value"] < 33_750  # depreciated since 2023-05
    assert all(set(v) == {"value", "source"} for v in a.values())


def test_estimate_training_owned_hardware_by_hand(capsys):
    out = cli_json(
        capsys,
        "estimate",
        "training",
        "--params",
        "70B",
        "--tokens",
        "2T",
        "--gpu",
        "H100-SXM",
        "--price-per-gpu-hour",
        "2",
        "--tariff-usd-per-kwh",
        "0.1",
        "--pue",
        "1.2",
        "--server-price-usd",
        "240000",
        "--lifetime-years",
        "4",
        "--cluster-overhead",
        "1.25",
    )
    hours = 6 * 70e9 * 2e12 / (989e12 * MFU * 3600)
    capex_hour = 240_000 / 8 * 1.25 / (4 * 8760)  # $1.07 per GPU-hour
    energy_hour = H100_POWER_KW * 1.2 * 0.1
    assert out["owned_cost_usd"] == pytest.approx(hours * (capex_hour + energy_hour))
    assert out["owning_breakeven_utilization"] == pytest.approx(capex_hour / (2 - energy_hour))
    assert out["assumptions"]["cluster_overhead"] == {"value": 1.25, "source": "given"}
    assert out["assumptions"]["lifetime_years"] == {"value": 4.0, "source": "given"}


def test_estimate_training_from_a_reference_model_with_a_server_power(capsys):
    out = cli_json(
        capsys,
        "estimate",
        "training",
        "--model",
        "llama 2 7b",
        "--gpu",
        "A100-80GB",
        "--price-per-gpu-hour",
        "1.5",
        "--tariff-usd-per-kwh",
        "0.08",
        "--server-power-kw",
        "6.5",
        "--mfu",
        "0.391",
    )
    # 6ND at 39.1% reproduces Meta's 184,320 A100-hours; the attention FLOPs (12 x 32 layers x 32 heads x 128 x 4,096
    # tokens per token: +16%) come on top
    attention = 12 * 32 * 32 * 128 * 4096 * 2e12
    assert round(6 * 6.74e9 * 2e12 / (312e12 * 0.391 * 3600), -3) == 184_000
    hours = (6 * 6.74e9 * 2e12 + attention) / (312e12 * 0.391 * 3600)
    assert out["flops_attention"] == pytest.approx(attention)
    assert out["model"] == "Llama 2 7B" and out["gpu_hours"] == pytest.approx(hours)
    assert out["assumptions"]["power_w_per_gpu"]["value"] == 812.5  # 6.5 kW / 8 GPUs
    # PUE for an unknown provider: the '*' row of datacenter_pue.csv (no warehouse yet: the bundled file), as the energy
    # mart uses
    assert out["energy_kwh"] == pytest.approx(hours * 0.8125 * 1.56)
    assert out["assumptions"]["pue"]["source"].startswith(
        "fallback: default PUE for a provider without its own, core.datacenter_pue '*': Uptime"
    )
    assert "co2_kg" not in out  # no grid intensity known


def test_estimate_inference_reproduces_the_chatgpt_fleet(capsys):
    out = cli_json(
        capsys,
        "estimate",
        "inference",
        "--model",
        "GPT-3 175B",
        "--gpu",
        "A100",
        "--price-per-gpu-hour",
        "1",
        "--utilization",
        "0.5",
        "--queries-per-day",
        "195M",
        "--tokens-per-query",
        "2000",
        "--server-price-usd",
        "200000",
        "--server-power-kw",
        "6.5",
        "--tariff-usd-per-kwh",
        "0.08",
        "--pue",
        "1",
    )
    assert (
        out["throughput_basis"] == "measured" and out["tokens_per_second_per_gpu"] == 312
    )  # from inference_throughput.csv
    assert "SemiAnalysis" in out["assumptions"]["tokens_per_second_per_gpu"]["source"]
    assert out["cost_per_million_tokens_usd"] == pytest.approx(1 / (156 * 3600) * 1e6)
    assert (out["servers_rounded_up"], out["gpus"]) == (3617, 28_936)
    assert out["servers"] == pytest.approx(3616.898, abs=1e-3)
    assert out["cost_per_day_usd"] == pytest.approx(694_444.44, abs=0.01)
    assert out["cost_per_year_usd"] == pytest.approx(694_444.44 * 365, rel=1e-6)
    assert out["cost_per_query_usd"] == pytest.approx(0.003561, abs=1e-6)
    assert out["capex_usd"] == 3617 * 200_000
    assert out["energy_kwh_per_day"] == pytest.approx(3617 * 6.5 * 24)
    assert out["energy_cost_per_day_usd"] == pytest.approx(3617 * 6.5 * 24 * 0.08)


def test_estimate_inference_modeled_without_a_workload(capsys):
    out = cli_json(
        capsys,
        "estimate",
        "inference",
        "--params",
        "70B",
        "--gpu",
        "H100-SXM",
        "--batch-size",
        "1",
        "--price-per-gpu-hour",
        "2",
        "--tariff-usd-per-kwh",
        "0.1",
    )
    assert out["throughput_basis"] == "modeled"
    assert out["tokens_per_second_compute_bound"] == pytest.approx(989e12 * 0.4 / 140e9)
    assert out["tokens_per_second_per_gpu"] == pytest.approx(3.35e12 / 140e9)  # batch 1: bandwidth-bound, 23.9 tokens/s
    assert out["cost_per_million_tokens_usd"] == pytest.approx(2 / (3.35e12 / 140e9 * 3600) * 1e6)
    assert "servers" not in out and out["assumptions"]["batch_size"] == {"value": 1, "source": "given"}


def test_scenario_list_and_as_published_json_without_prices_needs_the_warehouse(capsys):
    code, out, _ = cli(capsys, "scenario", "--list", "--json")
    names = [s["name"] for s in json.loads(out)]
    assert code == 0 and "seed-gpt3-training" in names and len(names) == 12  # the 7 seed scenarios and 5 claims
    code, _, err = cli(capsys, "scenario", "seed-gpt3-training")
    assert code == 2 and "run `gpucost run`" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["estimate", "training", "--model", "nope", "--gpu", "H100"], "unknown model 'nope'"),
        (["estimate", "training", "--model", "llama", "--gpu", "H100"], "ambiguous"),
        (["estimate", "training", "--params", "7B", "--tokens", "1T", "--gpu", "Z80"], "unknown GPU 'Z80'"),
        (["estimate", "training", "--params", "7B", "--tokens", "1T", "--gpu", "RTX6000"], "no dense tensor peak"),
        (["estimate", "training", "--gpu", "H100"], "give either --model NAME or --params N"),
        (
            ["estimate", "training", "--params", "7B", "--gpu", "H100", "--price-per-gpu-hour", "2"],
            "missing input: --tokens",
        ),
        (["estimate", "training", "--model", "GPT-2 1.5B", "--gpu", "H100"], "no published training tokens"),
        (["estimate", "training", "--params=-7B", "--tokens", "1T", "--gpu", "H100"], "must be a positive number"),
        (["estimate", "training", "--params", "7B", "--tokens", "-1", "--gpu", "H100"], "must be a positive number"),
        (
            ["estimate", "training", "--params", "7B", "--tokens", "1T", "--gpu", "H100", "--mfu", "1.5"],
            "must be in (0, 1]",
        ),
        (
            [
                "estimate",
                "training",
                "--params",
                "7B",
                "--tokens",
                "1T",
                "--gpu",
                "H100",
                "--mfu",
                "0.4",
                "--mfu-low",
                "0.45",
            ],
            "low <= central <= high",
        ),
        (
            ["estimate", "training", "--params", "7B", "--tokens", "1T", "--gpu", "H100", "--gpus", "2.5"],
            "whole number",
        ),
        (["estimate", "training", "--params", "7B", "--tokens", "lots", "--gpu", "H100"], "'lots' is not a number"),
        (
            ["estimate", "training", "--params", "7B", "--active-params", "9B", "--tokens", "1T", "--gpu", "H100"],
            "cannot exceed",
        ),
        (
            [
                "estimate",
                "training",
                "--params",
                "7B",
                "--tokens",
                "1T",
                "--gpu",
                "H100",
                "--price-per-gpu-hour",
                "2",
                "--provider",
                "aws",
            ],
            "one or the other",
        ),
        (["estimate", "training", "--params", "7B", "--tokens", "1T", "--gpu", "H100"], "run `gpucost run`"),
        (
            [
                "estimate",
                "training",
                "--params",
                "7B",
                "--tokens",
                "1T",
                "--gpu",
                "H100",
                "--price-per-gpu-hour",
                "2",
                "--region",
                "x",
            ],
            "run `gpucost run`",
        ),
        (
            ["estimate", "training", "--params", "7B", "--tokens", "1T", "--gpu", "H100", "--pricing", "reserved"],
            "invalid choice",
        ),
        (
            ["estimate", "inference", "--model", "GPT-3 175B", "--gpu", "A100", "--qps", "10"],
            "needs --tokens-per-query",
        ),
        (
            ["estimate", "inference", "--model", "GPT-3 175B", "--gpu", "A100", "--tokens-per-query", "10"],
            "add --qps or --queries-per-day",
        ),
        (
            ["estimate", "inference", "--model", "GPT-3 175B", "--gpu", "A100", "--qps", "1", "--queries-per-day", "5"],
            "not allowed with",
        ),
        (
            ["estimate", "inference", "--model", "GPT-3 175B", "--gpu", "A100", "--utilization", "0"],
            "must be a positive number",
        ),
        (["estimate", "inference", "--params", "7B"], "required: --gpu"),
        (["estimate"], "required"),
        (["scenario", "nope"], "unknown scenario 'nope'"),
        (["scenario"], "give a scenario name or --list"),
        (["scenario", "seed-gpt3-training", "--list"], "--list takes no scenario name"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(capsys, args, message):
    code, out, err = cli(capsys, *args)
    assert code == 2, (out, err)
    assert message in err and err.count("\n") == 1 and "Traceback" not in err and "usage:" not in err


def test_unknown_region_is_a_clear_error(capsys):
    with warehouse.connect_writer(warehouse_path()):
        pass  # an empty, migrated warehouse
    code, _, err = cli(
        capsys,
        "estimate",
        "training",
        "--params",
        "7B",
        "--tokens",
        "1T",
        "--gpu",
        "H100",
        "--price-per-gpu-hour",
        "2",
        "--region",
        "mars-north-1",
    )
    assert code == 2 and "no region 'mars-north-1' in marts.energy_by_region" in err and err.count("\n") == 1


def install_energy_mart(rows: str) -> None:
    """A stand-in for the energy domain's marts.energy_by_region: a table with the view's columns, the contract's
    filled from `rows`.
    """
    with warehouse.connect_writer(warehouse_path()) as con:
        con.execute("CREATE TABLE marts.energy_stand_in AS SELECT * FROM marts.energy_by_region LIMIT 0")
        con.execute("DROP VIEW marts.energy_by_region")
        con.execute("ALTER TABLE marts.energy_stand_in RENAME TO energy_by_region")
        con.execute(
            "INSERT INTO marts.energy_by_region BY NAME SELECT * FROM (VALUES "
            + rows
            + ") AS t(provider, region, country_code, state_code,"
            " tariff_usd_per_kwh, tariff_source, tariff_period, tariff_is_fallback, grid_gco2_per_kwh, grid_year, "
            "grid_source, pue, pue_source)"
        )
    # readers open the read copy: publish it, as the end of a run would
    warehouse.publish_read_copy(warehouse_path(), read_copy_path())


def mart_price(capsys, model: str, gpu_model: str, pricing: str = "on_demand", provider: str | None = None) -> dict:
    """The offer marts.training_costs priced a run on (the cheapest one that can train it), read with `gpucost sql`."""
    where = f" and price_provider = '{provider}'" if provider else ""
    code, rows, err = cli(
        capsys,
        "sql",
        "select price_provider as provider, price_region as region, price_instance_type as instance_type,"
        " price_per_gpu_hour_usd, price_snapshot_date as snapshot_date, cloud_cost_usd, offer_class, interconnect"
        f" from marts.training_costs where model = '{model}' and gpu_model = '{gpu_model}' and pricing = '{pricing}'"
        f"{where} order by cloud_cost_usd limit 1",
        "--json",
    )
    assert code == 0, err
    return json.loads(rows)[0]


def test_estimates_and_scenarios_from_the_warehouse(capsys):
    assert cli(capsys, "run", "--offline")[0] == 0
    h100 = mart_price(capsys, "GPT-3 175B", "H100-SXM")
    # the Vast.ai single-GPU median no longer prices a 175B training run: a whole node with a cluster fabric does
    assert h100["offer_class"] == "cluster_node" and "+ none" not in h100["interconnect"]
    out = cli_json(capsys, "estimate", "training", "--model", "gpt-3", "--gpu", "H100-SXM")
    assert out["price_per_gpu_hour_usd"] == pytest.approx(h100["price_per_gpu_hour_usd"])
    assert out["cloud_cost_usd"] == pytest.approx(h100["cloud_cost_usd"])  # the CLI and the mart agree
    attention = 12 * 96 * 96 * 128 * 2048 * 300e9  # GPT-3: 96 layers x 96 heads x 128 x a 2,048-token window
    assert out["flops_attention"] == pytest.approx(attention)
    assert out["gpu_hours"] == pytest.approx((GPT3_FLOPS + attention) / (989e12 * MFU * 3600))
    offer = out["offer"]
    assert set(offer) == {
        "source",
        "provider",
        "region",
        "instance_type",
        "gpus_per_instance",
        "interconnect",
        "offer_class",
    }
    assert (offer["provider"], offer["instance_type"], offer["offer_class"]) == (
        h100["provider"],
        h100["instance_type"],
        "cluster_node",
    )
    price = out["assumptions"]["price_per_gpu_hour_usd"]["source"]
    assert h100["provider"] in price and h100["instance_type"] in price and "snapshot:" in price
    assert out["assumptions"]["price_snapshot_date"]["value"] == h100["snapshot_date"]
    tariff = out["assumptions"]["tariff_usd_per_kwh"]["source"]  # where the offer runs, else the default
    assert tariff.startswith(f"marts.energy_by_region {h100['provider']} {h100['region']}") or tariff.startswith(
        "default"
    )
    assert out["assumptions"]["training_gpus_min"]["value"] == 40  # 2.8 TB of state in 72 GB per GPU, whole nodes
    fp8 = cli_json(capsys, "estimate", "training", "--model", "gpt-3", "--gpu", "H100-SXM", "--precision", "fp8")
    assert fp8["assumptions"]["peak_tflops_dense"]["value"] == 1979  # the FP8 peak, at the FP8 runs' utilization
    assert fp8["assumptions"]["mfu"]["value"] == pytest.approx(FIT_FP8)
    code, rows, _ = cli(
        capsys,
        "sql",
        "select min(price_per_gpu_hour_usd) as price_per_gpu_hour_usd from marts.latest_gpu_prices where provider ="
        " 'aws' and instance_type = 'p4d.24xlarge' and pricing = 'spot'",
        "--json",
    )
    aws_spot = json.loads(rows)[0]  # AWS's only A100 offer that can train across nodes
    spot = cli_json(
        capsys,
        "estimate",
        "training",
        "--model",
        "GPT-3 175B",
        "--gpu",
        "A100",
        "--provider",
        "aws",
        "--pricing",
        "spot",
    )
    assert spot["price_per_gpu_hour_usd"] == pytest.approx(aws_spot["price_per_gpu_hour_usd"])

    tpu = mart_price(capsys, "GPT-3 175B", "TPU-v4")
    scenario = cli_json(capsys, "scenario", "seed-gpt3-training")
    assert scenario["name"] == "seed-gpt3-training" and set(scenario) >= {"name", "as_published", "today"}
    assert scenario["as_published"]["cloud_cost_usd"] == pytest.approx(1_398_072, abs=1)
    same, best = scenario["today"]["same_hardware"], scenario["today"]["best_hardware"]
    assert (same["gpu_model"], same["price_per_gpu_hour_usd"], same["price_snapshot_date"]) == (
        "TPU-v4",
        tpu["price_per_gpu_hour_usd"],
        tpu["snapshot_date"],
    )
    assert same["cloud_cost_usd"] == pytest.approx(688_705.23 * tpu["price_per_gpu_hour_usd"], rel=1e-6)
    assert best["cloud_cost_usd"] <= same["cloud_cost_usd"] and set(best) >= {
        "gpu_model",
        "gpu_hours",
        "price_origin",
        "tariff_usd_per_kwh",
        "offer_class",
    }
    assert best["offer_class"] in ("cluster_node", "tpu_slice")
    code, text, _ = cli(capsys, "scenario", "seed-chatgpt-serving-2023")
    assert code == 0 and "4 of 4 published figures reproduced" in text and "$694,444" in text
    code, text, _ = cli(capsys, "scenario", "li-10m-per-run")
    assert code == 0 and "Claim cloud_cost_usd = $10,000,000 (upper_bound): holds" in text

    # serving: the replica, the batch, both phases and what bounds them, priced on an offer that hosts the replica
    served = cli_json(
        capsys,
        "estimate",
        "inference",
        "--model",
        "Llama 3.1 405B",
        "--gpu",
        "H100",
        "--precision",
        "fp8",
        "--input-tokens-per-query",
        "2000",
        "--output-tokens-per-query",
        "500",
    )
    assert served["throughput_basis"] == "modeled" and served["replica_gpus"] >= 8
    assert served["kv_cache_bytes_per_token"] == 2 * 126 * 8 * 128  # FP8 KV
    assert served["bound"] in ("compute", "bandwidth", "memory capacity", "latency target")
    # one 8-GPU node linked for tensor parallelism hosts the replica; serving needs no multi-node cluster product
    assert served["offer"]["offer_class"] in ("cluster_node", "multi_gpu_instance")
    assert served["offer"]["gpus_per_instance"] == 8 and served["offer"]["interconnect"].split(" + ")[0] in (
        "nvswitch",
        "nvlink",
    )
    assert 0 < served["cost_per_million_input_tokens_usd"] < served["cost_per_million_output_tokens_usd"]
    assert served["cost_per_million_tokens_blended_usd"] == pytest.approx(
        (2000 * served["cost_per_million_input_tokens_usd"] + 500 * served["cost_per_million_output_tokens_usd"]) / 2500
    )
    assert served["prefill_tokens_per_second_per_gpu"] > served["decode_tokens_per_second_per_gpu"] > 0
    for args, message in (
        (["--model", "Llama 3.1 405B", "--gpu", "RTX4090"], "can serve it: Llama 3.1 405B at fp8"),
        (["--model", "Llama 3.3 70B", "--gpu", "H100", "--tokens-per-second-per-user", "5000"], "tokens/s per user"),
        (["--model", "Llama 3.3 70B", "--gpu", "H100", "--context-length", "200000"], "beyond its 131,072"),
    ):
        code, _, err = cli(capsys, "estimate", "inference", *args)
        assert code == 2 and message in err and err.count("\n") == 1, err
    for args, message in (
        (["--model", "Llama 3.1 405B", "--gpu", "RTX4090"], "no cluster-capable offer"),
        (["--model", "Llama 3.1 405B", "--gpu", "H100", "--gpus", "64"], "the cluster needs at least 96"),
    ):
        code, _, err = cli(capsys, "estimate", "training", *args)
        assert code == 2 and message in err and err.count("\n") == 1, err

    a100 = mart_price(capsys, "Llama 2 7B", "A100-40GB")  # the 8-GPU p4d: its offer has a region
    install_energy_mart(
        f"('{a100['provider']}', '{a100['region']}', 'US', 'VA', 0.0851, 'EIA Electric Power Monthly 5.6.A, Virginia "
        "industrial',"
        " '2026-03', false, 310.0, 2025, 'Ember', 1.3, 'test PUE')"
    )
    by_offer = cli_json(
        capsys, "estimate", "training", "--model", "Llama 2 7B", "--gpu", "A100"
    )  # the electricity where the offer runs
    flops = 6 * 6.74e9 * 2e12 + 12 * 32 * 32 * 128 * 4096 * 2e12
    hours = flops / (312e12 * MFU * 3600)
    power = 6.5 / 8 * 0.75  # DGX A100 6.5 kW / 8, 75% average draw
    assert by_offer["energy_kwh"] == pytest.approx(hours * power * 1.3)
    assert by_offer["energy_cost_usd"] == pytest.approx(hours * power * 1.3 * 0.0851)
    assert by_offer["co2_kg"] == pytest.approx(hours * power * 1.3 * 0.310)
    assert (
        f"marts.energy_by_region {a100['provider']} {a100['region']}"
        in by_offer["assumptions"]["tariff_usd_per_kwh"]["source"]
    )
    assert (
        by_offer["assumptions"]["tariff_period"]["value"] == "2026-03"
        and by_offer["assumptions"]["grid_year"]["value"] == 2025
    )
    code, text, _ = cli(capsys, "estimate", "training", "--model", "Llama 2 7B", "--gpu", "A100")
    grid_year = next(line for line in text.splitlines() if line.startswith("grid_year"))
    assert code == 0 and grid_year.split()[1] == "2025"  # a year, not "2,025"
    by_region = cli_json(
        capsys,
        "estimate",
        "training",
        "--params",
        "7B",
        "--tokens",
        "1T",
        "--gpu",
        "H100",
        "--price-per-gpu-hour",
        "2",
        "--region",
        a100["region"].upper(),
        "--pue",
        "1.2",
    )
    assert by_region["assumptions"]["tariff_usd_per_kwh"]["value"] == 0.0851 and by_region["assumptions"]["pue"] == {
        "value": 1.2,
        "source": "given",
    }
    code, _, err = cli(
        capsys,
        "estimate",
        "training",
        "--params",
        "7B",
        "--tokens",
        "1T",
        "--gpu",
        "H100",
        "--price-per-gpu-hour",
        "2",
        "--region",
        "mars-1",
    )
    assert code == 2 and "no region 'mars-1' in marts.energy_by_region" in err

    # the marts read the energy mart too (forced: the stand-in changed behind the pipeline's back, no input did)
    assert cli(capsys, "run", "--offline", "--force")[0] == 0
    code, rows, _ = cli(
        capsys,
        "sql",
        "select tariff_usd_per_kwh, tariff_is_fallback, co2_kg from marts.training_costs"
        " where model = 'Llama 2 7B' and pricing = 'on_demand' and gpu_model = 'A100-40GB'",
        "--json",
    )
    assert json.loads(rows) == [
        {
            "tariff_usd_per_kwh": 0.0851,
            "tariff_is_fallback": False,
            "co2_kg": pytest.approx(hours * power * 1.3 * 0.310),
        }
    ]
