"""`gpucost energy`: electricity price, grid carbon and PUE per cloud region (marts.energy_by_region)."""

from __future__ import annotations

from pipeline.commands import UsageError, one_line_errors, reader
from pipeline.display import format_table

SUMMARY = (
    "provider",
    "region",
    "country_code",
    "state_code",
    "tariff_usd_per_kwh",
    "tariff_source",
    "tariff_sector",
    "tariff_period",
    "tariff_basis",
    "grid_gco2_per_kwh",
    "grid_year",
    "pue",
)


def cmd_energy(args) -> int:
    import polars as pl

    from warehouse import energy

    with reader() as con:
        if args.region:
            if not args.provider:
                raise UsageError("--region needs --provider (region names repeat across providers)")
            row = energy.energy_for_region(con, args.provider, args.region)
            if row is None:
                raise UsageError(f"no region {args.region!r} for provider {args.provider!r} in marts.energy_by_region")
            width = max(map(len, row))
            print("\n".join(f"{name.ljust(width)}  {'-' if value is None else value}" for name, value in row.items()))
            return 0
        frame = energy.energy_by_region(con)
    if args.provider:
        frame = frame.filter(pl.col("provider").str.to_lowercase() == args.provider.lower())
        if frame.is_empty():
            raise UsageError(f"no regions for provider {args.provider!r} in marts.energy_by_region")
    if not args.all:
        frame = frame.filter(pl.col("priced"))
    print(format_table(frame.select(SUMMARY)))
    fallbacks = frame.filter(pl.col("tariff_is_fallback"))
    if fallbacks.height:
        print(
            f"\n{fallbacks.height} of {frame.height} regions use a fallback tariff (tariff_basis, tariff_note; "
            "details: --provider P --region R)."
        )
    return 0


def register(subparsers) -> None:
    energy = one_line_errors(
        subparsers.add_parser("energy", help="electricity price, grid carbon and PUE per cloud region")
    )
    energy.add_argument("--provider", help="only this provider (aws, azure, gcp, lambda, runpod, ...; any case)")
    energy.add_argument("--region", help="one region in full, every column (needs --provider)")
    energy.add_argument("--all", action="store_true", help="every mapped region, not only those with a GPU price")
    energy.set_defaults(func=cmd_energy)
