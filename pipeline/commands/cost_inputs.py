"""What the cost commands (`estimate`, `scenario`) share: argument types, lookups, and output.

Reference data (GPU specs, models, scenarios) come from the bundled files, so an estimate
with an explicit price and tariff needs no warehouse; prices and tariffs come from the
warehouse (marts.latest_gpu_prices, marts.energy_by_region). Every user mistake is a
UsageError: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re

import polars as pl

from assets.energy.reference import DATACENTER_PUE
from assets.reference import files
from costmodel.hardware import gpu_row
from costmodel.power import (
    DEFAULT_TARIFF_SOURCE,
    PUE_FALLBACK_PREFIX,
    Electricity,
    default_electricity,
    electricity_for,
    regions_named,
)
from costmodel.prices import PRICINGS, choose_price
from pipeline.commands import UsageError, reader, short_list, unknown
from pipeline.display import format_rows, format_value, terminal_width, to_csv, to_json, wrap

SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def number(text: str) -> float:
    """A positive number; 175e9, 175B, 1.4T and 13M are all accepted."""
    match = re.fullmatch(r"\s*([+-]?[0-9.]+(?:e[+-]?[0-9]+)?)\s*([kmbt]?)\s*", text.lower())
    try:
        value = float(match.group(1)) * SUFFIXES.get(match.group(2), 1.0) if match else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def fraction(text: str) -> float:
    value = number(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def count(text: str) -> int:
    value = number(text)
    if value != int(value):
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text}")
    return int(value)


def reference(ref: files.ReferenceFile) -> pl.DataFrame:
    try:
        return files.load_checked(ref)
    except files.ReferenceDataError as exc:
        raise UsageError(f"reference data: {exc}") from exc


def resolve_gpu(name: str, precision: str = "bf16", *, strict: bool = False) -> dict:
    """A GPU by canonical name or provider alias (H100 -> H100-SXM), case-insensitively, with its specs (the dense
    peak at `precision`; strict: only the precision's own tensor path counts)."""
    specs = reference(files.GPU_SPECS)
    canonical = {m.lower(): m for m in specs["gpu_model"]}
    aliases = reference(files.GPU_ALIASES).filter(pl.col("provider").is_null() & pl.col("instance_pattern").is_null())
    canonical |= {
        a.lower(): m for a, m in aliases.select("alias", "gpu_model").iter_rows() if a.lower() not in canonical
    }
    model = canonical.get(name.lower())
    if model is None:
        raise unknown("GPU", name, specs["gpu_model"], " (gpucost gpus lists them)")
    if gpu_row(specs, model) is None:
        raise UsageError(f"GPU {model} has no dense tensor peak in gpu_specs.csv, so it cannot be costed")
    row = gpu_row(specs, model, precision, strict=strict)
    if row is None:
        raise UsageError(
            f"GPU {model} has no dense {precision.upper()} peak in gpu_specs.csv: pick another --precision"
        )
    row["source"] = specs.filter(pl.col("gpu_model") == model)["source"][0]
    return row


def resolve_model(name: str) -> dict:
    models = reference(files.REFERENCE_MODELS)
    found = models.filter(pl.col("model").str.to_lowercase() == name.lower())
    if found.is_empty():  # a unique prefix will do: "gpt-3" is GPT-3 175B, "llama 3" is ambiguous
        found = models.filter(pl.col("model").str.to_lowercase().str.starts_with(name.lower()))
    if found.height > 1:
        raise UsageError(f"model {name!r} is ambiguous: {short_list(found['model'])}")
    if found.is_empty():
        raise unknown("model", name, models["model"], " (gpucost models lists them)")
    return found.row(0, named=True)


def model_params(args) -> tuple[dict, dict]:
    """(the model row, or a nameless one from --params/--active-params; their assumptions)."""
    if (args.model is None) == (args.params is None):
        raise UsageError("give either --model NAME or --params N")
    if args.model is not None:
        if args.active_params is not None:
            raise UsageError("--active-params goes with --params, not --model")
        row = resolve_model(args.model)
        source = f"reference_models.csv: {row['source']}"
        return row, {
            "model": assumption(row["model"], source),
            "params_active": assumption(row["params_active"], source),
            "params_total": assumption(row["params_total"], source),
        }
    active = args.active_params or args.params
    if active > args.params:
        raise UsageError(f"--active-params ({active:g}) cannot exceed --params ({args.params:g})")
    row = {"model": None, "params_total": args.params, "params_active": active, "training_tokens": None}
    return row, {"params_active": assumption(active, "given"), "params_total": assumption(args.params, "given")}


def assumption(value, source: str) -> dict:
    return {"value": value, "source": source}


def add_price_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--price-per-gpu-hour", type=number, metavar="USD", help="your own $/GPU-hour (else the warehouse's cheapest)"
    )
    parser.add_argument("--provider", help="take the cheapest price at this provider")
    parser.add_argument("--pricing", choices=PRICINGS, help="on_demand (default) or spot")


def add_electricity_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pue",
        type=number,
        help="power usage effectiveness (default: the region's, else the provider's fleet-wide "
        "PUE in datacenter_pue.csv, else its '*' default)",
    )
    parser.add_argument(
        "--tariff-usd-per-kwh",
        type=number,
        metavar="USD",
        help="electricity price (default: where the price's offer runs, else $0.08)",
    )
    parser.add_argument(
        "--region", help="take tariff, grid intensity and PUE of this cloud region from marts.energy_by_region"
    )
    parser.add_argument("--grid-gco2-per-kwh", type=number, metavar="G", help="grid carbon intensity, for co2_kg")


def warehouse_prices() -> pl.DataFrame:
    from warehouse import queries

    with reader() as con:
        return queries.latest_gpu_prices(con)


def warehouse_energy(required: bool = False) -> pl.DataFrame | None:
    """marts.energy_by_region, or None when there is no warehouse yet (unless required)."""
    import warehouse
    from warehouse import energy

    try:
        with reader() as con:
            return energy.energy_by_region(con)
    except warehouse.WarehouseMissing:
        if required:
            raise
        return None


def datacenter_pue() -> pl.DataFrame:
    """core.datacenter_pue, the PUE rows marts.energy_by_region picks from; before a first run, the bundled file it is
    loaded from.
    """
    import warehouse
    from warehouse import energy

    try:
        with reader() as con:
            table = energy.datacenter_pue(con)
    except warehouse.WarehouseMissing:
        table = None
    return table if table is not None and table.height else reference(DATACENTER_PUE)


def offer_text(offer: dict) -> str:
    """Where a price comes from, in words: provider region instance, date (origin)."""
    where = " ".join(
        str(offer[k]) for k in ("price_provider", "price_region", "price_instance_type") if offer.get(k) is not None
    )
    return f"{where}, {offer['price_snapshot_date']} ({offer['price_origin']})"


def resolve_price(args, gpu_model: str) -> tuple[dict | None, dict]:
    """(the chosen offer or None, assumptions) from --price-per-gpu-hour or the warehouse."""
    if args.price_per_gpu_hour is not None:
        if args.provider or args.pricing:
            raise UsageError("--price-per-gpu-hour replaces --provider/--pricing: give one or the other")
        return None, {"price_per_gpu_hour_usd": assumption(args.price_per_gpu_hour, "given")}
    pricing = args.pricing or "on_demand"
    offer = choose_price(warehouse_prices(), gpu_model, pricing, args.provider)
    if offer is None:
        where = f" at {args.provider}" if args.provider else ""
        raise UsageError(f"no {pricing} price for {gpu_model}{where} in the warehouse: pass --price-per-gpu-hour")
    source = f"{offer['price_source']}: cheapest {pricing} of {offer['price_offers']} offers: {offer_text(offer)}"
    return offer, {
        "price_per_gpu_hour_usd": assumption(offer["price_per_gpu_hour_usd"], source),
        "price_snapshot_date": assumption(str(offer["price_snapshot_date"]), "marts.latest_gpu_prices"),
    }


def resolve_electricity(args, offer: dict | None) -> tuple[Electricity, dict]:
    """PUE, tariff and grid intensity: given > --region > where the offer runs > fallbacks (PUE: core.datacenter_pue;
    tariff: $0.08).
    """
    provider = args.provider or (offer or {}).get("price_provider")
    if args.region is not None:
        if args.tariff_usd_per_kwh is not None:
            raise UsageError("--region and --tariff-usd-per-kwh both set the tariff: give one")
        energy = warehouse_energy(required=True)
        rows = regions_named(energy, args.region)
        if rows.is_empty():
            raise UsageError(
                f"no region {args.region!r} in marts.energy_by_region (see `gpucost energy --all`); or pass "
                "--tariff-usd-per-kwh"
            )
        preferred = rows.filter(pl.col("provider") == (provider or "").lower())
        place = (preferred if preferred.height else rows).row(0, named=True)
        electricity = electricity_for(energy, datacenter_pue(), place["provider"], place["region"])
        where = f"marts.energy_by_region {place['provider']} {place['region']}"
    elif offer is not None and args.tariff_usd_per_kwh is None:
        electricity = electricity_for(
            warehouse_energy(), datacenter_pue(), offer["price_provider"], offer["price_region"]
        )
        where = f"marts.energy_by_region {offer['price_provider']} {offer['price_region']}"
    else:
        electricity = default_electricity(datacenter_pue(), provider)
        where = None
    if args.pue is not None:
        electricity = dataclasses.replace(electricity, pue=args.pue, pue_source="given")
    if args.tariff_usd_per_kwh is not None:
        electricity = dataclasses.replace(
            electricity,
            tariff_usd_per_kwh=args.tariff_usd_per_kwh,
            tariff_source="given",
            tariff_period=None,
            tariff_is_fallback=False,
        )
    if args.grid_gco2_per_kwh is not None:
        electricity = dataclasses.replace(
            electricity, grid_gco2_per_kwh=args.grid_gco2_per_kwh, grid_source="given", grid_year=None
        )

    def label(source: str | None, is_default: bool) -> str:
        return source if (source == "given" or is_default or where is None) else f"{where}: {source}"

    out = {
        "pue": assumption(
            electricity.pue, label(electricity.pue_source, electricity.pue_source.startswith(PUE_FALLBACK_PREFIX))
        ),
        "tariff_usd_per_kwh": assumption(
            electricity.tariff_usd_per_kwh,
            label(electricity.tariff_source, electricity.tariff_source == DEFAULT_TARIFF_SOURCE),
        ),
    }
    if electricity.tariff_period:
        out["tariff_period"] = assumption(electricity.tariff_period, out["tariff_usd_per_kwh"]["source"])
    if electricity.grid_gco2_per_kwh is not None:
        out["grid_gco2_per_kwh"] = assumption(electricity.grid_gco2_per_kwh, label(electricity.grid_source, False))
        if electricity.grid_year is not None:
            out["grid_year"] = assumption(electricity.grid_year, out["grid_gco2_per_kwh"]["source"])
    return electricity, out


def offer_json(offer: dict | None) -> dict | None:
    """The offer an estimate used, as the JSON `offer` object (None when the price was given)."""
    if offer is None:
        return None
    intra, inter = offer.get("interconnect_intra"), offer.get("interconnect_inter")
    return {
        "source": offer.get("price_source"),
        "provider": offer.get("price_provider"),
        "region": offer.get("price_region"),
        "instance_type": offer.get("price_instance_type"),
        "gpus_per_instance": offer.get("gpus_per_instance"),
        "interconnect": f"{intra} + {inter}" if intra else None,
        "offer_class": offer.get("offer_class"),
    }


def priced_offer_source(offer: dict, pricing: str, what: str) -> str:
    return (
        f"{offer['price_source']}: cheapest {pricing} of {offer['price_offers']} offers that can {what} "
        f"({offer.get('offer_class')}): {offer_text(offer)}"
    )


def purchase_price(gpu_model: str) -> dict | None:
    found = reference(files.GPU_PURCHASE_PRICES).filter(pl.col("gpu_model") == gpu_model)
    return found.row(0, named=True) if found.height else None


def result_rows(result: dict) -> list[tuple]:
    """A result as (kind, name, value, source) rows for CSV: its figures, its offer, then its assumptions."""
    rows = [("figure", k, v, "") for k, v in result.items() if not isinstance(v, dict)]
    rows += [("offer", k, v, "") for k, v in (result.get("offer") or {}).items()]
    rows += [("assumption", k, a["value"], a["source"]) for k, a in (result.get("assumptions") or {}).items()]
    return rows


def emit(result: dict, args) -> None:
    """Print a result: JSON (numbers as numbers), CSV rows, or two aligned tables, figures then assumptions."""
    if getattr(args, "json", False):
        print(to_json(result))
        return
    if getattr(args, "csv", False):
        print(to_csv(["kind", "name", "value", "source"], result_rows(result)))
        return
    figures = {k: v for k, v in result.items() if k != "assumptions" and not isinstance(v, dict)}
    width = terminal_width()
    print(
        format_rows(["figure", "value"], [(k, format_value(k, v)) for k, v in figures.items()], width, wrap_last=True)
    )
    offer = result.get("offer")
    if isinstance(offer, dict):
        where = " ".join(str(offer[k]) for k in ("provider", "region", "instance_type") if offer.get(k))
        print(
            wrap(
                f"\nOffer: {where} ({offer['source']}): {offer['offer_class']}, "
                f"{format_value('gpus', offer['gpus_per_instance'])} GPUs per instance, {offer['interconnect']}",
                width,
            )
        )
    if result.get("assumptions"):
        print("\nAssumptions:\n")
        rows = [(k, format_value(k, a["value"]), a["source"]) for k, a in result["assumptions"].items()]
        print(format_rows(["assumption", "value", "source"], rows, width, wrap_last=True))
