"""`gpucost models`: the reference models the estimates know, with their sizes and where the figures come from."""

from __future__ import annotations

from pipeline.commands import add_output_flags, reader, show, show_record, subcommand, unknown

DESCRIPTION = """\
Every reference model (assets/reference/data/reference_models.csv and model_architectures.csv):
total and active parameters, training tokens where published, the shape the serving model
needs (layers, hidden size, heads, KV heads, context, experts) and the source of each figure.
`gpucost estimate training --model NAME` and `estimate inference --model NAME` take these names."""

EXAMPLES = """\
gpucost models
gpucost models --model "Llama 3.3 70B"     one model, every column
gpucost models --json
"""

COLUMNS = [
    "model",
    "params_total",
    "params_active",
    "training_tokens",
    "layers",
    "hidden_size",
    "kv_heads",
    "context_length",
    "moe_experts",
    "source",
]


def cmd_models(args) -> int:
    import polars as pl

    from warehouse import catalog

    with reader() as con:
        frame = catalog.models(con)
    if args.model:
        one = frame.filter(pl.col("model").str.to_lowercase() == args.model.lower())
        if one.is_empty():
            raise unknown("model", args.model, frame["model"])
        if not (args.json or args.csv):
            show_record(one.row(0, named=True))
            return 0
        frame = one
    show(args, frame, title="Reference models (gpucost models --model NAME shows one in full):", columns=COLUMNS)
    return 0


def register(subparsers, name: str) -> None:
    parser = subcommand(
        subparsers,
        name,
        "the reference models: parameters, training tokens, where the figures come from",
        DESCRIPTION,
        EXAMPLES,
    )
    parser.add_argument("--model", help="one model: every column")
    add_output_flags(parser)
    parser.set_defaults(func=cmd_models)
