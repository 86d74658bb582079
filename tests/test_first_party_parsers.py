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
from assets.prices import lambda_page, runpod, skypilot, vast
from assets.prices.gpu_names import price_rows
from assets.prices.offers import OFFER_SCHEMA, OPTIONAL_SCHEMA
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import fixture_dir

FIXTURES = Path(__file__).parent / "fixtures"
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"
LAMBDA_PAGE = (fixture_dir("lambda_pricing") / "pricing").read_bytes()
RUNPOD_DIR = fixture_dir("runpod_api") / "graphql"
RUNPOD_ANSWERS = {f.stem: f.read_bytes() for f in RUNPOD_DIR.glob("*.json") if not f.name.startswith("_")}
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
        (lambda_page, {lambda_page.PAYLOAD: LAMBDA_PAGE}),
        (runpod, RUNPOD_ANSWERS),
        (vast, VAST_ANSWERS),
    ):
        prices = canonical(module, payloads)
        key = ["provider", "region", "instance_type", "pricing", "commitment_term"]
        assert prices.select(key).is_duplicated().sum() == 0, module.NAME
        assert prices.filter(pl.col("gpu_model").is_null()).is_empty(), (
            prices.filter(pl.col("gpu_model").is_null())["gpu_name_raw"].unique().to_list()
        )
        assert (prices["price_per_gpu_hour_usd"] > 0).all() and set(prices["source"]) == {module.NAME}


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
    # Lambda's API names: the 1x 40 GB SXM is gpu_1x_a100_sxm4 ("1x A100 (40 GB SXM4)"), the 8x V100 row the
    # page shows (88 vCPUs) is gpu_8x_v100_n; no name Lambda does not use
    assert one(prices, instance_type="gpu_1x_a100_sxm4")["gpu_model"] == "A100-40GB"
    assert one(prices, instance_type="gpu_8x_v100_n")["price_per_hour_usd"] == pytest.approx(6.32)
    assert prices.filter(pl.col("instance_type").is_in(["gpu_1x_a100", "gpu_1x_a100_pcie", "gpu_8x_v100"])).is_empty()


def test_lambda_a_1x_a100_pcie_row_is_lambdas_gpu_1x_a100():
    row = (
        b"<tr><th>NVIDIA A100 PCIe</th><td>40 GB</td><td>30</td><td>200 GiB</td><td>512 GiB SSD</td>"
        b"<td>$1.99</td></tr>\n</tbody></table>\n</div>\n<p>*"
    )
    page = LAMBDA_PAGE.replace(b"</tbody></table>\n</div>\n<p>*", row, 1)
    assert page != LAMBDA_PAGE
    prices = canonical(lambda_page, {lambda_page.PAYLOAD: page})
    pcie = one(prices, instance_type="gpu_1x_a100")
    assert pcie["gpu_name_raw"] == "NVIDIA A100 PCIe" and pcie["gpu_model"] == "A100-40GB"


def test_lambda_reads_cells_by_header_text_whatever_the_column_order_and_attributes():
    """No data-* attribute is proven on the live page: cells are matched by their column's header text."""
    assert b"data-label" not in LAMBDA_PAGE and b"data-plan" not in LAMBDA_PAGE
    swapped = LAMBDA_PAGE.replace(b"<th>VRAM/GPU</th><th>vCPUs</th>", b"<th>vCPUs</th><th>VRAM/GPU</th>")
    # swap the cells of every row too: the same page in another column order
    swapped = re.sub(rb"(<th[^>]*>[^<]+</th>)<td>([^<]*)</td><td>([^<]*)</td>", rb"\1<td>\3</td><td>\2</td>", swapped)
    assert swapped != LAMBDA_PAGE
    assert lambda_page.parse({lambda_page.PAYLOAD: swapped}).equals(
        lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE})
    )
    labelled = LAMBDA_PAGE.replace(b"<td>", b'<td data-label="x">')
    assert lambda_page.parse({lambda_page.PAYLOAD: labelled}).equals(
        lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE})
    )


def test_lambda_tables_pair_with_sized_tabs_by_link_or_in_page_order():
    linked = LAMBDA_PAGE.replace(
        b'<div role="tabpanel" id="panel-1x"', b'<div role="tabpanel" id="panel-1x" aria-labelledby="tab-1x"'
    )
    assert linked != LAMBDA_PAGE
    assert lambda_page.parse({lambda_page.PAYLOAD: linked}).equals(
        lambda_page.parse({lambda_page.PAYLOAD: LAMBDA_PAGE})
    )
    # a tab missing: tables and tabs no longer pair up by order, and nothing links them: a layout change
    no_tab = re.sub(rb'<button role="tab" id="tab-2x"[^>]*>2x</button>', b"", LAMBDA_PAGE)
    with pytest.raises(
        SourceError, match=r"lambda: an instance price table is not in a tab labelled with its instance size"
    ):
        lambda_page.parse({lambda_page.PAYLOAD: no_tab})


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
    no_tabs = re.sub(rb"<button[^>]*>\d+x</button>", b"", LAMBDA_PAGE)
    with pytest.raises(
        SourceError, match=r"lambda: an instance price table is not in a tab labelled with its instance size"
    ):
        lambda_page.parse({lambda_page.PAYLOAD: no_tabs})


def test_conformance_lambda_instances_and_prices_match_the_real_api_catalog():
    """Every instance the page gives exists in Lambda's API catalog of that day, at per-GPU price x GPUs."""
    catalog = skypilot.parse_cloud(
        "lambda", _capture("anycloud_catalog", "lambda_vms_2026-05-07_4c06102.csv").read_bytes()
    )
    theirs = price_rows(skypilot.normalize(with_meta(catalog, "skypilot")), GPU_ALIASES.load(), GPU_SPECS.load())
    theirs = theirs.filter(pl.col("region").is_null(), pricing="on_demand").select(
        "instance_type", "price_per_hour_usd", "gpu_count", "gpu_model"
    )
    ours = canonical(lambda_page, {lambda_page.PAYLOAD: LAMBDA_PAGE})
    both = ours.join(theirs, on="instance_type", how="left", suffix="_api")
    assert both["price_per_hour_usd_api"].null_count() == 0, both.filter(pl.col("price_per_hour_usd_api").is_null())[
        "instance_type"
    ].to_list()
    assert ((both["price_per_hour_usd"] - both["price_per_hour_usd_api"]).abs() < 1e-9).all()
    assert (both["gpu_count"] == both["gpu_count_api"]).all() and (both["gpu_model"] == both["gpu_model_api"]).all()


# --- RunPod ---------------------------------------------------------------------------------------


def _runpod_answers(key: str, edit) -> dict[str, bytes]:
    answers = dict(RUNPOD_ANSWERS)
    document = json.loads(answers[key])
    for gpu_type in document["data"]["gpuTypes"]:
        edit(gpu_type)
    answers[key] = json.dumps(document).encode()
    return answers


def test_runpod_offers_are_per_data_centre_and_pod_size_with_stock():
    prices = canonical(runpod, RUNPOD_ANSWERS)
    assert prices.select("region", "instance_type", "pricing", "price_per_hour_usd", "availability").sort(
        "instance_type", "region", "pricing"
    ).rows() == [
        ("US", "community:1x NVIDIA A100 80GB PCIe", "on_demand", 1.59, "High"),
        ("US", "community:1x NVIDIA A100 80GB PCIe", "spot", 0.89, "High"),
        ("EU-RO-1", "secure:1x NVIDIA A100 80GB PCIe", "on_demand", 1.39, "High"),
        ("US-GA-1", "secure:1x NVIDIA A100 80GB PCIe", "on_demand", 1.39, "Low"),
        ("US-GA-1", "secure:1x NVIDIA A100-SXM4-80GB", "on_demand", 1.89, "Low"),
        ("EU-RO-1", "secure:2x NVIDIA A100 80GB PCIe", "on_demand", 2.78, "Medium"),
    ]
    assert set(prices["gpu_model"]) == {"A100-80GB-PCIe", "A100-80GB"}
    assert one(prices, instance_type="secure:2x NVIDIA A100 80GB PCIe")["price_per_gpu_hour_usd"] == pytest.approx(1.39)


def test_runpod_spot_only_where_runpod_publishes_a_bid_price_below_on_demand():
    raw = with_meta(runpod.parse(RUNPOD_ANSWERS), "runpod")
    # secureSpotPrice repeats the on-demand price on every secure answer: never read, never a spot offer
    assert (raw.filter(cloud="secure")["secure_spot_price"] == raw.filter(cloud="secure")["secure_price"]).all()
    assert runpod.normalize(raw).filter(pricing="spot")["region"].to_list() == ["US"]

    def bid_equals_price(t):  # a bid price equal to on-demand is a placeholder: dropped and counted
        if t["lowestPrice"]["stockStatus"]:
            t["lowestPrice"]["minimumBidPrice"] = t["lowestPrice"]["uninterruptablePrice"]

    raw = with_meta(runpod.parse(_runpod_answers("community_US_1", bid_equals_price)), "runpod")
    assert runpod.normalize(raw).filter(pricing="spot").is_empty() and runpod.placeholders(raw) == 1


def test_runpod_a_combination_without_stock_is_no_offer():
    def sold_out(t):
        t["lowestPrice"] = {k: None for k in t["lowestPrice"]}

    prices = runpod.normalize(with_meta(runpod.parse(_runpod_answers("secure_US-GA-1_1", sold_out)), "runpod"))
    assert "US-GA-1" not in prices["region"].to_list() and prices.height == 4


def test_runpod_names_and_regions_match_skypilots_and_gpuhunts_runpod_rows():
    """The same Secure Cloud offer (A100 80GB PCIe, 1 GPU, EU-RO-1) has one name in all three sources."""
    ours = canonical(runpod, RUNPOD_ANSWERS).filter(region="EU-RO-1", gpu_count=1.0, pricing="on_demand")
    sky = skypilot.BY_CLOUD["runpod"]
    theirs = price_rows(
        sky.normalize(with_meta(sky.parse(sky.snapshot.payloads()), sky.name)), GPU_ALIASES.load(), GPU_SPECS.load()
    )
    key = ["provider", "region", "instance_type", "pricing"]
    assert ours.select(key).rows() == [("runpod", "EU-RO-1", "secure:1x NVIDIA A100 80GB PCIe", "on_demand")]
    assert theirs.filter(region="US-GA-1").select(key).rows()[0] == (
        "runpod",
        "US-GA-1",
        "secure:1x NVIDIA A100 80GB PCIe",
        "on_demand",
    )


@pytest.mark.parametrize(
    "answers, message",
    [
        (
            {"discovery": b'{"errors": [{"message": "Cannot query field \\"dataCenters\\" on type \\"Query\\"."}]}'},
            r'runpod: discovery: GraphQL error: Cannot query field "dataCenters"',
        ),
        ({"discovery": b'{"data": {"gpuTypes": []}}'}, r"runpod: discovery: the response has no data.dataCenters"),
        (
            {"discovery": RUNPOD_ANSWERS["discovery"], "secure_EU-RO-1_1": b'{"data": {"gpuTypes": [{"id": "x"}]}}'},
            r"runpod: secure_EU-RO-1_1: gpuTypes lack the field\(s\) securePrice, communityPrice, lowestPrice",
        ),
        ({"discovery": RUNPOD_ANSWERS["discovery"]}, r"runpod: no price answers"),
        (
            {
                **RUNPOD_ANSWERS,
                "secure_EU-RO-1_1": RUNPOD_ANSWERS["secure_EU-RO-1_1"].replace(
                    b'"securePrice": 1.39', b'"securePrice": "n/a"'
                ),
            },
            r"runpod: gpuTypes hold a value of the wrong type",
        ),
    ],
    ids=["graphql-error", "no-data-centres", "missing-fields", "no-price-answers", "bad-value"],
)
def test_runpod_bad_answers_name_the_problem(answers, message):
    with pytest.raises(SourceError, match=message):
        runpod.parse(answers)


def test_conformance_runpod_prices_match_the_catalog_built_from_this_api():
    """SkyPilot's RunPod catalog is securePrice x GPUs from this API: same price, same canonical GPU, same name."""
    catalog = skypilot.parse_cloud(
        "runpod", _capture("skypilot_catalog", "runpod_vms_v8_01acdfd4_first79rows.csv").read_bytes()
    )
    theirs = price_rows(skypilot.normalize(with_meta(catalog, "skypilot")), GPU_ALIASES.load(), GPU_SPECS.load())
    ours = canonical(runpod, RUNPOD_ANSWERS).filter(pl.col("instance_type").str.starts_with("secure:"))
    ours = ours.filter(pl.col("gpu_model") == "A100-80GB-PCIe")
    both = ours.join(theirs, on=["provider", "region", "instance_type", "pricing"], suffix="_catalog")
    assert both.height == ours.height == 3
    assert (both["price_per_hour_usd"] == both["price_per_hour_usd_catalog"]).all()
    assert (both["gpu_model"] == both["gpu_model_catalog"]).all()


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
