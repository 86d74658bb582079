"""Each offer once, the first-party choice, the jump baseline, and a market history that shows every day's market."""

import datetime as dt

import polars as pl
import pytest

import warehouse
from assets.prices.build import affected_days, build_gpu_prices_daily
from assets.prices.market import prefer
from assets.prices.quality import ACCEPTED_COLUMNS, jump_baseline, update_accepted
from assets.sources import PRICE_SOURCES
from warehouse import queries

D1, D2, D3 = dt.date(2026, 4, 1), dt.date(2026, 4, 2), dt.date(2026, 4, 3)


def offer(source, provider, region, instance, price, day, *, held=None, pricing="on_demand", gpu="H100-SXM", n=8.0):
    return {
        "source": source,
        "provider": provider,
        "region": region,
        "instance_type": instance,
        "gpu_name_raw": gpu,
        "gpu_model": gpu,
        "gpu_count": n,
        "pricing": pricing,
        "price_basis": "instance",
        "price_per_hour_usd": price,
        "price_per_gpu_hour_usd": price / n,
        "currency": "USD",
        "snapshot_date": day,
        "fetched_at": dt.datetime.combine(day, dt.time(6)),
        "origin": "live",
        "commitment_term": None,
        "held_reason": held,
    }


def frame(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows), schema_overrides={"region": pl.String, "commitment_term": pl.String, "held_reason": pl.String}
    )


def chosen(rows: pl.DataFrame) -> list[tuple]:
    return prefer(rows).filter(pl.col("preferred")).select("source", "region", "reported_by").sort("region").rows()


def test_a_fresh_region_less_first_party_price_stands_for_every_region():
    rows = frame(
        offer("lambda", "lambda", None, "gpu_8x_h100_sxm5", 23.92, D3),
        offer("skypilot", "lambda", "us-east-1", "gpu_8x_h100_sxm5", 27.52, D3),
        offer("gpuhunt", "lambda", "us-west-1", "gpu_8x_h100_sxm5", 27.52, D2),
    )
    assert chosen(rows) == [("lambda", None, "lambda, gpuhunt, skypilot")]


def test_a_stale_region_less_price_steps_back_for_fresher_regional_rows():
    rows = frame(
        offer("lambda", "lambda", None, "gpu_8x_h100_sxm5", 23.92, D1 - dt.timedelta(days=10)),
        offer("skypilot", "lambda", "us-east-1", "gpu_8x_h100_sxm5", 27.52, D3),
        offer("skypilot", "lambda", "us-west-1", "gpu_8x_h100_sxm5", 27.52, D3),
    )
    assert chosen(rows) == [
        ("skypilot", "us-east-1", "skypilot, lambda"),
        ("skypilot", "us-west-1", "skypilot, lambda"),
    ]


def test_a_held_row_is_never_chosen_and_never_reports():
    rows = frame(
        offer("aws", "aws", "us-east-1", "p5.48xlarge", 0.5, D3, held="out_of_band: ..."),
        offer("skypilot", "aws", "us-east-1", "p5.48xlarge", 55.04, D3),
    )
    assert chosen(rows) == [("skypilot", "us-east-1", "skypilot")]


def test_the_jump_baseline_is_the_last_accepted_price_before_the_day():
    empty = pl.DataFrame(
        schema={c: pl.Date if "date" in c else (pl.Float64 if "price" in c else pl.String) for c in ACCEPTED_COLUMNS}
    )
    day = lambda price, d, held=None: frame(offer("aws", "aws", "us-east-1", "p5", price, d, held=held))  # noqa: E731
    accepted = update_accepted(empty, day(10.0, D1), D1)
    accepted = update_accepted(accepted, day(11.0, D2), D2)
    assert jump_baseline(accepted, D3)["price_per_hour_usd"].to_list() == [11.0]
    assert jump_baseline(accepted, D2)["price_per_hour_usd"].to_list() == [10.0]  # re-running D2 compares with D1
    accepted = update_accepted(accepted, day(99.0, D2, held="jump"), D2)  # D2 re-run, now held: back to D1's price
    assert accepted.select("price_per_hour_usd", "snapshot_date").rows() == [(10.0, D1)]
    accepted = update_accepted(accepted, day(99.0, D3, held="jump"), D3)  # held again: the baseline stays
    assert jump_baseline(accepted, D3)["price_per_hour_usd"].to_list() == [10.0]


def test_affected_days_cover_a_snapshot_while_it_is_visible_and_every_day_since_the_last():
    window = dt.timedelta(days=3)
    assert affected_days([D1], None, D3, window) == [D1, D2, D3]
    assert affected_days([], D1, D3, window) == [D2, D3]  # the days without a run are filled
    assert affected_days([], None, D3, window) == [D3]


def store(con, rows: pl.DataFrame) -> None:
    for (source, day), part in rows.group_by("source", "snapshot_date"):
        warehouse.replace_snapshot(con, "core.gpu_prices", part, source=source, snapshot_date=day)


def test_every_day_of_the_history_shows_the_whole_market(warehouse_path):
    """Two sources over three days; the second misses day 2 and day 3: its offers carry forward while it is still
    publishing (its interval + 2 days), each offer counted once, first-party preferred."""
    with warehouse.connect_writer(warehouse_path) as con:
        store(
            con,
            frame(
                offer("aws", "aws", "us-east-1", "p5.48xlarge", 55.04, D1),
                offer("skypilot", "aws", "us-east-1", "p5.48xlarge", 60.0, D1),
                offer("skypilot", "lambda", "us-east-1", "gpu_8x_h100_sxm5", 27.52, D1),
            ),
        )
        build_gpu_prices_daily(con, PRICE_SOURCES, today=D1, computed_at=dt.datetime(2026, 4, 1, 7))
        store(con, frame(offer("aws", "aws", "us-east-1", "p5.48xlarge", 50.0, D2)))
        build_gpu_prices_daily(con, PRICE_SOURCES, today=D2, computed_at=dt.datetime(2026, 4, 2, 7))
        store(con, frame(offer("aws", "aws", "us-east-1", "p5.48xlarge", 45.0, D3)))
        build_gpu_prices_daily(con, PRICE_SOURCES, today=D3, computed_at=dt.datetime(2026, 4, 3, 7))
        days = queries.frame(con, "SELECT * FROM marts.gpu_prices_daily ORDER BY snapshot_date")
    assert days.select("snapshot_date", "offers", "providers", "sources").rows() == [
        (D1, 2, 2, "aws, skypilot"),
        (D2, 2, 2, "aws, skypilot"),  # skypilot's day-1 Lambda offer is still on the market
        (D3, 2, 2, "aws, skypilot"),
    ]
    assert days["cheapest_price_per_gpu_hour_usd"].to_list() == pytest.approx([27.52 / 8] * 3)
    assert days["median_price_per_gpu_hour_usd"].to_list() == pytest.approx(
        [(55.04 / 8 + 27.52 / 8) / 2, (50 / 8 + 27.52 / 8) / 2, (45 / 8 + 27.52 / 8) / 2]
    )


def test_a_source_silent_past_its_limit_leaves_the_market(warehouse_path):
    late = D1 + dt.timedelta(days=5)  # skypilot publishes daily: 1 + 2 days of grace, then it is gone
    with warehouse.connect_writer(warehouse_path) as con:
        store(con, frame(offer("skypilot", "lambda", "us-east-1", "gpu_8x_h100_sxm5", 27.52, D1)))
        store(con, frame(offer("aws", "aws", "us-east-1", "p5.48xlarge", 45.0, late)))
        build_gpu_prices_daily(con, PRICE_SOURCES, today=late, computed_at=dt.datetime(2026, 4, 6, 7))
        days = queries.frame(con, "SELECT snapshot_date, sources FROM marts.gpu_prices_daily ORDER BY 1")
    assert days.rows() == [
        (D1, "skypilot"),
        (D2, "skypilot"),
        (D3, "skypilot"),
        (D1 + dt.timedelta(days=3), "skypilot"),
        (late, "aws"),
    ]
