"""dstack gpuhunt catalogs: version then catalog.zip per provider; TPUs, memory variants, zones, spot rows."""

import datetime as dt
import io
import json
import os
import zipfile
from pathlib import Path

import polars as pl
import pytest

from assets.errors import SourceError
from assets.http import HttpClient, HttpSettings
from assets.prices import gpuhunt
from assets.prices.gpu_names import price_rows
from assets.prices.offers import OFFER_SCHEMA, OPTIONAL_SCHEMA
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import LOOPBACK_PATHS

FIXTURES = Path(__file__).parent / "fixtures" / "gpuhunt"
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"


def zipped(provider: str, csv_text: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{provider}.csv", csv_text)
    return out.getvalue()


def payloads(**csv_overrides: bytes) -> dict[str, bytes]:
    """The fixture catalogs as fetch returns them, a provider's CSV replaced where asked."""
    out = {}
    for provider in gpuhunt.PROVIDERS:
        csv_text = csv_overrides.get(provider, (FIXTURES / "csv" / f"{provider}.csv").read_bytes())
        out[provider], out[f"{provider}-version"] = zipped(provider, csv_text), b"20260402-1"
    return out


def canonical(raw: pl.DataFrame) -> pl.DataFrame:
    meta = raw.with_columns(
        pl.lit("gpuhunt").alias("source"),
        pl.lit(dt.date(2026, 4, 2)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 4, 2, 6)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )
    return price_rows(gpuhunt.normalize(meta), GPU_ALIASES.load(), GPU_SPECS.load())


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


def test_fixture_zips_hold_the_readable_csv_next_to_them():
    for provider in gpuhunt.PROVIDERS:
        version = (FIXTURES / "v3" / provider / "version").read_text().strip()
        with zipfile.ZipFile(FIXTURES / "v3" / provider / version / "catalog.zip") as archive:
            assert archive.namelist() == [f"{provider}.csv"]
            assert archive.read(f"{provider}.csv") == (FIXTURES / "csv" / f"{provider}.csv").read_bytes()


def test_fetch_reads_each_version_then_that_catalog(server):
    client = HttpClient("gpuhunt", HttpSettings(retries=0, read_timeout_s=2.0))
    got = gpuhunt.fetch(client, {"gpuhunt": server.url + LOOPBACK_PATHS["gpuhunt"]})
    assert got["lambdalabs-version"] == b"20260402-1"
    paths = [r.path for r in server.requests]
    assert paths[:2] == ["/gpuhunt/v3/aws/version", "/gpuhunt/v3/aws/20260402-1/catalog.zip"]
    assert len(paths) == 2 * len(gpuhunt.PROVIDERS) and {"nebius", "oci", "runpod", "gcp", "azure"} <= set(got)


def test_a_version_that_is_not_an_id_is_refused(server):
    server.behave("/gpuhunt/v3/aws/version", body=b"<html>NoSuchKey</html>")
    with pytest.raises(SourceError, match=r"gpuhunt: aws/version: expected a catalog version id"):
        gpuhunt.fetch(
            HttpClient("gpuhunt", HttpSettings(retries=0)), {"gpuhunt": server.url + LOOPBACK_PATHS["gpuhunt"]}
        )


def test_parse_keeps_gpu_rows_with_their_provider_and_version():
    raw = gpuhunt.parse(payloads())
    assert set(raw["provider"]) == set(gpuhunt.PROVIDERS) and set(raw["catalog_version"]) == {"20260402-1"}
    assert raw.filter(pl.col("instance_name") == "m7i.large").is_empty()  # CPU-only
    assert raw["spot"].dtype == pl.Boolean and raw.filter(pl.col("spot")).height == 5  # 2 + verda's 3


def test_normalize_spot_rows_providers_and_first_party_comparable_names():
    prices = canonical(gpuhunt.parse(payloads()))
    assert set(prices.columns) >= {*OFFER_SCHEMA, *OPTIONAL_SCHEMA} and set(prices["source"]) == {"gpuhunt"}
    assert set(prices["provider"]) == {
        "aws",
        "azure",
        "gcp",
        "lambda",
        "runpod",
        "nebius",
        "oci",
        "verda",
        "cloudrift",
    }  # lambdalabs -> lambda
    p5 = prices.filter(pl.col("provider") == "aws", pl.col("instance_type") == "p5.48xlarge")
    assert dict(zip(p5["pricing"], p5["price_per_hour_usd"])) == {"on_demand": 55.04, "spot": 17.6289}
    assert set(p5["gpu_model"]) == {"H100-SXM"}
    assert one(prices, provider="aws", instance_type="p4de.24xlarge")["gpu_model"] == "A100-80GB"  # A100 with 80 GB
    assert one(prices, provider="aws", instance_type="p4d.24xlarge")["gpu_model"] == "A100-40GB"
    assert one(prices, provider="azure", instance_type="Standard_NC40ads_H100_v5")["gpu_model"] == "H100-NVL"
    assert one(prices, provider="azure", instance_type="Standard_NC24ads_A100_v4")["gpu_model"] == "A100-80GB-PCIe"
    assert one(prices, provider="lambda", instance_type="gpu_1x_h100_pcie")["gpu_model"] == "H100-PCIe"
    assert one(prices, provider="lambda", instance_type="gpu_8x_h100_sxm5")["price_per_gpu_hour_usd"] == pytest.approx(
        3.44
    )
    assert one(prices, provider="oci", instance_type="BM.GPU.H100.8")["price_per_gpu_hour_usd"] == pytest.approx(10.0)
    assert prices.filter(pl.col("gpu_model").is_null()).is_empty()
    assert prices.select("provider", "region", "instance_type", "pricing").is_duplicated().sum() == 0


def test_gcp_zones_collapse_to_their_region():
    prices = canonical(gpuhunt.parse(payloads()))
    a2 = one(prices, provider="gcp", instance_type="a2-highgpu-1g")
    assert a2["region"] == "us-central1" and a2["price_per_hour_usd"] == pytest.approx(0.73948 + 2.93391)


def test_tpu_slices_are_counted_in_chips_in_either_catalog_style():
    prices = canonical(gpuhunt.parse(payloads()))
    v5e = one(prices, provider="gcp", instance_type="tpu-v5litepod-8")
    assert (v5e["gpu_model"], v5e["gpu_count"], v5e["price_per_gpu_hour_usd"]) == ("TPU-v5e", 8, pytest.approx(1.20))
    v5p = one(prices, provider="gcp", instance_type="tpu-v5p-8")
    assert (v5p["gpu_model"], v5p["gpu_count"], v5p["price_per_gpu_hour_usd"]) == ("TPU-v5p", 4, pytest.approx(4.20))
    # catalogs from before the gpu_vendor column wrote the tpu- prefix instead
    old_style = (
        (FIXTURES / "csv" / "gcp.csv").read_bytes().replace(b",v5p-8,95.0,False,,google,", b",tpu-v5p-8,95.0,False,,,")
    )
    again = canonical(gpuhunt.parse(payloads(gcp=old_style)))
    assert one(again, provider="gcp", instance_type="tpu-v5p-8")["gpu_count"] == 4


def test_runpod_offers_are_named_as_the_first_party_source_names_them():
    """gpuhunt lists a RunPod pod by GPU type id and data centre (or country): <cloud>:<N>x <GPU type id>."""
    prices = canonical(gpuhunt.parse(payloads()))
    runpod = prices.filter(pl.col("provider") == "runpod").sort("gpu_count")
    assert runpod.select("region", "instance_type").rows() == [
        ("AP-JP-1", "secure:1x NVIDIA A100 80GB PCIe"),
        ("AP-JP-1", "secure:2x NVIDIA A100 80GB PCIe"),
    ]
    assert runpod["price_per_gpu_hour_usd"].to_list() == pytest.approx([1.39, 1.39])
    assert set(runpod["gpu_model"]) == {"A100-80GB-PCIe"}
    community = (
        (FIXTURES / "csv" / "runpod.csv")
        .read_bytes()
        .replace(b"NVIDIA A100 80GB PCIe,AP-JP-1,1.39", b"NVIDIA A100 80GB PCIe,US,1.59")
    )
    again = canonical(gpuhunt.parse(payloads(runpod=community)))
    assert one(again, region="US")["instance_type"] == "community:1x NVIDIA A100 80GB PCIe"


def test_an_instance_name_with_several_gpu_configurations_gets_them_in_its_name():
    csv_text = (
        FIXTURES / "csv" / "aws.csv"
    ).read_bytes() + b"p4d.24xlarge,us-east-1,10.0,96,1152.0,4,A100,40.0,False,,nvidia,,x86,{}\n"
    prices = canonical(gpuhunt.parse(payloads(aws=csv_text))).filter(pl.col("instance_type").str.starts_with("p4d."))
    assert sorted(prices["instance_type"]) == ["p4d.24xlarge (4x A100)", "p4d.24xlarge (8x A100)"]


def test_lambda_and_oci_rows_with_one_price_everywhere_have_no_region():
    prices = canonical(gpuhunt.parse(payloads()))
    assert prices.filter(pl.col("provider").is_in(["lambda", "oci"]))["region"].unique().to_list() == [None]
    assert set(prices.filter(pl.col("provider") == "aws")["region"]) == {"us-east-1"}


def test_a_spot_row_at_or_above_on_demand_is_a_placeholder_dropped_and_counted():
    csv_text = (
        (FIXTURES / "csv" / "verda.csv")
        .read_bytes()
        .replace(b"1H100.80S.32V,FIN-02,0.8015", b"1H100.80S.32V,FIN-02,2.29")
    )
    raw = gpuhunt.parse(payloads(verda=csv_text)).with_columns(
        pl.lit("gpuhunt_verda").alias("source"),
        pl.lit(dt.date(2026, 4, 2)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 4, 2, 6)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )
    offers = gpuhunt.normalize(raw.filter(pl.col("provider") == "verda"))
    assert offers.filter(pl.col("instance_type") == "1H100.80S.32V")["pricing"].to_list() == ["on_demand"]
    assert gpuhunt.placeholders(raw.filter(pl.col("provider") == "verda")) == 1


def test_each_provider_is_its_own_source_fetching_only_its_catalog(server):
    source = gpuhunt.BY_PROVIDER["cloudrift"]
    client = HttpClient(source.name, HttpSettings(retries=0, read_timeout_s=2.0))
    got = source.fetch(client, {"gpuhunt": server.url + LOOPBACK_PATHS["gpuhunt"]})
    assert set(got) == {"cloudrift", "cloudrift-version"}
    assert [r.path for r in server.requests] == [
        "/gpuhunt/v3/cloudrift/version",
        "/gpuhunt/v3/cloudrift/20260402-1/catalog.zip",
    ]
    assert set(source.parse(got)["provider"]) == {"cloudrift"}
    assert set(source.snapshot.payloads()) == {"cloudrift", "cloudrift-version"}
    with pytest.raises(SourceError, match=r"^gpuhunt_cloudrift: cloudrift catalog\.zip is not a zip archive"):
        source.parse({"cloudrift": b"<Error/>", "cloudrift-version": b"1"})


def test_zero_price_rows_are_dropped():
    csv_text = (
        (FIXTURES / "csv" / "aws.csv")
        .read_bytes()
        .replace(b"p4d.24xlarge,us-east-1,21.957642", b"p4d.24xlarge,us-east-1,0.0")
    )
    prices = canonical(gpuhunt.parse(payloads(aws=csv_text)))
    assert prices.filter(pl.col("instance_type") == "p4d.24xlarge").is_empty()


@pytest.mark.parametrize(
    "archive, message",
    [
        (b"<Error><Code>AccessDenied</Code></Error>", r"gpuhunt: oci catalog\.zip is not a zip archive"),
        (zipped("other", b"x"), r"gpuhunt: oci catalog\.zip holds \['other\.csv'\], not oci\.csv"),
        (
            zipped("oci", b"instance_name,location,cost,gpu_count,gpu_name,spot\n"),
            r"gpuhunt: oci\.csv: expected column\(s\) price",
        ),
        (
            zipped("oci", (FIXTURES / "csv" / "oci.csv").read_bytes().replace(b",80.0,224,", b",eighty,224,")),
            r"gpuhunt: oci\.csv: 1 row\(s\) with a bad price, e\.g\. 'eighty'",
        ),
        (
            zipped("oci", (FIXTURES / "csv" / "oci.csv").read_bytes().replace(b"False", b"maybe", 1)),
            r"gpuhunt: oci\.csv: 1 row\(s\) with a bad spot",
        ),
    ],
    ids=["not-a-zip", "wrong-member", "missing-column", "bad-price", "bad-spot"],
)
def test_a_changed_catalog_is_an_error_naming_the_provider(archive, message):
    got = payloads()
    got["oci"] = archive
    with pytest.raises(SourceError, match=message):
        gpuhunt.parse(got)


# Conformance: TPU prices in the fixtures are gpuhunt's own per-chip table (src/gpuhunt/resources/tpu_pricing.json).
def test_conformance_tpu_prices_match_gpuhunts_real_table():
    path = CAPTURES / "gpuhunt" / "tpu_pricing_b707e743.json"
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    table = json.loads(path.read_text())
    prices = canonical(gpuhunt.parse(payloads()))
    assert (
        one(prices, instance_type="tpu-v5litepod-8")["price_per_gpu_hour_usd"]
        == table["TPU v5e"]["us-central1"]["On Demand (USD)"]
    )
    # the table lists v5p in other regions, at one list price everywhere
    assert {r["On Demand (USD)"] for r in table["TPU v5p"].values()} == {
        one(prices, instance_type="tpu-v5p-8")["price_per_gpu_hour_usd"]
    }
