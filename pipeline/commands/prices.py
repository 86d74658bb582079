"""`gpucost prices`: today's GPU prices from the warehouse, like `sky show-gpus`.

Without --gpu: one line per GPU model (offers, cheapest and median $/GPU-hour, where).
With --gpu: every offer of that model, cheapest per GPU-hour first. --gpu names a model
or a family: 'H100' is H100-SXM, H100-PCIe and H100-NVL; 'A100-80GB' is the SXM and
PCIe 80 GB parts; an alias a provider uses ('A6000') also works. With --gpus N: the
cheapest ways to rent N GPUs of that model (whole instances, so you may rent more).
With --providers: every provider with a price, the sources that report it, its offers (each
once, however many sources list it) and when one of its sources last fetched live.
"""

from __future__ import annotations

import json

from pipeline.commands import UsageError, one_line_errors, reader, short_list
from pipeline.display import format_table


def _resolve(con, wanted: str) -> str:
    """The --gpu value as a family pattern marts.gpu_family_match understands, or a one-line error."""
    from warehouse import prices

    models = prices.resolve_gpu(con, wanted)
    if not models:
        raise UsageError(f"unknown GPU {wanted!r}; known: {', '.join(prices.known_gpu_models(con))}")
    if any(m.lower() == wanted.lower() or m.lower().startswith(wanted.lower() + "-") for m in models):
        return wanted
    if len(models) > 1:
        raise UsageError(f"GPU {wanted!r} names several models ({', '.join(models)}): pick one")
    return models[0]


def _known(wanted: str | None, known: list[str], what: str, where: str = "") -> str | None:
    """The warehouse's spelling of a provider or region typed in any case ('AWS' is aws), or a one-line error."""
    if wanted is None:
        return None
    found = {name.lower(): name for name in known}.get(wanted.lower())
    if found is None:
        raise UsageError(f"unknown {what} {wanted!r}{where}; known: {short_list(known, 12) if known else '(none)'}")
    return found


def _show(frame, args, title: str) -> None:
    if args.json:
        print(json.dumps(frame.to_dicts(), default=str, indent=2))
        return
    print(title + "\n")
    print(format_table(frame) if frame.height else "(none)")


def cmd_prices(args) -> int:
    import duckdb
    import polars as pl

    from warehouse import prices

    if args.gpus is not None and args.gpus < 1:
        raise UsageError(f"--gpus must be at least 1, got {args.gpus}")
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or more, got {args.limit}")
    if args.gpus is not None and not args.gpu:
        raise UsageError("--gpus needs --gpu (which GPU to rent N of)")
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
    try:
        with reader() as con:
            provider = _known(args.provider, prices.price_providers(con), "provider")
            region = _known(
                args.region, prices.price_regions(con, provider), "region", f" for {provider}" if provider else ""
            )
            where = {"provider": provider, "region": region}
            if args.held:
                frame = prices.held_gpu_prices(con, gpu=None if args.gpu is None else _resolve(con, args.gpu), **where)
                frame = frame.with_columns(
                    pl.format(
                        "{},{},{},{},{},{},{},<YYYY-MM-DD>,<your name>,<what you checked>",
                        "source",
                        "provider",
                        pl.col("region").fill_null(""),
                        "instance_type",
                        "pricing",
                        pl.col("commitment_term").fill_null(""),
                        "price_per_hour_usd",
                    ).alias("confirmation_line")
                )
                columns = ["source", "provider", "region", "instance_type", "price_per_gpu_hour_usd", "held_reason"]
                title = (
                    "Prices held out of the marts. If one is real, add its confirmation_line (--json shows it) to "
                    "assets/reference/data/price_confirmations.csv:"
                )
            elif args.gpus is not None:
                gpu = _resolve(con, args.gpu)
                frame = prices.cheapest_gpus(con, gpu, args.gpus, pricing=pricing, limit=args.limit, **where)
                columns = [
                    "gpu_model",
                    "provider",
                    "region",
                    "instance_type",
                    "gpu_count",
                    "instances",
                    "total_price_per_hour_usd",
                    "price_per_needed_gpu_hour_usd",
                    "source",
                    "age_days",
                ]
                title = f"Cheapest ways to rent {args.gpus} x {gpu} ({pricing}), whole instances:"
            elif args.gpu:
                gpu = _resolve(con, args.gpu)
                frame = prices.gpu_offers(con, gpu=gpu, pricing=pricing, limit=args.limit, **where)
                columns = [
                    "gpu_model",
                    "provider",
                    "region",
                    "instance_type",
                    "gpu_count",
                    "price_per_gpu_hour_usd",
                    "price_per_hour_usd",
                    "price_basis",
                    "source",
                    "age_days",
                ]
                title = f"{gpu} offers ({pricing}), cheapest per GPU-hour first:"
            else:
                frame = prices.gpu_model_summary(con, pricing=pricing, **where)
                columns = [
                    "gpu_model",
                    "offers",
                    "providers",
                    "cheapest_price_per_gpu_hour_usd",
                    "median_price_per_gpu_hour_usd",
                    "provider",
                    "region",
                    "instance_type",
                    "age_days",
                ]
                title = (
                    f"GPU models ({pricing}, whole instances): cheapest and median $ per GPU-hour, and where the "
                    "cheapest is:"
                )
    except duckdb.Error as exc:
        raise UsageError(f"cannot read the price marts ({str(exc).splitlines()[0]}): run `gpucost run` first") from exc
    _show(frame.select(columns) if not args.json else frame, args, title)
    return 0


def _providers(args) -> int:
    import duckdb
    import polars as pl

    from warehouse import providers

    try:
        with reader() as con:
            provider = _known(args.provider, prices_providers(con), "provider")
            frame = providers.providers(con, provider)
    except duckdb.Error as exc:
        raise UsageError(f"cannot read the prices ({str(exc).splitlines()[0]}): run `gpucost run` first") from exc
    shown = frame.with_columns(
        pl.col("last_live_fetch_at").dt.strftime("%Y-%m-%d %H:%M").fill_null("never").alias("last_live_fetch")
    ).select("provider", "offers", "gpu_models", "newest_price_date", "last_live_fetch", "sources")
    _show(frame if args.json else shown, args, "Providers with a price: offers (each once), and their sources:")
    return 0


def prices_providers(con) -> list[str]:
    from warehouse import providers

    return providers.providers(con)["provider"].to_list()


def register(subparsers) -> None:
    parser = one_line_errors(
        subparsers.add_parser(
            "prices",
            help="today's GPU prices: per model, per offer (--gpu), or the cheapest N GPUs (--gpus)",
            description=__doc__.split("\n\n", 1)[1],
        )
    )
    parser.add_argument("--gpu", help="GPU model or family, e.g. H100 (all variants), H100-SXM, A100-80GB, L4, TPU-v5e")
    parser.add_argument("--provider", help="only this provider (aws, azure, gcp, lambda, runpod, ...)")
    parser.add_argument("--region", help="only this region (as the provider names it: us-east-1, eastus, us-central1)")
    parser.add_argument("--spot", action="store_true", help="spot / preemptible prices instead of on-demand")
    parser.add_argument("--gpus", type=int, metavar="N", help="with --gpu: the cheapest ways to rent N of them")
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
    parser.add_argument("--json", action="store_true", help="print rows as JSON (every column)")
    parser.set_defaults(func=cmd_prices)
