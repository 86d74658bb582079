"""Training-cost formulas against hand-computed values: FLOPs, GPU-hours, MFU band, days, cost, energy, ownership."""

import datetime as dt

import polars as pl
import pytest

from assets.energy.reference import DATACENTER_PUE
from assets.reference.files import INSTANCE_INTERCONNECT
from costmodel.ownership import DEFAULT_CLUSTER_OVERHEAD, DEFAULT_DEPRECIATION_PER_YEAR
from costmodel.power import Electricity
from costmodel.prices import cheapest_prices
from costmodel.training import (
    gpu_hours,
    implied_mfu,
    mfu_band,
    training_costs,
    training_estimate,
    training_flops,
    wall_clock_days,
)

NOW = dt.datetime(2026, 11, 30, 6)
PUE = DATACENTER_PUE.load()  # core.datacenter_pue: the PUE fallback where the energy mart has no row
LINKS = INSTANCE_INTERCONNECT.load()  # which offers are cluster nodes
GPT3 = pl.DataFrame(
    {"model": ["GPT-3 175B"], "params_active": [175e9], "params_total": [175e9], "training_tokens": [300e9]}
)
# A GPU without a published server power draws TDP x 1.8 (server) x 0.75 (average): Epoch AI's factors
SERVER = 1.8 * 0.75


def costs(models=GPT3, **kw):
    return training_costs(
        models, specs_frame(), prices_frame(), interconnect=LINKS, datacenter_pue=PUE, computed_at=NOW, **kw
    )


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
            {
                "gpu_model": m,
                "provider": p,
                "region": r,
                "instance_type": i,
                "pricing": k,
                "price_basis": b,
                "price_per_gpu_hour_usd": v,
                "source": "skypilot",
                "snapshot_date": dt.date(2026, 11, 30),
                "origin": "live",
            }
            for m, p, r, i, k, b, v in rows
        ]
    )


def specs_frame():
    return pl.DataFrame(
        {
            "gpu_model": ["A100-40GB", "H100-SXM", "RTX-A6000", "V100"],
            "tflops_bf16_dense": [312.0, 989.0, None, None],
            "tflops_fp16_dense": [312.0, 989.0, None, 125.0],
            "memory_gb": [40.0, 80.0, 48.0, 16.0],
            "memory_bandwidth_tbps": [1.555, 3.35, 0.768, 0.9],
            "tdp_w": [400.0, 700.0, 300.0, 300.0],
        }
    )


def test_cheapest_on_demand_ignores_spot_gpu_only_and_unknown():
    cheapest = cheapest_prices(prices_frame())
    a100 = cheapest.filter(pl.col("gpu_model") == "A100-40GB").row(0, named=True)
    assert a100["price_per_gpu_hour_usd"] == 1.99 and a100["price_provider"] == "lambda"
    assert cheapest["gpu_model"].null_count() == 0


def test_training_costs_rows_carry_their_assumptions_and_the_offer():
    rows = costs(mfu=0.40).filter(pl.col("pricing") == "on_demand")
    # the one-GPU Lambda A100 ($1.99) cannot train GPT-3 across nodes: the 8-GPU p4d with EFA can ($2.7447)
    assert rows["gpu_model"].to_list() == ["H100-SXM", "A100-40GB"]  # sorted by cost; A6000 has no peak
    h100 = rows.row(0, named=True)
    # 3.15e23 / (989e12 * 0.4 * 3600) = 221,183.5 H100-hours x $6.88 (no architecture given: 6ND only)
    assert h100["cloud_cost_usd"] == pytest.approx(3.15e23 / (989e12 * 0.4 * 3600) * 6.88, rel=1e-9)
    a100 = rows.row(1, named=True)
    assert a100["gpu_hours"] == pytest.approx(701_121.79, rel=1e-6)
    assert a100["cloud_cost_usd"] == pytest.approx(701_121.79 * 2.7447, rel=1e-6)
    assert a100["mfu"] == 0.40 and a100["peak_precision"] == "bf16" and a100["price_origin"] == "live"
    assert (a100["price_instance_type"], a100["offer_class"], a100["interconnect"]) == (
        "p4d.24xlarge",
        "cluster_node",
        "nvswitch + efa",
    )
    assert a100["gpus_per_instance"] == 8 and a100["utilization_basis"].startswith("given")
    # 175B x 16 bytes = 2.8 TB of state in 90% of 40 GB per GPU: 78 GPUs, rounded up to 10 whole nodes
    assert a100["training_state_bytes"] == 2.8e12 and a100["training_gpus_min"] == 80


def test_mfu_is_overridable_and_checked():
    at_half = costs(mfu=0.5).filter((pl.col("pricing") == "on_demand") & (pl.col("gpu_model") == "A100-40GB"))
    assert at_half["gpu_hours"][0] == pytest.approx(701_121.79 * 0.8, rel=1e-6)
    with pytest.raises(ValueError, match="mfu"):
        costs(mfu=1.5)


def test_mfu_band_gives_central_low_and_high_gpu_hours():
    # without published runs the fallback band 0.30-0.40-0.50 applies (the marts pass training_runs.csv)
    row = costs().filter((pl.col("pricing") == "on_demand") & (pl.col("gpu_model") == "A100-40GB")).row(0, named=True)
    assert (row["mfu_low"], row["mfu"], row["mfu_high"]) == (0.30, 0.40, 0.50)
    # low estimate = at the high MFU: 3.15e23 / (312e12 * 0.5 * 3600) = 560,897.4 h; high = at 0.3: 934,829.1 h
    assert row["gpu_hours_low"] == pytest.approx(560_897.44, rel=1e-6)
    assert row["gpu_hours_high"] == pytest.approx(934_829.06, rel=1e-6)
    assert row["cloud_cost_usd_low"] == pytest.approx(560_897.44 * 2.7447, rel=1e-6)
    assert row["cloud_cost_usd_high"] == pytest.approx(934_829.06 * 2.7447, rel=1e-6)


def test_mfu_band_rules():
    assert mfu_band() == (0.30, 0.40, 0.50)
    assert mfu_band(0.6) == (0.30, 0.6, 0.6)  # a central value outside the default band widens it
    assert mfu_band(0.2, 0.1, 0.3) == (0.1, 0.2, 0.3)
    with pytest.raises(ValueError, match="low <= central <= high"):
        mfu_band(0.4, 0.45, 0.5)
    with pytest.raises(ValueError, match="mfu_high must be in"):
        mfu_band(0.4, 0.3, 1.2)


def test_wall_clock_days_and_implied_mfu_by_hand():
    # 701,121.8 A100-hours on 1,024 GPUs = 684.7 hours = 28.53 days
    assert wall_clock_days(701_121.79, 1024) == pytest.approx(28.529, rel=1e-4)
    # GPT-3 on 10,000 V100 for 14.8 days: 3.15e23 / (3,552,000 h x 3600 x 125e12) = 19.7% (the PaLM paper says 21.3%
    # step MFU)
    assert implied_mfu(3.15e23, 3_552_000, 125) == pytest.approx(0.1971, abs=1e-4)


def test_training_estimate_energy_co2_and_ownership_by_hand():
    electricity = Electricity(
        pue=1.1, pue_source="test", tariff_usd_per_kwh=0.10, tariff_source="test", grid_gco2_per_kwh=400.0
    )
    capex_hour = 1.5  # $/GPU-hour
    out = training_estimate(
        params_active=175e9,
        tokens=300e9,
        peak_tflops_dense=989,
        mfu=(0.3, 0.4, 0.5),
        price_per_gpu_hour_usd=2.0,
        power_w_per_gpu=700,
        electricity=electricity,
        gpus=1000,
        capex_usd_per_gpu_hour=capex_hour,
    )
    hours = 3.15e23 / (989e12 * 0.4 * 3600)  # 221,183.5
    assert out["gpu_hours"] == pytest.approx(hours)
    assert out["wall_clock_days"] == pytest.approx(hours / 1000 / 24)
    assert out["cloud_cost_usd"] == pytest.approx(hours * 2.0)
    kwh = hours * 700 * 1.1 / 1000  # 170,311 kWh
    assert out["energy_kwh"] == pytest.approx(kwh)
    assert out["energy_cost_usd"] == pytest.approx(kwh * 0.10)
    assert out["co2_kg"] == pytest.approx(kwh * 0.4)
    assert out["owned_cost_usd"] == pytest.approx(hours * 1.5 + kwh * 0.10)
    # owning wins above 1.5 / (2.0 - 0.077) = 78.0% utilization (energy per GPU-hour = 0.7 kW x 1.1 x $0.10)
    assert out["owning_breakeven_utilization"] == pytest.approx(1.5 / (2.0 - 0.077))


def test_training_estimate_leaves_out_what_it_cannot_know():
    electricity = Electricity(pue=1.25, pue_source="t", tariff_usd_per_kwh=0.08, tariff_source="t")
    out = training_estimate(
        params_active=7e9,
        tokens=2e12,
        peak_tflops_dense=197,
        mfu=(0.3, 0.4, 0.5),
        price_per_gpu_hour_usd=None,
        power_w_per_gpu=None,
        electricity=electricity,
    )
    assert (
        "cloud_cost_usd" not in out and "energy_kwh" not in out and "co2_kg" not in out and "wall_clock_days" not in out
    )
    assert out["gpu_hours"] == pytest.approx(6 * 7e9 * 2e12 / (197e12 * 0.4 * 3600))


def test_training_mart_takes_electricity_from_the_energy_mart_and_defaults_elsewhere():
    energy = pl.DataFrame(
        {
            "provider": ["aws"],
            "region": ["us-east-1"],
            "country_code": ["US"],
            "state_code": ["VA"],
            "tariff_usd_per_kwh": [0.0851],
            "tariff_source": ["EIA 5.6.A Virginia industrial"],
            "tariff_period": ["2026-03"],
            "tariff_is_fallback": [False],
            "grid_gco2_per_kwh": [300.0],
            "grid_year": [2025],
            "grid_source": ["Ember"],
            "pue": [1.3],
            "pue_source": ["test PUE"],
        }
    )
    rows = costs(energy=energy).filter(pl.col("pricing") == "on_demand")
    a100 = rows.filter(pl.col("gpu_model") == "A100-40GB").row(0, named=True)  # aws us-east-1: known
    assert (a100["tariff_usd_per_kwh"], a100["pue"], a100["tariff_period"], a100["tariff_is_fallback"]) == (
        0.0851,
        1.3,
        "2026-03",
        False,
    )
    # server-level average power: 400 W TDP x 1.8 x 0.75 = 540 W (no system figure in this spec frame)
    assert a100["power_w_per_gpu"] == pytest.approx(400 * SERVER)
    assert a100["energy_kwh"] == pytest.approx(701_121.79 * 400 * SERVER * 1.3 / 1000, rel=1e-6)
    assert a100["co2_kg"] == pytest.approx(a100["energy_kwh"] * 0.3)
    no_energy = costs()
    # PUE: AWS's fleet-wide row of datacenter_pue.csv, as the energy mart would give aws us-east-1
    h100 = no_energy.filter((pl.col("gpu_model") == "H100-SXM") & (pl.col("pricing") == "on_demand")).row(0, named=True)
    assert (h100["tariff_usd_per_kwh"], h100["pue"], h100["tariff_is_fallback"]) == (0.08, 1.15, True)
    assert h100["tariff_source"].startswith("default") and h100["co2_kg"] is None
    assert no_energy["tariff_is_fallback"].all() and no_energy["co2_kg"].is_null().all()


def test_training_mart_prices_every_choice_and_owned_hardware():
    purchase = pl.DataFrame(
        {
            "gpu_model": ["H100-SXM"],
            "server_price_per_gpu_usd": [33_750.0],
            "price_date": ["2023-05"],
            "source": ["Epoch"],
        }
    )
    rows = costs(purchase_prices=purchase)
    a100 = rows.filter(pl.col("gpu_model") == "A100-40GB")
    # only the p4d can train: one offer each for on-demand, spot, the median and AWS
    assert sorted(a100["pricing"].to_list()) == ["on_demand", "on_demand_median", "on_demand_provider", "spot"]
    assert a100.filter(pl.col("pricing") == "spot")["price_per_gpu_hour_usd"].to_list() == [0.98]
    assert a100.filter(pl.col("pricing") == "on_demand_median")["price_per_gpu_hour_usd"].to_list() == [2.7447]
    h100 = rows.filter((pl.col("gpu_model") == "H100-SXM") & (pl.col("pricing") == "on_demand")).row(0, named=True)
    # Epoch AI: the DGX H100's $33,750 of 2023-05 (acquired mid-May) is worth 10^(-0.14 x 3.55 years) of it at the
    # start (2026-11-30); an hour costs that x 1.2346 (cluster) x 0.3224 / 8,760 (new, it would be $1.53)
    years = (dt.date(2026, 11, 30) - dt.date(2023, 5, 15)).days / 365.25
    value = 33_750 * 10 ** (-0.14 * years)
    assert h100["acquisition_date"] == dt.date(2023, 5, 15) and h100["training_start_date"] == dt.date(2026, 11, 30)
    assert h100["value_at_start_usd_per_gpu"] == pytest.approx(value)
    capex = value * DEFAULT_CLUSTER_OVERHEAD * DEFAULT_DEPRECIATION_PER_YEAR / 8760
    assert h100["capex_usd_per_gpu_hour"] == pytest.approx(capex) and capex == pytest.approx(0.489, abs=1e-3)
    assert h100["owned_cost_usd"] == pytest.approx(
        h100["gpu_hours"] * h100["capex_usd_per_gpu_hour"] + h100["energy_cost_usd"]
    )
    energy_hour = 0.7 * SERVER * 1.15 * 0.08  # server-level power, AWS fleet-wide PUE, default tariff
    assert h100["owning_breakeven_utilization"] == pytest.approx(h100["capex_usd_per_gpu_hour"] / (6.88 - energy_hour))
    assert a100.filter(pl.col("pricing") == "on_demand")["owned_cost_usd"].to_list() == [
        None
    ]  # no purchase price for it
