"""`gpucost prices`: today's GPU prices from the warehouse, like `sky show-gpus`."""

from __future__ import annotations

import sys

from pipeline.commands import UsageError, add_output_flags, reader, show, subcommand, unknown

DESCRIPTION = """\
Without --gpu: one line per GPU model (memory, the GPU counts its instances come in, offers,
providers, the cheapest on-demand and spot $ per GPU-hour, and where the cheapest is).
With --gpu: every offer of that model, cheapest per GPU-hour first. --gpu names a model or a
family: 'H100' is H100-SXM, H100-PCIe and H100-NVL; 'A100-80GB' is the SXM and PCIe 80 GB
parts; an alias a provider uses ('A6000') also works.
With --gpus N: the cheapest ways to rent N GPUs (whole instances, so you may rent more): of
the --gpu model, or the cheapest per GPU model without --gpu.
With --providers: every provider with a price, the sources that report it, its offers (each
once, however many sources list it) and when one of its sources last fetched live."""

EXAMPLES = """\
gpucost prices
gpucost prices --gpu H100
gpucost prices --gpu L4 --provider gcp --region us-central1 --spot
gpucost prices --gpus 8
gpucost prices --gpu H100 --gpus 64 --json
gpucost prices --providers
gpucost prices --held
"""

# column -> header in the text table (JSON and CSV keep every column under its full name)
OFFER_COLUMNS = {
    "gpu_model": "gpu_model",
    "price_per_gpu_hour_usd": "usd_gpu_h",
    "provider": "provider",
    "region": "region",
    "instance_type": "instance_type",
    "gpu_count": "gpus",
    "price_per_hour_usd": "usd_hour",
    "vcpus": "vcpus",
    "memory_gib": "ram_gib",
    "source": "source",
    "age_days": "age_days",
}
RENT_COLUMNS = {
    "gpu_model": "gpu_model",
    "total_price_per_hour_usd": "usd_hour",
    "price_per_needed_gpu_hour_usd": "usd_gpu_h",
    "provider": "provider",
    "region": "region",
    "instance_type": "instance_type",
    "gpu_count": "gpus",
    "instances": "instances",
}
CATALOG_COLUMNS = {
    "gpu_model": "gpu_model",
    "gpu_memory_gb": "mem_gb",
    "gpu_counts": "gpu_counts",
    "on_demand_usd_per_gpu_hour": "on_demand",
    "spot_usd_per_gpu_hour": "spot",
    "offers": "offers",
    "providers": "providers",
    "provider": "cheapest_at",
    "instance_type": "instance_type",
    "region": "region",
}
HELD_COLUMNS = ["source", "provider", "region", "instance_type", "price_per_gpu_hour_usd", "held_reason"]


def _resolve(con, wanted: str) -> str:
    """The --gpu value as a family pattern marts.gpu_family_match understands, or a one-line error."""
    from warehouse import prices

    models = prices.resolve_gpu(con, wanted)
    if not models:
        raise unknown("GPU", wanted, prices.known_gpu_names(con), " (gpucost gpus lists them)")
    if any(m.lower() == wanted.lower() or m.lower().startswith(wanted.lower() + "-") for m in models):
        return wanted
    if len(models) > 1:
        raise UsageError(f"GPU {wanted!r} names several models ({', '.join(models)}): pick one")
    return models[0]


def known(wanted: str | None, names: list[str], what: str, where: str = "") -> str | None:
    """The warehouse's spelling of a provider or region typed in any case ('AWS' is aws), or a one-line error."""
    if wanted is None:
        return None
    found = {name.lower(): name for name in names}.get(wanted.lower())
    if found is None:
        raise unknown(what, wanted, names, where=where)
    return found


def _why_empty(con, gpu: str | None, provider: str | None, region: str | None, pricing: str) -> str:
    """Why a filtered list came back empty: what exists once one filter is dropped."""
    from warehouse import prices

    wanted = " ".join(
        p
        for p in (
            pricing.replace("_", "-"),
            f"offer of {gpu or 'any GPU'}",
            provider and f"at {provider}",
            region and f"in {region}",
        )
        if p
    )
    hints = []
    other = "spot" if pricing == "on_demand" else "on_demand"
    for label, filters in (
        (f"{other.replace('_', '-')} there", {"gpu": gpu, "provider": provider, "region": region, "pricing": other}),
        ("in any region", {"gpu": gpu, "provider": provider, "region": None, "pricing": pricing}),
        ("at any provider", {"gpu": gpu, "provider": None, "region": None, "pricing": pricing}),
    ):
        if (label == "in any region" and region is None) or (label == "at any provider" and provider is None):
            continue
        count = prices.offer_count(con, **filters)
        if count:
            hints.append(f"{count} {label}")
    return f"No {wanted} today" + (f"; there are {', '.join(hints)}." if hints else ".")


def cmd_prices(args) -> int:
    import duckdb

    from warehouse import prices

    if args.gpus is not None and args.gpus < 1:
        raise UsageError(f"--gpus must be at least 1, got {args.gpus}")
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or more, got {args.limit}")
    if args.providers and (args.gpu or args.gpus is not None or args.held or args.spot or args.region):
        raise UsageError(
            "--providers lists every provider (--provider picks one): it takes no --gpu, --gpus, --held, "
            "--spot or --region"
        )
    if args.providers:
        return _providers(args)
    if args.held and (args.gpus is not None or args.spot):
        raise UsageError(
            "--held lists held prices of every pricing: it takes --gpu, --provider and --region, not --gpus or --spot"
        )
    pricing = "spot" if args.spot else "on_demand"
    kind = pricing.replace("_", "-")
    notes = []
    try:
        with reader() as con:
            provider = known(args.provider, prices.price_providers(con), "provider")
            region = known(
                args.region, prices.price_regions(con, provider), "region", f" at {provider}" if provider else ""
            )
            where = {"provider": provider, "region": region}
            gpu = None if args.gpu is None else _resolve(con, args.gpu)
            if args.held:
                frame = prices.held_gpu_prices(con, gpu=gpu, **where)
                columns = HELD_COLUMNS
                title = (
                    "Prices held out of the marts. If one is real, add its confirmation_line (--json shows it) to "
                    "assets/reference/data/price_confirmations.csv:"
                )
            elif args.gpus is not None and gpu is None:
                frame = prices.cheapest_per_model(con, args.gpus, pricing=pricing, **where)
                columns = RENT_COLUMNS
                title = f"The cheapest way to rent {args.gpus} GPUs of each model ({kind}, whole instances):"
            elif args.gpus is not None:
                frame = prices.cheapest_gpus(con, gpu, args.gpus, pricing=pricing, limit=args.limit, **where)
                columns = RENT_COLUMNS
                title = f"Cheapest ways to rent {args.gpus} x {gpu} ({kind}), whole instances:"
            elif gpu is not None:
                frame = prices.gpu_offers(con, gpu=gpu, pricing=pricing, limit=args.limit, **where)
                columns = OFFER_COLUMNS
                title = f"{gpu} offers ({kind}), cheapest per GPU-hour first:"
                if args.limit and frame.height == args.limit:
                    notes.append(f"(the {args.limit} cheapest; --limit 0 shows all)")
            else:
                frame = prices.gpu_catalog(con, **where)
                columns = CATALOG_COLUMNS
                title = (
                    "GPU models today, whole instances: the GPU counts instances come in, the cheapest on-demand and "
                    "spot $ per GPU-hour, and where the cheapest on-demand one is (--gpu MODEL shows every offer):"
                )
            empty = None if frame.height or args.held else _why_empty(con, gpu, provider, region, pricing)
    except duckdb.Error as exc:
        raise UsageError(f"cannot read the price marts ({str(exc).splitlines()[0]}): run `gpucost run` first") from exc
    if empty:
        print(empty, file=sys.stderr)
    show(args, frame, title=title, columns=columns, notes=notes)
    return 0


def _providers(args) -> int:
    import duckdb
    import polars as pl

    from warehouse import providers

    try:
        with reader() as con:
            frame = providers.providers(con)
            provider = known(args.provider, frame["provider"].to_list(), "provider")
            if provider is not None:
                frame = frame.filter(pl.col("provider") == provider)
    except duckdb.Error as exc:
        raise UsageError(f"cannot read the prices ({str(exc).splitlines()[0]}): run `gpucost run` first") from exc
    shown = frame.with_columns(
        pl.col("last_live_fetch_at").dt.strftime("%Y-%m-%d %H:%M").fill_null("never").alias("last_live_fetch")
    )
    show(
        args,
        frame if args.json or args.csv else shown,
        title="Providers with a price: offers (each once), and their sources:",
        columns=["provider", "offers", "gpu_models", "newest_price_date", "last_live_fetch", "sources"],
    )
    return 0


def register(subparsers, name: str) -> None:
    parser = subcommand(
        subparsers,
        name,
        "today's GPU prices: per model, per offer (--gpu), or the cheapest N GPUs (--gpus)",
        DESCRIPTION,
        EXAMPLES,
    )
    parser.add_argument("--gpu", help="GPU model or family, e.g. H100 (all variants), H100-SXM, A100-80GB, L4, TPU-v5e")
    parser.add_argument("--provider", help="only this provider (aws, azure, gcp, lambda, runpod, ...; any case)")
    parser.add_argument("--region", help="only this region (as the provider names it: us-east-1, eastus, us-central1)")
    parser.add_argument("--spot", action="store_true", help="spot / preemptible prices instead of on-demand")
    parser.add_argument("--gpus", type=int, metavar="N", help="the cheapest ways to rent N GPUs (of --gpu, or of each)")
    parser.add_argument("--limit", type=int, default=20, help="rows to show for --gpu and --gpus (0 = all; default 20)")
    parser.add_argument(
        "--held",
        action="store_true",
        help="prices held out of the marts (implausible, or a >5x jump), and how to confirm one; "
        "--gpu, --provider and --region filter them",
    )
    parser.add_argument(
        "--providers",
        action="store_true",
        help="every provider with a price: its sources, offers (each once) and last live fetch",
    )
    add_output_flags(parser)
    parser.set_defaults(func=cmd_prices)
