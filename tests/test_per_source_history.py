"""Migrations 0700-0720 on a warehouse that already holds SkyPilot and gpuhunt history: the rows move to the
per-cloud / per-provider tables and sources, every past day stays, and the dead GCP page's snapshot rows leave core."""

import datetime as dt

import duckdb

from warehouse.migrate import available_migrations, migrate
from warehouse.write import transaction

DAY = dt.date(2026, 5, 20)


def apply_until(con, last: str) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("CREATE TABLE IF NOT EXISTS meta.schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for name, sql in available_migrations():
        if name > last:
            break
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migrations VALUES (?, now())", [name])


def test_history_moves_to_the_per_source_tables_and_names():
    con = duckdb.connect(":memory:")
    apply_until(con, "0430_cost_comments")
    meta = [DAY, dt.datetime(2026, 5, 20, 6), "live"]
    for cloud, instance in (("aws", "p5.48xlarge"), ("lambda", "gpu_8x_h100_sxm5")):
        con.execute(
            "INSERT INTO raw.skypilot_vms (source, cloud, instance_type, accelerator_name, accelerator_count, price, "
            "region, snapshot_date, fetched_at, origin) "
            "VALUES ('skypilot', ?, ?, 'H100', 8, 55.04, 'us-east-1', ?, ?, ?)",
            [cloud, instance, *meta],
        )
    con.execute(
        "INSERT INTO raw.gpuhunt_offers (source, provider, instance_name, location, price, gpu_count, gpu_name, spot, "
        "snapshot_date, fetched_at, origin) "
        "VALUES ('gpuhunt', 'lambdalabs', 'gpu_8x_h100_sxm5', 'us-east-1', 31.92, 8, 'H100', false, ?, ?, ?)",
        meta,
    )
    for source, provider in (("skypilot", "aws"), ("gpuhunt", "lambda"), ("gcp", "gcp"), ("aws", "aws")):
        con.execute(
            "INSERT INTO core.gpu_prices (source, provider, instance_type, gpu_name_raw, gpu_count, pricing, "
            "price_basis, price_per_hour_usd, price_per_gpu_hour_usd, currency, snapshot_date, fetched_at, origin) "
            "VALUES (?, ?, 'x', 'H100', 8, 'on_demand', 'instance', 8, 1, 'USD', ?, ?, ?)",
            [source, provider, *meta],
        )
    applied = migrate(con)
    assert [name for name in applied if name.startswith("07")] == [
        "0700_keyless_gpu_clouds",
        "0710_offer_columns",
        "0720_per_source_history",
        "0730_state_after_source_split",
    ]
    assert con.execute("SELECT source, instance_type, price FROM raw.skypilot_aws").fetchall() == [
        ("skypilot_aws", "p5.48xlarge", 55.04)
    ]
    assert con.execute("SELECT count(*) FROM raw.skypilot_lambda").fetchone() == (1,)
    assert con.execute("SELECT source, price FROM raw.gpuhunt_lambdalabs").fetchall() == [("gpuhunt_lambdalabs", 31.92)]
    assert sorted(con.execute("SELECT source FROM core.gpu_prices").fetchall()) == [
        ("aws",),
        ("gpuhunt_lambdalabs",),
        ("skypilot_aws",),
    ]  # renamed; the GCP page's snapshot rows are gone
    columns = {r[0] for r in con.execute("DESCRIBE core.gpu_prices").fetchall()}
    assert {"availability", "price_per_hour_local", "local_currency", "fx_rate", "fx_date", "fx_source"} <= columns
    comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall())
    assert all(comments[t] for t in comments), [t for t, c in comments.items() if not c]
