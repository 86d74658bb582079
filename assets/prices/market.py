"""Which price stands for an offer, and what the market looked like on a day. Pure polars.

An offer is (provider, region, instance_type, pricing, commitment_term). Several sources may price it
(a provider's own page and two aggregators); `prefer` picks the one the marts use and lists the others:
- never a held row;
- the first-party row (the provider's own source, `first_party_for` in the registry) while it is at most
  FIRST_PARTY_GRACE older than the newest row of the offer: a provider's own source that stopped parsing
  must not hide an aggregator's fresher price for weeks;
- a first-party price without a region (Lambda's page: one price everywhere) stands for that offer in
  every region, so the aggregators' per-region copies of it are not shown again;
- a region-less row steps back where a fresher source prices the offer region by region;
- otherwise the newest snapshot, then the source name (stable, not a judgement).

`market_state` applies the same rule to the slices a day can see: each source's newest snapshot on
or before the day, while the source keeps publishing (silent for longer than its publishing interval
plus MARKET_GRACE, it drops out). `daily_stats` turns that state into the rows of marts.gpu_prices_daily.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

FIRST_PARTY_GRACE = dt.timedelta(days=3)
MARKET_GRACE = dt.timedelta(days=2)
OFFER = ["provider", "instance_type", "pricing", "commitment_term"]  # + region


def prefer(rows: pl.DataFrame, first_party: dict[str, str] | None = None) -> pl.DataFrame:
    """`rows` (every source's newest snapshot) with first_party, preferred and reported_by added.

    `first_party` maps a source name to the provider it is first-party for (assets/sources.py); without
    it a source named after its provider is first-party.
    """
    if rows.is_empty():
        return rows.with_columns(
            pl.lit(None, pl.Boolean).alias("first_party"),
            pl.lit(None, pl.Boolean).alias("preferred"),
            pl.lit(None, pl.String).alias("reported_by"),
        )
    usable = pl.col("held_reason").is_null()
    own = (
        pl.col("source").replace_strict(first_party, default=None, return_dtype=pl.String) == pl.col("provider")
        if first_party
        else pl.col("source") == pl.col("provider")
    ).fill_null(False)
    marked = rows.with_row_index("_row").with_columns(
        own.alias("first_party"),
        usable.alias("_usable"),
        pl.col("region").is_null().alias("_everywhere"),
    )
    newest = pl.col("snapshot_date").filter(pl.col("_usable")).max().over(OFFER)
    marked = marked.with_columns(
        (
            pl.col("first_party")
            & pl.col("_usable")
            & ((newest - pl.col("snapshot_date")).dt.total_days() <= FIRST_PARTY_GRACE.days)
        )
        .fill_null(False)
        .alias("_fresh_first_party")
    )
    # rank within the offer's region (region-less rows rank among themselves): fresh first-party, newest, source
    ranked = marked.sort(
        ["_fresh_first_party", "snapshot_date", "source"], descending=[True, True, False]
    ).with_columns(
        pl.int_range(1, pl.len() + 1).over([*OFFER, "region", "_usable"]).alias("_rank"),
        (pl.col("_fresh_first_party") & pl.col("_everywhere")).any().over(OFFER).alias("_covered_everywhere"),
        # the newest usable regional row of the offer, to decide whether a region-less row steps back
        pl.col("snapshot_date").filter(pl.col("_usable") & ~pl.col("_everywhere")).max().over(OFFER).alias("_regional"),
    )
    preferred = (
        pl.col("_usable")
        & (pl.col("_rank") == 1)
        & pl.when(pl.col("_covered_everywhere"))
        .then(pl.col("_fresh_first_party"))
        .when(pl.col("_everywhere"))
        .then(pl.col("_regional").is_null() | (pl.col("snapshot_date") > pl.col("_regional")))
        .otherwise(pl.lit(True))
    ).fill_null(False)
    chosen = ranked.with_columns(preferred.alias("preferred")).sort("_row")
    return chosen.with_columns(_reported_by(chosen).alias("reported_by")).drop(
        "_row", "_usable", "_everywhere", "_fresh_first_party", "_rank", "_covered_everywhere", "_regional"
    )


def _reported_by(rows: pl.DataFrame) -> pl.Series:
    """For each preferred row, every source with a usable price for its offer (the chosen source first).

    A region-less row reports for every region of its offer, and a region-less preferred row is
    reported by every source of the offer in any region.
    """
    usable = rows.filter(pl.col("_usable")).select(*OFFER, "region", "source")
    regional = usable.filter(pl.col("region").is_not_null())
    everywhere = usable.filter(pl.col("region").is_null()).select(*OFFER, "source")
    by_region = (
        regional.join(everywhere, on=OFFER, how="left", nulls_equal=True, suffix="_everywhere")
        .select(*OFFER, "region", pl.concat_list("source", "source_everywhere").alias("sources"))
        .explode("sources")
        .drop_nulls("sources")
        .group_by([*OFFER, "region"])
        .agg(pl.col("sources").unique().sort())
    )
    by_offer = usable.group_by(OFFER).agg(pl.col("source").unique().sort().alias("sources_all"))
    joined = (
        rows.select("_row", *OFFER, "region", "source", "preferred")
        .join(by_region, on=[*OFFER, "region"], how="left", nulls_equal=True)
        .join(by_offer, on=OFFER, how="left", nulls_equal=True)
        .sort("_row")
    )
    sources = pl.when(pl.col("region").is_null()).then(pl.col("sources_all")).otherwise(pl.col("sources"))
    others = sources.list.set_difference(pl.concat_list(pl.col("source"))).list.sort()
    listed = pl.concat_list(pl.col("source"), others).list.join(", ")
    return joined.select(pl.when(pl.col("preferred")).then(listed).otherwise(None)).to_series().alias("reported_by")


def visible_on(newest_by_source: dict[str, dt.date], day: dt.date, intervals: dict[str, dt.timedelta]) -> dict:
    """The sources whose newest snapshot on or before `day` is recent enough to count on the market that day."""
    return {
        source: snapshot
        for source, snapshot in newest_by_source.items()
        if snapshot <= day and day - snapshot <= intervals.get(source, dt.timedelta(days=1)) + MARKET_GRACE
    }


def market_state(rows: pl.DataFrame, first_party: dict[str, str] | None = None) -> pl.DataFrame:
    """The offers on the market from the visible slices: each offer once, usable whole-instance prices of known GPUs."""
    return prefer(rows, first_party).filter(
        pl.col("preferred") & pl.col("gpu_model").is_not_null() & (pl.col("price_basis") == "instance")
    )


DAILY_KEY = ["gpu_model", "commitment_term", "pricing"]


def daily_stats(state: pl.DataFrame, day: dt.date, computed_at: dt.datetime) -> pl.DataFrame:
    """One day's rows of marts.gpu_prices_daily: per GPU model and pricing, the spread and the cheapest offer."""
    price = pl.col("price_per_gpu_hour_usd")
    cheapest = (
        state.sort("price_per_gpu_hour_usd", "provider", "region", "instance_type", nulls_last=True)
        .unique(DAILY_KEY, keep="first", maintain_order=True)
        .select(
            *DAILY_KEY,
            pl.col("provider").alias("cheapest_provider"),
            pl.col("region").alias("cheapest_region"),
            pl.col("instance_type").alias("cheapest_instance_type"),
            pl.col("source").alias("cheapest_source"),
        )
    )
    return (
        state.group_by(DAILY_KEY)
        .agg(
            price.min().alias("cheapest_price_per_gpu_hour_usd"),
            price.quantile(0.1, interpolation="linear").alias("p10_price_per_gpu_hour_usd"),
            price.median().alias("median_price_per_gpu_hour_usd"),
            pl.len().cast(pl.Int64).alias("offers"),
            pl.col("provider").n_unique().cast(pl.Int64).alias("providers"),
            pl.col("source").unique().sort().str.join(", ").alias("sources"),
        )
        .join(cheapest, on=DAILY_KEY, how="left", nulls_equal=True)
        .with_columns(pl.lit(day).alias("snapshot_date"), pl.lit(computed_at).alias("computed_at"))
        .select(DAILY_COLUMNS)
        .sort(DAILY_KEY, nulls_last=True)
    )


DAILY_COLUMNS = [
    "snapshot_date",
    "gpu_model",
    "commitment_term",
    "pricing",
    "cheapest_price_per_gpu_hour_usd",
    "p10_price_per_gpu_hour_usd",
    "median_price_per_gpu_hour_usd",
    "offers",
    "providers",
    "cheapest_provider",
    "cheapest_region",
    "cheapest_instance_type",
    "cheapest_source",
    "sources",
    "computed_at",
]
