"""Price marts: first-party rows win, latest per place, per-day statistics, and the cheapest way to rent N GPUs."""

import datetime as dt

import polars as pl
import pytest

import warehouse
from assets.prices.build import build_gpu_prices_daily
from assets.sources import PRICE_SOURCES
from tests.conftest import refresh_current
from warehouse import prices, queries

D1, D2 = dt.date(2026, 4, 2), dt.date(2026, 4, 3)
COLUMNS = [
    "source",
    "provider",
    "region",
    "instance_type",
    "gpu_model",
    "gpu_count",
    "pricing",
    "price_per_hour_usd",
    "snapshot_date",
    "commitment_term",
]


def core_rows(*rows) -> pl.DataFrame:
    frame = pl.DataFrame(
        [dict(zip(COLUMNS, (*r, None)[: len(COLUMNS)])) for r in rows],
        schema_overrides={
            "gpu_count": pl.Float64,
            "price_per_hour_usd": pl.Float64,
            "region": pl.String,
            "commitment_term": pl.String,
        },
    )
    return frame.with_columns(
        pl.col("gpu_model").alias("gpu_name_raw"),
        pl.lit("instance").alias("price_basis"),
        (pl.col("price_per_hour_usd") / pl.col("gpu_count")).alias("price_per_gpu_hour_usd"),
        pl.lit("USD").alias("currency"),
        pl.col("snapshot_date").cast(pl.Datetime).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


@pytest.fixture
def con(warehouse_path):
    # AWS p5 from AWS itself and from two aggregators (one stale); Lambda only from aggregators; two days of gpuhunt.
    rows = core_rows(
        ("aws", "aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8, "on_demand", 55.04, D2),
        ("gpuhunt", "aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8, "on_demand", 54.00, D2),
        ("gpuhunt", "aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8, "spot", 17.6289, D2),
        ("skypilot", "aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8, "on_demand", 98.32, D1),
        ("aws", "aws", "us-east-1", "p5.4xlarge", "H100-SXM", 1, "on_demand", 6.88, D2),
        ("gpuhunt", "lambda", "us-east-1", "gpu_8x_h100_sxm5", "H100-SXM", 8, "on_demand", 27.52, D1),
        ("gpuhunt", "lambda", "us-east-1", "gpu_8x_h100_sxm5", "H100-SXM", 8, "on_demand", 31.92, D2),
        ("gpuhunt", "lambda", "us-east-1", "gpu_1x_h100_pcie", "H100-PCIe", 1, "on_demand", 3.29, D2),
        ("gpuhunt", "azure", "eastus", "Standard_NV6ads_A10_v5", "A10", 1 / 6, "on_demand", 0.454, D2),
        ("gpuhunt", "aws", "us-east-1", "g6.xlarge", "L4", 1, "on_demand", 0.8048, D2),
        ("gpuhunt", "aws", "us-east-1", "g6e.xlarge", "L40S", 1, "on_demand", 1.861, D2),
        ("gpuhunt", "lambda", "us-east-1", "gpu_1x_gh200", "GH200", 1, "on_demand", 1.99, D2),
        (
            "lambda",
            "lambda",
            None,
            "gpu_1x_gh200",
            "GH200",
            1,
            "on_demand",
            2.29,
            D2,
        ),  # Lambda's page: one price, every region
        ("gcp", "gcp", "us-central1", "NVIDIA H100 80GB:8", "H100-SXM", 8, "committed", 62.0, D2, "1y"),
        ("gcp", "gcp", "us-central1", "NVIDIA H100 80GB:8", "H100-SXM", 8, "committed", 44.0, D2, "3y"),
    )
    with warehouse.connect_writer(warehouse_path) as con:
        for (source, day), part in rows.group_by("source", "snapshot_date"):
            warehouse.replace_snapshot(con, "core.gpu_prices", part, source=source, snapshot_date=day)
        refresh_current(con)
        yield con


def test_latest_prefers_the_first_party_row_and_keeps_its_columns(con):
    latest = queries.latest_gpu_prices(con)
    core_columns = queries.frame(con, "SELECT * FROM core.gpu_prices LIMIT 0").columns
    assert latest.columns == [*core_columns, "reported_by", "age_days"]
    p5 = latest.filter(pl.col("instance_type") == "p5.48xlarge").sort("pricing")
    # on-demand: AWS's own 55.04 beats gpuhunt's 54.00 the same day; spot only gpuhunt has
    assert p5.select("source", "pricing", "price_per_hour_usd").rows() == [
        ("aws", "on_demand", 55.04),
        ("gpuhunt", "spot", 17.6289),
    ]
    # each offer once, with every source that prices it (the chosen one first)
    assert p5["reported_by"].to_list() == ["aws, gpuhunt, skypilot", "gpuhunt"]
    # each source's newest day only: skypilot's older snapshot is still its latest and shows, with its age
    both = queries.frame(
        con,
        "SELECT source, preferred, first_party FROM marts.gpu_prices_by_source WHERE instance_type = 'p5.48xlarge' AND "
        "pricing = 'on_demand' ORDER BY source",
    )
    assert both.rows() == [("aws", True, True), ("gpuhunt", False, False), ("skypilot", False, False)]
    lam = latest.filter(pl.col("instance_type") == "gpu_8x_h100_sxm5")
    assert lam["price_per_hour_usd"].to_list() == [31.92] and lam["snapshot_date"].to_list() == [D2]


def test_latest_per_place_is_the_cheapest_offer_with_its_age(con):
    place = queries.frame(
        con,
        "SELECT * FROM marts.gpu_prices_by_place WHERE provider = 'aws' AND gpu_model = 'H100-SXM' ORDER BY pricing",
    ).rows(named=True)
    assert [
        (r["pricing"], r["instance_type"], r["price_per_gpu_hour_usd"], r["offers"], r["first_party"]) for r in place
    ] == [
        ("on_demand", "p5.48xlarge", pytest.approx(6.88), 2, True),
        ("spot", "p5.48xlarge", pytest.approx(17.6289 / 8), 1, False),
    ]
    assert place[0]["age_days"] == (dt.date.today() - D2).days


def daily(con, gpu_model: str, pricing: str) -> pl.DataFrame:
    """marts.gpu_prices_daily as of D2 (both days computed), for one GPU model and pricing."""
    build_gpu_prices_daily(con, PRICE_SOURCES, today=D2, computed_at=dt.datetime(2026, 4, 3, 6))
    return queries.frame(
        con,
        "SELECT * FROM marts.gpu_prices_daily WHERE gpu_model = ? AND pricing = ? ORDER BY snapshot_date",
        [gpu_model, pricing],
    )


def test_daily_statistics_per_gpu_model_count_each_offer_once(con):
    daily_rows = daily(con, "H100-SXM", "on_demand")
    d1, d2 = daily_rows.row(0, named=True), daily_rows.row(1, named=True)
    assert (d1["snapshot_date"], d1["offers"], d1["cheapest_price_per_gpu_hour_usd"]) == (
        D1,
        2,
        pytest.approx(27.52 / 8),
    )
    assert d1["cheapest_provider"] == "lambda" and d1["median_price_per_gpu_hour_usd"] == pytest.approx(
        (27.52 / 8 + 98.32 / 8) / 2
    )
    # day 2: AWS p5 once (first-party 55.04, not gpuhunt's 54.00 nor skypilot's day-1 98.32), p5.4xlarge, Lambda
    assert (d2["offers"], d2["providers"]) == (3, 2)
    assert d2["sources"] == "aws, gpuhunt" and d2["p10_price_per_gpu_hour_usd"] == pytest.approx(
        3.99 + 0.2 * (6.88 - 3.99)
    )
    assert d2["median_price_per_gpu_hour_usd"] == pytest.approx(6.88) and d2[
        "cheapest_price_per_gpu_hour_usd"
    ] == pytest.approx(3.99)


def test_cheapest_way_to_rent_n_gpus_counts_whole_instances(con):
    sixteen = prices.cheapest_gpus(con, "H100", 16)
    assert sixteen.select("instance_type", "instances", "total_price_per_hour_usd").rows() == [
        ("gpu_1x_h100_pcie", 16, pytest.approx(52.64)),  # 16 x 3.29 beats 2 x 31.92
        ("gpu_8x_h100_sxm5", 2, pytest.approx(63.84)),
        ("p5.48xlarge", 2, pytest.approx(110.08)),
        ("p5.4xlarge", 16, pytest.approx(110.08)),
    ]
    three = prices.cheapest_gpus(con, "H100-SXM", 3).rows(named=True)
    eight = next(r for r in three if r["instance_type"] == "gpu_8x_h100_sxm5")
    assert (eight["instances"], eight["gpus_rented"], eight["price_per_needed_gpu_hour_usd"]) == (
        1,
        8,
        pytest.approx(31.92 / 3),
    )
    assert {r["gpu_model"] for r in three} == {"H100-SXM"}
    assert prices.cheapest_gpus(con, "H100", 1, pricing="spot")["instance_type"].to_list() == ["p5.48xlarge"]
    assert prices.cheapest_gpus(con, "A10", 1).is_empty()  # a sixth of a GPU is not a GPU to rent
    # the same from SQL
    sql = queries.frame(con, "SELECT instance_type FROM marts.cheapest_gpus('h100', 16) LIMIT 1")
    assert sql["instance_type"].to_list() == ["gpu_1x_h100_pcie"]


def test_a_family_name_matches_its_variants_only(con):
    match = queries.frame(
        con,
        "SELECT m, marts.gpu_family_match(m, 'L4') AS l4, marts.gpu_family_match(m, 'h100') AS h100 FROM "
        "(VALUES ('L4'), ('L40S'), ('H100-SXM'), ('H100-NVL'), ('GH200')) t(m) ORDER BY m",
    )
    assert match.rows() == [
        ("GH200", False, False),
        ("H100-NVL", False, True),
        ("H100-SXM", False, True),
        ("L4", True, False),
        ("L40S", False, False),
    ]


def test_a_first_party_price_without_a_region_covers_every_region(con):
    gh200 = queries.frame(
        con,
        "SELECT source, region, price_per_hour_usd FROM marts.latest_gpu_prices WHERE instance_type = 'gpu_1x_gh200'",
    )
    assert gh200.rows() == [("lambda", None, 2.29)]  # gpuhunt's us-east-1 copy (1.99) is not the price the marts use
    gh200_day = daily(con, "GH200", "on_demand").row(-1, named=True)
    assert (gh200_day["offers"], gh200_day["cheapest_source"]) == (1, "lambda")


def test_committed_prices_keep_their_term_apart(con):
    committed = queries.frame(
        con,
        "SELECT commitment_term, price_per_hour_usd FROM marts.latest_gpu_prices WHERE pricing = 'committed' ORDER BY "
        "1",
    )
    assert committed.rows() == [("1y", 62.0), ("3y", 44.0)]
    place = queries.frame(
        con,
        "SELECT commitment_term, price_per_gpu_hour_usd, offers FROM marts.gpu_prices_by_place WHERE pricing = "
        "'committed' ORDER BY 1",
    )
    assert place.rows() == [("1y", 62.0 / 8, 1), ("3y", 44.0 / 8, 1)]
    committed_days = daily(con, "H100-SXM", "committed").sort("commitment_term")
    assert committed_days.select("commitment_term", "cheapest_price_per_gpu_hour_usd").rows() == [
        ("1y", 62.0 / 8),
        ("3y", 44.0 / 8),
    ]


def test_a_stale_first_party_price_does_not_hide_a_fresher_aggregator_price(warehouse_path):
    # Lambda's own page last delivered 10 days before an aggregator's newer price: the page is stale (a layout change?)
    old, new = dt.date(2026, 4, 1), dt.date(2026, 4, 11)
    rows = core_rows(
        ("lambda", "lambda", "us-east-1", "gpu_8x_h100_sxm5", "H100-SXM", 8, "on_demand", 27.52, old),
        ("gpuhunt", "lambda", "us-east-1", "gpu_8x_h100_sxm5", "H100-SXM", 8, "on_demand", 31.92, new),
        ("aws", "aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8, "on_demand", 55.04, new - dt.timedelta(days=2)),
        ("gpuhunt", "aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8, "on_demand", 54.00, new),
    )
    with warehouse.connect_writer(warehouse_path) as con:
        for (source, day), part in rows.group_by("source", "snapshot_date"):
            warehouse.replace_snapshot(con, "core.gpu_prices", part, source=source, snapshot_date=day)
        refresh_current(con)
        latest = queries.latest_gpu_prices(con).sort("instance_type")
    # 10 days stale: the aggregator's price is used; 2 days older: the first-party price still wins
    assert latest.select("instance_type", "source", "price_per_hour_usd").rows() == [
        ("gpu_8x_h100_sxm5", "gpuhunt", 31.92),
        ("p5.48xlarge", "aws", 55.04),
    ]
