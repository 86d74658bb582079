"""The `gpucost` command line: one module per command (pipeline/commands/), imported only when it runs."""

from __future__ import annotations

import argparse
import importlib
import sys

from pipeline.commands import HelpFormatter, UsageError, one_line_errors, suggestions

# name -> (module under pipeline/commands, one line for `gpucost --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "fetch every source, recompute what changed, print the headline"),
    "prices": ("prices", "today's GPU prices: per model, per offer (--gpu), the cheapest N GPUs (--gpus)"),
    "gpus": ("gpus", "every GPU model: specs, aliases, cheapest on-demand and spot, providers"),
    "models": ("models", "the reference models: parameters, training tokens, where the figures come from"),
    "estimate": ("estimate", "what training or serving one model on one GPU costs"),
    "scenario": ("scenario", "a seed-analysis scenario: as published, and today"),
    "energy": ("energy", "electricity price, grid carbon and PUE per cloud region"),
    "report": ("report", "write the HTML report with charts (prices, costs, energy, freshness)"),
    "sql": ("sql", "run a read-only SQL query on the warehouse"),
    "ui": ("ui", "start the Dagster UI and daemon (what `make ui` runs)"),
    "validate": ("ui", "load and validate the Dagster definitions"),
}

EXAMPLES = """\
examples:
  gpucost run                                         fetch, recompute what changed, print the headline
  gpucost prices                                      every GPU model: cheapest on-demand and spot
  gpucost prices --gpu H100 --gpus 16                 the cheapest ways to rent 16 H100s
  gpucost estimate training --model "GPT-3 175B" --gpu H100
  gpucost estimate inference --model "Llama 3.3 70B" --gpu H100 --qps 20 --tokens-per-query 500
  gpucost scenario seed-chatgpt-serving-2023          a published claim, as published and today
  gpucost report --open                               charts in one HTML file
  gpucost sql "SELECT * FROM marts.training_costs LIMIT 5"

`gpucost COMMAND --help` shows each command's options and examples."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the arguments of `command` only (the others are listed by name and help)."""
    parser = one_line_errors(
        argparse.ArgumentParser(
            prog="gpucost",
            description="What does it cost, today, to train or serve an AI model?",
            epilog=EXAMPLES,
            formatter_class=HelpFormatter,
        )
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        if name == command:
            importlib.import_module(f"pipeline.commands.{module}").register(sub, name)
        else:
            sub.add_parser(name, help=help_text)
    return parser


def _command(argv: list[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = _command(argv)
    if command is not None and command not in COMMANDS:
        close = suggestions(command, COMMANDS)
        hint = f"; did you mean {' or '.join(close)}?" if close else f"; commands: {', '.join(COMMANDS)}"
        print(f"gpucost: unknown command {command!r}{hint}", file=sys.stderr)
        raise SystemExit(2)  # as argparse ends on a bad argument
    parser = build_parser(command)
    if command is None and not argv:
        parser.print_help()
        return 2
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"gpucost: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a known failure mode deserves one line, not a traceback
        from warehouse import WarehouseBusy, WarehouseMissing

        if isinstance(exc, (WarehouseBusy, WarehouseMissing)):
            print(f"gpucost: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
