"""SkyPilot catalog: parsing, normalizing, and conformance with real captured catalogs of every v8 cloud."""

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


CORE_CLOUDS = ("aws", "azure", "gcp", "lambda", "runpod")


def fixture_payloads(clouds=CORE_CLOUDS) -> dict[str, bytes]:
    return {cloud: (FIXTURES / cloud / "vms.csv").read_bytes() for cloud in clouds}


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
    assert set(raw["cloud"]) == set(CORE_CLOUDS)
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
    # one price in all 17 regions: one offer, region NULL (as Lambda's own page has it)
    h100 = lam.filter(pl.col("instance_type") == "gpu_1x_h100_pcie", pl.col("pricing") == "on_demand")
    assert h100.height == 1 and h100["region"][0] is None and h100["gpu_model"][0] == "H100-PCIe"
    assert lam.filter(pl.col("instance_type") == "gpu_8x_h100_sxm5")["price_per_gpu_hour_usd"].to_list() == [
        pytest.approx(31.92 / 8)
    ]
    rp = canonical(
        skypilot.normalize(
            with_meta(
                skypilot.parse_cloud("runpod", _capture("skypilot_catalog", "runpod_vms_v8_01acdfd4_first79rows.csv"))
            )
        )
    )
    assert set(rp["gpu_model"]) == {"A100-80GB-PCIe"}
    assert set(rp.filter(pl.col("pricing") == "on_demand")["price_per_gpu_hour_usd"].round(2)) == {1.39}
    # SpotPrice == Price on every row: placeholders, never spot offers
    assert rp.filter(pl.col("pricing") == "spot").is_empty()
    # named as the first-party RunPod source names the offer: data centre, <cloud>:<N>x <GPU type id>
    assert one(rp, region="AP-IN-1", instance_type="secure:1x NVIDIA A100 80GB PCIe", pricing="on_demand")


def test_an_unknown_tpu_generation_is_kept_and_listed_not_dropped():
    payloads = fixture_payloads()
    payloads["gcp"] += (
        # a hypothetical new generation, not a real price
        b",,,tpu-v7x-8,1,tpu-v7x-8,us-central1,us-central1-a,40.0,12.0\n"
    )
    prices = canonical(normalized(payloads))
    v7 = one(prices, provider="gcp", instance_type="tpu-v7x-8", pricing="on_demand")
    assert v7["gpu_model"] is None and v7["gpu_name_raw"] == "tpu-v7x" and v7["gpu_count"] == 8


# --- every v8 cloud: the real quirks (../shared/real-captures/SOURCES.md section 9) -------------------------------

V8 = {
    "verda": "verda_vms_v8_000c1d0b.csv",
    "nebius": "nebius_vms_v8_0082b043.csv",
    "oci": "oci_vms_v8_05887511_first-region_af-casablanca-1.csv",
    "hyperstack": "hyperstack_vms_v8_fdc9d908.csv",
    "shadeform": "shadeform_vms_v8_002363da.csv",
    "primeintellect": "primeintellect_vms_v8_d9a304ea.csv",
    "jarvislabs": "jarvislabs_vms_v8_57d65781.csv",
    "hyperbolic": "hyperbolic_vms_v8_0082b043.csv",
    "seeweb": "seeweb_vms_v8_004a1aef.csv",
    "mithril": "mithril_vms_v8_1f9eb0c2.csv",
    "vast": "vast_vms_v8_01b8cdda.csv",
    "lium": "lium_vms_v8_04a03aee.csv",
    "yotta": "yotta_vms_v8_1f690489.csv",
    "daytona": "daytona_vms_v8_0eb5da57.csv",
}
# GPUs the real catalogs list that have no spec row (and so no alias) yet: kept with gpu_model NULL and listed by
# the unknown-GPU check, never dropped
NO_SPEC_YET = {
    "hyperstack": {"RTX-A4000"},
    "shadeform": {"A16", "A4000", "A5000", "GAUDI2", "RTX6000Ada"},
    "primeintellect": {"A4000", "RTX6000Ada"},
    "seeweb": {"A30"},
    "vast": {"RTX3060", "RTX3070", "RTX3080", "RTX3090", "RTX4060", "RTX4070", "RTX6000-Ada", "RTXA2000"},
    "lium": {"RTX3090", "RTX6000-Ada"},
    "verda": {"RTX-6000-Ada"},
    "oci": {"GB300"},
}


def real(cloud: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = with_meta(skypilot.parse_cloud(cloud, _capture("skypilot_catalog_v8", V8[cloud])))
    return raw, canonical(skypilot.normalize(raw))


@pytest.mark.parametrize("cloud", V8)
def test_conformance_every_v8_cloud_parses_by_header_name_and_names_its_gpus(cloud):
    raw, offers = real(cloud)
    assert raw.filter(pl.col("accelerator_name").is_not_null()).height > 0
    unknown = set(offers.filter(pl.col("gpu_model").is_null())["gpu_name_raw"])
    assert unknown == NO_SPEC_YET.get(cloud, set())
    assert offers.select("provider", "region", "instance_type", "pricing").is_duplicated().sum() == 0
    assert (offers["price_per_hour_usd"] > 0).all() and set(offers["provider"]) <= {cloud}
    # a spot price at or above its on-demand price never survives
    both = offers.pivot("pricing", index=["region", "instance_type"], values="price_per_hour_usd")
    if {"spot", "on_demand"} <= set(both.columns):
        assert both.filter(pl.col("spot") >= pl.col("on_demand")).is_empty()


def test_conformance_gpu_info_in_every_spelling_gives_per_gpu_memory():
    def memory(cloud, name):
        raw, _ = real(cloud)
        return sorted(raw.filter(pl.col("accelerator_name") == name)["gpu_memory_gb"].round(1).unique().to_list())

    assert memory("verda", "H100") == [80.0]  # real JSON
    assert memory("hyperstack", "H100-80G-SXM5") == [80.0]  # Python dict with a JSON null
    assert memory("shadeform", "A6000") == [48.0]  # GB written in a MiB field
    assert memory("primeintellect", "A100-80GB") == [80.0]  # the total in the per-GPU field, multiplied again
    assert memory("lium", "B200") == [179.0]  # TotalGpuMemoryInMiB inside the Gpus item
    assert memory("yotta", "RTX5090") == [31.8]  # Count 1 on a 2-GPU row; the total is right
    assert memory("seeweb", "RTX PRO 6000 96GB") == [None]  # SizeInMiB 0: unknown, never 0 GB


def test_conformance_placeholders_are_dropped_and_counted():
    raw, offers = real("vast")
    assert offers.filter(pl.col("pricing") == "spot").is_empty()  # SpotPrice 0.00: no price
    raw, offers = real("mithril")
    assert offers.is_empty() and skypilot.placeholders(raw) == 8  # $1.00 per GPU-hour bid limit, Price == SpotPrice
    raw, offers = real("verda")  # spot-only rows (empty Price) stay spot offers
    b300 = offers.filter(pl.col("instance_type") == "2B300.60V")
    assert b300["pricing"].to_list() == ["spot"] and b300["price_per_hour_usd"][0] == pytest.approx(4.893)


def test_conformance_regions_that_name_no_place_are_null_and_real_text_is_kept():
    assert real("hyperbolic")[1]["region"].unique().to_list() == [None]  # 'default'
    assert real("daytona")[1]["region"].unique().to_list() == [None]  # 'earth'
    seeweb = real("seeweb")[1]
    assert None in seeweb["region"].to_list() and "it-fr2" in seeweb["region"].to_list()  # empty Region
    assert "Hafnarfjarðarkaupstaður, IS, EU" in real("vast")[1]["region"].to_list()  # UTF-8 kept


def test_conformance_rtx_pro_6000_in_every_spelling_is_one_model():
    spellings = {"verda": "RTX-PRO-6000", "oci": "RTXPRO6000", "shadeform": "RTXPro6000", "seeweb": "RTX PRO 6000 96GB"}
    for cloud, name in spellings.items():
        offers = real(cloud)[1].filter(pl.col("gpu_name_raw") == name)
        assert offers.height and set(offers["gpu_model"]) == {"RTX-PRO-6000"}, cloud


def test_conformance_oci_prices_everywhere_alike_collapse_to_no_region():
    oci = real("oci")[1]
    assert oci["region"].unique().to_list() == [None]
    assert one(oci, instance_type="BM.GPU.H100.8", pricing="on_demand")["price_per_hour_usd"] == 80
    assert one(oci, instance_type="VM.GPU3.1", pricing="spot")["price_per_hour_usd"] == pytest.approx(1.475)


def test_each_cloud_is_its_own_source_with_its_own_table_and_snapshot():
    assert len(skypilot.SOURCES) == len(skypilot.CLOUDS) == 20
    for cloud, source in skypilot.BY_CLOUD.items():
        assert (source.name, source.raw_table) == (f"skypilot_{cloud}", f"raw.skypilot_{cloud}")
        assert set(source.snapshot.payloads()) == {cloud}
        frame = source.parse(source.snapshot.payloads())
        assert set(frame["cloud"]) == {cloud}
    with pytest.raises(SourceError, match=r"^skypilot_vast: no catalog for vast"):
        skypilot.BY_CLOUD["vast"].parse({})
