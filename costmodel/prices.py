"""Which $/GPU-hour an estimate uses: the cheapest offer, the median offer, or the cheapest at each provider.

Only whole-instance offers of a known GPU model compete: a GPU-only price leaves out
the host it needs, so it would look cheaper than any machine you can actually rent.
Every chosen price keeps where it came from (provider, region, instance, source,
snapshot date, live or snapshot), so a cost can be traced to the offer behind it.
"""

from __future__ import annotations

import polars as pl

PRICINGS = ("on_demand", "spot")
# What a chosen price carries about its offer, when the rows were classified (costmodel.offers.classify_offers).
OFFER_DETAIL = (
    "offer_class",
    "gpus_per_instance",
    "gpu_memory_gb",
    "interconnect_intra",
    "interconnect_inter",
    "inter_node_gbps",
    "max_cluster_gpus",
    "interconnect_basis",
)


def offers(prices: pl.DataFrame, pricing: str = "on_demand") -> pl.DataFrame:
    """Whole-instance offers of known GPU models for one pricing kind (on_demand or spot)."""
    if pricing not in PRICINGS:
        raise ValueError(f"pricing must be one of {PRICINGS}, got {pricing!r}")
    return prices.filter(
        pl.col("gpu_model").is_not_null()
        & (pl.col("pricing") == pricing)
        & (pl.col("price_basis") == "instance")
        & pl.col("price_per_gpu_hour_usd").is_not_null()
    )


def _detail(frame: pl.DataFrame) -> list[str]:
    return [c for c in OFFER_DETAIL if c in frame.columns] + (["offer_count"] if "offer_count" in frame.columns else [])


def cheapest_prices(
    prices: pl.DataFrame,
    pricing: str = "on_demand",
    *,
    by_provider: bool = False,
    label: str | None = None,
    keys: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The cheapest offer per GPU model (or per GPU model and provider), with its provenance.

    `label` names the choice in the `pricing` column (default: the pricing kind itself). `keys` are further columns
    to choose within (a model, when eligibility depends on it); offer details (class, GPUs per instance,
    interconnect, marketplace offer count) come along when the rows carry them.
    """
    group = [*keys, "gpu_model", "provider"] if by_provider else [*keys, "gpu_model"]
    chosen = offers(prices, pricing)
    counts = chosen.group_by(group).agg(pl.len().cast(pl.Int64).alias("price_offers"))
    return (
        chosen.sort("price_per_gpu_hour_usd", "provider", "region", "instance_type", nulls_last=True)
        .unique(group, keep="first", maintain_order=True)
        .join(counts, on=group, how="left")
        .select(
            *keys,
            "gpu_model",
            pl.lit(label or pricing).alias("pricing"),
            "price_per_gpu_hour_usd",
            pl.col("provider").alias("price_provider"),
            pl.col("region").alias("price_region"),
            pl.col("instance_type").alias("price_instance_type"),
            pl.col("source").alias("price_source"),
            pl.col("snapshot_date").alias("price_snapshot_date"),
            pl.col("origin").alias("price_origin"),
            "price_offers",
            *_detail(chosen),
        )
    )


def median_prices(
    prices: pl.DataFrame, pricing: str = "on_demand", *, label: str | None = None, keys: tuple[str, ...] = ()
) -> pl.DataFrame:
    """The median $/GPU-hour over every offer (provider x region x instance type) of each GPU model.

    No single offer stands behind a median: provider, region and instance stay NULL, the
    snapshot date is the oldest among the offers and the origin lists every origin used
    (and offer_class every class).
    """
    chosen = offers(prices, pricing)
    classes = (
        [pl.col("offer_class").unique().sort().str.join(", ").alias("offer_class")]
        if "offer_class" in chosen.columns
        else []
    )
    return (
        chosen.group_by([*keys, "gpu_model"])
        .agg(
            pl.col("price_per_gpu_hour_usd").median(),
            pl.col("source").unique().sort().str.join(", ").alias("price_source"),
            pl.col("snapshot_date").min().alias("price_snapshot_date"),
            pl.col("origin").unique().sort().str.join(", ").alias("price_origin"),
            pl.len().cast(pl.Int64).alias("price_offers"),
            *classes,
        )
        .select(
            *keys,
            "gpu_model",
            pl.lit(label or f"{pricing}_median").alias("pricing"),
            "price_per_gpu_hour_usd",
            pl.lit(None, pl.String).alias("price_provider"),
            pl.lit(None, pl.String).alias("price_region"),
            pl.lit(None, pl.String).alias("price_instance_type"),
            "price_source",
            "price_snapshot_date",
            "price_origin",
            "price_offers",
            *(["offer_class"] if classes else []),
        )
        .sort([*keys, "gpu_model"])
    )


def price_options(prices: pl.DataFrame, keys: tuple[str, ...] = ()) -> pl.DataFrame:
    """Every price choice the marts cost, one row each, named in `pricing`:

    on_demand           the cheapest on-demand offer anywhere (the headline)
    spot                the cheapest spot offer anywhere
    on_demand_median    the median on-demand offer
    on_demand_provider  the cheapest on-demand offer at each provider (price_provider says which)
    """
    return pl.concat(
        [
            cheapest_prices(prices, "on_demand", keys=keys),
            cheapest_prices(prices, "spot", keys=keys),
            median_prices(prices, "on_demand", keys=keys),
            cheapest_prices(prices, "on_demand", by_provider=True, label="on_demand_provider", keys=keys),
        ],
        how="diagonal_relaxed",
    )


def choose_price(
    prices: pl.DataFrame, gpu_model: str, pricing: str = "on_demand", provider: str | None = None
) -> dict | None:
    """The cheapest offer for one GPU model (at one provider if given), as a dict; None if there is none."""
    if provider is not None:
        prices = prices.filter(pl.col("provider").str.to_lowercase() == provider.lower())
    best = cheapest_prices(prices, pricing).filter(pl.col("gpu_model") == gpu_model)
    return best.row(0, named=True) if best.height else None
