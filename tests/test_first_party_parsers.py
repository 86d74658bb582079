"""First-party price sources: parsing recorded answers, normalizing, canonical names, and conformance with real
captures.
"""

import ast
import datetime as dt
import json
import os
import re
from pathlib import Path

import polars as pl
import pytest

from assets.errors import SourceError
from assets.prices import gcp, lambda_page, runpod, skypilot, vast
from assets.prices.gpu_names import price_rows
from assets.prices.offers import OFFER_SCHEMA, OPTIONAL_SCHEMA
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import fixture_dir

FIXTURES = Path(__file__).parent / "fixtures"
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"
GCP_PAGE = (fixture_dir("gcp_pricing") / "compute" / "gpus-pricing").read_bytes()
LAMBDA_PAGE = (fixture_dir("lambda_pricing") / "pricing").read_bytes()
RUNPOD_ANSWER = (fixture_dir("runpod_api") / "graphql").read_bytes()
VAST_ANSWERS = {
    "on-demand": (fixture_dir("vast_api") / "bundles_on-demand.json").read_bytes(),
    "bid": (fixture_dir("vast_api") / "bundles_bid.json").read_bytes(),
}


def with_meta(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source).alias("source"),
        pl.lit(dt.date(2026, 5, 20)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 5, 20, 6)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


def canonical(module, payloads) -> pl.DataFrame:
    offers = module.normalize(with_meta(module.parse(payloads), module.NAME))
    assert offers.columns == [*OFFER_SCHEMA, *OPTIONAL_SCHEMA]  # every source keeps one column order
    return price_rows(offers, GPU_ALIASES.load(), GPU_SPECS.load())


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(**where)
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


def _capture(*parts) -> Path:
    path = CAPTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    return path


def test_every_fixture_gives_unique_known_positive_offers():
    for module, payloads in (
        (gcp, {gcp.PAYLOAD: GCP_PAGE}),
        (lambda_page, {lambda_page.PAYLOAD: LAMBDA_PAGE}),
        (runpod, {runpod.PAYLOAD: RUNPOD_ANSWER}),
        (vast, VAST_ANSWERS),
    ):
        prices = canonical(module, payloads)
        key = ["provider", "region", "instance_type", "pricing", "commitment_term"]
        assert prices.select(key).is_duplicated().sum() == 0, module.NAME
        assert prices.filter(pl.col("gpu_model").is_null()).is_empty(), (
            prices.filter(pl.col("gpu_model").is_null())["gpu_name_raw"].unique().to_list()
        )
        assert (prices["price_per_gpu_hour_usd"] > 0).all() and set(prices["source"]) == {module.NAME}


# --- GCP ---------------------------------------------------------------------------------------


def test_gcp_reads_every_region_and_price_column_and_carries_the_spanned_model():
    raw = gcp.parse({gcp.PAYLOAD: GCP_PAGE})
    assert set(raw["region"]) == {"us-central1", "europe-west4", "us-east4"}
    assert set(raw["pricing"]) == {"on_demand", "spot", "committed"}
    # the 2- and 4-GPU rows have no Model cell of their own (rowspan): they still belong to the T4
    t4 = raw.filter(gpu_model_name="NVIDIA T4", region="us-central1", pricing="on_demand").sort("gpu_count")
    assert t4.select("gpu_count", "price_usd").rows() == [(1.0, 0.35), (2.0, 0.7), (4.0, 1.4)]
    assert (
        one(raw, gpu_model_name="NVIDIA L4", region="us-central1", pricing="on_demand")["gpu_memory"] == "24 GB GDDR6"
    )


def test_gcp_prices_are_gpu_only_per_region_pricing_and_term():
    prices = canonical(gcp, {gcp.PAYLOAD: GCP_PAGE})
    assert set(prices["price_basis"]) == {"gpu_only"} and set(prices["provider"]) == {"gcp"}
    a100 = one(prices, region="us-central1", instance_type="NVIDIA A100 40GB:1", pricing="on_demand")
    assert a100["gpu_model"] == "A100-40GB" and a100["price_per_gpu_hour_usd"] == pytest.approx(2.93391)
    h100 = one(prices, region="us-central1", instance_type="NVIDIA H100 80GB:8", pricing="on_demand")
    assert (
        h100["gpu_model"] == "H100-SXM"
        and h100["gpu_count"] == 8
        and h100["price_per_gpu_hour_usd"] == pytest.approx(33.60609 / 8)
    )
    assert one(prices, region="europe-west4", instance_type="NVIDIA T4:1", pricing="spot")[
        "price_per_hour_usd"
    ] == pytest.approx(0.1732)
    committed = prices.filter(pricing="committed").sort("commitment_term")
    assert committed.select("instance_type", "region", "commitment_term", "price_per_hour_usd").rows() == [
        ("NVIDIA A100 40GB:1", "us-central1", "1y", 1.85),
        ("NVIDIA A100 40GB:1", "us-central1", "3y", 1.03),
    ]
    assert (
        prices.filter(pl.col("pricing") != "committed")["commitment_term"].null_count()
        == prices.filter(pl.col("pricing") != "committed").height
    )


def test_gcp_matches_headers_by_text_whatever_their_order_and_classes():
    page = """<html><body><md-option value="io">Iowa (us-central1)</md-option>
      <table class="x1"><tr><th>Spot price* (USD)</th><th>Model</th><th>GPU price (USD)</th><th>GPUs</th></tr>
      <tr><td io-hourly="$0.2343" class="p">$0.2343</td><td>NVIDIA L4</td>
      <td io-hourly="$0.56004">$0.56004</td><td>1 GPU</td></tr>
      </table></body></html>"""
    raw = gcp.parse({gcp.PAYLOAD: page.encode()})
    assert raw.select("gpu_model_name", "gpu_count", "pricing", "price_usd").sort("pricing").rows() == [
        ("NVIDIA L4", 1.0, "on_demand", 0.56004),
        ("NVIDIA L4", 1.0, "spot", 0.2343),
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda page: re.sub(rb"<md-select.*?</md-select>", b"", page, flags=re.S), r"gcp: no region selector"),
        (
            lambda page: page.replace(b"<th>GPUs</th>", b"<th>Count</th>"),
            r"gcp: the GPU price table lacks the column\(s\) 'GPUs'",
        ),
        (lambda page: page.replace(b"<table>", b"<div>"), r"gcp: no GPU price table"),
        (
            lambda page: page.replace(b'-hourly="$', b'-hourly="US'),
            r"gcp: the GPU price table has no per-region prices",
        ),
    ],
    ids=["no-region-selector", "no-gpus-column", "no-table", "no-prices"],
)
def test_gcp_layout_changes_fail_loudly(change, message):
    changed = change(GCP_PAGE)
    assert changed != GCP_PAGE
    with pytest.raises(SourceError, match=message):
        gcp.parse({gcp.PAYLOAD: changed})


def test_conformance_gcp_names_the_same_gpus_as_the_real_billing_catalog():
    """The page's model names and SkyPilot's accelerator names for the same GPU SKU reach one canonical model."""
    catalog = skypilot.parse_cloud(
        "gcp", _capture("anycloud_catalog", "gcp_vms_gpu_tpu_rows_2026-05-20_62ff0a9.csv").read_bytes()
    )
    theirs = price_rows(
        skypilot.normalize(with_meta(catalog, "skypilot")), GPU_ALIASES.load(), GPU_SPECS.load()
    ).filter(price_basis="gpu_only")
    ours = canonical(gcp, {gcp.PAYLOAD: GCP_PAGE}).filter(pl.col("pricing").is_in(["on_demand", "spot"]))
    both = ours.join(theirs, on=["region", "gpu_count", "pricing", "price_per_hour_usd"], suffix="_catalog")
    assert both.height >= 20
    assert (both["gpu_model"] == both["gpu_model_catalog"]).all(), both.select(
        "gpu_name_raw", "gpu_name_raw_catalog", "gpu_model", "gpu_model_catalog"
    )


# --- Lambda ------------------------------------------------------------------------------------


def test_lambda_reads_every_tab_with_its_instance_size():
    raw = lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE})
    assert raw.group_by("instance_size").len().sort("instance_size").rows() == [(1.0, 8), (2.0, 4), (4.0, 4), (8.0, 5)]
    h100 = raw.filter(plan="NVIDIA H100 SXM").sort("instance_size")
    assert h100.select("instance_size", "price_per_gpu_hour_usd").rows() == [
        (1.0, 4.29),
        (2.0, 4.19),
        (4.0, 4.09),
        (8.0, 3.99),
    ]
    assert one(raw, plan="NVIDIA B200 SXM6", instance_size=8.0)["storage"] == "22 TiB SSD"


def test_lambda_instance_price_is_per_gpu_price_times_gpus_and_names_follow_the_api():
    prices = canonical(lambda_page, {lambda_page.PAYLOAD: LAMBDA_PAGE})
    h100 = one(prices, instance_type="gpu_8x_h100_sxm5")
    assert h100["price_per_hour_usd"] == pytest.approx(31.92) and h100["price_per_gpu_hour_usd"] == pytest.approx(3.99)
    assert h100["gpu_model"] == "H100-SXM" and h100["region"] is None and h100["pricing"] == "on_demand"
    # one plan name, two memory sizes: the VRAM column tells them apart
    assert one(prices, instance_type="gpu_8x_a100_80gb_sxm4")["gpu_model"] == "A100-80GB"
    assert one(prices, instance_type="gpu_8x_a100")["gpu_model"] == "A100-40GB"
    assert one(prices, instance_type="gpu_1x_h100_pcie")["gpu_model"] == "H100-PCIe"


def test_lambda_ignores_css_classes_and_tables_without_a_vram_column():
    no_classes = re.sub(rb'\sclass="[^"]*"', b"", LAMBDA_PAGE)
    assert lambda_page.parse({lambda_page.PAYLOAD: no_classes}).equals(
        lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE})
    )
    clusters = b"""<h2>1-Click Clusters pricing</h2><table><thead><tr><th>Plan</th><th>GPU COUNT</th><th>DURATION</th>
      <th>PRICE/GPU/HR*</th></tr></thead>
      <tbody><tr data-plan="NVIDIA HGX B200"><th>NVIDIA HGX B200</th><td data-label="GPU COUNT">16</td>
      <td data-label="DURATION">2 weeks</td>
      <td data-label="PRICE/GPU/HR*">$1.00</td></tr></tbody></table>"""
    raw = lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE.replace(b"<main>", b"<main>" + clusters)})
    assert "NVIDIA HGX B200" not in raw["plan"].to_list() and raw.height == 21


def test_lambda_a_table_outside_a_sized_tab_is_a_layout_change():
    with pytest.raises(
        SourceError, match=r"lambda: an instance price table is not in a tab labelled with its instance size"
    ):
        lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE.replace(b'role="tabpanel"', b'role="region"')})


def test_conformance_lambda_instances_and_prices_match_the_real_api_catalog():
    """Every instance the page gives exists in Lambda's API catalog of that day, at per-GPU price x GPUs."""
    catalog = skypilot.parse_cloud(
        "lambda", _capture("anycloud_catalog", "lambda_vms_2026-05-07_4c06102.csv").read_bytes()
    )
    theirs = price_rows(skypilot.normalize(with_meta(catalog, "skypilot")), GPU_ALIASES.load(), GPU_SPECS.load())
    theirs = theirs.filter(region="us-east-1", pricing="on_demand").select(
        "instance_type", "price_per_hour_usd", "gpu_count", "gpu_model"
    )
    ours = canonical(lambda_page, {lambda_page.PAYLOAD: LAMBDA_PAGE})
    both = ours.join(theirs, on="instance_type", how="left", suffix="_api")
    assert both["price_per_hour_usd_api"].null_count() == 0, both.filter(pl.col("price_per_hour_usd_api").is_null())[
        "instance_type"
    ].to_list()
    assert ((both["price_per_hour_usd"] - both["price_per_hour_usd_api"]).abs() < 1e-9).all()
    assert (both["gpu_count"] == both["gpu_count_api"]).all() and (both["gpu_model"] == both["gpu_model_api"]).all()


# --- RunPod ------------------------------------------------------------------------------------


def _runpod_answer(edit) -> bytes:
    document = json.loads(RUNPOD_ANSWER)
    for gpu_type in document["data"]["gpuTypes"]:
        edit(gpu_type)
    return json.dumps(document).encode()


def test_runpod_secure_and_spot_are_separate_offers_and_null_prices_are_dropped():
    prices = canonical(runpod, {runpod.PAYLOAD: RUNPOD_ANSWER})
    assert prices.select("instance_type", "pricing", "price_per_gpu_hour_usd").sort(
        "instance_type", "pricing"
    ).rows() == [
        ("secure:NVIDIA A100 80GB PCIe", "on_demand", 1.64),
        ("secure:NVIDIA A100 80GB PCIe", "spot", 1.19),
        ("secure:NVIDIA A100-SXM4-80GB", "on_demand", 1.89),  # no spot price: no spot row
    ]
    assert set(prices["gpu_model"]) == {"A100-80GB-PCIe", "A100-80GB"} and set(prices["gpu_count"]) == {1.0}


def test_runpod_community_cloud_is_its_own_offer_only_where_offered():
    def community_like_secure(t):  # test input: the community fields mirror the secure ones
        t.update(communityCloud=True, communityPrice=t["securePrice"], communitySpotPrice=t["secureSpotPrice"])

    prices = runpod.normalize(
        with_meta(runpod.parse({runpod.PAYLOAD: _runpod_answer(community_like_secure)}), "runpod")
    )
    assert sorted(prices.filter(pl.col("instance_type").str.starts_with("community:"))["instance_type"]) == [
        "community:NVIDIA A100 80GB PCIe",
        "community:NVIDIA A100 80GB PCIe",
        "community:NVIDIA A100-SXM4-80GB",
    ]

    def stale_community(t):  # a cloud that does not offer the type keeps a placeholder price: never an offer
        t.update(communityCloud=False, communityPrice=t["securePrice"], secureSpotPrice=0)

    prices = runpod.normalize(with_meta(runpod.parse({runpod.PAYLOAD: _runpod_answer(stale_community)}), "runpod"))
    assert prices.select("instance_type", "pricing").rows() == [
        ("secure:NVIDIA A100 80GB PCIe", "on_demand"),
        ("secure:NVIDIA A100-SXM4-80GB", "on_demand"),
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        (
            b'{"errors": [{"message": "Cannot query field \\"securePrice\\" on type \\"GpuType\\"."}]}',
            r'runpod: GraphQL error: Cannot query field "securePrice"',
        ),
        (b'{"data": {"gpuTypes": []}}', r"runpod: the response has no data.gpuTypes list"),
        (
            b'{"data": {"gpuTypes": [{"id": "NVIDIA A100 80GB PCIe", "securePrice": "n/a", "communityPrice": null, '
            b'"secureSpotPrice": null, "communitySpotPrice": null}]}}',
            r"runpod: gpuTypes hold a value of the wrong type",
        ),
    ],
    ids=["graphql-error", "no-gpu-types", "bad-value"],
)
def test_runpod_bad_answers_name_the_problem(body, message):
    with pytest.raises(SourceError, match=message):
        runpod.parse({runpod.PAYLOAD: body})


def test_conformance_runpod_prices_match_the_catalog_built_from_this_api():
    """SkyPilot's RunPod catalog is securePrice x GPUs from this API: same price, same canonical GPU."""
    catalog = skypilot.parse_cloud(
        "runpod", _capture("skypilot_catalog", "runpod_vms_v7_0727c2bd_first195rows.csv").read_bytes()
    )
    theirs = price_rows(skypilot.normalize(with_meta(catalog, "skypilot")), GPU_ALIASES.load(), GPU_SPECS.load())
    theirs = (
        theirs.filter(gpu_count=1.0).group_by("gpu_model", "pricing").agg(pl.col("price_per_gpu_hour_usd").unique())
    )
    ours = canonical(runpod, {runpod.PAYLOAD: RUNPOD_ANSWER}).select("gpu_model", "pricing", "price_per_gpu_hour_usd")
    both = ours.join(theirs, on=["gpu_model", "pricing"], suffix="_catalog")
    assert both.height == ours.height == 3
    assert all(
        row["price_per_gpu_hour_usd_catalog"] == [row["price_per_gpu_hour_usd"]] for row in both.iter_rows(named=True)
    )


# --- Vast --------------------------------------------------------------------------------------


def test_vast_keeps_the_distribution_per_gpu_model_and_memory():
    raw = vast.parse(VAST_ANSWERS)
    h100 = one(raw, gpu_name="H100 SXM", pricing="on_demand")
    # offers at $1.80 (1 GPU), $3.74 (2), $7.47 (4) and $14.94 (8) per hour: per GPU 1.80, 1.87, 1.8675, 1.8675
    assert (h100["gpu_memory_gb"], h100["offer_count"], h100["gpu_count_total"]) == (80.0, 4, 15)
    assert h100["price_min_per_gpu_hour_usd"] == pytest.approx(1.80)
    assert h100["price_p10_per_gpu_hour_usd"] == pytest.approx(1.80 + 0.3 * (1.8675 - 1.80))
    assert h100["price_median_per_gpu_hour_usd"] == pytest.approx(1.8675)
    # "A100 SXM4" comes in two sizes: they are two distributions
    assert raw.filter(gpu_name="A100 SXM4").sort("gpu_memory_gb")["gpu_memory_gb"].to_list() == [40.0, 80.0]
    assert raw.filter(pricing="spot").is_empty()  # the recorded interruptible answer has no offers


def test_vast_rows_in_core_are_one_gpu_at_the_median():
    prices = canonical(vast, VAST_ANSWERS)
    h100 = one(prices, instance_type="H100 SXM 80GB", pricing="on_demand")
    assert h100["gpu_model"] == "H100-SXM" and h100["gpu_count"] == 1
    assert (
        h100["price_per_hour_usd"]
        == h100["price_per_gpu_hour_usd"]
        == h100["price_median_per_gpu_hour_usd"]
        == pytest.approx(1.8675)
    )
    assert h100["offer_count"] == 4 and h100["price_min_per_gpu_hour_usd"] == pytest.approx(1.80)
    assert one(prices, instance_type="A100 SXM4 80GB")["gpu_model"] == "A100-80GB"
    assert one(prices, instance_type="A100 SXM4 40GB")["gpu_model"] == "A100-40GB"
    assert one(prices, instance_type="Tesla V100 16GB")["gpu_model"] == "V100"


def test_vast_spot_comes_from_the_bid_answer():
    raw = vast.parse({"on-demand": VAST_ANSWERS["on-demand"], "bid": VAST_ANSWERS["on-demand"]})
    assert raw.filter(pricing="spot").drop("pricing").equals(raw.filter(pricing="on_demand").drop("pricing"))


@pytest.mark.parametrize(
    "answers, message",
    [
        ({"on-demand": b'{"offers": []}', "bid": b'{"offers": []}'}, r"vast: bundles \(on-demand\): no usable offers"),
        (
            {"on-demand": b'{"success": false, "error": "invalid_request"}', "bid": b'{"offers": []}'},
            r"vast: bundles \(on-demand\): the response has no 'offers' list",
        ),
        ({"on-demand": VAST_ANSWERS["on-demand"]}, r"vast: no bundles response for bid"),
        (
            {
                "on-demand": VAST_ANSWERS["on-demand"].replace(b'"num_gpus": 1,', b'"num_gpus": "one",', 1),
                "bid": b'{"offers": []}',
            },
            r"vast: bundles \(on-demand\): an offer holds a value of the wrong type",
        ),
    ],
    ids=["no-offers", "error-object", "missing-answer", "bad-value"],
)
def test_vast_bad_answers_name_the_problem(answers, message):
    with pytest.raises(SourceError, match=message):
        vast.parse(answers)


def test_conformance_vast_memory_snaps_for_every_real_offer_size():
    """Every per-GPU memory size in two real Vast catalogs lands on a size that GPU is sold with."""
    # 48 GB RTX 4090s are real: re-memoried cards listed from Hong Kong (2x, 98280 MiB in the v7 catalog)
    sold_with = {
        "H100": {80, 94},
        "H200": {141},
        "A100": {40, 80},
        "RTX4090": {24, 48},
        "RTX5090": {32},
        "L40S": {48},
        "V100": {16, 32},
        "RTXA6000": {48},
        "RTX3090": {24},
        "RTXPRO6000WS": {96},
        "RTX6000-Ada": {48},
        "RTX5880-Ada": {48},
        "A40": {48},
    }
    seen = 0
    for parts in (
        ("anycloud_catalog", "vast_vms_2026-04-29_336ccee.csv"),
        ("skypilot_catalog", "vast_vms_v7_00690e76.csv"),
    ):
        catalog = pl.read_csv(_capture(*parts), infer_schema=False)
        for name, count, info in catalog.select("AcceleratorName", "AcceleratorCount", "GpuInfo").iter_rows():
            if name in sold_with:
                per_gpu_mb = ast.literal_eval(info)["TotalGpuMemoryInMiB"] / float(count)
                assert vast.snap_memory_gb(per_gpu_mb) in sold_with[name], (name, per_gpu_mb)
                seen += 1
    assert seen > 80
