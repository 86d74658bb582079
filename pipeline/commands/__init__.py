"""Subcommands of `gpucost`, one module each, loaded only when that command runs.

Each module exposes `register(parser)`, adding its arguments (and sub-commands) to the parser
`gpucost` made for it, with `set_defaults(func=...)`; a func returns the exit status and raises
UsageError for a user mistake (one line on stderr, exit status 2). A module's own imports are
paid only by its command: `gpucost --help` imports none of them.
"""

from __future__ import annotations

import argparse
import difflib
import re


class UsageError(Exception):
    """A user error: reported as one line on stderr, exit status 2."""


def reader():
    """A short read-only connection to the warehouse's published read copy (never waits for a run), or to the
    warehouse itself before the first publish."""
    import warehouse
    from pipeline.home import readable_path

    return warehouse.connect_reader(readable_path())


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written (line breaks kept), option help wrapped."""


def one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Make a bad argument one line on stderr and exit status 2, without argparse's usage dump."""

    def error(message: str):
        parser.exit(2, f"{parser.prog}: {message}\n")

    parser.error = error
    return parser


def subcommand(subparsers, name: str, help: str, description: str, examples: str = "") -> argparse.ArgumentParser:
    """A sub-command's parser: its description, then its examples, in `--help`."""
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples.strip().splitlines()) if examples else None
    return one_line_errors(
        subparsers.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=HelpFormatter)
    )


def short_list(values, limit: int = 40) -> str:
    """Sorted names for a one-line error message, cut after `limit`."""
    values = sorted(values)
    return ", ".join(values[:limit]) + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def suggestions(wanted: str, known, limit: int = 3) -> list[str]:
    """The known names a typed one most likely meant: same letters and digits ('gpt3' -> 'GPT-3 175B'),
    one containing the other, else the closest spellings."""
    known = sorted(set(known))
    squashed = {name: _squash(name) for name in known}
    key = _squash(wanted)
    if not key:
        return []
    exact = [n for n, s in squashed.items() if s == key]
    if exact:
        return exact[:limit]
    prefix = [n for n, s in squashed.items() if s.startswith(key) or (len(s) >= 3 and key.startswith(s))]
    inside = [n for n, s in squashed.items() if key in s and n not in prefix]
    if prefix or inside:
        return sorted(prefix, key=lambda n: len(squashed[n]))[:limit] + inside[: max(0, limit - len(prefix))]
    # closest squashed spelling first; a tie ('us-esat-1': us-east-1, us-east1, us-west1) goes to the spelling as typed
    scored = [
        (
            difflib.SequenceMatcher(None, key, s).ratio(),
            difflib.SequenceMatcher(None, wanted.lower(), n.lower()).ratio(),
            n,
        )
        for n, s in squashed.items()
    ]
    return [n for ratio, _, n in sorted(scored, reverse=True) if ratio >= 0.6][:limit]


def unknown(what: str, wanted: str, known, hint: str = "", where: str = "") -> UsageError:
    """'unknown GPU 'H200x'; did you mean 'H200'?' (or the known names when nothing is close); `where` follows the
    name ("at aws"), `hint` the suggestion."""
    known = list(known)
    close = suggestions(wanted, known)
    if close:
        tail = f"did you mean {' or '.join(repr(c) for c in close)}?"
    elif known:
        tail = f"known: {short_list(known, 12)}"
    else:
        tail = "none are known yet"
    return UsageError(f"unknown {what} {wanted!r}{where}; {tail}{hint}")


def add_output_flags(parser: argparse.ArgumentParser) -> None:
    """--json / --csv: the rows for a machine, every column, values unformatted."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print the rows as JSON (every column)")
    group.add_argument("--csv", action="store_true", help="print the rows as CSV (every column)")


def show(args, frame, *, title: str | None = None, columns: list[str] | dict[str, str] | None = None, notes=()) -> None:
    """A polars frame as JSON, CSV (every column, full names) or a titled text table of `columns` that fits the
    terminal (a dict of columns gives each a shorter header)."""
    from pipeline.display import format_table, terminal_width, to_csv, to_json

    if getattr(args, "json", False):
        print(to_json(frame.to_dicts()))
        return
    if getattr(args, "csv", False):
        print(to_csv(frame.columns, frame.rows()))
        return
    from pipeline.display import wrap

    headers = list(columns.values()) if isinstance(columns, dict) else None
    if columns:
        frame = frame.select(list(columns))
    if title:
        print(wrap(title) + "\n")
    print(format_table(frame, terminal_width(), headers=headers) if frame.height else "(none)")
    for note in notes:
        print(note)


def show_record(row: dict) -> None:
    """One row in full, a column per line (one GPU, one model, one region)."""
    from pipeline.display import format_rows, format_value

    print(format_rows(["column", "value"], [(name, format_value(name, value)) for name, value in row.items()]))
