"""Electricity: kWh from GPU power and PUE, its cost at a tariff, its CO2 at a grid intensity.

kWh = GPU-hours x power per GPU (W) x PUE / 1000. CO2 kg = kWh x grid gCO2/kWh / 1000.

Power per GPU is counted at the server level (CPUs, memory, NICs and fans included), as an average draw:
- a published system figure per GPU (gpu_specs.server_power_w_per_gpu): a DGX H100's 10.2 kW / 8 = 1,275 W, a
  GB200 NVL72 rack's 132 kW / 72; a measured mean (PaLM: 378.5 W per TPU v4 chip) is used as is, a maximum is
  scaled by AVERAGE_DRAW_FRACTION;
- else the chip's TDP x SERVER_POWER_FACTOR (the server around it) x AVERAGE_DRAW_FRACTION;
- a server power given by the caller (server kW / GPUs per server) is used as given.
The two constants are Epoch AI's (Cottier et al. 2024; epoch-research/training-cost-trends
cost_analysis_standalone.py, chip_to_server_power and server_TDP_fraction): DGX H100 10.2 kW / (8 x 700 W) = 1.82,
DGX A100 6.5 kW / (8 x 400 W) = 2.03 give the GPU default 1.8; Epoch's TPU figure is 1.56. Training draws ~75% of
the maximum on average (Epoch; Patterson et al. 2021 measured 330 W per V100 for GPT-3 against a 500 W server share).
Epoch scales TPUs by 43%, which would put a TPU v4 at ~130 W against PaLM's measured 378.5 W: gpucost uses 75%.

Tariffs, grid intensities and PUE per cloud region come from the energy domain
(marts.energy_by_region). Where a place has no row there (an offer without a region, a
region the mart lacks, or no mart yet):
- PUE follows the rule the energy mart itself applies, from the same table
  (core.datacenter_pue, passed in by the caller): the provider's own fleet-wide row
  (region empty), else the '*' default row; its source says "fallback: ...".
- the tariff is the documented default below, and the row says so (`tariff_is_fallback`);
- no grid intensity is assumed (CO2 stays NULL).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Seed value of the analysis this project reproduces: Guosheng Securities (Feb 2023) priced
# ChatGPT's electricity at the US industrial average of ~$0.08/kWh (EIA).
DEFAULT_TARIFF_USD_PER_KWH = 0.08
DEFAULT_TARIFF_SOURCE = "default: US industrial average ~$0.08/kWh (EIA), as used by Guosheng Securities, Feb 2023"
DEFAULT_TARIFF_PERIOD = "quoted 2023-02"

ANY_PROVIDER = "*"  # core.datacenter_pue's row for every provider without its own
PUE_FALLBACK_PREFIX = "fallback: "

ENERGY_COLUMNS = {
    "pue": pl.Float64,
    "pue_source": pl.String,
    "tariff_usd_per_kwh": pl.Float64,
    "tariff_source": pl.String,
    "tariff_period": pl.String,
    "tariff_is_fallback": pl.Boolean,
    "grid_gco2_per_kwh": pl.Float64,
    "grid_year": pl.Int64,
    "grid_source": pl.String,
}


@dataclass(frozen=True)
class Electricity:
    """The electricity terms of one estimate, each with where it came from."""

    pue: float
    pue_source: str
    tariff_usd_per_kwh: float
    tariff_source: str
    tariff_period: str | None = None
    tariff_is_fallback: bool = False
    grid_gco2_per_kwh: float | None = None
    grid_year: int | None = None
    grid_source: str | None = None


def energy_kwh(gpu_hours, power_w_per_gpu, pue):
    """Electricity drawn from the grid for `gpu_hours` at `power_w_per_gpu`, facility overhead included."""
    return gpu_hours * power_w_per_gpu * pue / 1000.0


def energy_cost_usd(kwh, tariff_usd_per_kwh):
    return kwh * tariff_usd_per_kwh


def co2_kg(kwh, grid_gco2_per_kwh):
    return kwh * grid_gco2_per_kwh / 1000.0


AVERAGE_DRAW_FRACTION = 0.75
SERVER_POWER_FACTOR = {"gpu": 1.8, "tpu": 1.56}


def server_power(gpu: dict) -> tuple[float | None, float | None, str]:
    """(average power per GPU in W, maximum server power per GPU in W, how) for a gpu_specs row; None without data."""
    kind = "tpu" if (gpu.get("vendor") == "Google" or str(gpu.get("gpu_model", "")).startswith("TPU-")) else "gpu"
    published = gpu.get("server_power_w_per_gpu")
    if published is not None:
        source = gpu.get("server_power_source") or "gpu_specs.csv"
        if gpu.get("server_power_kind") == "measured_mean":
            return published, published, f"server, measured mean {published:g} W per chip: {source}"
        return (
            published * AVERAGE_DRAW_FRACTION,
            published,
            f"server {published:g} W max per GPU x {AVERAGE_DRAW_FRACTION:g} average draw (Epoch AI): {source}",
        )
    tdp = gpu.get("tdp_w")
    if tdp is None:
        return None, None, "no power figure in gpu_specs.csv"
    factor = SERVER_POWER_FACTOR[kind]
    return (
        tdp * factor * AVERAGE_DRAW_FRACTION,
        tdp * factor,
        f"TDP {tdp:g} W x {factor:g} server factor x {AVERAGE_DRAW_FRACTION:g} average draw (Epoch AI "
        "chip_to_server_power, server_TDP_fraction)",
    )


def with_server_power(frame: pl.DataFrame) -> pl.DataFrame:
    """Add power_w_per_gpu (average, server level), server_power_max_w_per_gpu and power_basis from spec columns."""
    columns = ("gpu_model", "vendor", "tdp_w", "server_power_w_per_gpu", "server_power_kind", "server_power_source")
    present = [c for c in columns if c in frame.columns]
    rows = []
    for r in frame.select(present).unique("gpu_model").iter_rows(named=True):
        avg, peak, basis = server_power(r)
        rows.append(
            {
                "gpu_model": r["gpu_model"],
                "power_w_per_gpu": avg,
                "server_power_max_w_per_gpu": peak,
                "power_basis": basis,
            }
        )
    table = pl.DataFrame(
        rows,
        schema={
            "gpu_model": pl.String,
            "power_w_per_gpu": pl.Float64,
            "server_power_max_w_per_gpu": pl.Float64,
            "power_basis": pl.String,
        },
    )
    dropped = [c for c in ("power_w_per_gpu", "server_power_max_w_per_gpu", "power_basis") if c in frame.columns]
    return frame.drop(dropped).join(table, on="gpu_model", how="left")


def power_w_per_gpu(tdp_w=None, server_power_kw=None, gpus_per_server=None):
    """A server-level power figure shared over its GPUs when given, else the GPU's TDP."""
    if server_power_kw is not None:
        if not gpus_per_server:
            raise ValueError("a server power needs the number of GPUs per server")
        return server_power_kw * 1000.0 / gpus_per_server
    return tdp_w


def _fallback_pue(datacenter_pue: pl.DataFrame) -> tuple[pl.DataFrame, float, str]:
    """From core.datacenter_pue: each provider's fleet-wide PUE (region empty) with its source, and the '*' default."""
    fleet = datacenter_pue.filter(pl.col("region").is_null()).with_columns(pl.col("provider").str.to_lowercase())
    default = fleet.filter(pl.col("provider") == ANY_PROVIDER)
    if default.height != 1:
        raise ValueError(
            f"the PUE table (core.datacenter_pue) needs exactly one default row (provider '{ANY_PROVIDER}', no region)"
        )
    by_provider = fleet.filter(pl.col("provider") != ANY_PROVIDER).select(
        pl.col("provider").alias("_provider"),
        pl.col("pue").cast(pl.Float64).alias("_fallback_pue"),
        (
            pl.lit(PUE_FALLBACK_PREFIX)
            + pl.col("provider")
            + pl.lit(" fleet-wide PUE, core.datacenter_pue: ")
            + pl.col("source")
        ).alias("_fallback_pue_source"),
    )
    star = default.row(0, named=True)
    return (
        by_provider,
        float(star["pue"]),
        f"{PUE_FALLBACK_PREFIX}default PUE for a provider without its own, core.datacenter_pue '*': {star['source']}",
    )


def default_electricity(datacenter_pue: pl.DataFrame, provider: str | None = None) -> Electricity:
    """The fallbacks, for a place the energy mart knows nothing about: PUE from core.datacenter_pue, the default
    tariff.
    """
    return electricity_for(None, datacenter_pue, provider, None)


def _region_table(energy: pl.DataFrame | None) -> pl.DataFrame:
    """marts.energy_by_region reduced to one row per (provider, region) with the columns estimates use."""
    columns = {"provider": pl.String, "region": pl.String, **ENERGY_COLUMNS}
    if energy is None or energy.is_empty():
        return pl.DataFrame(schema=columns)
    return (
        energy.select(
            [
                pl.col(c).cast(t, strict=False) if c in energy.columns else pl.lit(None, t).alias(c)
                for c, t in columns.items()
            ]
        )
        .with_columns(pl.col("provider").str.to_lowercase())
        .unique(["provider", "region"], keep="first", maintain_order=True)
    )


def with_electricity(
    rows: pl.DataFrame,
    energy: pl.DataFrame | None,
    datacenter_pue: pl.DataFrame,
    provider: str = "price_provider",
    region: str = "price_region",
) -> pl.DataFrame:
    """Add PUE, tariff and grid intensity columns for each row's (provider, region); fallbacks where the mart has none.

    `datacenter_pue` is core.datacenter_pue (provider, region, pue, source): where the mart has
    no PUE, the provider's fleet-wide row applies, else the '*' row, as in the mart itself.
    """
    table = _region_table(energy).rename({"provider": "_provider", "region": "_region"})
    by_provider, star_pue, star_source = _fallback_pue(datacenter_pue)
    keyed = rows.with_columns(pl.col(provider).str.to_lowercase().alias("_provider"), pl.col(region).alias("_region"))
    joined = keyed.join(table, on=["_provider", "_region"], how="left").join(by_provider, on="_provider", how="left")
    known = pl.col("tariff_usd_per_kwh").is_not_null()
    return joined.with_columns(
        pl.coalesce("pue", "_fallback_pue", pl.lit(star_pue)).alias("pue"),
        pl.when(pl.col("pue").is_not_null())
        .then(pl.col("pue_source"))
        .when(pl.col("_fallback_pue").is_not_null())
        .then(pl.col("_fallback_pue_source"))
        .otherwise(pl.lit(star_source))
        .alias("pue_source"),
        pl.coalesce("tariff_usd_per_kwh", pl.lit(DEFAULT_TARIFF_USD_PER_KWH)).alias("tariff_usd_per_kwh"),
        pl.when(known).then(pl.col("tariff_source")).otherwise(pl.lit(DEFAULT_TARIFF_SOURCE)).alias("tariff_source"),
        pl.when(known).then(pl.col("tariff_period")).otherwise(pl.lit(DEFAULT_TARIFF_PERIOD)).alias("tariff_period"),
        pl.when(known)
        .then(pl.col("tariff_is_fallback").fill_null(False))
        .otherwise(pl.lit(True))
        .alias("tariff_is_fallback"),
    ).drop("_provider", "_region", "_fallback_pue", "_fallback_pue_source")


def electricity_for(
    energy: pl.DataFrame | None, datacenter_pue: pl.DataFrame, provider: str | None, region: str | None
) -> Electricity:
    """The electricity terms of one place (fallbacks where the energy mart has no row for it)."""
    row = with_electricity(
        pl.DataFrame(
            {"price_provider": [provider], "price_region": [region]},
            schema={"price_provider": pl.String, "price_region": pl.String},
        ),
        energy,
        datacenter_pue,
    ).row(0, named=True)
    return Electricity(**{k: row[k] for k in ENERGY_COLUMNS})


def regions_named(energy: pl.DataFrame | None, region: str, provider: str | None = None) -> pl.DataFrame:
    """Rows of the energy mart for a region name (and provider, when given), case-insensitively."""
    table = _region_table(energy)
    found = table.filter(pl.col("region").str.to_lowercase() == region.lower())
    if provider is not None:
        found = found.filter(pl.col("provider") == provider.lower())
    return found.sort("provider")
