"""Hostile inputs, a few MB each: what a broken or malicious server could send a parser.

Bombs are the same for every parser (a CSV parser must refuse a nested-table page as fast as an HTML
one); `grown` keeps a real payload's shape and repeats its rows until it is a few MB, so a parser
that is quadratic in its rows shows it. All are built in well under a second.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile

MB = 1 << 20
SIZE = 2 * MB


def nested_tables(size: int = SIZE) -> bytes:
    """A page that opens tables inside tables and never closes them (the EIA parser's old cubic case)."""
    return b"<html><body>" + b"<table><tr><td>" * (size // 15) + b"x"


def nested_tables_under_the_parsers_limit(levels: int = 80) -> bytes:
    """Tables nested as deep as lxml still builds (256 elements): the table-nesting limit has to catch these."""
    return b"<html><body>" + b"<table><tr><td>" * levels + b"x" + b"</td></tr></table>" * levels + b"</body></html>"


def nested_divs(size: int = SIZE) -> bytes:
    return b"<html><body>" + b"<div>" * (size // 5)


def nested_json_arrays(size: int = SIZE) -> bytes:
    return b"[" * size


def nested_json_objects(size: int = SIZE) -> bytes:
    return b'{"a":' * (size // 5) + b"1" + b"}" * (size // 5)


def long_line(size: int = 2 * SIZE) -> bytes:
    """One line of a few MB, no newline anywhere."""
    return b"A" * size


def many_columns(columns: int = 300_000) -> bytes:
    """A CSV header of 300,000 columns and one row."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" for _ in range(columns)) + "\n").encode()


def garbage_rows(size: int = SIZE) -> bytes:
    """Hundreds of thousands of short lines that are nobody's format (an unbalanced quote in each)."""
    line = b'%d,x;y,"z\n'
    return b"".join(line % i for i in range(size // len(line % 0)))


def binary_garbage(size: int = SIZE) -> bytes:
    return os.urandom(size)


def zip_bomb(member: str, inflated: int = 129 * MB) -> bytes:
    """A small zip whose one member inflates past gpuhunt's 128 MB cap."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(member, "w", force_zip64=True) as out:
            chunk = b"0" * MB
            for _ in range(inflated // MB):
                out.write(chunk)
    return buffer.getvalue()


BOMBS = {
    "nested_tables": nested_tables,
    "nested_tables_under_the_parsers_limit": nested_tables_under_the_parsers_limit,
    "nested_divs": nested_divs,
    "nested_json_arrays": nested_json_arrays,
    "nested_json_objects": nested_json_objects,
    "long_line": long_line,
    "many_columns": many_columns,
    "garbage_rows": garbage_rows,
    "binary_garbage": binary_garbage,
}


def _longest_list(value):
    """The longest list anywhere in a JSON document (the rows of a price list)."""
    best = value if isinstance(value, list) else None
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        found = _longest_list(child)
        if found is not None and (best is None or len(found) > len(best)):
            best = found
    return best


def _repeat_last(body: bytes, pattern: bytes, size: int) -> bytes:
    """The body with its last match of `pattern` (a row) repeated until the body is about `size` bytes."""
    matches = list(re.finditer(pattern, body, re.DOTALL))
    if not matches:
        return body
    row = matches[-1]
    copies = max(1, (size - len(body)) // max(1, len(row.group())))
    return body[: row.end()] + row.group() * copies + body[row.end() :]


def grown(payload: bytes, size: int = SIZE) -> bytes:
    """A real payload (zip, JSON, HTML/XML or CSV), its rows repeated until it is about `size` bytes."""
    if payload.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in members.items():
                archive.writestr(name, grown(body, size))
        return buffer.getvalue()
    stripped = payload.lstrip()
    if stripped[:1] in (b"{", b"["):
        document = json.loads(payload)
        rows = _longest_list(document)
        if rows:
            rows.extend(rows * max(1, size // len(json.dumps(rows))))
        return json.dumps(document).encode()
    if stripped[:1] == b"<":
        if b"<tr" in payload:
            return _repeat_last(payload, rb"<tr\b.*?</tr>", size)
        return _repeat_last(payload, rb"<Cube currency=[^>]*/>", size)
    body = payload.rstrip(b"\n")
    last = body.rsplit(b"\n", 1)[-1] + b"\n"  # a data row: the preamble and header (AWS has both) stay as they are
    return body + b"\n" + last * max(1, (size - len(body)) // len(last))
