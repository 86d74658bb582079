"""Data versions from content alone, and the pipeline's clock: pure, so the plain script and Dagster share them."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl

# Provenance, not content: when a row was fetched or computed, from which snapshot, live or bundled, how old.
VOLATILE_COLUMNS = ("snapshot_date", "fetched_at", "origin", "age_days", "computed_at")
VOLATILE_SUFFIXES = ("_snapshot_date", "_fetched_at", "_origin", "_age_days", "_age_years", "_computed_at")


def content_version(frame: pl.DataFrame, ignore: tuple[str, ...] = ()) -> str:
    """A data version from content alone: the same rows give the same version, whenever and however fetched.

    Provenance columns (VOLATILE_COLUMNS, VOLATILE_SUFFIXES) and `ignore` are left out, so a daily
    re-fetch of unchanged prices keeps its version and recomputes nothing downstream.
    """
    dropped = [c for c in frame.columns if c in ignore or c in VOLATILE_COLUMNS or c.endswith(VOLATILE_SUFFIXES)]
    kept = frame.drop(dropped)
    kept = kept.sort(kept.columns, nulls_last=True) if kept.height else kept
    return hashlib.sha256(kept.write_csv().encode()).hexdigest()[:16]


def utc_now() -> dt.datetime:
    """Now in UTC, naive, to the second: the timestamp every row and run log carries."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
