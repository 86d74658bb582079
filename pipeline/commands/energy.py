"""`gpucost energy`: electricity price, grid carbon and PUE per cloud region (marts.energy_by_region)."""

from __future__ import annotations

from pipeline.commands import add_output_flags, reader, show, show_record, subcommand, unknown

DESCRIPTION = """\
The electricity price (industrial or non-household tariff of the region's state or country),
grid carbon intensity and PUE behind every energy figure, per cloud region with a GPU price.
A tariff that is a fallback (no tariff for the region's state or country) says so in tariff_basis."""

EXAMPLES = """\
gpucost energy
gpucost energy --provider aws
gpucost energy --region us-east-1           every provider with a region of that name
gpucost energy --provider gcp --region europe-west4 --json
"""

SUMMARY = [
    "provider",
    "region",
    "tariff_usd_per_kwh",
    "grid_gco2_per_kwh",
    "pue",
    "country_code",
    "state_code",
    "tariff_period",
    "tariff_basis",
    "tariff_source",
    "grid_year",
]


def cmd_energy(args) -> int:
    import polars as pl

    from warehouse import energy

    with reader() as con:
        frame = energy.energy_by_region(con)
    if args.provider:
        providers = frame["provider"].unique().to_list()
        if args.provider.lower() not in {p.lower() for p in providers}:
            raise unknown("provider", args.provider, providers, " in marts.energy_by_region")
        frame = frame.filter(pl.col("provider").str.to_lowercase() == args.provider.lower())
    if args.region:
        regions = frame["region"].drop_nulls().unique().to_list()
        frame = frame.filter(pl.col("region").str.to_lowercase() == args.region.lower())
        if frame.is_empty():
            where = f" at {args.provider}" if args.provider else " at any provider"
            raise unknown("region", args.region, regions, where)
        if frame.height == 1 and not (args.json or args.csv):
            show_record(frame.row(0, named=True))  # one region: every column
            return 0
    elif not args.all:
        frame = frame.filter(pl.col("priced"))
    fallbacks = frame.filter(pl.col("tariff_is_fallback"))
    notes = (
        [
            f"\n{fallbacks.height} of {frame.height} regions use a fallback tariff (tariff_basis, tariff_note; "
            "every column of one: --provider P --region R)."
        ]
        if fallbacks.height
        else []
    )
    show(args, frame, title="Energy per cloud region ($ per kWh, gCO2e per kWh, PUE):", columns=SUMMARY, notes=notes)
    return 0


def register(subparsers, name: str) -> None:
    parser = subcommand(
        subparsers, name, "electricity price, grid carbon and PUE per cloud region", DESCRIPTION, EXAMPLES
    )
    parser.add_argument("--provider", help="only this provider (aws, azure, gcp, lambda, runpod, ...; any case)")
    parser.add_argument("--region", help="only regions of this name (every provider's, unless --provider is given)")
    parser.add_argument("--all", action="store_true", help="every mapped region, not only those with a GPU price")
    add_output_flags(parser)
    parser.set_defaults(func=cmd_energy)
