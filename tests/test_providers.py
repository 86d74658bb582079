"""warehouse.providers: each offer once across the sources that report it, and the last live fetch per provider."""

import datetime as dt

import polars as pl

import warehouse
from warehouse import connect_reader, connect_writer, providers, record_source_run, replace_snapshot

D1, D2 = dt.date(2026, 5, 19), dt.date(2026, 5, 20)


def row(source, provider, instance, day, region="r1", pricing="on_demand", origin="live", gpu="H100-SXM"):
    return {
        "source": source,
        "provider": provider,
        "region": region,
        "instance_type": instance,
        "gpu_name_raw": "H100",
        "gpu_model": gpu,
        "gpu_count": 8.0,
        "pricing": pricing,
        "price_basis": "instance",
        "price_per_hour_usd": 80.0,
        "price_per_gpu_hour_usd": 10.0,
        "currency": "USD",
        "snapshot_date": day,
        "fetched_at": dt.datetime.combine(day, dt.time(6)),
        "origin": origin,
    }


def test_an_offer_two_sources_report_counts_once_and_the_last_live_fetch_is_the_newest(warehouse_path):
    with connect_writer(warehouse_path) as con:
        for source, rows, day in (
            ("oci", [row("oci", "oci", "BM.GPU.H100.8", D2, None)], D2),
            ("skypilot_oci", [row("skypilot_oci", "oci", "BM.GPU.H100.8", D1, None)], D1),
            (
                "gpuhunt_oci",
                [row("gpuhunt_oci", "oci", "BM.GPU.H100.8", D2, None), row("gpuhunt_oci", "oci", "x", D2, None)],
                D2,
            ),
            ("vultr", [row("vultr", "vultr", "vbm", D1, "sea", origin="snapshot:2026-05-19")], D1),
        ):
            replace_snapshot(con, "core.gpu_prices", pl.DataFrame(rows), source=source, snapshot_date=day)
        for source, status, at in (
            ("oci", "live", dt.datetime(2026, 5, 20, 6)),
            ("skypilot_oci", "live", dt.datetime(2026, 5, 19, 6)),
            ("skypilot_oci", "failed", dt.datetime(2026, 5, 20, 6)),
            ("vultr", "snapshot", dt.datetime(2026, 5, 20, 6)),
        ):
            record_source_run(con, source=source, status=status, attempted_at=at)
    with connect_reader(warehouse_path) as con:
        got = {r["provider"]: r for r in providers.providers(con).to_dicts()}
        by_source = providers.provider_sources(con)
    assert got["oci"]["offers"] == 2  # BM.GPU.H100.8 from three sources, and x
    assert got["oci"]["sources"] == "gpuhunt_oci, oci, skypilot_oci"
    assert got["oci"]["last_live_fetch_at"] == dt.datetime(2026, 5, 20, 6)
    assert got["vultr"]["last_live_fetch_at"] is None and got["vultr"]["any_live"] is False
    assert by_source.filter(source="skypilot_oci")["last_status"].to_list() == ["failed"]
    assert warehouse  # the package exports the helpers used above
