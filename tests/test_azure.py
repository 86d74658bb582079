"""Azure Retail Prices API: paging, the query, item normalization, and conformance with real captured items."""

import datetime as dt
import json
import os
from pathlib import Path
from urllib.parse import parse_qs

import polars as pl
import pytest

from assets.errors import SourceError
from assets.http import HttpClient, HttpSettings
from assets.prices import azure
from assets.prices.gpu_names import price_rows
from assets.prices.offers import OFFER_SCHEMA, OPTIONAL_SCHEMA
from assets.reference.files import GPU_ALIASES, GPU_SPECS
from tests.conftest import LOOPBACK_PATHS

PAGES = Path(__file__).parent / "fixtures" / "azure" / "pages"
CAPTURES = Path(os.environ.get("GPUCOST_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real-captures"
PATH = LOOPBACK_PATHS["azure"]


def fast_client() -> HttpClient:
    return HttpClient(
        "azure", HttpSettings(retries=1, backoff_s=0.01, max_wait_s=0.05, read_timeout_s=2.0, connect_timeout_s=2.0)
    )


def fetched(server) -> dict[str, bytes]:
    return azure.fetch(fast_client(), {"azure": server.url + PATH})


def with_meta(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit("azure").alias("source"),
        pl.lit(dt.date(2026, 5, 20)).alias("snapshot_date"),
        pl.lit(dt.datetime(2026, 5, 20, 6)).alias("fetched_at"),
        pl.lit("live").alias("origin"),
    )


def canonical(raw: pl.DataFrame) -> pl.DataFrame:
    return price_rows(azure.normalize(with_meta(raw)), GPU_ALIASES.load(), GPU_SPECS.load())


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


def test_fetch_follows_next_page_link_until_null_with_an_encoded_filter(server):
    payloads = fetched(server)
    assert sorted(payloads) == ["eastus-001", "eastus-002", "northeurope-001", "westus2-001"]
    queries = [parse_qs(r.query) for r in server.requests]
    assert [q["$filter"][0] for q in queries[:1]] == [
        "serviceName eq 'Virtual Machines' and priceType eq 'Consumption' and armRegionName eq 'eastus'"
    ]
    assert all(q["api-version"] == ["2023-01-01-preview"] for q in queries)
    assert [q.get("$skip", ["0"])[0] for q in queries] == ["0", "1000", "0", "0"]
    assert "+" not in server.requests[0].query and "%20" in server.requests[0].query  # spaces encoded as %20


def test_parse_reads_every_page_and_keeps_gpu_skus():
    raw = azure.parse({p.stem: p.read_bytes() for p in PAGES.glob("*.json")})
    assert set(raw["arm_region_name"]) == {"eastus", "westus2", "northeurope"}
    assert raw.filter(pl.col("arm_region_name") == "eastus").height == 16  # 8 items on each of two pages
    assert set(raw["currency_code"]) == {"USD"} and raw["sku_key"].str.contains(r"^n[cdvg]\d").all()


def test_normalize_keeps_linux_on_demand_and_spot_and_drops_the_rest(server):
    prices = canonical(azure.parse(fetched(server)))
    assert set(prices.columns) >= {*OFFER_SCHEMA, *OPTIONAL_SCHEMA}
    nd = one(prices, region="eastus", instance_type="Standard_ND96isr_H100_v5", pricing="on_demand")
    assert (nd["gpu_model"], nd["gpu_count"], nd["price_per_gpu_hour_usd"]) == ("H100-SXM", 8, pytest.approx(98.32 / 8))
    assert (
        one(prices, region="eastus", instance_type="Standard_ND96isr_H100_v5", pricing="spot")["price_per_hour_usd"]
        == 18.169536
    )
    assert (
        one(prices, region="eastus", instance_type="Standard_NC40ads_H100_v5", pricing="on_demand")["gpu_model"]
        == "H100-NVL"
    )
    assert (
        one(prices, region="eastus", instance_type="Standard_NC24ads_A100_v4", pricing="on_demand")["gpu_model"]
        == "A100-80GB-PCIe"
    )
    assert (
        one(prices, region="eastus", instance_type="Standard_ND96asr_v4", pricing="on_demand")["gpu_model"]
        == "A100-40GB"
    )
    # northeurope (real items): Windows 10.216 and Low Priority 1.675 are gone, Linux 8.376 and Spot 1.547885 stay
    ne = prices.filter(pl.col("region") == "northeurope", pl.col("instance_type") == "Standard_NC40ads_H100_v5")
    assert dict(zip(ne["pricing"], ne["price_per_hour_usd"])) == {"on_demand": 8.376, "spot": 1.547885}
    assert prices.select("region", "instance_type", "pricing").is_duplicated().sum() == 0


def test_fractional_gpus_are_priced_per_whole_gpu(server):
    prices = canonical(azure.parse(fetched(server)))
    a10 = one(prices, region="eastus", instance_type="Standard_NV6ads_A10_v5", pricing="on_demand")
    assert a10["gpu_model"] == "A10" and a10["gpu_count"] == pytest.approx(1 / 6)
    assert a10["price_per_gpu_hour_usd"] == pytest.approx(0.454 * 6, rel=1e-6)


def test_a_sku_the_map_lacks_is_listed_not_priced(server):
    raw = with_meta(azure.parse(fetched(server)))
    assert azure.normalize(raw).filter(pl.col("instance_type").str.contains("RTX6K")).is_empty()
    unmapped = azure.unmapped_skus(raw)
    assert unmapped["example_sku"].to_list() == ["NC128dsxlRTX6Kv6"] and unmapped["regions"].to_list() == [
        "northeurope"
    ]


def _item(**change) -> dict:
    item = json.loads((PAGES / "eastus-0.json").read_text())["Items"][0]
    return {**item, **change}


@pytest.mark.parametrize(
    "change",
    [
        {"type": "Reservation", "reservationTerm": "1 Year", "retailPrice": 400000.0},
        {"type": "DevTestConsumption"},
        {"retailPrice": 0.0, "unitPrice": 0.0},
        {"unitOfMeasure": "1/Month"},
        {"productName": "Virtual Machines NDsrH100v5 Series Windows"},
        {"meterName": "ND96isr H100 v5 Low Priority", "skuName": "ND96isr H100 v5 Low Priority"},
    ],
    ids=["reservation", "devtest", "unpriced-preview", "per-month", "windows", "low-priority"],
)
def test_rows_that_are_not_a_linux_hourly_price_are_dropped(change):
    raw = with_meta(azure.parse_items([_item(), _item(**change)]))
    assert azure.normalize(raw)["price_per_hour_usd"].to_list() == [98.32]


def test_spot_is_read_from_the_meter_or_sku_name():
    raw = with_meta(
        azure.parse_items([_item(meterName="ND96isr H100 v5", skuName="ND96isr H100 v5 Spot", retailPrice=18.169536)])
    )
    assert azure.normalize(raw)["pricing"].to_list() == ["spot"]


def test_a_price_in_another_currency_is_rejected_not_converted():
    with pytest.raises(SourceError, match="azure: 1 price\\(s\\) in EUR, not USD"):
        azure.parse_items([_item(), _item(currencyCode="EUR")])
    page = json.loads((PAGES / "westus2-0.json").read_text()) | {"BillingCurrency": "EUR"}
    for item in page["Items"]:
        item.pop("currencyCode")
    with pytest.raises(SourceError, match="in EUR, not USD"):
        azure.parse({"westus2-001": json.dumps(page).encode()})


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>Too many requests</html>", r"azure: eastus-001: not JSON"),
        (
            b'{"error": {"code": "BadRequest"}}',
            r"azure: eastus-001: expected the Retail Prices envelope with an Items list, got \['error'\]",
        ),
        (
            json.dumps(
                {"BillingCurrency": "USD", "Items": [{"armRegionName": "eastus", "skuName": "x"}], "NextPageLink": None}
            ).encode(),
            r"azure: items have no meterName, productName, retailPrice, unitOfMeasure, type field\(s\)",
        ),
    ],
    ids=["html", "error-object", "missing-fields"],
)
def test_a_changed_response_is_an_error_naming_the_page(body, message):
    with pytest.raises(SourceError, match=message):
        azure.parse({"eastus-001": body})


def test_a_next_page_link_to_another_host_or_back_to_a_seen_page_stops_the_fetch(server, monkeypatch):
    monkeypatch.setenv(azure.REGIONS_ENV, "westus2")
    page = json.loads((PAGES / "westus2-0.json").read_text())
    server.behave(
        PATH,
        body=json.dumps(page | {"NextPageLink": "https://evil.example/api/retail/prices?$skip=1000"}).encode(),
        times=1,
    )
    with pytest.raises(SourceError, match="azure: westus2-001: NextPageLink leaves 127.0.0.1"):
        fetched(server)
    looping = json.dumps(page | {"NextPageLink": server.url + PATH + "?again"}).encode()
    server.behave(PATH, body=looping, times=2)
    with pytest.raises(SourceError, match="azure: westus2-002: NextPageLink repeats an earlier page"):
        fetched(server)


# Conformance: real Retail Prices items for North Europe GPU SKUs (a per-item subset, not the envelope).
def _capture_items(name: str) -> list[dict]:
    path = CAPTURES / "azure_pricing_radar" / name
    if not path.exists():
        pytest.skip(f"real capture {path} not available")
    # keys are skuId|meterId|type|reservationTerm: the item fields the capture keeps outside the object
    return [
        {**value, "skuId": key.split("|")[0], "meterId": key.split("|")[1], "type": key.split("|")[2]}
        for key, value in json.loads(path.read_text()).items()
    ]


def test_conformance_real_items_normalize_to_linux_prices():
    items = _capture_items("vm-northeurope_gpu-skus_2026-08-20_6d33a657.json")
    raw = azure.parse_items(items)
    assert raw.height == len(items) == 236  # every captured item is an N-series SKU
    prices = canonical(raw)
    assert set(prices["region"]) == {"northeurope"} and set(prices["pricing"]) == {"on_demand", "spot"}
    # skuName spellings differ ('NC40adsH100v5', 'NC4as T4 v3'); the map still finds them
    assert one(prices, instance_type="Standard_NC40ads_H100_v5", pricing="on_demand")["price_per_hour_usd"] == 8.376
    assert one(prices, instance_type="Standard_NC16as_T4_v3", pricing="spot")["price_per_hour_usd"] == 0.44796
    h200 = one(prices, instance_type="Standard_ND96isr_H200_v5", pricing="on_demand")
    assert (h200["gpu_model"], h200["price_per_gpu_hour_usd"]) == ("H200", pytest.approx(101.76 / 8))
    assert one(prices, instance_type="Standard_NV4as_v4", pricing="on_demand")["gpu_count"] == 0.125
    # Windows and Low Priority meters (118 of the 236 items) never become prices
    windows = [i for i in items if i["productName"].endswith("Windows")]
    assert not set(i["retailPrice"] for i in windows if i["skuName"] == "NC40adsH100v5") & set(
        prices["price_per_hour_usd"]
    )
    assert prices.select("instance_type", "pricing").is_duplicated().sum() == 0
    assert set(azure.unmapped_skus(with_meta(raw))["example_sku"].str.slice(0, 2)) == {
        "NC",
        "ND",
    }  # RTX PRO 6000 v6, ND96isMI300Xv5


def test_conformance_two_real_days_differ_where_the_captures_do():
    old = canonical(azure.parse_items(_capture_items("vm-northeurope_gpu-skus_2026-07-25_3757edff.json")))
    new = canonical(azure.parse_items(_capture_items("vm-northeurope_gpu-skus_2026-08-20_6d33a657.json")))
    key = ["instance_type", "pricing"]
    both = old.select(*key, pl.col("price_per_hour_usd").alias("old")).join(
        new.select(*key, pl.col("price_per_hour_usd").alias("new")), on=key
    )
    t4 = both.filter(pl.col("instance_type") == "Standard_NC8as_T4_v3", pl.col("pricing") == "spot").row(0, named=True)
    assert (t4["old"], t4["new"]) == (0.349614, 0.279724)  # as SOURCES.md records for this pair of captures
