"""Training cost: FLOPs -> GPU-hours -> dollars, kWh and CO2, rented or owned.

FLOPs = 6 x N_active x D (Kaplan et al. 2020: forward + backward ~ 6 FLOPs per parameter per token).
GPU-hours = FLOPs / (dense peak x MFU x 3600). Cost = GPU-hours x $/GPU-hour.
MFU is uncertain, so every estimate comes as a central value and a band: the `_low`
estimate uses the high MFU (fewer GPU-hours), the `_high` estimate the low MFU.
The helpers work on plain floats and on polars expressions alike.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from costmodel.hardware import gpu_table
from costmodel.ownership import (
    DEFAULT_CLUSTER_OVERHEAD,
    DEFAULT_DEPRECIATION_PER_YEAR,
    OWNERSHIP_SOURCE,
    breakeven_utilization,
    capex_per_gpu,
    capex_per_gpu_hour,
    owned_cost_per_gpu_hour,
)
from costmodel.power import Electricity, co2_kg, energy_cost_usd, energy_kwh, with_electricity
from costmodel.prices import price_options

DEFAULT_MFU = 0.40  # central model-FLOPs utilization (Megatron-LM 44-52% step MFU; 30-40% end to end at scale)
DEFAULT_MFU_LOW = 0.30
DEFAULT_MFU_HIGH = 0.50
MFU_SOURCE = (
    "default: central 0.40, band 0.30-0.50 (Megatron-LM 44-52% step MFU; 30-40% end to end for dense models at scale)"
)
SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0


def training_flops(params_active, tokens):
    """Total training compute in FLOPs."""
    return 6 * params_active * tokens


def gpu_hours(flops, peak_tflops_dense, mfu):
    """GPU-hours to deliver `flops` at `mfu` of a dense peak given in TFLOP/s."""
    return flops / (peak_tflops_dense * 1e12 * mfu * SECONDS_PER_HOUR)


def implied_mfu(flops, gpu_hours_used, peak_tflops_dense):
    """The MFU a run must have reached to deliver `flops` in `gpu_hours_used`."""
    return flops / (gpu_hours_used * SECONDS_PER_HOUR * peak_tflops_dense * 1e12)


def wall_clock_days(gpu_hours_needed, gpus):
    """Calendar days on a cluster of `gpus` GPUs running all the time."""
    return gpu_hours_needed / gpus / HOURS_PER_DAY


def cloud_cost_usd(gpu_hours_needed, price_per_gpu_hour_usd):
    return gpu_hours_needed * price_per_gpu_hour_usd


def mfu_band(
    mfu: float | None = None, low: float | None = None, high: float | None = None
) -> tuple[float, float, float]:
    """(low, central, high) MFU. A central value outside the default band widens the band to include it."""
    central = DEFAULT_MFU if mfu is None else mfu
    low = min(DEFAULT_MFU_LOW, central) if low is None else low
    high = max(DEFAULT_MFU_HIGH, central) if high is None else high
    for name, value in (("mfu", central), ("mfu_low", low), ("mfu_high", high)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    if not low <= central <= high:
        raise ValueError(f"the MFU band must hold low <= central <= high, got {low} <= {central} <= {high}")
    return low, central, high


def training_estimate(
    *,
    params_active: float,
    tokens: float,
    peak_tflops_dense: float,
    mfu: tuple[float, float, float],
    price_per_gpu_hour_usd: float | None,
    power_w_per_gpu: float | None,
    electricity: Electricity,
    gpus: int | None = None,
    capex_usd_per_gpu_hour: float | None = None,
) -> dict:
    """Every training figure for one model on one GPU (the CLI's `estimate training`)."""
    low, central, high = mfu
    flops = training_flops(params_active, tokens)
    hours = {
        "": gpu_hours(flops, peak_tflops_dense, central),
        "_low": gpu_hours(flops, peak_tflops_dense, high),
        "_high": gpu_hours(flops, peak_tflops_dense, low),
    }
    out: dict = {"flops": flops, **{f"gpu_hours{k}": v for k, v in hours.items()}}
    if gpus:
        out |= {f"wall_clock_days{k}": wall_clock_days(v, gpus) for k, v in hours.items()}
    if price_per_gpu_hour_usd is not None:
        out["price_per_gpu_hour_usd"] = price_per_gpu_hour_usd
        out |= {f"cloud_cost_usd{k}": cloud_cost_usd(v, price_per_gpu_hour_usd) for k, v in hours.items()}
    if power_w_per_gpu is not None:
        kwh = energy_kwh(hours[""], power_w_per_gpu, electricity.pue)
        out |= {"energy_kwh": kwh, "energy_cost_usd": energy_cost_usd(kwh, electricity.tariff_usd_per_kwh)}
        if electricity.grid_gco2_per_kwh is not None:
            out["co2_kg"] = co2_kg(kwh, electricity.grid_gco2_per_kwh)
        if capex_usd_per_gpu_hour is not None:
            energy_per_hour = energy_cost_usd(
                energy_kwh(1.0, power_w_per_gpu, electricity.pue), electricity.tariff_usd_per_kwh
            )
            out["owned_cost_usd"] = hours[""] * owned_cost_per_gpu_hour(capex_usd_per_gpu_hour, energy_per_hour)
            if price_per_gpu_hour_usd is not None:
                out["owning_breakeven_utilization"] = breakeven_utilization(
                    capex_usd_per_gpu_hour, energy_per_hour, price_per_gpu_hour_usd
                )
    return out


def training_costs(
    models: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    *,
    mfu: float = DEFAULT_MFU,
    mfu_low: float | None = None,
    mfu_high: float | None = None,
    energy: pl.DataFrame | None = None,
    datacenter_pue: pl.DataFrame,
    purchase_prices: pl.DataFrame | None = None,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """One training run of every model on every GPU model with a dense peak, at every price choice.

    Rows: model x GPU x pricing (see costmodel.prices.price_options). Energy uses the GPU's TDP
    and the electricity where the price's offer runs (fallbacks where unknown: PUE from
    `datacenter_pue`, see costmodel.power.with_electricity); owned cost uses
    the purchase price file where it has the GPU.
    """
    low, central, high = mfu_band(mfu, mfu_low, mfu_high)
    per_gpu = price_options(prices).join(gpu_table(specs), on="gpu_model", how="inner")
    runs = models.filter(pl.col("training_tokens").is_not_null()).select("model", "params_active", "training_tokens")
    frame = (
        runs.join(per_gpu, how="cross")
        .with_columns(
            training_flops(pl.col("params_active"), pl.col("training_tokens")).alias("training_flops"),
            pl.lit(central).alias("mfu"),
            pl.lit(low).alias("mfu_low"),
            pl.lit(high).alias("mfu_high"),
        )
        .with_columns(
            gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu")).alias("gpu_hours"),
            gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu_high")).alias("gpu_hours_low"),
            gpu_hours(pl.col("training_flops"), pl.col("peak_tflops_dense"), pl.col("mfu_low")).alias("gpu_hours_high"),
        )
        .with_columns(
            cloud_cost_usd(pl.col(f"gpu_hours{k}"), pl.col("price_per_gpu_hour_usd")).alias(f"cloud_cost_usd{k}")
            for k in ("", "_low", "_high")
        )
    )
    frame = with_electricity(
        frame.with_columns(pl.col("tdp_w").alias("power_w_per_gpu"), pl.lit("tdp").alias("power_basis")),
        energy,
        datacenter_pue,
    )
    frame = frame.with_columns(
        energy_kwh(pl.col("gpu_hours"), pl.col("power_w_per_gpu"), pl.col("pue")).alias("energy_kwh")
    ).with_columns(
        energy_cost_usd(pl.col("energy_kwh"), pl.col("tariff_usd_per_kwh")).alias("energy_cost_usd"),
        co2_kg(pl.col("energy_kwh"), pl.col("grid_gco2_per_kwh")).alias("co2_kg"),
    )
    frame = _with_ownership(frame, purchase_prices)
    return (
        frame.with_columns(pl.lit(computed_at).alias("computed_at"))
        .select(TRAINING_COST_COLUMNS)
        .sort("model", "pricing", "cloud_cost_usd", "price_provider", nulls_last=True)
    )


def _with_ownership(frame: pl.DataFrame, purchase_prices: pl.DataFrame | None) -> pl.DataFrame:
    """Amortized capex per GPU-hour (Epoch method), owned cost of the run and the break-even utilization."""
    schema = {
        "gpu_model": pl.String,
        "server_price_per_gpu_usd": pl.Float64,
        "price_date": pl.String,
        "source": pl.String,
    }
    purchase = (purchase_prices if purchase_prices is not None else pl.DataFrame(schema=schema)).select(
        "gpu_model",
        "server_price_per_gpu_usd",
        pl.col("price_date").cast(pl.String).alias("purchase_price_date"),
        pl.col("source").alias("purchase_price_source"),
    )
    capex_hour = capex_per_gpu_hour(
        capex_per_gpu(pl.col("server_price_per_gpu_usd"), pl.col("cluster_overhead")),
        depreciation_per_year=DEFAULT_DEPRECIATION_PER_YEAR,
    )
    energy_per_hour = energy_cost_usd(
        energy_kwh(1.0, pl.col("power_w_per_gpu"), pl.col("pue")), pl.col("tariff_usd_per_kwh")
    )
    return (
        frame.join(purchase, on="gpu_model", how="left")
        .with_columns(
            pl.lit(DEFAULT_CLUSTER_OVERHEAD).alias("cluster_overhead"),
            pl.lit(DEFAULT_DEPRECIATION_PER_YEAR).alias("depreciation_per_year"),
            pl.lit(OWNERSHIP_SOURCE).alias("ownership_method"),
        )
        .with_columns(capex_hour.alias("capex_usd_per_gpu_hour"))
        .with_columns(
            (pl.col("gpu_hours") * owned_cost_per_gpu_hour(pl.col("capex_usd_per_gpu_hour"), energy_per_hour)).alias(
                "owned_cost_usd"
            ),
            breakeven_utilization(
                pl.col("capex_usd_per_gpu_hour"), energy_per_hour, pl.col("price_per_gpu_hour_usd")
            ).alias("owning_breakeven_utilization"),
        )
    )


TRAINING_COST_COLUMNS = [
    "model",
    "gpu_model",
    "pricing",
    "params_active",
    "training_tokens",
    "training_flops",
    "peak_tflops_dense",
    "peak_precision",
    "mfu",
    "mfu_low",
    "mfu_high",
    "gpu_hours",
    "gpu_hours_low",
    "gpu_hours_high",
    "price_per_gpu_hour_usd",
    "cloud_cost_usd",
    "cloud_cost_usd_low",
    "cloud_cost_usd_high",
    "price_provider",
    "price_region",
    "price_instance_type",
    "price_source",
    "price_snapshot_date",
    "price_origin",
    "price_offers",
    "power_w_per_gpu",
    "power_basis",
    "pue",
    "pue_source",
    "energy_kwh",
    "tariff_usd_per_kwh",
    "tariff_source",
    "tariff_period",
    "tariff_is_fallback",
    "energy_cost_usd",
    "grid_gco2_per_kwh",
    "grid_year",
    "grid_source",
    "co2_kg",
    "server_price_per_gpu_usd",
    "purchase_price_date",
    "purchase_price_source",
    "cluster_overhead",
    "depreciation_per_year",
    "ownership_method",
    "capex_usd_per_gpu_hour",
    "owned_cost_usd",
    "owning_breakeven_utilization",
    "computed_at",
]
