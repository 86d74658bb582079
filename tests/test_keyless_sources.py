"""The new first-party sources (Vultr, CloudRift, OCI, Scaleway, the GCP Billing Catalog): parsing recorded answers,
normalizing, and conformance with the real catalogs other tools built from the same APIs."""

import datetime as dt
import json
import os
from pathlib import Path

import polars as pl
import pytest

from assets.errors import SourceError
from assets.prices import cloudrift, gcp_billing, gpuhunt, oci, scaleway, skypilot, vultr
from assets.prices.gpu_names import price_rows
from assets.prices.offers import OFFER_SCHEMA, OPTIONAL_SCHEMA, to_usd
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import fixture_dir

CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"
SKUS = fixture_dir("gcp_billing") / "v1" / "services" / "6F81-5844-456A" / "skus"
ANSWERS = {
    "vultr": {
        "plans-001": (fixture_dir("vultr_api") / "plans").read_bytes(),
        "plans-metal-001": (fixture_dir("vultr_api") / "plans-metal").read_bytes(),
    },
    "cloudrift": {"instance_types": (fixture_dir("cloudrift_api") / "api/v1/instance-types/list").read_bytes()},
    "oci": {name: (fixture_dir("oci_estimator") / f"{name}.json").read_bytes() for name in ("shapes", "products")},
    "scaleway": {
        "products-001": (fixture_dir("scaleway_api") / "product-catalog/v2alpha1/public-catalog/products").read_bytes()
    },
    "gcp_billing": {
        "skus-001": (SKUS / "page-1.json").read_bytes(),
        "skus-002": (SKUS / "page-2.json").read_bytes(),
    },
}
MODULES = {"vultr": vultr, "cloudrift": cloudrift, "oci": oci, "scaleway": scaleway, "gcp_billing": gcp_billing}
FX = pl.DataFrame(
    {"currency": ["EUR"], "usd_per_unit": [1.1], "fx_date": [dt.date(2026, 9, 25)], "fx_source": ["ecb_eurofxref"]}
)


def with_meta(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source).alias("source"),
        pl.lit(dt.date(2026, 9, 26)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 9, 26, 6)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


def canonical(name: str, payloads=None, fx=FX) -> pl.DataFrame:
    module = MODULES[name]
    offers = module.normalize(with_meta(module.parse(payloads or ANSWERS[name]), module.NAME))
    assert offers.columns == [*OFFER_SCHEMA, *OPTIONAL_SCHEMA]  # every source keeps one column order
    return price_rows(offers, GPU_ALIASES.load(), GPU_SPECS.load(), fx)


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(**where)
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


def _capture(*parts) -> bytes:
    path = CAPTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    return path.read_bytes()


@pytest.mark.parametrize("name", MODULES)
def test_every_recorded_answer_gives_unique_known_positive_offers(name):
    prices = canonical(name)
    key = ["provider", "region", "instance_type", "pricing", "commitment_term"]
    assert prices.height and prices.select(key).is_duplicated().sum() == 0
    assert prices.filter(pl.col("gpu_model").is_null()).is_empty()
    assert (prices["price_per_gpu_hour_usd"] > 0).all() and set(prices["currency"]) == {"USD"}
    assert set(prices["provider"]) == {"gcp" if name == "gcp_billing" else name}


@pytest.mark.parametrize("name", MODULES)
def test_the_bundled_snapshot_is_the_recorded_format(name):
    source = MODULES[name].SOURCE
    assert canonical(name, source.snapshot.payloads()).height > 0


# --- Vultr -------------------------------------------------------------------------------------------------


def test_vultr_keeps_gpu_plans_per_location_and_counts_fractional_gpus():
    raw = vultr.parse(ANSWERS["vultr"])
    assert set(raw["plan_id"]) == {"vcg-a100-1c-6g-4vram", "vcg-a100-12c-120g-80vram", "vbm-112c-2048gb-8-h100-gpu"}
    prices = canonical("vultr")
    slice_ = one(prices, instance_type="vcg-a100-1c-6g-4vram")
    # 4 GB of an 80 GB A100 is 1/20 of the GPU: its per-GPU price is the whole GPU's, not the slice's
    assert slice_["gpu_count"] == pytest.approx(0.05) and slice_["price_per_gpu_hour_usd"] == pytest.approx(2.46)
    assert one(prices, instance_type="vcg-a100-12c-120g-80vram")["gpu_model"] == "A100-80GB"
    metal = one(prices, instance_type="vbm-112c-2048gb-8-h100-gpu")
    assert (metal["region"], metal["gpu_count"], metal["price_per_gpu_hour_usd"]) == ("sea", 8, pytest.approx(2.99))
    # hourly_cost_preemptible has no documented meaning: never a spot price
    assert set(prices["pricing"]) == {"on_demand"}


def test_vultr_an_unknown_bare_metal_gpu_plan_is_kept_with_its_id():
    metal = json.loads(ANSWERS["vultr"]["plans-metal-001"])
    metal["plans_metal"][1]["id"] = "vbm-256c-3072gb-8-b200-gpu"
    payloads = {**ANSWERS["vultr"], "plans-metal-001": json.dumps(metal).encode()}
    prices = canonical("vultr", payloads, fx=None)
    assert one(prices, instance_type="vbm-256c-3072gb-8-b200-gpu")["gpu_model"] is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"plans-001": b'{"error": "Invalid API token.", "status": 401}'}, r"vultr: plans-001: error 'Invalid API"),
        ({"plans-001": b"[]"}, r"vultr: plans-001: the response is a list, not an object"),
        ({"plans-metal-001": b'{"meta": {}}'}, r"vultr: plans-metal-001: the response has no 'plans_metal' list"),
    ],
    ids=["error-object", "not-an-object", "no-list"],
)
def test_vultr_bad_answers_name_the_problem(change, message):
    with pytest.raises(SourceError, match=message):
        vultr.parse({**ANSWERS["vultr"], **change})


# --- CloudRift ---------------------------------------------------------------------------------------------


def test_cloudrift_prices_are_cents_per_instance_hour_per_data_centre_with_free_nodes():
    prices = canonical("cloudrift")
    v100 = prices.filter(instance_type="v100-6-52-400-generic").sort("region")
    assert v100.select("region", "price_per_hour_usd", "availability").rows() == [
        ("usny01_a01", 0.25, "1 of 1 nodes free"),
        ("ustx1a_a01", 0.25, "1 of 3 nodes free"),
    ]
    assert one(prices, instance_type="rtxpro6000-11-50-500-1l")["gpu_model"] == "RTX-PRO-6000"
    assert set(prices["pricing"]) == {"on_demand"}  # CloudRift has no spot


def test_cloudrift_a_message_instead_of_a_list_is_an_error():
    with pytest.raises(SourceError, match=r"cloudrift: the API answered with a message, not a list: 'Invalid"):
        cloudrift.parse({"instance_types": b'"Invalid version"'})


def test_cloudrift_and_gpuhunts_cloudrift_rows_are_one_offer():
    ours = canonical("cloudrift").filter(gpu_model="RTX-PRO-6000")
    source = gpuhunt.BY_PROVIDER["cloudrift"]
    theirs = price_rows(
        source.normalize(with_meta(source.parse(source.snapshot.payloads()), source.name)),
        GPU_ALIASES.load(),
        GPU_SPECS.load(),
    ).filter(gpu_model="RTX-PRO-6000")
    key = ["provider", "region", "instance_type", "pricing"]
    assert (
        ours.select(key).rows()
        == theirs.select(key).rows()
        == [("cloudrift", "ustx1a_a01", "rtxpro6000-11-50-500-1l", "on_demand")]
    )


# --- OCI ---------------------------------------------------------------------------------------------------


def test_oci_gpu_shape_price_is_gpu_part_times_gpus_everywhere_alike():
    prices = canonical("oci")
    assert prices["region"].unique().to_list() == [None]
    assert one(prices, instance_type="BM.GPU.H100.8")["price_per_hour_usd"] == 80
    gb200 = one(prices, instance_type="BM.GPU.GB200.4")  # " (NVL72)" stripped from the shape name
    assert (gb200["gpu_name_raw"], gb200["gpu_count"], gb200["price_per_hour_usd"]) == ("GB200", 4, 64)
    assert one(prices, instance_type="BM.GPU4.8")["gpu_model"] == "A100-40GB"
    assert one(prices, instance_type="BM.GPU.A100-v2.8")["gpu_model"] == "A100-80GB"
    assert one(prices, instance_type="BM.GPU.RTXPRO.8")["gpu_model"] == "RTX-PRO-6000"
    # spot only for preemptible shapes, at Oracle's documented 50 %
    spot = prices.filter(pricing="spot")
    assert spot.select("instance_type", "price_per_hour_usd").rows() == [("VM.GPU3.1", 1.475)]


def test_conformance_oci_matches_skypilots_catalog_built_from_the_same_price_list():
    catalog = skypilot.parse_cloud(
        "oci", _capture("skypilot_catalog_v8", "oci_vms_v8_05887511_first-region_af-casablanca-1.csv")
    )
    theirs = price_rows(skypilot.normalize(with_meta(catalog, "skypilot_oci")), GPU_ALIASES.load(), GPU_SPECS.load())
    ours = canonical("oci")
    key = ["provider", "region", "instance_type", "pricing"]
    both = ours.join(theirs, on=key, suffix="_catalog", nulls_equal=True)  # region NULL: one price everywhere
    assert both.height == ours.height == 10  # every shape and price we give is the same offer there
    assert ((both["price_per_hour_usd"] - both["price_per_hour_usd_catalog"]).abs() < 1e-9).all()
    assert (both["gpu_model"] == both["gpu_model_catalog"]).all()


# --- Scaleway ----------------------------------------------------------------------------------------------


def test_scaleway_keeps_the_eur_price_and_converts_with_the_stored_rate():
    offers = scaleway.normalize(with_meta(scaleway.parse(ANSWERS["scaleway"]), "scaleway"))
    h100 = offers.filter(instance_type="H100-1-80G", region="fr-par-2").row(0, named=True)
    # as published: EUR, no USD price yet (never guessed)
    assert (h100["price_per_hour_local"], h100["local_currency"], h100["price_per_hour_usd"]) == (2.8665, "EUR", None)
    usd = to_usd(offers, FX).filter(instance_type="H100-1-80G", region="fr-par-2").row(0, named=True)
    assert usd["price_per_hour_usd"] == pytest.approx(2.8665 * 1.1) and usd["currency"] == "USD"
    assert (usd["fx_rate"], usd["fx_date"], usd["fx_source"]) == (1.1, dt.date(2026, 9, 25), "ecb_eurofxref")
    prices = canonical("scaleway")
    assert one(prices, instance_type="H100-SXM-8-80G")["gpu_model"] == "H100-SXM"
    assert one(prices, instance_type="H100-1-80G", region="pl-waw-2")["gpu_model"] == "H100-PCIe"
    assert one(prices, instance_type="B300-SXM-8-288G")["gpu_name_raw"] == "B300-SXM"
    assert prices.filter(instance_type="DEV1-S").is_empty()  # no GPU: not an offer


def test_scaleway_without_a_rate_no_usd_price_is_made_up():
    offers = scaleway.normalize(with_meta(scaleway.parse(ANSWERS["scaleway"]), "scaleway"))
    no_eur = FX.with_columns(pl.lit("GBP").alias("currency"))
    assert to_usd(offers, no_eur)["price_per_hour_usd"].null_count() == offers.height
    assert price_rows(offers, GPU_ALIASES.load(), GPU_SPECS.load()).is_empty()  # core holds USD prices only


# --- GCP Cloud Billing Catalog ------------------------------------------------------------------------------


def test_gcp_billing_reads_every_page_and_keeps_gpu_and_host_skus():
    raw = gcp_billing.parse(ANSWERS["gcp_billing"])
    assert set(raw["resource_group"]) == {"GPU", "CPU", "RAM"}  # N1 cores, storage: not kept
    a100 = raw.filter(sku_id="039F-D0DA-4055")
    assert set(a100["region"]) == {"us-central1", "us-east1", "us-west1"}  # one SKU, three regions
    assert a100["unit_price"].to_list() == [pytest.approx(2.933908)] * 3  # units "2" + nanos 933908000


def test_gcp_billing_machine_price_is_host_cores_and_ram_plus_gpus():
    prices = canonical("gcp_billing")
    a2 = one(prices, region="us-central1", instance_type="a2-highgpu-1g", pricing="on_demand")
    # 12 vCPU x 0.031611 + 85 GiB x 0.004237 + 1 x 2.933908: SkyPilot's documented $3.67
    assert a2["price_per_hour_usd"] == pytest.approx(12 * 0.031611 + 85 * 0.004237 + 2.933908)
    assert (a2["price_basis"], a2["gpu_model"]) == ("instance", "A100-40GB")
    # no A2 host SKU for spot or committed use: the GPUs alone, said so
    spot = one(prices, region="us-central1", instance_type="A100:1", pricing="spot")
    assert spot["price_basis"] == "gpu_only" and spot["price_per_hour_usd"] == pytest.approx(1.4341)
    committed = prices.filter(instance_type="A100:1", pricing="committed").sort("commitment_term")
    assert committed.select("commitment_term", "price_per_hour_usd").rows() == [("1y", 1.85), ("3y", 1.03)]
    # T4 attaches to any N1 VM: GPU-only, named as SkyPilot names it
    assert one(prices, region="europe-west4", instance_type="T4:2", pricing="on_demand")[
        "price_per_hour_usd"
    ] == pytest.approx(0.735)


def test_gcp_billing_leaves_out_dws_and_other_non_list_skus():
    prices = canonical("gcp_billing")
    # the DWS Calendar Mode H100 SKU (4.20076 in us-central1) is not the on-demand list price
    assert prices.filter(gpu_model="H100-SXM")["region"].unique().to_list() == ["europe-west4"]
    h100 = one(prices, region="europe-west4", instance_type="H100:8", pricing="on_demand")
    assert h100["price_per_hour_usd"] == pytest.approx(8 * 12.73552) and h100["price_basis"] == "gpu_only"


def test_gcp_billing_a_spot_sku_at_or_above_on_demand_is_a_placeholder():
    page = json.loads(ANSWERS["gcp_billing"]["skus-002"])
    for sku in page["skus"]:
        if sku["skuId"] == "2C3D-4E5F-0002":  # L4 spot in us-central1, set to the on-demand price
            sku["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"].update(units="0", nanos=560040000)
    payloads = {**ANSWERS["gcp_billing"], "skus-002": json.dumps(page).encode()}
    raw = with_meta(gcp_billing.parse(payloads), "gcp_billing")
    offers = gcp_billing.normalize(raw)
    assert offers.filter(region="us-central1", gpu_name_raw="L4", pricing="spot").is_empty()
    assert gcp_billing.placeholders(raw) == 4  # L4:1, :2, :4, :8


@pytest.mark.parametrize(
    "body, message",
    [
        (
            b'{"error": {"code": 403, "message": "The request is missing a valid API key.", "status": "PERMISSION"}}',
            r"gcp_billing: skus-001: API error 403 The request is missing a valid API key",
        ),
        (b'{"services": []}', r"gcp_billing: skus-001: the response has no skus list"),
        (
            b'{"skus": [{"skuId": "X", "description": "Nvidia L4 GPU", "category": {}}]}',
            r"gcp_billing: skus-001: SKU X lacks the field\(s\) pricingInfo",
        ),
        (b'{"skus": []}', r"gcp_billing: no GPU SKUs in 1 page"),
    ],
    ids=["api-error", "no-skus", "missing-field", "no-gpus"],
)
def test_gcp_billing_bad_answers_name_the_problem(body, message):
    with pytest.raises(SourceError, match=message):
        gcp_billing.parse({"skus-001": body})


def test_conformance_gcp_billing_names_and_prices_like_skypilots_gcp_catalog():
    """SkyPilot builds its gcp catalog from this API: the same offer has the same name, region and price."""
    catalog = skypilot.parse_cloud("gcp", _capture("anycloud_catalog", "gcp_vms_gpu_tpu_rows_2026-05-20_62ff0a9.csv"))
    theirs = price_rows(skypilot.normalize(with_meta(catalog, "skypilot_gcp")), GPU_ALIASES.load(), GPU_SPECS.load())
    ours = canonical("gcp_billing").filter(pl.col("pricing").is_in(["on_demand", "spot"]))
    key = ["provider", "region", "instance_type", "pricing"]
    both = ours.join(theirs, on=key, suffix="_catalog")
    assert both.height >= 20
    assert ((both["price_per_hour_usd"] - both["price_per_hour_usd_catalog"]).abs() < 1e-4).all(), both.filter(
        (pl.col("price_per_hour_usd") - pl.col("price_per_hour_usd_catalog")).abs() >= 1e-4
    ).select(*key, "price_per_hour_usd", "price_per_hour_usd_catalog")
    assert (both["gpu_model"] == both["gpu_model_catalog"]).all()
    assert {"a2-highgpu-1g", "T4:1", "P100:1"} <= set(both["instance_type"])
