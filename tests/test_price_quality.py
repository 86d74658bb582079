"""Implausible prices and >5x jumps are held out of the marts until a person confirms them."""

import datetime as dt

import dagster as dg
import polars as pl

import warehouse
from assets.prices.quality import hold_reasons, plausible_bands
from assets.reference.files import GPU_SPECS, PRICE_CONFIRMATIONS, ReferenceFile, load_checked
from assets.resources import WarehouseResource
from pipeline.definitions import ALL_ASSETS, ALL_CHECKS
from pipeline.jobs import INGEST_SELECTION
from pipeline.run import run_pipeline
from tests.conftest import LOOPBACK_PATHS, fixture_dir, loopback_ingest, refresh_current
from warehouse import connect_reader, prices, queries, snapshots

D1, D2 = dt.date(2026, 4, 2), dt.date(2026, 4, 3)
KEY = dict(source="skypilot", provider="lambda", region="us-east-1", pricing="on_demand", commitment_term=None)


SCHEMA = {
    "source": pl.String,
    "provider": pl.String,
    "region": pl.String,
    "pricing": pl.String,
    "commitment_term": pl.String,
    "instance_type": pl.String,
    "gpu_model": pl.String,
    "gpu_count": pl.Float64,
    "price_per_hour_usd": pl.Float64,
    "price_per_gpu_hour_usd": pl.Float64,
    "snapshot_date": pl.Date,
}


def offers(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                **KEY,
                "instance_type": i,
                "gpu_model": m,
                "gpu_count": n,
                "price_per_hour_usd": p,
                "price_per_gpu_hour_usd": p / n,
                "snapshot_date": d,
            }
            for i, m, n, p, d in rows
        ],
        schema=SCHEMA,
    )


NO_CONFIRMATIONS = pl.DataFrame(
    schema={
        "source": pl.String,
        "provider": pl.String,
        "region": pl.String,
        "instance_type": pl.String,
        "pricing": pl.String,
        "price_per_hour_usd": pl.Float64,
    }
)


def test_a_bid_floor_read_as_a_price_is_held_as_out_of_band():
    today = offers(
        ("gpu_8x_b200_sxm6", "B200", 8, 53.52, D2),
        ("p6-b200.48xlarge", "B200", 8, 113.93, D2),
        ("bad", "B200", 8, 0.08, D2),
    )
    held = hold_reasons(today, offers(), plausible_bands(today), NO_CONFIRMATIONS)
    reasons = dict(zip(held["instance_type"], held["held_reason"]))
    assert reasons["gpu_8x_b200_sxm6"] is None and reasons["p6-b200.48xlarge"] is None
    assert reasons["bad"].startswith(
        "out_of_band: $0.01 per GPU-hour is outside $0.669 to $66.90 (1/10x to 10x the B200 median"
    )


def test_a_more_than_5x_day_over_day_jump_is_held_and_a_confirmation_releases_it():
    before = offers(("gpu_8x_h100_sxm5", "H100-SXM", 8, 27.52, D1), ("gpu_1x_h100_pcie", "H100-PCIe", 1, 2.86, D1))
    today = offers(("gpu_8x_h100_sxm5", "H100-SXM", 8, 275.20, D2), ("gpu_1x_h100_pcie", "H100-PCIe", 1, 3.29, D2))
    bands = plausible_bands(pl.concat([today, offers(("p5.48xlarge", "H100-SXM", 8, 55.04, D2))]))
    held = hold_reasons(today, before, bands, NO_CONFIRMATIONS)
    assert held["held_reason"].to_list() == [
        "jump: $275.20 per hour on 2026-04-03, $27.52 on 2026-04-02 (the last accepted price; 10.0x, more than 5x)",
        None,
    ]
    confirmed = pl.DataFrame(
        [{**KEY, "instance_type": "gpu_8x_h100_sxm5", "price_per_hour_usd": 275.20}],
        schema_overrides={"commitment_term": pl.String},
    )
    assert hold_reasons(today, before, bands, confirmed)["held_reason"].to_list() == [None, None]
    # a confirmation is for that exact price only
    other = confirmed.with_columns(pl.lit(270.0).alias("price_per_hour_usd"))
    assert hold_reasons(today, before, bands, other)["held_reason"][0].startswith("jump")


def test_a_held_price_stays_held_while_it_repeats():
    # day 1 accepted at $31.92; day 2 reads $3.99 (a per-GPU price taken for the instance): held. Day 3 repeats $3.99:
    # compared with the last ACCEPTED price ($31.92), not with day 2's held one, so it stays held.
    accepted = offers(("gpu_8x_h100_sxm5", "H100-SXM", 8, 31.92, D1))
    day3 = offers(("gpu_8x_h100_sxm5", "H100-SXM", 8, 3.99, dt.date(2026, 4, 4)))
    bands = plausible_bands(
        pl.concat([day3, offers(("p5.48xlarge", "H100-SXM", 8, 55.04, D2), ("x", "H100-SXM", 1, 1.0, D2))])
    )
    assert hold_reasons(day3, accepted, bands, NO_CONFIRMATIONS)["held_reason"][0].startswith(
        "jump: $3.99 per hour on 2026-04-04, $31.92 on 2026-04-02"
    )


def test_spot_at_or_above_on_demand_is_a_placeholder_and_held():
    rows = offers(
        ("1x_A100-80GB_SECURE", "A100-80GB-PCIe", 1, 1.39, D2), ("1x_A100-80GB_SECURE", "A100-80GB-PCIe", 1, 1.39, D2)
    )
    rows = rows.with_columns(pl.Series("pricing", ["on_demand", "spot"]))
    held = hold_reasons(rows, offers(), plausible_bands(rows), NO_CONFIRMATIONS)
    assert held["held_reason"].to_list() == [None, "spot_not_below_on_demand: spot $1.39 per hour, on-demand $1.39"]


def test_a_region_far_below_the_same_instance_elsewhere_is_held():
    # GCP's billing catalog has matched H100 x8 in us-central1 to a $33.61 SKU; other regions list $78.37 and $101.88
    rows = pl.concat(
        [
            offers(("NVIDIA H100 80GB:8", "H100-SXM", 8, price, D2)).with_columns(pl.lit(region).alias("region"))
            for region, price in (("us-central1", 33.60609), ("us-east4", 78.37241), ("europe-west4", 101.88413))
        ]
    )
    held = hold_reasons(rows, offers(), plausible_bands(rows), NO_CONFIRMATIONS)
    reasons = dict(zip(held["region"], held["held_reason"]))
    assert reasons["us-central1"].startswith(
        "region_outlier: $33.61 per hour is more than 2x from this source's median of $78.37"
    )
    assert reasons["us-east4"] is None and reasons["europe-west4"] is None


LAMBDA = LOOPBACK_PATHS["skypilot"] + "/lambda/vms.csv"
LAMBDA_BODY = (fixture_dir("skypilot") / "lambda" / "vms.csv").read_bytes()


def test_a_held_price_stays_out_of_the_marts_until_confirmed(server, warehouse_path, monkeypatch):
    # gcp_billing runs only with a key: give it one so both runs ingest every source from the loopback server
    monkeypatch.setenv("GPUCOST_GCP_API_KEY", "test-key-not-a-secret")
    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": WarehouseResource(path=str(warehouse_path)), "ingest": loopback_ingest(server)}
    run_pipeline(resources=resources, instance=instance)
    # the next day, Lambda's 8x H100 on SkyPilot's catalog reads 6x what it did (over 5x, inside the band): held
    with connect_reader(warehouse_path) as con:
        day1 = snapshots.newest_date(con, "core.gpu_prices", "skypilot_lambda")
    server.behave(LAMBDA, body=LAMBDA_BODY.replace(b",27.52,", b",165.12,"))
    monkeypatch.setattr("assets.ingest.utc_now", lambda: dt.datetime.combine(day1 + dt.timedelta(days=1), dt.time(6)))
    summary = run_pipeline(resources=resources, instance=instance)
    assert summary.checks["gpu_prices_held"] is False and summary.checks["gpu_prices_plausible"] is True
    with connect_reader(warehouse_path) as con:
        held = prices.held_gpu_prices(con).filter(pl.col("instance_type") == "gpu_8x_h100_sxm5")
        in_marts = queries.latest_gpu_prices(con).filter(pl.col("instance_type") == "gpu_8x_h100_sxm5")
        costed = queries.training_costs(con, "GPT-3 175B")
    # one offer: Lambda's price is the same in every region, so SkyPilot's rows are one offer without a region
    assert held.select("source", "provider", "region", "instance_type").rows() == [
        ("skypilot_lambda", "lambda", None, "gpu_8x_h100_sxm5")
    ]
    assert held["held_reason"][0].startswith("jump: $165.12 per hour")
    assert set(in_marts["source"]) <= {"lambda", "gpuhunt_lambdalabs"}
    assert 165.12 not in in_marts["price_per_hour_usd"].to_list()
    assert not costed.filter(
        pl.col("price_instance_type") == "gpu_8x_h100_sxm5", pl.col("price_per_gpu_hour_usd") > 30
    ).height

    # a person checks the price and confirms it: the same price is then used
    original = ReferenceFile.read_bytes

    def with_confirmation(self):
        body = original(self)
        if self is PRICE_CONFIRMATIONS:
            body += b"skypilot_lambda,lambda,,gpu_8x_h100_sxm5,on_demand,,165.12,2026-04-03,test,checked on lambda.ai\n"
        return body

    monkeypatch.setattr(ReferenceFile, "read_bytes", with_confirmation)
    result = dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        selection=INGEST_SELECTION.downstream() - INGEST_SELECTION
        | dg.AssetSelection.assets(["core", "price_confirmations"]),
        resources=resources,
        instance=instance,
    )
    assert result.success
    with connect_reader(warehouse_path) as con:
        assert prices.held_gpu_prices(con).filter(pl.col("instance_type") == "gpu_8x_h100_sxm5").is_empty()
        confirmed = queries.frame(
            con,
            "SELECT price_per_hour_usd FROM core.gpu_prices WHERE source = 'skypilot_lambda' AND instance_type = "
            "'gpu_8x_h100_sxm5' AND held_reason IS NULL AND snapshot_date = ?",
            [day1 + dt.timedelta(days=1)],
        )
    assert confirmed["price_per_hour_usd"].to_list() == [165.12]


def store_held(warehouse_path, rows: pl.DataFrame) -> None:
    """Put core.gpu_prices rows (from `offers`) in the warehouse as held out of band."""
    rows = rows.with_columns(
        pl.col("gpu_model").alias("gpu_name_raw"),
        pl.lit("instance").alias("price_basis"),
        pl.lit("USD").alias("currency"),
        pl.lit(dt.datetime(2026, 4, 3)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
        pl.lit("out_of_band: $0.01 per GPU-hour is outside 0.669..66.9").alias("held_reason"),
    )
    with warehouse.connect_writer(warehouse_path) as con:
        warehouse.replace_snapshot(con, "core.gpu_prices", rows, source="skypilot", snapshot_date=D2)
        refresh_current(con)


def test_cli_lists_held_prices_with_the_line_that_confirms_them(capsys, warehouse_path):
    import json

    from pipeline.cli import main

    store_held(warehouse_path, offers(("bad", "B200", 8, 0.08, D2)))
    assert main(["prices", "--held", "--json"]) == 0
    (held,) = json.loads(capsys.readouterr().out)
    assert held["confirmation_line"].startswith("skypilot,lambda,us-east-1,bad,on_demand,,0.08,")
    assert main(["prices", "--held"]) == 0
    assert "out_of_band" in capsys.readouterr().out


def test_cli_held_prices_take_gpu_provider_and_region(capsys, warehouse_path):
    import json

    from pipeline.cli import main

    store_held(
        warehouse_path,
        pl.concat(
            [
                offers(("bad", "B200", 8, 0.08, D2), ("bad-h100", "H100-SXM", 8, 0.08, D2)),
                offers(("p5.bad", "H100-SXM", 8, 0.08, D2)).with_columns(
                    pl.lit("aws").alias("provider"), pl.lit("us-west-2").alias("region")
                ),
            ]
        ),
    )
    with warehouse.connect_writer(warehouse_path) as con:  # --gpu resolves families against the GPU specs
        warehouse.replace_table(con, "core.gpu_specs", load_checked(GPU_SPECS))

    def held(*args) -> list[tuple[str, str, str]]:
        assert main(["prices", "--held", "--json", *args]) == 0
        return [(r["provider"], r["region"], r["instance_type"]) for r in json.loads(capsys.readouterr().out)]

    assert len(held()) == 3
    assert held("--provider", "AWS") == [("aws", "us-west-2", "p5.bad")]
    assert held("--provider", "lambda", "--region", "us-east-1") == [
        ("lambda", "us-east-1", "bad"),
        ("lambda", "us-east-1", "bad-h100"),
    ]
    assert held("--gpu", "H100", "--provider", "lambda") == [("lambda", "us-east-1", "bad-h100")]
    assert main(["prices", "--held", "--provider", "aws", "--region", "us-east-1"]) == 2
    assert capsys.readouterr().err == "gpucost: unknown region 'us-east-1' at aws; did you mean 'us-west-2'?\n"
