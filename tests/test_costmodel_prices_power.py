"""Price choices, electricity and ownership formulas against hand-computed values."""

import datetime as dt
import math

import polars as pl
import pytest

from costmodel.ownership import (
    DEFAULT_CLUSTER_OVERHEAD,
    DEFAULT_DEPRECIATION_PER_YEAR,
    breakeven_utilization,
    capex_per_gpu,
    capex_per_gpu_hour,
    owned_cost_per_gpu_hour,
)
from costmodel.power import (
    DEFAULT_TARIFF_USD_PER_KWH,
    co2_kg,
    default_electricity,
    electricity_for,
    energy_cost_usd,
    energy_kwh,
    power_w_per_gpu,
    regions_named,
    with_electricity,
)
from costmodel.prices import choose_price, median_prices, price_options

DAY = dt.date(2026, 5, 20)


def offers():
    rows = [
        # gpu_model, provider, region, instance, pricing, $/gpu-h, snapshot day, origin
        ("H100-SXM", "aws", "us-east-1", "p5.48xlarge", "on_demand", 6.88, DAY, "live"),
        ("H100-SXM", "aws", "us-west-2", "p5.48xlarge", "on_demand", 6.88, DAY, "live"),
        ("H100-SXM", "lambda", "us-east-1", "gpu_8x_h100_sxm5", "on_demand", 3.99, DAY, "snapshot:2026-05-20"),
        (
            "H100-SXM",
            "azure",
            "eastus",
            "Standard_ND96isr_H100_v5",
            "on_demand",
            12.29,
            DAY - dt.timedelta(days=3),
            "live",
        ),
        ("H100-SXM", "aws", "us-east-1", "p5.48xlarge", "spot", 2.50, DAY, "live"),
    ]
    return pl.DataFrame(
        [
            {
                "gpu_model": m,
                "provider": p,
                "region": r,
                "instance_type": i,
                "pricing": k,
                "price_basis": "instance",
                "price_per_gpu_hour_usd": v,
                "source": "skypilot",
                "snapshot_date": d,
                "origin": o,
            }
            for m, p, r, i, k, v, d, o in rows
        ]
    )


def test_median_price_is_over_every_offer_and_names_no_single_one():
    median = median_prices(offers()).row(0, named=True)
    assert median["price_per_gpu_hour_usd"] == pytest.approx((6.88 + 6.88) / 2)  # 3.99, 6.88, 6.88, 12.29 -> 6.88
    assert median["price_offers"] == 4 and median["price_provider"] is None
    assert median["price_snapshot_date"] == DAY - dt.timedelta(days=3)  # the oldest price it used
    assert median["price_origin"] == "live, snapshot:2026-05-20"


def test_price_options_cheapest_spot_median_and_per_provider():
    options = price_options(offers())
    by = {(r["pricing"], r["price_provider"]): r["price_per_gpu_hour_usd"] for r in options.iter_rows(named=True)}
    assert by[("on_demand", "lambda")] == 3.99
    assert by[("spot", "aws")] == 2.50
    assert by[("on_demand_median", None)] == 6.88
    assert {p: v for (k, p), v in by.items() if k == "on_demand_provider"} == {
        "aws": 6.88,
        "lambda": 3.99,
        "azure": 12.29,
    }


def test_choose_price_at_a_provider():
    assert choose_price(offers(), "H100-SXM", provider="AWS")["price_per_gpu_hour_usd"] == 6.88
    assert choose_price(offers(), "H100-SXM", "spot")["price_provider"] == "aws"
    assert choose_price(offers(), "H100-SXM", provider="gcp") is None
    assert choose_price(offers(), "B200") is None
    with pytest.raises(ValueError, match="pricing"):
        choose_price(offers(), "H100-SXM", "reserved")


def test_energy_cost_and_co2_by_hand():
    # one H100 SXM (700 W) for a year at PUE 1.1: 6,745 kWh; at $0.097/kWh ~$654; at 400 g/kWh 2,698 kg
    kwh = energy_kwh(8760, 700, 1.1)
    assert kwh == pytest.approx(6745.2)
    assert energy_cost_usd(kwh, 0.097) == pytest.approx(654.28, abs=0.01)
    assert co2_kg(kwh, 400) == pytest.approx(2698.08)
    # Epoch AI: average power at 75% of TDP (the caller scales the power; nothing in gpucost does)
    assert energy_kwh(1, 1275 * 0.75, 1.1) == pytest.approx(1.0519, abs=1e-4)


def test_server_power_is_shared_over_its_gpus():
    assert power_w_per_gpu(tdp_w=400) == 400
    assert power_w_per_gpu(tdp_w=400, server_power_kw=6.5, gpus_per_server=8) == 812.5  # DGX A100
    with pytest.raises(ValueError, match="GPUs per server"):
        power_w_per_gpu(server_power_kw=6.5)


# core.datacenter_pue's shape, with rows of assets/energy/data/datacenter_pue.csv
PUE = pl.DataFrame(
    {
        "provider": ["*", "aws", "azure", "lambda", "runpod", "azure"],
        "region": [None, None, None, None, None, "westus3"],
        "pue": [1.56, 1.15, 1.16, 1.25, 1.56, 1.13],
        "year": [2024] * 6,
        "scope": ["industry_average", "fleet", "fleet", "assumption", "industry_average", "geography"],
        "source": [
            "Uptime 2024",
            "AWS fleet",
            "Microsoft fleet",
            "Epoch AI",
            "Uptime 2024 (runpod)",
            "Microsoft Arizona",
        ],
    }
)


def test_electricity_defaults_and_regions():
    assert default_electricity(PUE, "AWS").pue == 1.15 and default_electricity(PUE, "lambda").pue == 1.25
    assert (
        default_electricity(PUE).tariff_usd_per_kwh == DEFAULT_TARIFF_USD_PER_KWH
        and default_electricity(PUE).tariff_is_fallback
    )
    energy = pl.DataFrame(
        {
            "provider": ["aws", "lambda"],
            "region": ["us-east-1", "us-east-1"],
            "tariff_usd_per_kwh": [0.0851, 0.0851],
            "tariff_source": ["EIA"] * 2,
            "tariff_period": ["2026-03"] * 2,
            "tariff_is_fallback": [False, True],
            "grid_gco2_per_kwh": [320.5, None],
            "grid_year": [2025, None],
            "grid_source": ["Ember", None],
            "pue": [1.135, None],
            "pue_source": ["CCF", None],
        }
    )
    aws = electricity_for(energy, PUE, "AWS", "us-east-1")
    assert (aws.pue, aws.tariff_usd_per_kwh, aws.grid_gco2_per_kwh, aws.grid_year, aws.tariff_is_fallback) == (
        1.135,
        0.0851,
        320.5,
        2025,
        False,
    )
    lam = electricity_for(energy, PUE, "lambda", "us-east-1")
    assert (lam.pue, lam.tariff_is_fallback, lam.grid_gco2_per_kwh) == (1.25, True, None)
    assert lam.pue_source == "fallback: lambda fleet-wide PUE, core.datacenter_pue: Epoch AI"
    assert electricity_for(None, PUE, "gcp", "us-central1") == default_electricity(PUE, "gcp")
    assert regions_named(energy, "US-EAST-1")["provider"].to_list() == ["aws", "lambda"]
    assert regions_named(energy, "us-east-1", provider="aws").height == 1


def test_pue_fallback_is_the_energy_marts_rule_from_the_same_table():
    """Where the energy mart has no row (RunPod's own API rows have no region), PUE is the provider's fleet-wide row
    of core.datacenter_pue, else its '*' row: what marts.energy_by_region gives that provider's regions.
    The old hard-coded fallback gave runpod 1.25 without a region (1.56 with one), oci 1.1 and vast 1.25."""
    energy = pl.DataFrame(
        {
            "provider": ["runpod"],
            "region": ["US"],
            "tariff_usd_per_kwh": [0.08],
            "pue": [1.56],
            "pue_source": ["Uptime 2024"],
        }
    )
    offers = pl.DataFrame(
        {
            "price_provider": ["runpod", "runpod", "vast", "oci", "azure", "azure", None],
            "price_region": ["US", None, None, "us-ashburn-1", "westus3", "eastus", None],
        }
    )
    rows = with_electricity(offers, energy, PUE)
    assert rows["pue"].to_list() == [1.56, 1.56, 1.56, 1.56, 1.16, 1.16, 1.56]
    assert rows["pue_source"].to_list() == [
        "Uptime 2024",  # the energy mart's own row
        "fallback: runpod fleet-wide PUE, core.datacenter_pue: Uptime 2024 (runpod)",
        "fallback: default PUE for a provider without its own, core.datacenter_pue '*': Uptime 2024",
        "fallback: default PUE for a provider without its own, core.datacenter_pue '*': Uptime 2024",
        "fallback: azure fleet-wide PUE, core.datacenter_pue: Microsoft fleet",  # a regional row is the mart's business
        "fallback: azure fleet-wide PUE, core.datacenter_pue: Microsoft fleet",
        "fallback: default PUE for a provider without its own, core.datacenter_pue '*': Uptime "
        "2024",  # a median: no provider
    ]
    assert rows["tariff_is_fallback"].to_list() == [False] + [True] * 6
    with pytest.raises(ValueError, match="default row"):
        with_electricity(offers, energy, PUE.filter(pl.col("provider") != "*"))


def test_epoch_worked_example_h100_and_a100():
    """Cottier et al. 2024 method: $33,750 x 1.23 x 0.322 / 8,760 = $1.53/h; energy 1.275 kW x 0.75 x 1.1 x $0.08 =
    $0.084/h.
    """
    assert pytest.approx(1.2346, abs=1e-4) == DEFAULT_CLUSTER_OVERHEAD
    assert pytest.approx(0.14 * math.log(10)) == DEFAULT_DEPRECIATION_PER_YEAR
    h100 = capex_per_gpu_hour(capex_per_gpu(33_750), depreciation_per_year=DEFAULT_DEPRECIATION_PER_YEAR)
    assert h100 == pytest.approx(1.53, abs=0.005)
    h100_energy = energy_cost_usd(energy_kwh(1, 10_200 / 8 * 0.75, 1.1), 0.08)
    assert h100_energy == pytest.approx(0.084, abs=0.0005)
    a100 = capex_per_gpu_hour(capex_per_gpu(24_875), depreciation_per_year=DEFAULT_DEPRECIATION_PER_YEAR)
    assert a100 == pytest.approx(1.13, abs=0.005)
    assert energy_cost_usd(energy_kwh(1, 6_500 / 8 * 0.75, 1.1), 0.08) == pytest.approx(0.054, abs=0.0005)


def test_straight_line_lifetime_and_argument_checks():
    assert capex_per_gpu_hour(43_800, lifetime_years=5) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="exactly one"):
        capex_per_gpu_hour(1000)
    with pytest.raises(ValueError, match="exactly one"):
        capex_per_gpu_hour(1000, lifetime_years=3, depreciation_per_year=0.3)
    with pytest.raises(ValueError, match="positive"):
        capex_per_gpu_hour(1000, lifetime_years=0)


def test_owning_beats_renting_above_the_breakeven_utilization():
    capex, energy, rent = 1.53, 0.084, 3.99
    u = breakeven_utilization(capex, energy, rent)
    assert u == pytest.approx(1.53 / (3.99 - 0.084))  # 39.2%
    assert capex / u + energy == pytest.approx(rent)  # per busy hour, at break-even both cost the same
    assert capex / 0.9 + energy < rent < capex / 0.2 + energy
    assert owned_cost_per_gpu_hour(capex, energy) == pytest.approx(1.614)  # busy all the time
    assert breakeven_utilization(capex, 0.5, 0.4) is None  # the rent does not even pay the electricity
    frame = pl.DataFrame({"rent": [3.99, 0.05]}).select(breakeven_utilization(1.53, 0.084, pl.col("rent")).alias("u"))
    assert frame["u"].to_list() == [pytest.approx(u), None]
