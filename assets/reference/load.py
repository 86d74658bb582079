"""Load reference files into their core tables: a plain function the Dagster asset and the plain script share."""

from __future__ import annotations

import polars as pl

from assets.energy.reference import ENERGY_REFERENCE_FILES
from assets.reference.files import REFERENCE_FILES, ReferenceFile, load_checked
from warehouse import replace_table

# every hand-edited data file, the energy domain's included
ALL_REFERENCE_FILES: tuple[ReferenceFile, ...] = (*REFERENCE_FILES, *ENERGY_REFERENCE_FILES)


def load_reference(con, ref: ReferenceFile) -> tuple[pl.DataFrame, str]:
    """Parse and check a reference file (ReferenceDataError names the file, line and column at fault), replace its
    table; return the rows and the data version (the file's content hash)."""
    frame = load_checked(ref)
    replace_table(con, f"core.{ref.table}", frame)
    return frame, ref.content_hash()
