"""SkyPilot catalog: parsing, normalizing, and conformance with real captured catalogs."""

import os
from pathlib import Path

import polars as pl
import pytest

from assets.errors import SourceError
from assets.prices import skypilot
from assets.prices.gpu_names import price_rows
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import fixture_dir

FIXTURES = fixture_dir("skypilot")
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"


def fixture_payloads() -> dict[str, bytes]:
    return {cloud: (FIXTURES / cloud / "vms.csv").read_bytes() for cloud in skypilot.CLOUDS}


def with_meta(frame: pl.DataFrame) -> pl.DataFrame:
    import datetime as dt

    return frame.with_columns(
        pl.lit("skypilot").alias("source"),
        pl.lit(dt.date(2026, 4, 2)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 4, 2, 6)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


def normalized(payloads=None) -> pl.DataFrame:
    return skypilot.normalize(with_meta(skypilot.parse(payloads or fixture_payloads())))


def canonical(offers: pl.DataFrame) -> pl.DataFrame:
    return price_rows(offers, GPU_ALIASES.load(), GPU_SPECS.load())


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


def test_parse_reads_columns_by_name_whatever_their_order():
    raw = skypilot.parse(fixture_payloads())
    assert set(raw["cloud"]) == set(skypilot.CLOUDS)
    gcp = raw.filter(pl.col("cloud") == "gcp")
    # GCP puts Region before Price; the parser must not care
    assert one(gcp, instance_type="a2-highgpu-1g", region="us-central1")["price"] == pytest.approx(0.73948)
    # Azure rows with an unquoted `V1,V2` tail still parse, and keep their price
    assert one(raw, cloud="azure", instance_type="Standard_NC4as_T4_v3")["price"] == pytest.approx(0.526)


def test_normalize_divides_by_gpu_count_and_drops_cpu_only_rows():
    prices = canonical(normalized())
    p5 = one(prices, provider="aws", region="us-east-1", instance_type="p5.48xlarge", pricing="on_demand")
    assert p5["gpu_model"] == "H100-SXM"
    assert p5["price_per_hour_usd"] == pytest.approx(55.04)
    assert p5["price_per_gpu_hour_usd"] == pytest.approx(6.88)
    assert p5["price_per_pflop_hour_usd"] == pytest.approx(6.88 / 0.989)
    assert prices.filter(pl.col("instance_type").is_in(["m7i.large", "Standard_D4s_v5", "cpu_4x_general"])).is_empty()


def test_spot_is_the_cheapest_zone_and_empty_prices_are_dropped():
    prices = canonical(normalized())
    spot = one(prices, provider="aws", region="us-east-1", instance_type="p5.48xlarge", pricing="spot")
    assert spot["price_per_hour_usd"] == pytest.approx(17.6289)  # use1-az6 beats use1-az2's 19.2531
    # p5e.48xlarge is capacity-block only: empty Price, no row
    assert prices.filter(pl.col("instance_type") == "p5e.48xlarge").is_empty()


def test_gcp_instance_price_is_host_plus_gpus():
    prices = canonical(normalized())
    a2 = one(prices, provider="gcp", instance_type="a2-highgpu-1g", region="us-central1", pricing="on_demand")
    assert a2["price_per_hour_usd"] == pytest.approx(0.73948 + 2.93391)  # $3.67/h, as SkyPilot documents
    assert a2["gpu_model"] == "A100-40GB" and a2["price_basis"] == "instance"
    a3 = one(prices, provider="gcp", instance_type="a3-highgpu-8g", pricing="on_demand")
    assert a3["price_per_gpu_hour_usd"] == pytest.approx((9.46006 + 33.60609) / 8)
    g2 = one(prices, provider="gcp", instance_type="g2-standard-24", pricing="on_demand")
    assert g2["gpu_count"] == 2 and g2["price_per_hour_usd"] == pytest.approx(0.88075 + 1.12008)
    # T4 attaches to any n1 host: priced as GPU only, and said so
    t4 = one(prices, provider="gcp", gpu_model="T4", pricing="on_demand")
    assert t4["price_basis"] == "gpu_only" and t4["instance_type"] == "T4:1"
    # a4 host price is 0.0 in the catalog: the B200 stays a GPU-only price, never a $0 host
    b200 = one(prices, provider="gcp", gpu_model="B200", pricing="on_demand")
    assert b200["price_basis"] == "gpu_only" and b200["price_per_gpu_hour_usd"] == pytest.approx(90.216 / 8)


def test_tpu_slices_are_priced_per_slice_and_counted_in_chips():
    prices = canonical(normalized())
    v4 = one(prices, provider="gcp", instance_type="tpu-v4-8", pricing="on_demand")
    # the catalog's price is the whole slice's; the per-GPU price is per chip
    assert v4["gpu_model"] == "TPU-v4" and v4["gpu_count"] == 4 and v4["price_per_hour_usd"] == pytest.approx(12.88)
    assert v4["price_per_gpu_hour_usd"] == pytest.approx(3.22)
    v5e = one(prices, provider="gcp", instance_type="tpu-v5litepod-8", pricing="on_demand")
    assert (
        v5e["gpu_count"] == 8
        and v5e["price_per_hour_usd"] == pytest.approx(9.6)
        and v5e["price_per_gpu_hour_usd"] == pytest.approx(1.20)
    )


def test_fractional_gpus_keep_their_fraction():
    prices = canonical(normalized())
    a10 = one(prices, provider="azure", instance_type="Standard_NV6ads_A10_v5", pricing="on_demand")
    assert a10["gpu_count"] == pytest.approx(0.167)
    assert a10["price_per_gpu_hour_usd"] == pytest.approx(0.454 / 0.167)


def test_unknown_gpu_names_are_kept_with_null_model():
    prices = canonical(normalized())
    unknown = prices.filter(pl.col("gpu_model").is_null())
    assert set(unknown["gpu_name_raw"]) == {"M60", "MI25"}
    assert unknown.filter(pl.col("pricing") == "on_demand").height == 2


def test_one_row_per_offer_key():
    prices = canonical(normalized())
    key = ["provider", "region", "instance_type", "pricing"]
    assert prices.select(key).is_duplicated().sum() == 0


def test_missing_column_names_the_source_and_the_file():
    payloads = fixture_payloads()
    payloads["aws"] = payloads["aws"].replace(b"Price,SpotPrice", b"Cost,SpotPrice", 1)
    with pytest.raises(SourceError, match=r"skypilot: aws/vms.csv: expected column\(s\) Price"):
        skypilot.parse(payloads)


def test_non_numeric_price_is_an_error_not_a_null():
    payloads = fixture_payloads()
    payloads["lambda"] = payloads["lambda"].replace(b",1.29,", b",1.29 USD,", 1)
    with pytest.raises(SourceError, match="lambda/vms.csv: .*non-numeric Price"):
        skypilot.parse(payloads)


def test_an_html_error_page_is_not_a_catalog():
    payloads = fixture_payloads()
    payloads["gcp"] = b"<html><body>Rate limited</body></html>"
    with pytest.raises(SourceError, match="gcp/vms.csv"):
        skypilot.parse(payloads)


# Conformance: the parser on real catalogs captured from the public repositories.
def _capture(*parts) -> bytes:
    path = CAPTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    return path.read_bytes()


def test_conformance_real_aws_p_family():
    frame = skypilot.parse_cloud("aws", _capture("skypilot_catalog", "aws_vms_v8_00148f2a_p-family_gpu_rows.csv"))
    offers = canonical(skypilot.normalize(with_meta(frame)))
    p5 = one(offers, region="us-east-1", instance_type="p5.48xlarge", pricing="on_demand")
    assert p5["price_per_gpu_hour_usd"] == pytest.approx(6.88)
    assert set(offers.filter(pl.col("instance_type").str.starts_with("p6-b200"))["gpu_model"]) == {"B200"}
    assert offers.filter(pl.col("instance_type") == "p5e.48xlarge", pl.col("pricing") == "on_demand").is_empty()
    assert offers.filter(pl.col("gpu_model").is_null()).is_empty()  # B300 has its spec and alias now
    assert set(offers.filter(pl.col("instance_type").str.starts_with("p6-b300"))["gpu_model"]) == {"B300"}


def test_conformance_real_azure_with_ragged_rows():
    frame = skypilot.parse_cloud("azure", _capture("anycloud_catalog", "azure_vms_gpu_rows_2026-05-20_62ff0a9.csv"))
    offers = canonical(skypilot.normalize(with_meta(frame)))
    nd = one(offers, region="eastus", instance_type="Standard_ND96isr_H100_v5", pricing="on_demand")
    assert (
        nd["gpu_model"] == "H100-SXM"
        and nd["gpu_count"] == 8
        and nd["price_per_gpu_hour_usd"] == pytest.approx(98.32 / 8)
    )
    assert (
        one(offers, region="eastus", instance_type="Standard_NC40ads_H100_v5", pricing="on_demand")["gpu_model"]
        == "H100-NVL"
    )
    assert (
        one(offers, region="eastus", instance_type="Standard_NC24ads_A100_v4", pricing="on_demand")["gpu_model"]
        == "A100-80GB-PCIe"
    )


def test_conformance_real_gcp_hosts_gpus_and_tpus():
    frame = skypilot.parse_cloud("gcp", _capture("anycloud_catalog", "gcp_vms_gpu_tpu_rows_2026-05-20_62ff0a9.csv"))
    offers = canonical(skypilot.normalize(with_meta(frame)))
    a2 = one(offers, region="us-central1", instance_type="a2-highgpu-1g", pricing="on_demand")
    assert a2["price_per_hour_usd"] == pytest.approx(0.73948 + 2.93391)
    assert one(offers, region="us-central1", instance_type="tpu-v5p-8", pricing="on_demand")[
        "price_per_gpu_hour_usd"
    ] == pytest.approx(4.20)
    assert one(offers, region="us-central1", instance_type="tpu-v6e-1", pricing="on_demand")["gpu_model"] == "TPU-v6e"
    # every TPU generation in the catalog maps to chips with a known model, except v2 (no spec row yet)
    tpus = offers.filter(pl.col("gpu_name_raw").str.starts_with("tpu-"))
    assert set(tpus.filter(pl.col("gpu_model").is_null())["gpu_name_raw"]) == {"tpu-v2"}


def test_conformance_real_lambda_and_runpod():
    lam = canonical(
        skypilot.normalize(
            with_meta(skypilot.parse_cloud("lambda", _capture("anycloud_catalog", "lambda_vms_2026-05-07_4c06102.csv")))
        )
    )
    assert (
        one(lam, region="us-east-1", instance_type="gpu_1x_h100_pcie", pricing="on_demand")["gpu_model"] == "H100-PCIe"
    )
    assert one(lam, region="us-east-1", instance_type="gpu_8x_h100_sxm5", pricing="on_demand")[
        "price_per_gpu_hour_usd"
    ] == pytest.approx(31.92 / 8)
    rp = canonical(
        skypilot.normalize(
            with_meta(
                skypilot.parse_cloud("runpod", _capture("skypilot_catalog", "runpod_vms_v8_01acdfd4_first79rows.csv"))
            )
        )
    )
    assert set(rp["gpu_model"]) == {"A100-80GB-PCIe"}
    assert set(rp.filter(pl.col("pricing") == "on_demand")["price_per_gpu_hour_usd"].round(2)) == {1.39}


def test_an_unknown_tpu_generation_is_kept_and_listed_not_dropped():
    payloads = fixture_payloads()
    payloads["gcp"] += (
        # a hypothetical new generation, not a real price
        b",,,tpu-v7x-8,1,tpu-v7x-8,us-central1,us-central1-a,40.0,12.0\n"
    )
    prices = canonical(normalized(payloads))
    v7 = one(prices, provider="gcp", instance_type="tpu-v7x-8", pricing="on_demand")
    assert v7["gpu_model"] is None and v7["gpu_name_raw"] == "tpu-v7x" and v7["gpu_count"] == 8
