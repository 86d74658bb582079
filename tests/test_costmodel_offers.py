"""Offers that can run a workload, end-to-end utilization and attention FLOPs, server power, the Epoch-way ownership,
and the seed's other claims, against hand-computed values."""

import datetime as dt

import polars as pl
import pytest

from assets.reference.files import (
    GPU_SPECS,
    INSTANCE_INTERCONNECT,
    MODEL_ARCHITECTURES,
    REFERENCE_MODELS,
    SCENARIO_PUBLISHED,
    SCENARIOS,
    TRAINING_RUNS,
)
from costmodel.offers import classify_offers, training_cluster_gpus, training_exclusions
from costmodel.ownership import acquisition_date, fixed_cost_per_gpu_hour, parse_date, value_at_start
from costmodel.power import server_power
from costmodel.scenarios import as_published, scenario_result
from costmodel.utilization import (
    attention_flops_for,
    attention_flops_per_token,
    fit_runs,
    implied_utilization,
    utilization_fit,
)

ARCHS = {r["model"]: r for r in MODEL_ARCHITECTURES.load().iter_rows(named=True)}
SPECS = GPU_SPECS.load()
LINKS = INSTANCE_INTERCONNECT.load()


def offers(*rows):
    return pl.DataFrame(
        [
            {
                "source": src,
                "provider": p,
                "region": "r",
                "instance_type": i,
                "gpu_model": m,
                "gpu_count": n,
                "pricing": "on_demand",
                "price_basis": "instance",
                "price_per_gpu_hour_usd": 2.0,
                "offer_count": c,
            }
            for src, p, i, m, n, c in rows
        ]
    )


def test_offers_are_classified_by_what_links_their_gpus():
    frame = classify_offers(
        offers(
            ("vast", "vast", "H100 SXM 80GB", "H100-SXM", 1.0, 4),
            ("skypilot", "lambda", "gpu_8x_h100_sxm5", "H100-SXM", 8.0, None),
            ("skypilot", "lambda", "gpu_8x_v100", "V100", 8.0, None),
            ("aws", "aws", "p5.4xlarge", "H100-SXM", 1.0, None),
            ("aws", "aws", "g6e.48xlarge", "L40S", 8.0, None),
            ("skypilot", "gcp", "tpu-v5litepod-8", "TPU-v5e", 8.0, None),
            ("x", "acme", "eight-h100", "H100-SXM", 8.0, None),
        ),
        SPECS,
        LINKS,
    )
    got = {r["instance_type"]: r for r in frame.iter_rows(named=True)}
    assert got["H100 SXM 80GB"]["offer_class"] == "marketplace_single" and got["H100 SXM 80GB"]["offer_count"] == 4
    assert (got["gpu_8x_h100_sxm5"]["offer_class"], got["gpu_8x_h100_sxm5"]["interconnect_inter"]) == (
        "cluster_node",
        "infiniband",
    )
    # Lambda sells no cluster of 8x V100: a multi-GPU instance, its link from the GPU model (SXM2: NVLink)
    assert (got["gpu_8x_v100"]["offer_class"], got["gpu_8x_v100"]["interconnect_intra"]) == (
        "multi_gpu_instance",
        "nvlink",
    )
    assert got["p5.4xlarge"]["offer_class"] == "instance_single_gpu"
    assert (got["g6e.48xlarge"]["offer_class"], got["g6e.48xlarge"]["interconnect_intra"]) == (
        "multi_gpu_instance",
        "pcie",
    )
    assert got["tpu-v5litepod-8"]["offer_class"] == "tpu_slice" and got["tpu-v5litepod-8"]["max_cluster_gpus"] == 256
    # a provider the family table does not know: what the GPU implies, no fabric, and it says so
    unknown = got["eight-h100"]
    assert (unknown["offer_class"], unknown["interconnect_intra"], unknown["interconnect_inter"]) == (
        "multi_gpu_instance",
        "nvswitch",
        "none",
    )
    assert "no row for acme" in unknown["interconnect_basis"] and unknown["gpu_memory_gb"] == 80


def test_the_training_cluster_must_hold_the_training_state():
    # GPT-3: 175B x 16 bytes = 2.8 TB in 72 GB per H100: 39 GPUs -> 5 whole 8-GPU nodes
    assert training_cluster_gpus(175e9, 80, 8) == 40
    # Llama 3.1 405B: 6.48 TB in 14.4 GB per TPU v5e chip = 450 chips, 456 in 8-chip hosts: more than a 256-chip slice
    frame = classify_offers(
        offers(
            ("skypilot", "gcp", "tpu-v5litepod-8", "TPU-v5e", 8.0, None),
            ("vast", "vast", "RTX 4090 24GB", "RTX4090", 1.0, 12),
        ),
        SPECS,
        LINKS,
    )
    models = REFERENCE_MODELS.load().filter(pl.col("model").is_in(["Llama 3.1 405B", "GPT-3 175B"]))
    why = {(r["model"], r["gpu_model"]): r["reason"] for r in training_exclusions(models, frame).iter_rows(named=True)}
    assert "456 chips, more than one ICI slice holds (256)" in why[("Llama 3.1 405B", "TPU-v5e")]
    assert ("GPT-3 175B", "TPU-v5e") not in why  # 195 chips fit a slice
    assert (
        why[("GPT-3 175B", "RTX4090")].startswith("no cluster-capable offer")
        and "marketplace_single" in why[("GPT-3 175B", "RTX4090")]
    )


@pytest.mark.parametrize(
    ("model", "share"),
    [
        # PaLM appendix B: 12 x L x H x Q x T per token against 6N, at an 8K training window
        ("Llama 3.1 405B", 12 * 126 * 128 * 128 * 8192 / (6 * 405e9)),  # +8.4%
        ("Llama 3.1 70B", 12 * 80 * 64 * 128 * 8192 / (6 * 70e9)),  # +15.3%
        ("Llama 3.1 8B", 12 * 32 * 32 * 128 * 8192 / (6 * 8e9)),  # +26.8%
    ],
)
def test_attention_flops_beside_6nd(model, share):
    per_token, basis = attention_flops_for(ARCHS[model])
    params = {"Llama 3.1 405B": 405e9, "Llama 3.1 70B": 70e9, "Llama 3.1 8B": 8e9}[model]
    assert per_token / (6 * params) == pytest.approx(share)
    assert round(share, 2) in (0.08, 0.15, 0.27) and basis.startswith("PaLM appendix B")


def test_attention_flops_for_latent_and_windowed_attention():
    # DeepSeek-V3 (MLA): Q = (128 + 64 + 128) / 2 = 160 per head; 4K pre-training window
    per_token, _ = attention_flops_for(ARCHS["DeepSeek-V3"])
    assert per_token == 12 * 61 * 128 * 160 * 4096
    # a window caps the span of its layers: 4 layers, 2 windowed at 1,024, T = 4,096
    assert attention_flops_per_token(4, 8, 64, 4096, 1024, 2) == 12 * 8 * 64 * (2 * 4096 + 2 * 1024)
    assert attention_flops_for(None)[0] == 0.0  # no architecture: 6ND only, and the basis says so


def test_the_default_utilization_is_the_median_of_published_runs_and_its_band_holds_most():
    implied = implied_utilization(TRAINING_RUNS.load(), REFERENCE_MODELS.load(), SPECS, MODEL_ARCHITECTURES.load())
    fit = utilization_fit(implied)
    runs = fit_runs(implied).filter(pl.col("precision_family") == "16-bit")["implied_utilization"]
    assert fit["16-bit"]["runs"] == 14 and fit["16-bit"]["central"] == pytest.approx(runs.median())
    assert fit["16-bit"]["central"] == pytest.approx(0.305, abs=0.001)
    inside = ((runs >= fit["16-bit"]["low"]) & (runs <= fit["16-bit"]["high"])).sum()
    assert inside >= 0.7 * runs.len()  # p10-p90: most runs
    # one FP8 run (DeepSeek-V3, total): its utilization against the FP8 peak, with the 16-bit band's relative width
    fp8 = fit["fp8"]
    assert fp8["runs"] == 1 and fp8["band_borrowed"] and fp8["central"] == pytest.approx(0.2112, abs=1e-3)
    assert fp8["low"] / fp8["central"] == pytest.approx(fit["16-bit"]["low"] / fit["16-bit"]["central"])


def test_a_hand_made_run_file_moves_the_default():
    runs = pl.DataFrame(
        {
            "model": ["a", "b", "c"],
            "scope": ["total", "total", "pre-training"],
            "gpu_model": ["H100-SXM"] * 3,
            "hardware_hours": [1e6, 2e6, 4e6],
            "precision": [None, None, None],
        },
        schema_overrides={"precision": pl.String},
    )
    models = pl.DataFrame(
        {
            "model": ["a", "b", "c"],
            "params_active": [1e10] * 3,
            "params_total": [1e10] * 3,
            "training_tokens": [1e13] * 3,
        }
    )
    fit = utilization_fit(implied_utilization(runs, models, SPECS, None))["16-bit"]
    # 6 x 1e10 x 1e13 = 6e23 FLOPs over 2M H100-hours x 3600 x 989e12 = 0.0843 (the middle run)
    assert fit["central"] == pytest.approx(6e23 / (2e6 * 3600 * 989e12))


def test_server_power_per_gpu():
    rows = {r["gpu_model"]: r for r in SPECS.iter_rows(named=True)}
    avg, peak, basis = server_power(rows["H100-SXM"])
    assert (avg, peak) == (1275 * 0.75, 1275) and "DGX H100" in basis  # 10.2 kW / 8, 75% on average
    assert server_power(rows["TPU-v4"])[:2] == (378.5, 378.5)  # PaLM's measured mean is used as is
    assert server_power(rows["L40S"])[:2] == (350 * 1.8 * 0.75, 350 * 1.8)  # TDP x Epoch's server factor
    assert server_power(rows["TPU-v6e"])[0] == pytest.approx(394 * 1.56 * 0.75)  # the TPU factor on an estimate


def test_owned_hardware_is_valued_at_training_start():
    assert parse_date("2021") == dt.date(2021, 7, 1) and parse_date("2023-05") == dt.date(2023, 5, 15)
    # bought no earlier than release + 90 days (Epoch AI)
    assert acquisition_date("2020-05", "2020-11-16") == dt.date(2021, 2, 14)
    assert acquisition_date("2021", "2020-11-16") == dt.date(2021, 7, 1)
    # two years at 0.14 orders of magnitude a year: 10^-0.28 = 0.5248
    two_years = value_at_start(100.0, dt.date(2021, 1, 1), dt.date(2023, 1, 1))
    assert two_years == pytest.approx(100 * 10 ** (-0.14 * 730 / 365.25))
    assert value_at_start(100.0, dt.date(2023, 1, 1), dt.date(2021, 1, 1)) == 100.0  # never gains value
    # $10,000 x 1.2346 x (0.3224 + 0.08 capital) / 8,760 + colocation $150/kW-month x 1.275 kW / 730 h
    cost = fixed_cost_per_gpu_hour(
        10_000, cost_of_capital=0.08, colocation_usd_per_kw_month=150, server_power_max_w_per_gpu=1275
    )
    assert cost == pytest.approx(10_000 / (1 - 0.19) * (0.14 * 2.302585 + 0.08) / 8760 + 150 * 1.275 / 730, rel=1e-5)


def test_llama_2_70b_owned_the_epoch_way():
    """The DGX A100 80GB's $37,500 per GPU of 2021, acquired mid-2021, is worth 10^(-0.14 x 1.5) = 0.617 of it when
    Llama 2 training starts (January 2023): $1.05 per GPU-hour instead of $1.70 new. Over 1,720,320 A100-hours that is
    $1.81M of hardware (Epoch AI's amortized hardware + energy: $1.10M, model_costs.csv; undepreciated: $2.93M)."""
    value = value_at_start(37_500, acquisition_date("2021", "2020-11-16"), dt.date(2023, 1, 1))
    assert value == pytest.approx(37_500 * 10 ** (-0.14 * 549 / 365.25))
    hourly = fixed_cost_per_gpu_hour(value)
    assert hourly == pytest.approx(1.05, abs=0.01)
    assert hourly * 1_720_320 == pytest.approx(1.81e6, rel=0.01)


def claim(name: str, **kw) -> dict:
    s = SCENARIOS.load().filter(pl.col("name") == name).row(0, named=True)
    return scenario_result(s, SCENARIO_PUBLISHED.load(), SPECS, None, None, scenarios=SCENARIOS.load(), **kw)


def test_haitong_fifty_million_buys_ten_five_million_runs_or_36_gpt3_runs():
    r = claim("haitong-50m-ten-runs")
    assert r["as_published"]["runs_at_claimed_cost"] == 10 and r["matches_published"]["runs_at_claimed_cost"]
    # Sunyan's GPT-3 run: $1,398,072; $50M buys 35.8 of them
    assert r["as_published"]["runs_for_budget"] == pytest.approx(50e6 / 1_398_071.63, rel=1e-6)


def test_li_ten_million_per_run_holds_as_an_upper_bound():
    r = claim("li-10m-per-run")
    out = r["as_published"]
    hours = 3.15e23 / (312e12 * 0.197 * 3600)  # 1,423,598 A100-hours at GPT-3's end-to-end 19.7%
    assert out["cloud_cost_usd"] == pytest.approx(hours * 4.10)  # $5.84M at AWS on-demand
    assert out["runs_for_claim"] == pytest.approx(10e6 / (hours * 4.10))  # 1.7 runs
    assert out["implied_price_per_gpu_hour_usd"] == pytest.approx(10e6 / hours)  # $7.02 would make one run $10M
    assert out["implied_mfu_for_claim"] == pytest.approx(0.197 * hours * 4.10 / 10e6)  # or 11.5% utilization
    assert r["matches_published"]["cloud_cost_usd"] and r["published_roles"]["cloud_cost_usd"] == "upper_bound"


def test_peng_thousand_cards_for_three_months():
    v100 = claim("peng-thousand-cards-v100", default_mfu=0.305)["as_published"]
    # 3.15e23 / (1,000 x 3 x 730 h x 3600 x 125e12) = 32.0% utilization on V100 ...
    assert v100["implied_utilization"] == pytest.approx(3.15e23 / (1000 * 3 * 730 * 3600 * 125e12))
    assert v100["months"] == pytest.approx(3.15e23 / (125e12 * 0.305 * 3600) / 1000 / 730)  # 3.1 months: holds
    a100 = claim("peng-thousand-cards-a100", default_mfu=0.305)
    assert a100["as_published"]["implied_utilization"] == pytest.approx(3.15e23 / (1000 * 3 * 730 * 3600 * 312e12))
    assert not a100["matches_published"]["months"]  # 1.3 months on A100: the claim is loose
    assert a100["as_published"]["months_on_cluster_gpus"] == pytest.approx(
        3.15e23 / (312e12 * 0.305 * 3600) / 2000 / 730
    )  # the $50M cluster's 2,000 A100: 0.63 months


def test_peng_cost_decline_reproduces_2023_and_needs_prices_for_today():
    r = claim("peng-cost-decline")
    assert r["as_published"]["serving_cost_per_day_usd"] == pytest.approx(694_444.44, abs=0.01)
    assert r["as_published"]["training_cloud_cost_usd"] == pytest.approx(1_398_071.6, abs=0.1)
    assert all(r["matches_published"].values()) and r["today"] is None
    assert as_published(SCENARIOS.load().filter(pl.col("name") == "seed-gpt3-training").row(0, named=True), SPECS)[
        "cloud_cost_usd"
    ] == pytest.approx(r["as_published"]["training_cloud_cost_usd"])
