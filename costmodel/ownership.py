"""Owning instead of renting: amortized capex plus electricity, and when it beats the rental price.

Following Epoch AI (Cottier et al. 2024, "The rising costs of training frontier AI models",
arXiv:2405.21015): the purchase price of a GPU's share of a server, times a cluster
overhead for interconnect (1 / (1 - 0.19) = 1.23), loses value at 0.14 orders of magnitude
a year (a rate of 0.14 x ln 10 = 0.322/yr); an hour of that GPU costs capex x rate / 8760.
A straight-line lifetime (capex / (years x 8760)) can be used instead.

Capex accrues every hour whether or not the GPU is busy; electricity only when it is busy.
So an owned GPU busy a share u of the time costs capex_per_hour / u + energy_per_hour per
busy hour, and owning beats renting at price p once u > capex_per_hour / (p - energy_per_hour).

The Epoch way also dates the hardware (`value_at_start`): a chip is acquired at its purchase price's date, and never
before its release + 90 days (Epoch's buffer); by the time training starts it has lost value at the same 0.14 orders
of magnitude a year, and the run pays depreciation on that value at start. A DGX H100's $33,750 per GPU of 2023-05
is worth 10^(-0.14 x 3.5) = 0.32 of it in late 2026. Two optional fixed costs join capex per hour: the cost of
capital (an annual rate on the value at start) and colocation ($ per kW of server power per month, billed on the
server's maximum power whether busy or not; electricity stays metered at the tariff).
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

HOURS_PER_YEAR = 8760.0
INTERCONNECT_SHARE = 0.19
DEFAULT_CLUSTER_OVERHEAD = 1.0 / (1.0 - INTERCONNECT_SHARE)  # 1.2346
DEFAULT_DEPRECIATION_PER_YEAR = 0.14 * math.log(10)  # 0.3224 per year
OWNERSHIP_SOURCE = (
    "Epoch AI (Cottier et al. 2024, arXiv:2405.21015): cluster overhead 1/(1-0.19), depreciation 0.14 OOM/yr"
)


DEPRECIATION_OOM_PER_YEAR = 0.14
ACQUISITION_BUFFER_DAYS = 90  # Epoch AI: assume at least 3 months between a chip's release and its first purchase
DAYS_PER_YEAR = 365.25
HOURS_PER_MONTH = HOURS_PER_YEAR / 12.0


def parse_date(text: str | dt.date | None) -> dt.date | None:
    """A price or release date as written in the reference files: YYYY (mid-year), YYYY-MM (mid-month), YYYY-MM-DD."""
    if text is None or isinstance(text, dt.date):
        return text
    parts = [int(p) for p in str(text).strip().split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 7, 1)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 15)
    return dt.date(parts[0], parts[1], parts[2])


def acquisition_date(price_date: str | dt.date | None, release_date: str | dt.date | None) -> dt.date | None:
    """When the priced hardware was acquired: the price's date, but no earlier than release + 90 days."""
    price, release = parse_date(price_date), parse_date(release_date)
    if release is not None:
        earliest = release + dt.timedelta(days=ACQUISITION_BUFFER_DAYS)
        return earliest if price is None or price < earliest else price
    return price


def value_at_start(price_usd: float, acquired: dt.date | None, start: dt.date | None) -> float:
    """The hardware's value when training starts: 0.14 orders of magnitude a year lost since acquisition."""
    if acquired is None or start is None or start <= acquired:
        return price_usd
    years = (start - acquired).days / DAYS_PER_YEAR
    return price_usd * 10 ** (-DEPRECIATION_OOM_PER_YEAR * years)


def fixed_cost_per_gpu_hour(
    value_usd: float,
    *,
    cluster_overhead: float = DEFAULT_CLUSTER_OVERHEAD,
    depreciation_per_year: float = DEFAULT_DEPRECIATION_PER_YEAR,
    cost_of_capital: float | None = None,
    colocation_usd_per_kw_month: float | None = None,
    server_power_max_w_per_gpu: float | None = None,
) -> float:
    """What an owned GPU costs per hour whether busy or not: depreciation (and capital) on its cluster share of the
    value at start, plus colocation on its share of the server's maximum power."""
    rate = depreciation_per_year + (cost_of_capital or 0.0)
    hourly = value_usd * cluster_overhead * rate / HOURS_PER_YEAR
    if colocation_usd_per_kw_month:
        if server_power_max_w_per_gpu is None:
            raise ValueError("colocation needs the server power per GPU")
        hourly += colocation_usd_per_kw_month * server_power_max_w_per_gpu / 1000.0 / HOURS_PER_MONTH
    return hourly


def capex_per_gpu(server_price_per_gpu_usd, cluster_overhead=DEFAULT_CLUSTER_OVERHEAD):
    """What one GPU in a cluster costs to buy: its share of the server plus interconnect."""
    return server_price_per_gpu_usd * cluster_overhead


def capex_per_gpu_hour(capex_usd, *, depreciation_per_year: float | None = None, lifetime_years: float | None = None):
    """Capex spread over the hours of a year at a depreciation rate, or over a straight-line lifetime."""
    if (depreciation_per_year is None) == (lifetime_years is None):
        raise ValueError("give exactly one of depreciation_per_year or lifetime_years")
    if lifetime_years is not None:
        if lifetime_years <= 0:
            raise ValueError(f"lifetime_years must be positive, got {lifetime_years}")
        return capex_usd / (lifetime_years * HOURS_PER_YEAR)
    if depreciation_per_year <= 0:
        raise ValueError(f"depreciation_per_year must be positive, got {depreciation_per_year}")
    return capex_usd * depreciation_per_year / HOURS_PER_YEAR


def owned_cost_per_gpu_hour(capex_usd_per_hour, energy_cost_usd_per_hour):
    """Cost of one GPU-hour on owned hardware that is busy all the time (the training marts' case)."""
    return capex_usd_per_hour + energy_cost_usd_per_hour


def breakeven_utilization(capex_usd_per_hour, energy_cost_usd_per_hour, rent_usd_per_gpu_hour):
    """The share of hours an owned GPU must be busy to cost less per busy hour than renting.

    None (NULL on frames) when renting costs no more than the electricity alone: owning never
    wins. Above 1 means owning cannot win even at full use.
    """
    margin = rent_usd_per_gpu_hour - energy_cost_usd_per_hour
    if isinstance(margin, pl.Expr):
        return pl.when(margin > 0).then(capex_usd_per_hour / margin).otherwise(None)
    return capex_usd_per_hour / margin if margin > 0 else None
