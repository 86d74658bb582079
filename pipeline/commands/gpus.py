"""`gpucost gpus`: every GPU model the warehouse knows, with its specs and today's cheapest prices."""

from __future__ import annotations

from pipeline.commands import add_output_flags, reader, show, show_record, subcommand, unknown

DESCRIPTION = """\
Every GPU model in the reference data (assets/reference/data/gpu_specs.csv, each row with its
source): memory, bandwidth, dense tensor peaks, power, the names providers use for it, how many
providers rent it today and the cheapest on-demand and spot $ per GPU-hour of whole instances."""

EXAMPLES = """\
gpucost gpus
gpucost gpus --gpu H100-SXM            one GPU, every column
gpucost gpus --csv > gpus.csv
"""

COLUMNS = [
    "gpu_model",
    "memory_gb",
    "tflops_bf16_dense",
    "tflops_fp8_dense",
    "memory_bandwidth_tbps",
    "tdp_w",
    "providers",
    "on_demand_usd_per_gpu_hour",
    "spot_usd_per_gpu_hour",
    "aliases",
]


def cmd_gpus(args) -> int:
    import polars as pl

    from warehouse import catalog

    with reader() as con:
        frame = catalog.gpus(con)
        names = frame["gpu_model"].to_list()
    if args.gpu:
        one = frame.filter(pl.col("gpu_model").str.to_lowercase() == args.gpu.lower())
        if one.is_empty():
            aliases = frame.select("gpu_model", pl.col("aliases").str.split(", ")).explode("aliases")
            match = aliases.filter(pl.col("aliases").str.to_lowercase() == args.gpu.lower())
            if match.is_empty():
                raise unknown("GPU", args.gpu, [*names, *aliases["aliases"].drop_nulls()])
            one = frame.filter(pl.col("gpu_model").is_in(match["gpu_model"].unique().to_list()))
        if one.height == 1 and not (args.json or args.csv):
            show_record(one.row(0, named=True))
            return 0
        frame = one
    show(
        args,
        frame,
        title="GPU models: specs (TFLOP/s dense, TB/s, W) and today's cheapest $ per GPU-hour (whole instances):",
        columns=COLUMNS,
    )
    return 0


def register(subparsers, name: str) -> None:
    parser = subcommand(
        subparsers,
        name,
        "every GPU model: specs, aliases, cheapest on-demand and spot, providers",
        DESCRIPTION,
        EXAMPLES,
    )
    parser.add_argument("--gpu", help="one GPU model or alias: every column")
    add_output_flags(parser)
    parser.set_defaults(func=cmd_gpus)
