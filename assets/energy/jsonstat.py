"""Decode a JSON-stat dataset into rows: one column per dimension, then value and status.

JSON-stat stores a cube as a flat `value` list or, sparsely, as an object keyed by the
flat index. The flat index is row-major over the dimensions in `id` order, the last
dimension fastest: flat = sum(position_d * stride_d), stride_d = product of the sizes
after d. A code's position comes from `dimension[d].category.index` (an object or a
list), never from the order the codes were requested in. Both JSON-stat 2.0 (the
Eurostat statistics API) and the older 1.x bundle (`{"<dataset>": {...}}`, dimension
`id`/`size` inside `dimension`, dense arrays) are read.
"""

from __future__ import annotations

import math

import polars as pl


class JsonStatError(ValueError):
    """The document is not a JSON-stat dataset this decoder can read."""


def _dataset(doc: dict) -> tuple[list[str], list[int], dict, object, object]:
    """(dimension ids, sizes, dimension metadata, value, status) of a 2.0 dataset or a 1.x bundle's first dataset."""
    if not isinstance(doc, dict):
        raise JsonStatError("the document is not a JSON object")
    if {"id", "size", "dimension"} <= doc.keys():
        return list(doc["id"]), [int(n) for n in doc["size"]], doc["dimension"], doc.get("value"), doc.get("status")
    for dataset in doc.values():
        dims = dataset.get("dimension") if isinstance(dataset, dict) else None
        if isinstance(dims, dict) and {"id", "size"} <= dims.keys():
            return list(dims["id"]), [int(n) for n in dims["size"]], dims, dataset.get("value"), dataset.get("status")
    raise JsonStatError("no JSON-stat dataset (id, size, dimension) in the document")


def _codes(dimension: dict, name: str, size: int) -> list[str]:
    """A dimension's category codes, in position order."""
    category = (dimension or {}).get("category") or {}
    index = category.get("index")
    if index is None:  # a single-category dimension may give only labels
        index = list((category.get("label") or {}).keys())
    codes = list(index) if isinstance(index, list) else sorted(index, key=index.__getitem__)
    if len(codes) != size:
        raise JsonStatError(f"dimension {name!r} has {len(codes)} categories but its size says {size}")
    return codes


def _cells(values, total: int, what: str) -> pl.DataFrame:
    """(flat index, cell) for every present cell of a sparse object or dense list."""
    if isinstance(values, dict):
        frame = pl.DataFrame({"_flat": list(values.keys()), what: list(values.values())}, strict=False)
        frame = frame.with_columns(pl.col("_flat").cast(pl.Int64, strict=False))
        if frame["_flat"].null_count():
            raise JsonStatError(f"`{what}` has a key that is not a flat index")
    elif isinstance(values, list):
        if len(values) != total:
            raise JsonStatError(f"`{what}` has {len(values)} cells, the dimension sizes make {total}")
        frame = pl.DataFrame({"_flat": range(len(values)), what: values}, strict=False)
    else:
        raise JsonStatError(f"`{what}` is neither an object nor a list")
    if frame.height and (frame["_flat"].min() < 0 or frame["_flat"].max() >= total):
        raise JsonStatError(f"`{what}` has an index outside the cube of {total} cells")
    return frame


def decode(doc: dict) -> pl.DataFrame:
    """Every cell with a value, as rows: the dimension codes, `value` (Float64) and `status` (String or NULL)."""
    ids, sizes, dimensions, values, status = _dataset(doc)
    if len(ids) != len(sizes):
        raise JsonStatError(f"{len(ids)} dimension ids but {len(sizes)} sizes")
    if values is None:
        raise JsonStatError("the dataset has no `value`")
    total = math.prod(sizes)
    cells = (
        _cells(values, total, "value").with_columns(pl.col("value").cast(pl.Float64, strict=False)).drop_nulls("value")
    )
    if isinstance(status, dict) and isinstance(status.get("value"), (dict, list)):
        status = status["value"]  # the 1.x bundle wraps its status cells: {"value": [...], "category": {...}}
    if isinstance(status, (dict, list)):
        flags = _cells(status, total, "status").with_columns(pl.col("status").cast(pl.String))
        cells = cells.join(flags, on="_flat", how="left")
    else:  # absent, or one status for every cell
        cells = cells.with_columns(pl.lit(status, pl.String).alias("status"))
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    positions = [
        ((pl.col("_flat") // stride) % size)
        .replace_strict(list(range(size)), _codes(dimensions.get(name), name, size), return_dtype=pl.String)
        .alias(name)
        for name, size, stride in zip(ids, sizes, strides)
    ]
    return cells.sort("_flat").select(*positions, "value", "status")
