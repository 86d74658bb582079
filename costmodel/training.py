"""Training cost: FLOPs -> GPU-hours -> dollars, kWh and CO2, rented or owned, on offers that can run the job.

FLOPs = 6 x N_active x D (Kaplan et al. 2020) + attention (PaLM appendix B, costmodel.utilization), both reported.
GPU-hours = FLOPs / (dense peak at the training precision x utilization x 3600). Cost = GPU-hours x $/GPU-hour.
Utilization is end to end by default: the median of what published runs delivered (costmodel.utilization), with
a band holding most of them; the `_low` estimate uses the high end (fewer GPU-hours), the `_high` one the low end.
Only cluster-capable offers are priced (costmodel.offers): whole multi-GPU nodes with a fast link inside and a
fabric between them from a provider that sells clusters, or TPU slices, in a cluster big enough for the training
state. The helpers work on plain floats and on polars expressions alike.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from costmodel.hardware import gpu_table
from costmodel.offers import (
    TRAINING_STATE_BYTES_PER_PARAM,
    classify_offers,
    interconnect_text,
    training_eligible,
    with_training_cluster,
)
from costmodel.ownership import (
    DEFAULT_CLUSTER_OVERHEAD,
    DEFAULT_DEPRECIATION_PER_YEAR,
    OWNERSHIP_SOURCE,
    acquisition_date,
    breakeven_utilization,
    fixed_cost_per_gpu_hour,
    owned_cost_per_gpu_hour,
    value_at_start,
)
from costmodel.power import Electricity, co2_kg, energy_cost_usd, energy_kwh, with_electricity, with_server_power
from costmodel.prices import price_options
from costmodel.utilization import default_utilization, with_attention_flops

# Fallbacks when no published runs are given (the marts and the CLI derive the default from training_runs.csv).
DEFAULT_MFU = 0.40  # central model-FLOPs utilization (Megatron-LM 44-52% step MFU; 30-40% end to end at scale)
DEFAULT_MFU_LOW = 0.30
DEFAULT_MFU_HIGH = 0.50
MFU_SOURCE = (
    "default: central 0.40, band 0.30-0.50 (Megatron-LM 44-52% step MFU; 30-40% end to end for dense models at scale)"
)
TRAINING_PRECISIONS = ("bf16", "fp8")
SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0


def training_flops(params_active, tokens):
    """6 x N x D: the dense-layer training compute in FLOPs (attention comes on top: costmodel.utilization)."""
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
    mfu: float | None = None,
    low: float | None = None,
    high: float | None = None,
    default: tuple[float, float, float] = (DEFAULT_MFU_LOW, DEFAULT_MFU, DEFAULT_MFU_HIGH),
) -> tuple[float, float, float]:
    """(low, central, high) utilization. A central value outside the default band widens the band to include it."""
    d_low, d_central, d_high = default
    central = d_central if mfu is None else mfu
    low = min(d_low, central) if low is None else low
    high = max(d_high, central) if high is None else high
    for name, value in (("mfu", central), ("mfu_low", low), ("mfu_high", high)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    if not low <= central <= high:
        raise ValueError(f"the MFU band must hold low <= central <= high, got {low} <= {central} <= {high}")
    return low, central, high


def utilization_band(
    runs: pl.DataFrame | None,
    models: pl.DataFrame,
    specs: pl.DataFrame,
    architectures: pl.DataFrame | None,
    *,
    precision: str = "bf16",
    mfu: float | None = None,
    mfu_low: float | None = None,
    mfu_high: float | None = None,
) -> tuple[tuple[float, float, float], str]:
    """((low, central, high), basis): the derived end-to-end default for `precision`, or what the caller gave."""
    fit = default_utilization(runs, models, specs, architectures, precision)
    default = (fit["low"], fit["central"], fit["high"]) if fit else (DEFAULT_MFU_LOW, DEFAULT_MFU, DEFAULT_MFU_HIGH)
    band = mfu_band(mfu, mfu_low, mfu_high, default=default)
    basis = fit["basis"] if fit else MFU_SOURCE
    if mfu is not None or mfu_low is not None or mfu_high is not None:
        basis = f"given (central {band[1]:g}, band {band[0]:g}-{band[2]:g}); default would be: {basis}"
    return band, basis


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
    flops_attention: float = 0.0,
) -> dict:
    """Every training figure for one model on one GPU (the CLI's `estimate training`).

    `flops` is 6ND; `flops_attention` comes on top and the GPU-hours deliver both (`flops_total`).
    """
    low, central, high = mfu
    flops = training_flops(params_active, tokens)
    total = flops + flops_attention
    hours = {
        "": gpu_hours(total, peak_tflops_dense, central),
        "_low": gpu_hours(total, peak_tflops_dense, high),
        "_high": gpu_hours(total, peak_tflops_dense, low),
    }
    out: dict = {
        "flops": flops,
        "flops_attention": flops_attention,
        "flops_total": total,
        **{f"gpu_hours{k}": v for k, v in hours.items()},
    }
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


def training_offers(
    models: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    interconnect: pl.DataFrame | None,
    precision: str = "bf16",
) -> pl.DataFrame:
    """Every (model, offer) pair that can run the training: cluster-capable offers of GPUs with a dense peak at the
    precision, in a cluster (whole nodes, within a TPU slice) that holds the model's training state."""
    runs = models.filter(pl.col("training_tokens").is_not_null()).select(
        "model", "params_active", "params_total", "training_tokens"
    )
    peaks = gpu_table(specs, precision, strict=True).select("gpu_model")
    eligible = training_eligible(classify_offers(prices, specs, interconnect)).join(peaks, on="gpu_model", how="semi")
    return with_training_cluster(runs.join(eligible, how="cross")).filter(pl.col("training_fits"))


def training_costs(
    models: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    *,
    interconnect: pl.DataFrame | None,
    runs: pl.DataFrame | None = None,
    architectures: pl.DataFrame | None = None,
    mfu: float | None = None,
    mfu_low: float | None = None,
    mfu_high: float | None = None,
    precision: str = "bf16",
    energy: pl.DataFrame | None = None,
    datacenter_pue: pl.DataFrame,
    purchase_prices: pl.DataFrame | None = None,
    colocation_usd_per_kw_month: float | None = None,
    cost_of_capital: float | None = None,
    computed_at: dt.datetime,
) -> pl.DataFrame:
    """One training run of every model on every GPU model that has an eligible offer, at every price choice.

    Rows: model x GPU x pricing (see costmodel.prices.price_options), chosen among the offers that can run it
    (training_offers); a model with no eligible offer of a GPU model has no row (costmodel.offers.training_exclusions
    says why). Utilization: derived from `runs` (training_runs.csv) unless `mfu` is given. Energy uses the server-level
    power per GPU (costmodel.power.server_power) and the electricity where the offer runs; owned cost uses the
    purchase price file, depreciated from acquisition to `computed_at` (the training start).
    """
    if precision not in TRAINING_PRECISIONS:
        raise ValueError(f"training precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {precision!r}")
    (low, central, high), basis = utilization_band(
        runs, models, specs, architectures, precision=precision, mfu=mfu, mfu_low=mfu_low, mfu_high=mfu_high
    )
    candidates = training_offers(models, specs, prices, interconnect, precision)
    chosen = price_options(candidates, keys=("model",))
    info = models.select("model", "params_active", "params_total", "training_tokens")
    frame = (
        chosen.join(info, on="model", how="left")
        .join(gpu_table(specs, precision, strict=True), on="gpu_model", how="inner")
        .pipe(lambda f: with_training_cluster(f) if "gpus_per_instance" in f.columns else f)
        .with_columns(
            training_flops(pl.col("params_active"), pl.col("training_tokens")).alias("training_flops"),
            pl.lit(precision).alias("precision"),
            pl.lit(central).alias("mfu"),
            pl.lit(low).alias("mfu_low"),
            pl.lit(high).alias("mfu_high"),
            pl.lit(basis).alias("utilization_basis"),
            pl.lit(TRAINING_STATE_BYTES_PER_PARAM).alias("training_state_bytes_per_param"),
        )
    )
    frame = with_attention_flops(frame, architectures, "training_tokens").with_columns(
        (pl.col("training_flops") + pl.col("flops_attention")).alias("training_flops_total"),
        interconnect_text(pl.col("interconnect_intra"), pl.col("interconnect_inter")).alias("interconnect"),
    )
    total = pl.col("training_flops_total")
    frame = frame.with_columns(
        gpu_hours(total, pl.col("peak_tflops_dense"), pl.col("mfu")).alias("gpu_hours"),
        gpu_hours(total, pl.col("peak_tflops_dense"), pl.col("mfu_high")).alias("gpu_hours_low"),
        gpu_hours(total, pl.col("peak_tflops_dense"), pl.col("mfu_low")).alias("gpu_hours_high"),
    ).with_columns(
        cloud_cost_usd(pl.col(f"gpu_hours{k}"), pl.col("price_per_gpu_hour_usd")).alias(f"cloud_cost_usd{k}")
        for k in ("", "_low", "_high")
    )
    frame = with_electricity(with_server_power(frame), energy, datacenter_pue)
    frame = frame.with_columns(
        energy_kwh(pl.col("gpu_hours"), pl.col("power_w_per_gpu"), pl.col("pue")).alias("energy_kwh")
    ).with_columns(
        energy_cost_usd(pl.col("energy_kwh"), pl.col("tariff_usd_per_kwh")).alias("energy_cost_usd"),
        co2_kg(pl.col("energy_kwh"), pl.col("grid_gco2_per_kwh")).alias("co2_kg"),
    )
    frame = _with_ownership(frame, purchase_prices, computed_at.date(), colocation_usd_per_kw_month, cost_of_capital)
    return (
        frame.with_columns(pl.lit(computed_at).alias("computed_at"))
        .select(TRAINING_COST_COLUMNS)
        .sort("model", "pricing", "cloud_cost_usd", "price_provider", nulls_last=True)
    )


def owned_capex_per_gpu_hour(
    purchase: dict,
    gpu: dict,
    start: dt.date | None,
    *,
    cluster_overhead: float = DEFAULT_CLUSTER_OVERHEAD,
    depreciation_per_year: float = DEFAULT_DEPRECIATION_PER_YEAR,
    cost_of_capital: float | None = None,
    colocation_usd_per_kw_month: float | None = None,
    server_power_max_w_per_gpu: float | None = None,
) -> dict:
    """The Epoch-way fixed cost of one owned GPU-hour, with its steps: acquisition date, value at start."""
    acquired = acquisition_date(purchase["price_date"], gpu.get("release_date"))
    value = value_at_start(purchase["server_price_per_gpu_usd"], acquired, start)
    return {
        "acquisition_date": acquired,
        "training_start_date": start,
        "value_at_start_usd_per_gpu": value,
        "capex_usd_per_gpu_hour": fixed_cost_per_gpu_hour(
            value,
            cluster_overhead=cluster_overhead,
            depreciation_per_year=depreciation_per_year,
            cost_of_capital=cost_of_capital,
            colocation_usd_per_kw_month=colocation_usd_per_kw_month,
            server_power_max_w_per_gpu=server_power_max_w_per_gpu,
        ),
    }


def _with_ownership(
    frame: pl.DataFrame,
    purchase_prices: pl.DataFrame | None,
    start: dt.date,
    colocation_usd_per_kw_month: float | None,
    cost_of_capital: float | None,
) -> pl.DataFrame:
    """Fixed cost per GPU-hour (Epoch method: value at start, depreciation, capital, colocation), owned cost of the run
    and the break-even utilization."""
    schema = {
        "gpu_model": pl.String,
        "server_price_per_gpu_usd": pl.Float64,
        "price_date": pl.String,
        "source": pl.String,
        "price_kind": pl.String,
    }
    purchase = purchase_prices if purchase_prices is not None else pl.DataFrame(schema=schema)
    if "price_kind" not in purchase.columns:
        purchase = purchase.with_columns(pl.lit(None, pl.String).alias("price_kind"))
    gpus = {r["gpu_model"]: r for r in frame.select("gpu_model", "release_date").unique().iter_rows(named=True)}
    power = {
        r["gpu_model"]: r["server_power_max_w_per_gpu"]
        for r in frame.select("gpu_model", "server_power_max_w_per_gpu").unique("gpu_model").iter_rows(named=True)
    }
    rows = []
    for p in purchase.iter_rows(named=True):
        if p["gpu_model"] not in gpus:
            continue
        capex = owned_capex_per_gpu_hour(
            p,
            gpus[p["gpu_model"]],
            start,
            cost_of_capital=cost_of_capital,
            colocation_usd_per_kw_month=colocation_usd_per_kw_month,
            server_power_max_w_per_gpu=power.get(p["gpu_model"]),
        )
        rows.append(
            {
                "gpu_model": p["gpu_model"],
                "server_price_per_gpu_usd": p["server_price_per_gpu_usd"],
                "purchase_price_date": str(p["price_date"]),
                "purchase_price_source": p["source"],
                "purchase_price_kind": p["price_kind"],
                **capex,
            }
        )
    table = pl.DataFrame(
        rows,
        schema={
            "gpu_model": pl.String,
            "server_price_per_gpu_usd": pl.Float64,
            "purchase_price_date": pl.String,
            "purchase_price_source": pl.String,
            "purchase_price_kind": pl.String,
            "acquisition_date": pl.Date,
            "training_start_date": pl.Date,
            "value_at_start_usd_per_gpu": pl.Float64,
            "capex_usd_per_gpu_hour": pl.Float64,
        },
    )
    energy_per_hour = energy_cost_usd(
        energy_kwh(1.0, pl.col("power_w_per_gpu"), pl.col("pue")), pl.col("tariff_usd_per_kwh")
    )
    return (
        frame.join(table, on="gpu_model", how="left")
        .with_columns(
            pl.lit(DEFAULT_CLUSTER_OVERHEAD).alias("cluster_overhead"),
            pl.lit(DEFAULT_DEPRECIATION_PER_YEAR).alias("depreciation_per_year"),
            pl.lit(cost_of_capital, pl.Float64).alias("cost_of_capital"),
            pl.lit(colocation_usd_per_kw_month, pl.Float64).alias("colocation_usd_per_kw_month"),
            pl.lit(OWNERSHIP_SOURCE + ", value depreciated from acquisition to training start").alias(
                "ownership_method"
            ),
        )
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
    # issue 10: the offer, attention FLOPs, utilization basis, precision, cluster and ownership details
    "params_total",
    "precision",
    "flops_attention",
    "flops_attention_per_token",
    "attention_basis",
    "training_flops_total",
    "utilization_basis",
    "offer_class",
    "gpus_per_instance",
    "gpu_memory_gb",
    "interconnect_intra",
    "interconnect_inter",
    "interconnect",
    "interconnect_basis",
    "training_state_bytes_per_param",
    "training_state_bytes",
    "training_gpus_min",
    "server_power_max_w_per_gpu",
    "purchase_price_kind",
    "acquisition_date",
    "training_start_date",
    "value_at_start_usd_per_gpu",
    "cost_of_capital",
    "colocation_usd_per_kw_month",
]
