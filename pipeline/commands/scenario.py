"""`gpucost scenario`: the seed analysis recomputed as published, and the same workload at today's prices."""

from __future__ import annotations

import polars as pl

from assets.reference import files
from costmodel.scenarios import ELECTRICITY_KEYS, PRICE_KEYS, scenario_result
from costmodel.utilization import default_utilization
from pipeline.commands import UsageError, add_output_flags, show, subcommand, unknown
from pipeline.commands.cost_inputs import (
    datacenter_pue,
    emit,
    offer_text,
    reference,
    warehouse_energy,
    warehouse_prices,
)
from pipeline.display import format_rows, format_value, terminal_width, wrap

DESCRIPTION = """\
A scenario is a published cost claim with its stated assumptions (assets/reference/data/scenarios.csv):
the seed analysis of ChatGPT's cost and the claims it cites. Each is recomputed as published (its own
prices and assumptions: the published figures must come out) and at today's prices, on the same GPU and
on the cheapest GPU that can run it."""

EXAMPLES = """\
gpucost scenario --list
gpucost scenario seed-chatgpt-serving-2023
gpucost scenario seed-gpt3-training --json
"""


def register(subparsers, name: str) -> None:
    parser = subcommand(subparsers, name, "a seed-analysis scenario: as published, and today", DESCRIPTION, EXAMPLES)
    parser.add_argument("name", nargs="?", help="scenario name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    add_output_flags(parser)
    parser.set_defaults(func=cmd_scenario)


def cmd_scenario(args) -> int:
    scenarios = reference(files.SCENARIOS)
    if args.list:
        if args.name:
            raise UsageError("--list takes no scenario name")
        show(args, scenarios.select("name", "kind", "description"), title="Scenarios (gpucost scenario NAME):")
        return 0
    if not args.name:
        raise UsageError(f"give a scenario name or --list (known: {', '.join(scenarios['name'])})")
    found = scenarios.filter(pl.col("name").str.to_lowercase() == args.name.lower())
    if found.is_empty():
        raise unknown("scenario", args.name, scenarios["name"], " (gpucost scenario --list shows them all)")
    specs, models, archs = (
        reference(files.GPU_SPECS),
        reference(files.REFERENCE_MODELS),
        reference(files.MODEL_ARCHITECTURES),
    )
    fit = default_utilization(reference(files.TRAINING_RUNS), models, specs, archs)
    result = scenario_result(
        found.row(0, named=True),
        reference(files.SCENARIO_PUBLISHED),
        specs,
        warehouse_prices(),
        warehouse_energy(),
        datacenter_pue(),
        scenarios=scenarios,
        interconnect=reference(files.INSTANCE_INTERCONNECT),
        models=models,
        architectures=archs,
        default_mfu=fit["central"] if fit else None,
    )
    if args.json or args.csv:
        emit(result, args)
    else:
        print_scenario(result)
    return 0


def print_wrapped(text: str) -> None:
    print(wrap(text))


def print_scenario(result: dict) -> None:
    same, best = result["today"]["same_hardware"] or {}, result["today"]["best_hardware"] or {}
    print(wrap(f"{result['name']}: {result['description']}\nSource: {result['source']}\n"))
    skip = (*PRICE_KEYS, *ELECTRICITY_KEYS, "serving_gpu_model", "training_gpu_model")
    metrics = dict.fromkeys(m for m in [*result["as_published"], *same, *best] if m not in skip)
    columns = {
        "figure": list(metrics),
        "published": [format_value(m, result["published"].get(m)) for m in metrics],
        "as_published": [format_value(m, result["as_published"].get(m)) for m in metrics],
        f"today_{same.get('gpu_model', 'same_gpu')}": [format_value(m, same.get(m)) for m in metrics],
        f"today_best_{best.get('gpu_model', 'gpu')}": [format_value(m, best.get(m)) for m in metrics],
    }
    print(format_rows(list(columns), list(zip(*columns.values())), terminal_width()))
    for label, today in (("same hardware", same), ("best hardware", best)):
        if today and today.get("price_per_gpu_hour_usd") is not None:
            offer = f"{today.get('offer_class')}, {today.get('interconnect')}" if today.get("offer_class") else ""
            print_wrapped(
                f"\nToday, {label}: {today['gpu_model']} at ${today['price_per_gpu_hour_usd']:.2f}/GPU-hour "
                f"({offer_text(today)}{'; ' + offer if offer else ''}); "
                f"electricity ${today['tariff_usd_per_kwh']:.3f}/kWh ({today['tariff_source']}), PUE {today['pue']:g}."
            )
    roles = result.get("published_roles", {})
    reproduce = [m for m in result["published"] if roles.get(m, "reproduce") == "reproduce"]
    claims = [m for m in result["published"] if roles.get(m, "reproduce") != "reproduce"]
    missed = [m for m in reproduce if not result["matches_published"][m]]
    if reproduce:
        print_wrapped(
            f"\nAs published: {len(reproduce) - len(missed)} of {len(reproduce)} published figures reproduced"
            + (f"; not: {', '.join(missed)}." if missed else ".")
        )
    for m in claims:
        holds = "holds" if result["matches_published"][m] else "does not hold"
        print_wrapped(
            f"Claim {m} = {format_value(m, result['published'][m])} ({roles[m]}): {holds} at the stated assumptions."
        )
