"""Across sources: each offer has one name, every bundled snapshot names its GPUs, 20+ providers have a price,
placeholder spot prices never become offers, and foreign-currency prices convert with the rate kept beside them."""

import datetime as dt
import itertools
from pathlib import Path

import polars as pl
import pytest

from assets.prices.gpu_names import price_rows
from assets.prices.offers import (
    OFFER_SCHEMA,
    OPTIONAL_SCHEMA,
    as_offers,
    count_placeholders,
    drop_placeholders,
    split_placeholders,
    to_usd,
)
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from assets.sources import PRICE_SOURCES

# the bundled ECB snapshot's EUR rate would do as well; any stored rate shows the conversion
FX = pl.DataFrame(
    {"currency": ["EUR"], "usd_per_unit": [1.1], "fx_date": [dt.date(2026, 5, 20)], "fx_source": ["ecb_eurofxref"]}
)
DATA = Path(__file__).resolve().parents[1] / "assets" / "reference" / "data"
# providers whose names issue 11 made one across sources (first-party and aggregators)
FIXED = ("lambda", "runpod", "oci", "cloudrift", "gcp")


def snapshot_rows(source) -> pl.DataFrame:
    raw = source.parse(source.snapshot.payloads()).with_columns(
        pl.lit(source.name).alias("source"),
        pl.lit(source.snapshot.captured).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 12, 1, 6)).alias("fetched_at"),
        pl.lit(f"snapshot:{source.snapshot.captured}").alias("origin"),
    )
    return price_rows(source.normalize(raw), GPU_ALIASES.load(), GPU_SPECS.load(), FX)


@pytest.fixture(scope="module")
def market() -> pl.DataFrame:
    return pl.concat([snapshot_rows(s) for s in PRICE_SOURCES])


def test_every_bundled_snapshot_names_every_gpu_it_prices(market):
    """The unknown-GPU check is empty on the bundled snapshots: every name a source uses has an alias and a spec."""
    unknown = market.filter(pl.col("gpu_model").is_null())
    assert unknown.is_empty(), sorted(set(unknown["gpu_name_raw"]))


def test_twenty_or_more_providers_have_a_current_price_in_the_bundled_snapshots(market):
    providers = set(market["provider"])
    assert len(providers) >= 20, sorted(providers)
    # the first-party keyless endpoints and the SkyPilot / gpuhunt clouds issue 11 adds are among them
    assert {"vultr", "cloudrift", "oci", "scaleway", "verda", "nebius", "hyperstack", "vast", "lium"} <= providers


def test_every_row_is_a_usd_price_with_its_unit_and_no_placeholder(market):
    assert set(market["currency"]) == {"USD"} and (market["price_per_hour_usd"] > 0).all()
    pivot = market.filter(pl.col("pricing").is_in(["spot", "on_demand"])).pivot(
        "pricing", index=["source", "provider", "region", "instance_type", "gpu_count"], values="price_per_hour_usd"
    )
    assert pivot.filter(pl.col("spot") >= pl.col("on_demand")).is_empty()
    # the EUR rows keep their published price and the rate that converted them
    eur = market.filter(pl.col("local_currency") == "EUR")
    assert eur.height and (eur["fx_rate"] == 1.1).all() and set(eur["fx_source"]) == {"ecb_eurofxref"}
    assert ((eur["price_per_hour_local"] * 1.1 - eur["price_per_hour_usd"]).abs() < 1e-9).all()


def test_no_offer_appears_under_two_names(market):
    """For a provider, two sources naming offers of one GPU model, count and pricing in the same region (or one of
    them everywhere, region NULL) must use the same names: one source's names contain the other's.

    Before issue 11: Lambda's page called the 1x A100 SXM 40 GB gpu_1x_a100 and the PCIe gpu_1x_a100_pcie while the
    API (SkyPilot, gpuhunt) has gpu_1x_a100_sxm4; RunPod's secure offers were secure:<id> (no region),
    1x_A100-80GB_SECURE (SkyPilot) and the bare GPU type id (gpuhunt)."""
    rows = market.filter(pl.col("provider").is_in(FIXED)).with_columns(pl.col("commitment_term").fill_null(""))
    conflicts = []
    group = ["provider", "gpu_model", "gpu_count", "pricing", "commitment_term", "price_basis"]
    for key, offers in rows.group_by(group):
        by_source = {s: o for s, o in offers.group_by("source")}
        for (a, rows_a), (b, rows_b) in itertools.combinations(sorted(by_source.items()), 2):
            regions_a, regions_b = set(rows_a["region"]), set(rows_b["region"])
            if None in regions_a or None in regions_b:
                scopes = [None]  # one of them holds everywhere: compare every name
            else:
                scopes = sorted(regions_a & regions_b)
            for region in scopes:
                names_a = set(rows_a.filter(region=region)["instance_type"] if region else rows_a["instance_type"])
                names_b = set(rows_b.filter(region=region)["instance_type"] if region else rows_b["instance_type"])
                if names_a and names_b and not (names_a <= names_b or names_b <= names_a):
                    conflicts.append((key, region, a[0], sorted(names_a), b[0], sorted(names_b)))
    assert conflicts == []


def test_lambdas_offers_are_one_per_name_whichever_source_reports_them(market):
    lam = market.filter(provider="lambda", instance_type="gpu_8x_h100_sxm5", pricing="on_demand")
    assert set(lam["source"]) == {"lambda", "skypilot_lambda", "gpuhunt_lambdalabs"}
    assert lam["region"].unique().to_list() == [None]  # one price everywhere: one offer, not one per region


def test_runpods_secure_offer_has_one_name_in_every_source(market):
    secure = market.filter(provider="runpod", instance_type="secure:1x NVIDIA A100 80GB PCIe", pricing="on_demand")
    assert set(secure["source"]) == {"runpod", "skypilot_runpod", "gpuhunt_runpod"}


# --- placeholders and currency, the helpers every source shares ----------------------------------------------


def offer(pricing: str, price: float, instance: str = "x1", region: str | None = "r1") -> dict:
    return {
        "source": "s",
        "provider": "p",
        "region": region,
        "instance_type": instance,
        "gpu_name_raw": "H100",
        "gpu_count": 1.0,
        "pricing": pricing,
        "price_basis": "instance",
        "price_per_hour_usd": price,
        "currency": "USD",
        "snapshot_date": dt.date(2026, 5, 20),
        "fetched_at": dt.datetime(2026, 5, 20),
        "origin": "live",
    }


def test_a_spot_price_at_or_above_on_demand_is_a_placeholder_and_a_lone_spot_price_is_not():
    offers = as_offers(
        pl.DataFrame(
            [
                offer("on_demand", 2.0),
                offer("spot", 2.0),  # equal: the on-demand price copied
                offer("on_demand", 3.0, "x2"),
                offer("spot", 1.0, "x2"),  # a real discount
                offer("spot", 0.8, "x3"),  # spot-only (Verda, Prime Intellect): nothing to compare, kept
                offer("on_demand", 1.0, "x4", None),
                offer("spot", 1.5, "x4", None),  # above, region NULL on both sides
            ]
        )
    )
    kept, dropped = split_placeholders(offers)
    assert sorted(dropped.select("instance_type", "pricing").rows()) == [("x1", "spot"), ("x4", "spot")]
    assert drop_placeholders(offers).equals(kept) and count_placeholders(offers) == 2
    assert kept.columns == [*OFFER_SCHEMA, *OPTIONAL_SCHEMA]


def test_every_source_that_drops_placeholders_can_count_them():
    counts = {s.name: s.placeholders for s in PRICE_SOURCES if s.placeholders}
    assert {"runpod", "gcp_billing", "skypilot_runpod", "skypilot_mithril", "gpuhunt_runpod"} <= set(counts)
    sources = {s.name: s for s in PRICE_SOURCES}
    raw = sources["skypilot_runpod"].parse(sources["skypilot_runpod"].snapshot.payloads())
    raw = raw.with_columns(
        pl.lit("skypilot_runpod").alias("source"),
        pl.lit(dt.date(2026, 5, 20)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 5, 20)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )
    assert counts["skypilot_runpod"](raw) == 3  # the catalog's SpotPrice == Price on each row


def test_to_usd_converts_local_prices_and_leaves_usd_rows_alone():
    rows = pl.DataFrame([offer("on_demand", 2.0), {**offer("on_demand", None, "eur"), "currency": "EUR"}])
    rows = rows.with_columns(
        pl.when(pl.col("instance_type") == "eur").then(pl.lit(10.0)).alias("price_per_hour_local"),
        pl.when(pl.col("instance_type") == "eur").then(pl.lit("EUR")).alias("local_currency"),
    )
    older = FX.with_columns(pl.lit(0.9).alias("usd_per_unit"), pl.lit(dt.date(2026, 1, 2)).alias("fx_date"))
    out = to_usd(rows, pl.concat([older, FX])).sort("instance_type")  # the newest rate wins
    assert out.select("instance_type", "price_per_hour_usd", "currency", "fx_rate", "fx_date").rows() == [
        ("eur", pytest.approx(11.0), "USD", 1.1, dt.date(2026, 5, 20)),
        ("x1", 2.0, "USD", None, None),
    ]
