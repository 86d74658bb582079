"""Reads and writes of the headline history behind marts.cost_changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from warehouse.queries import frame
from warehouse.write import append_rows

if TYPE_CHECKING:  # polars loads only when a frame is asked for: `gpucost sql` never needs it
    import polars as pl

_STATES = """
    SELECT * FROM marts.headline_history
    QUALIFY row_number() OVER (PARTITION BY figure ORDER BY computed_at DESC) = ?
"""


def figure_states(con: duckdb.DuckDBPyConnection, rank: int) -> pl.DataFrame:
    """Each figure's latest (rank 1) or previous (rank 2) recorded state."""
    return frame(con, _STATES, [rank])


def record_figures(con: duckdb.DuckDBPyConnection, figures: pl.DataFrame) -> int:
    """Append the figures whose value or inputs differ from their latest recorded state; return how many."""
    con.register("_figures", figures.to_arrow())
    try:
        changed = frame(
            con,
            f"""
            SELECT f.* FROM _figures f
            LEFT JOIN ({_STATES}) h ON h.figure = f.figure
            WHERE h.figure IS NULL OR h.value <> f.value
               OR h.price_input IS DISTINCT FROM f.price_input OR h.tariff_input IS DISTINCT FROM f.tariff_input
               OR h.assumptions_input IS DISTINCT FROM f.assumptions_input
        """,
            [1],
        )
    finally:
        con.unregister("_figures")
    append_rows(con, "marts.headline_history", changed)
    return changed.height
