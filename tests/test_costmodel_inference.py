"""Inference formulas against hand-computed values and the published anchors in the notes."""

import datetime as dt
import math

import polars as pl
import pytest

from assets.energy.reference import DATACENTER_PUE
from costmodel.inference import (
    bandwidth_bound_tokens_per_second,
    compute_bound_tokens_per_second,
    cost_per_million_tokens_usd,
    fleet,
    inference_costs,
    modeled_tokens_per_second,
    params_read_per_step,
    servers_for_budget,
    workload_tokens_per_second,
)
from costmodel.power import Electricity

NOW = dt.datetime(2026, 11, 30, 6)
PUE = DATACENTER_PUE.load()  # core.datacenter_pue: the PUE fallback where the energy mart has no row


def test_compute_and_bandwidth_ceilings_by_hand():
    # 70B dense on one H100 SXM at 40% of 989 TFLOP/s: 989e12 x 0.4 / (2 x 70e9) = 2,825.7 tokens/s
    assert compute_bound_tokens_per_second(989, 0.4, 70e9) == pytest.approx(2825.71, abs=0.01)
    # batch-1 decode: 70B FP16 (140 GB) on 2 x H100 (6.7 TB/s) ~ 48 tokens/s, i.e. 23.9 per GPU
    assert 2 * bandwidth_bound_tokens_per_second(3.35, 70e9, batch_size=1, bytes_per_param=2) == pytest.approx(
        47.86, abs=0.01
    )
    # 70B FP8 (70 GB) on one H200 (4.8 TB/s) ~ 69 tokens/s
    assert bandwidth_bound_tokens_per_second(4.8, 70e9, batch_size=1, bytes_per_param=1) == pytest.approx(
        68.57, abs=0.01
    )
    # a batch multiplies the bandwidth ceiling; the lower ceiling wins
    assert bandwidth_bound_tokens_per_second(3.35, 70e9, batch_size=64) == pytest.approx(1531.43, abs=0.01)
    assert modeled_tokens_per_second(2825.71, 1531.43) == 1531.43
    assert modeled_tokens_per_second(2825.71, None) == 2825.71


def test_moe_decode_step_reads_the_experts_the_batch_routes_to():
    """DeepSeek-V3 (671B total, 37B active) decoding 64 sequences on one H100 SXM (3.35 TB/s) at 2 bytes/param.

    By hand: a token touches 37/671 = 5.51% of the 634B routed weights; 64 tokens miss (634/671)^64 = 2.65% of them,
    so a step reads 37B + 634B x 0.97349 = 654.19B parameters = 1,308.4 GB,
    and 64 x 3.35e12 / 1.3084e12 = 163.87 tokens/s.
    Counting only the 37B active parameters gave 64 x 3.35e12 / 74e9 = 2,897 tokens/s, 17.7x too fast.
    """
    assert params_read_per_step(37e9, 671e9, 64) == pytest.approx(654.19e9, abs=0.01e9)
    assert bandwidth_bound_tokens_per_second(3.35, 37e9, 64, 2, params_total=671e9) == pytest.approx(163.87, abs=0.01)
    # dense: total == active, whatever the batch (and an unknown total counts as dense)
    assert params_read_per_step(70e9, 70e9, 64) == 70e9 and params_read_per_step(70e9, None, 64) == 70e9
    assert bandwidth_bound_tokens_per_second(3.35, 70e9, 64, params_total=70e9) == pytest.approx(1531.43, abs=0.01)
    frame = pl.DataFrame({"active": [37e9, 70e9], "total": [671e9, None]})
    read = frame.select(params_read_per_step(pl.col("active"), pl.col("total"), 64).alias("read"))["read"]
    assert read.to_list() == [pytest.approx(654.19e9, abs=0.01e9), 70e9]


@pytest.mark.parametrize(
    ("tokens_per_second_per_gpu", "price", "expected"),
    [
        (4205 / 2, 2.00, 0.26),  # 2 x H100 TP2 FP8, 1000/1000 (TensorRT-LLM), at $2/GPU-h
        (4205 / 2, 6.88, 0.91),  # ... at AWS on-demand
        (2909, 7.912, 0.76),  # 1 x H200 FP8 at AWS p5en
        (7007, 14.24, 0.56),  # 1 x B200 FP4 at AWS p6-b200
    ],
)
def test_cost_per_million_tokens_matches_the_sanity_anchors(tokens_per_second_per_gpu, price, expected):
    assert cost_per_million_tokens_usd(price, tokens_per_second_per_gpu) == pytest.approx(expected, abs=0.005)


def test_idle_time_is_paid_for():
    assert cost_per_million_tokens_usd(1.0, 312, utilization=0.5) == pytest.approx(
        2 * cost_per_million_tokens_usd(1.0, 312)
    )


def test_workload_in_queries_per_second_or_per_day():
    assert workload_tokens_per_second(2000, queries_per_second=320_000) == 640e6
    assert workload_tokens_per_second(2000, queries_per_day=195e6) == pytest.approx(4_513_888.89, abs=0.01)
    with pytest.raises(ValueError, match="exactly one"):
        workload_tokens_per_second(2000)


def test_fleet_rents_exact_gpus_and_buys_whole_servers():
    """SemiAnalysis's ChatGPT: 390B tokens/day at 156 tokens/s per A100 (312 busy, 50% idle), $1/GPU-hour."""
    tokens_per_second = workload_tokens_per_second(2000, queries_per_day=195e6)
    electricity = Electricity(
        pue=1.0, pue_source="t", tariff_usd_per_kwh=0.08, tariff_source="t", grid_gco2_per_kwh=400.0
    )
    out = fleet(
        gpus_exact=tokens_per_second / 156,
        gpus_per_server=8,
        price_per_gpu_hour_usd=1.0,
        queries_per_day=195e6,
        server_price_usd=200_000,
        server_power_kw=6.5,
        electricity=electricity,
    )
    assert out["servers"] == pytest.approx(3616.898, abs=1e-3)
    assert (out["servers_rounded_up"], out["gpus"]) == (3617, 28_936)
    assert out["cost_per_day_usd"] == pytest.approx(694_444.44, abs=0.01)  # from the exact 28,935.2 GPUs
    assert out["cost_per_year_usd"] == pytest.approx(out["cost_per_day_usd"] * 365)
    assert out["cost_per_query_usd"] == pytest.approx(0.003561, abs=1e-6)
    assert out["capex_usd"] == 3617 * 200_000
    assert out["energy_kwh_per_day"] == pytest.approx(3617 * 6.5 * 24)  # powered servers at full power
    assert out["energy_cost_per_day_usd"] == pytest.approx(3617 * 6.5 * 24 * 0.08)
    assert out["co2_kg_per_day"] == pytest.approx(3617 * 6.5 * 24 * 0.4)


def test_fleet_without_server_power_uses_gpu_power_and_leaves_out_unknowns():
    electricity = Electricity(pue=1.25, pue_source="t", tariff_usd_per_kwh=0.1, tariff_source="t")
    out = fleet(gpus_exact=12.5, gpus_per_server=8, power_w_per_gpu=700, electricity=electricity)
    assert (out["servers_rounded_up"], out["gpus"]) == (2, 16)
    assert out["energy_kwh_per_day"] == pytest.approx(16 * 0.7 * 1.25 * 24)
    assert not {"capex_usd", "cost_per_day_usd", "cost_per_query_usd", "co2_kg_per_day"} & set(out)
    exact = fleet(gpus_exact=32_000, gpus_per_server=8)
    assert (exact["servers_rounded_up"], exact["gpus"]) == (4000, 32_000)  # an exact count is not rounded up further


def test_servers_a_budget_buys():
    assert servers_for_budget(50e6, 200_000) == 250
    assert servers_for_budget(50e6, 199_000) == 251


def test_inference_mart_models_and_measures():
    """One H200 offer (AWS p5en, a cluster node), Llama 3.3 70B modeled by the serving model and measured."""
    from assets.reference.files import INSTANCE_INTERCONNECT, MODEL_ARCHITECTURES

    models = pl.DataFrame({"model": ["Llama 3.3 70B"], "params_total": [70e9], "params_active": [70e9]})
    specs = pl.DataFrame(
        {
            "gpu_model": ["H200"],
            "vendor": ["NVIDIA"],
            "tflops_bf16_dense": [989.0],
            "tflops_fp16_dense": [989.0],
            "tflops_fp8_dense": [1979.0],
            "memory_gb": [141.0],
            "memory_bandwidth_tbps": [4.8],
            "tdp_w": [700.0],
            "server_power_w_per_gpu": [1275.0],
            "server_power_kind": ["max"],
            "server_power_source": ["DGX H200 10.2 kW / 8"],
            "intra_node_link": ["nvswitch"],
            "intra_node_bandwidth_gb_per_s": [900.0],
        }
    )
    prices = pl.DataFrame(
        {
            "gpu_model": ["H200"],
            "provider": ["aws"],
            "region": ["us-east-1"],
            "instance_type": ["p5en.48xlarge"],
            "gpu_count": [8.0],
            "pricing": ["on_demand"],
            "price_basis": ["instance"],
            "price_per_gpu_hour_usd": [7.912],
            "source": ["skypilot"],
            "snapshot_date": [dt.date(2026, 5, 20)],
            "origin": ["live"],
        }
    )
    throughput = pl.DataFrame(
        {
            "model": ["Llama 3.3 70B"],
            "gpu_model": ["H200"],
            "gpus": [1.0],
            "precision": ["fp8"],
            "input_tokens": [1000.0],
            "output_tokens": [1000.0],
            "tokens_per_second": [2909.0],
            "source": ["TensorRT-LLM perf-overview"],
            "phase": ["both"],
        }
    )
    frame = inference_costs(
        models,
        specs,
        prices,
        throughput,
        architectures=MODEL_ARCHITECTURES.load(),
        interconnect=INSTANCE_INTERCONNECT.load(),
        utilization=0.5,
        datacenter_pue=PUE,
        computed_at=NOW,
    ).filter(pl.col("pricing") == "on_demand")
    modeled = frame.filter((pl.col("throughput_basis") == "modeled") & (pl.col("precision") == "fp8")).row(
        0, named=True
    )
    assert (modeled["offer_class"], modeled["interconnect"], modeled["gpus_per_instance"]) == (
        "cluster_node",
        "nvswitch + efa",
        8,
    )
    assert (
        modeled["replica_gpus"] >= 1
        and modeled["utilization"] == 0.5
        and modeled["bound"]
        in (
            "compute",
            "bandwidth",
            "memory capacity",
            "latency target",
        )
    )
    # the blended $/1M tokens is the workload's mix of the input and output prices (1,000 + 1,000)
    assert modeled["cost_per_million_tokens_blended_usd"] == pytest.approx(
        (modeled["cost_per_million_input_tokens_usd"] + modeled["cost_per_million_output_tokens_usd"]) / 2
    )
    assert modeled["min_gpus_for_weights"] == 1 and modeled["kv_cache_bytes_per_token"] == 2 * 80 * 8 * 128
    measured = frame.filter(pl.col("throughput_basis") == "measured").row(0, named=True)
    assert measured["cost_per_million_tokens_usd"] == pytest.approx(2 * 0.7555, abs=1e-3)  # 50% idle doubles $0.76
    assert measured["throughput_source"] == "TensorRT-LLM perf-overview" and measured["measured_precision"] == "fp8"
    # energy per 1M tokens: DGX H200 1,275 W per GPU x 0.75 average draw x PUE 1.15 (AWS fleet-wide) for
    # 1e6 / (1,454.5 x 3600) hours
    assert measured["energy_kwh_per_million_tokens"] == pytest.approx(1.275 * 0.75 * 1.15 * 1e6 / (1454.5 * 3600))
    assert measured["tariff_is_fallback"] and math.isclose(
        measured["energy_cost_per_million_tokens_usd"], measured["energy_kwh_per_million_tokens"] * 0.08
    )
    with pytest.raises(ValueError, match="utilization"):
        inference_costs(models, specs, prices, throughput, utilization=0, datacenter_pue=PUE, computed_at=NOW)
