"""Subcommands of `gpucost` beyond the core ones, one module per domain.

Each module in MODULES exposes `register(subparsers)`, adding its subcommands
with `set_defaults(func=...)` and wrapped in `one_line_errors` (a bad argument is one
line, not argparse's usage dump); a func returns the exit status and raises
UsageError for a user mistake (one line on stderr, exit status 2).
"""

from __future__ import annotations

import argparse
import importlib

MODULES: tuple[str, ...] = ("estimate", "scenario", "prices", "energy", "report")


class UsageError(Exception):
    """A user error: reported as one line on stderr, exit status 2."""


def reader():
    """A short read-only connection to the configured warehouse."""
    import warehouse
    from pipeline.home import warehouse_path

    return warehouse.connect_reader(warehouse_path())


def one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Make a bad argument one line on stderr and exit status 2, without argparse's usage dump."""

    def error(message: str):
        parser.exit(2, f"{parser.prog}: {message}\n")

    parser.error = error
    return parser


def short_list(values, limit: int = 40) -> str:
    """Sorted names for a one-line error message, cut after `limit`."""
    values = sorted(values)
    return ", ".join(values[:limit]) + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def register_all(subparsers) -> None:
    for name in MODULES:
        importlib.import_module(f"pipeline.commands.{name}").register(subparsers)
