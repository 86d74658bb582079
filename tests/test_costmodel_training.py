"""Training-cost formulas against hand-computed values."""

import datetime as dt

import polars as pl
import pytest

from costmodel.training import cheapest_prices, gpu_hours, training_costs, training_flops

NOW = dt.datetime(2026, 11, 30, 6)


def test_gpt3_flops_and_gpu_hours_by_hand():
    flops = training_flops(175e9, 300e9)
    assert flops == pytest.approx(3.15e23)
    # 3.15e23 / (312e12 * 0.40 * 3600) = 701,121.8 A100-hours
    assert gpu_hours(flops, 312, 0.40) == pytest.approx(701_121.79, rel=1e-6)


def test_seed_gpt3_on_tpu_v4_reproduces_1_398m():
    # Sunyan (2023): 46.2% MFU on TPU v4 (275 TFLOP/s), $2.03 per chip-hour (1-year commitment)
    hours = gpu_hours(training_flops(175e9, 300e9), 275, 0.462)
    assert hours == pytest.approx(688_705, rel=1e-5)
    assert hours * 2.03 == pytest.approx(1.398e6, rel=1e-3)


def prices_frame():
    rows = [
        # gpu_model, provider, region, instance, pricing, basis, $/gpu-h
        ("A100-40GB", "lambda", "us-east-1", "gpu_1x_a100", "on_demand", "instance", 1.99),
        ("A100-40GB", "aws", "us-east-1", "p4d.24xlarge", "on_demand", "instance", 2.7447),
        ("A100-40GB", "gcp", "us-central1", "A100:1", "on_demand", "gpu_only", 1.50),  # host not included: not a rival
        ("A100-40GB", "aws", "us-east-1", "p4d.24xlarge", "spot", "instance", 0.98),
        ("H100-SXM", "aws", "us-east-1", "p5.48xlarge", "on_demand", "instance", 6.88),
        (None, "azure", "eastus", "Standard_NV12s_v3", "on_demand", "instance", 1.14),
        ("RTX-A6000", "lambda", "us-east-1", "gpu_1x_a6000", "on_demand", "instance", 1.09),  # no dense peak: skipped
    ]
    return pl.DataFrame(
        [
            {"gpu_model": m, "provider": p, "region": r, "instance_type": i, "pricing": k, "price_basis": b,
             "price_per_gpu_hour_usd": v, "source": "skypilot", "snapshot_date": dt.date(2026, 11, 30), "origin": "live"}
            for m, p, r, i, k, b, v in rows
        ]
    )


def specs_frame():
    return pl.DataFrame(
        {
            "gpu_model": ["A100-40GB", "H100-SXM", "RTX-A6000", "V100"],
            "tflops_bf16_dense": [312.0, 989.0, None, None],
            "tflops_fp16_dense": [312.0, 989.0, None, 125.0],
        }
    )


def test_cheapest_on_demand_ignores_spot_gpu_only_and_unknown():
    cheapest = cheapest_prices(prices_frame())
    a100 = cheapest.filter(pl.col("gpu_model") == "A100-40GB").row(0, named=True)
    assert a100["price_per_gpu_hour_usd"] == 1.99 and a100["price_provider"] == "lambda"
    assert cheapest["gpu_model"].null_count() == 0


def test_training_costs_rows_carry_their_assumptions():
    models = pl.DataFrame({"model": ["GPT-3 175B"], "params_active": [175e9], "training_tokens": [300e9]})
    costs = training_costs(models, specs_frame(), prices_frame(), mfu=0.40, computed_at=NOW)
    assert costs["gpu_model"].to_list() == ["A100-40GB", "H100-SXM"]  # sorted by cost; A6000 has no peak
    a100 = costs.row(0, named=True)
    assert a100["gpu_hours"] == pytest.approx(701_121.79, rel=1e-6)
    assert a100["cloud_cost_usd"] == pytest.approx(701_121.79 * 1.99, rel=1e-6)
    assert a100["mfu"] == 0.40 and a100["peak_precision"] == "bf16" and a100["price_origin"] == "live"
    h100 = costs.row(1, named=True)
    # 3.15e23 / (989e12 * 0.4 * 3600) = 221,183.5 H100-hours x $6.88
    assert h100["cloud_cost_usd"] == pytest.approx(3.15e23 / (989e12 * 0.4 * 3600) * 6.88, rel=1e-9)


def test_mfu_is_overridable_and_checked():
    models = pl.DataFrame({"model": ["GPT-3 175B"], "params_active": [175e9], "training_tokens": [300e9]})
    at_half = training_costs(models, specs_frame(), prices_frame(), mfu=0.5, computed_at=NOW)
    assert at_half["gpu_hours"][0] == pytest.approx(701_121.79 * 0.8, rel=1e-6)
    with pytest.raises(ValueError, match="mfu"):
        training_costs(models, specs_frame(), prices_frame(), mfu=1.5, computed_at=NOW)
