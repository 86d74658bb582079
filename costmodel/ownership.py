"""Owning instead of renting: amortized capex plus electricity, and when it beats the rental price.

Following Epoch AI (Cottier et al. 2024, "The rising costs of training frontier AI models",
arXiv:2405.21015): the purchase price of a GPU's share of a server, times a cluster
overhead for interconnect (1 / (1 - 0.19) = 1.23), loses value at 0.14 orders of magnitude
a year (a rate of 0.14 x ln 10 = 0.322/yr); an hour of that GPU costs capex x rate / 8760.
A straight-line lifetime (capex / (years x 8760)) can be used instead.

Capex accrues every hour whether or not the GPU is busy; electricity only when it is busy.
So an owned GPU busy a share u of the time costs capex_per_hour / u + energy_per_hour per
busy hour, and owning beats renting at price p once u > capex_per_hour / (p - energy_per_hour).
"""

from __future__ import annotations

import math

import polars as pl

HOURS_PER_YEAR = 8760.0
INTERCONNECT_SHARE = 0.19
DEFAULT_CLUSTER_OVERHEAD = 1.0 / (1.0 - INTERCONNECT_SHARE)  # 1.2346
DEFAULT_DEPRECIATION_PER_YEAR = 0.14 * math.log(10)  # 0.3224 per year
OWNERSHIP_SOURCE = (
    "Epoch AI (Cottier et al. 2024, arXiv:2405.21015): cluster overhead 1/(1-0.19), depreciation 0.14 OOM/yr"
)


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
