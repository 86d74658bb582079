"""Electricity: kWh from GPU power and PUE, its cost at a tariff, its CO2 at a grid intensity.

kWh = GPU-hours x power per GPU (W) x load factor x PUE / 1000. Power is the GPU's TDP
unless a server-level figure is given (server kW / GPUs per server), which then also
covers CPUs, memory and fans. CO2 kg = kWh x grid gCO2/kWh / 1000.

Tariffs, grid intensities and PUE per cloud region come from the energy domain
(marts.energy_by_region). Where a region has no row, or that mart does not exist yet,
the documented defaults below apply and the row says so (`tariff_is_fallback`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Seed value of the analysis this project reproduces: Guosheng Securities (Feb 2023) priced
# ChatGPT's electricity at the US industrial average of ~$0.08/kWh (EIA).
DEFAULT_TARIFF_USD_PER_KWH = 0.08
DEFAULT_TARIFF_SOURCE = "default: US industrial average ~$0.08/kWh (EIA), as used by Guosheng Securities, Feb 2023"
DEFAULT_TARIFF_PERIOD = "quoted 2023-02"

# Epoch AI's cost model (Cottier et al. 2024, arXiv:2405.21015): PUE 1.1 for hyperscalers, 1.25 for others.
HYPERSCALERS = frozenset({"aws", "gcp", "azure", "oci"})
DEFAULT_PUE_HYPERSCALER = 1.10
DEFAULT_PUE_OTHER = 1.25
DEFAULT_PUE_SOURCE = "default: Epoch AI (Cottier et al. 2024, arXiv:2405.21015): 1.1 hyperscalers, 1.25 others"

ENERGY_COLUMNS = {
    "pue": pl.Float64, "pue_source": pl.String,
    "tariff_usd_per_kwh": pl.Float64, "tariff_source": pl.String, "tariff_period": pl.String, "tariff_is_fallback": pl.Boolean,
    "grid_gco2_per_kwh": pl.Float64, "grid_year": pl.Int64, "grid_source": pl.String,
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


def energy_kwh(gpu_hours, power_w_per_gpu, pue, load_factor=1.0):
    """Electricity drawn from the grid for `gpu_hours` at `power_w_per_gpu`, facility overhead included."""
    return gpu_hours * power_w_per_gpu * load_factor * pue / 1000.0


def energy_cost_usd(kwh, tariff_usd_per_kwh):
    return kwh * tariff_usd_per_kwh


def co2_kg(kwh, grid_gco2_per_kwh):
    return kwh * grid_gco2_per_kwh / 1000.0


def power_w_per_gpu(tdp_w=None, server_power_kw=None, gpus_per_server=None):
    """A server-level power figure shared over its GPUs when given, else the GPU's TDP."""
    if server_power_kw is not None:
        if not gpus_per_server:
            raise ValueError("a server power needs the number of GPUs per server")
        return server_power_kw * 1000.0 / gpus_per_server
    return tdp_w


def default_pue(provider: str | None) -> float:
    return DEFAULT_PUE_HYPERSCALER if (provider or "").lower() in HYPERSCALERS else DEFAULT_PUE_OTHER


def default_electricity(provider: str | None = None) -> Electricity:
    """The documented defaults, for a place the energy mart knows nothing about."""
    return Electricity(
        pue=default_pue(provider), pue_source=DEFAULT_PUE_SOURCE,
        tariff_usd_per_kwh=DEFAULT_TARIFF_USD_PER_KWH, tariff_source=DEFAULT_TARIFF_SOURCE,
        tariff_period=DEFAULT_TARIFF_PERIOD, tariff_is_fallback=True,
    )


def _region_table(energy: pl.DataFrame | None) -> pl.DataFrame:
    """marts.energy_by_region reduced to one row per (provider, region) with the columns estimates use."""
    columns = {"provider": pl.String, "region": pl.String, **ENERGY_COLUMNS}
    if energy is None or energy.is_empty():
        return pl.DataFrame(schema=columns)
    return (
        energy.select([pl.col(c).cast(t, strict=False) if c in energy.columns else pl.lit(None, t).alias(c) for c, t in columns.items()])
        .with_columns(pl.col("provider").str.to_lowercase())
        .unique(["provider", "region"], keep="first", maintain_order=True)
    )


def with_electricity(rows: pl.DataFrame, energy: pl.DataFrame | None, provider: str = "price_provider", region: str = "price_region") -> pl.DataFrame:
    """Add PUE, tariff and grid intensity columns for each row's (provider, region), defaults where unknown."""
    table = _region_table(energy).rename({"provider": "_provider", "region": "_region"})
    keyed = rows.with_columns(pl.col(provider).str.to_lowercase().alias("_provider"), pl.col(region).alias("_region"))
    joined = keyed.join(table, on=["_provider", "_region"], how="left")
    known = pl.col("tariff_usd_per_kwh").is_not_null()
    return joined.with_columns(
        pl.coalesce(
            "pue",
            pl.when(pl.col("_provider").is_in(list(HYPERSCALERS))).then(pl.lit(DEFAULT_PUE_HYPERSCALER)).otherwise(pl.lit(DEFAULT_PUE_OTHER)),
        ).alias("pue"),
        pl.when(pl.col("pue").is_not_null()).then(pl.col("pue_source")).otherwise(pl.lit(DEFAULT_PUE_SOURCE)).alias("pue_source"),
        pl.coalesce("tariff_usd_per_kwh", pl.lit(DEFAULT_TARIFF_USD_PER_KWH)).alias("tariff_usd_per_kwh"),
        pl.when(known).then(pl.col("tariff_source")).otherwise(pl.lit(DEFAULT_TARIFF_SOURCE)).alias("tariff_source"),
        pl.when(known).then(pl.col("tariff_period")).otherwise(pl.lit(DEFAULT_TARIFF_PERIOD)).alias("tariff_period"),
        pl.when(known).then(pl.col("tariff_is_fallback").fill_null(False)).otherwise(pl.lit(True)).alias("tariff_is_fallback"),
    ).drop("_provider", "_region")


def electricity_for(energy: pl.DataFrame | None, provider: str | None, region: str | None) -> Electricity:
    """The electricity terms of one place (defaults where the energy mart has no row for it)."""
    row = with_electricity(
        pl.DataFrame({"price_provider": [provider], "price_region": [region]}, schema={"price_provider": pl.String, "price_region": pl.String}),
        energy,
    ).row(0, named=True)
    return Electricity(**{k: row[k] for k in ENERGY_COLUMNS})


def regions_named(energy: pl.DataFrame | None, region: str, provider: str | None = None) -> pl.DataFrame:
    """Rows of the energy mart for a region name (and provider, when given), case-insensitively."""
    table = _region_table(energy)
    found = table.filter(pl.col("region").str.to_lowercase() == region.lower())
    if provider is not None:
        found = found.filter(pl.col("provider") == provider.lower())
    return found.sort("provider")
