"""Pure cost maths on polars frames and plain numbers: no Dagster, no I/O, no DuckDB.

Every formula takes its assumptions as arguments and every result frame carries them
in columns, so a number can be explained from its row alone.
"""
