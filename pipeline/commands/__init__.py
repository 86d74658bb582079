"""Subcommands of `gpucost` beyond the core ones, one module per domain.

Each module in MODULES exposes `register(subparsers)`, adding its subcommands
with `set_defaults(func=...)`; a func returns the exit status and raises
UsageError for a user mistake (one line on stderr, exit status 2).
"""

from __future__ import annotations

import importlib

MODULES: tuple[str, ...] = ("estimate", "scenario", "prices", "energy")


class UsageError(Exception):
    """A user error: reported as one line on stderr, exit status 2."""


def reader():
    """A short read-only connection to the configured warehouse."""
    import warehouse
    from pipeline.home import warehouse_path

    return warehouse.connect_reader(warehouse_path())


def register_all(subparsers) -> None:
    for name in MODULES:
        importlib.import_module(f"pipeline.commands.{name}").register(subparsers)
