"""Reference data assets: the hand-edited CSV files loaded into core.* tables, one step for all of them.

Each file is its own asset (core/<table>), its data version the file's content hash, so an edited
file recomputes exactly what uses it. They load in one multi-asset step: a file that fails to load
(ReferenceDataError names the file, the line and the column) keeps its last good table, fails alone,
and the others load as usual.
"""

import dagster as dg

from assets.metadata import OWNERS, table_metadata
from assets.reference.files import ReferenceDataError, ReferenceFile
from assets.reference.load import ALL_REFERENCE_FILES, load_reference
from assets.resources import WAREHOUSE_POOL, WarehouseResource


def reference_key(ref: ReferenceFile) -> dg.AssetKey:
    return dg.AssetKey(["core", ref.table])


@dg.multi_asset(
    name="reference_files",
    specs=[
        dg.AssetSpec(
            key=reference_key(ref),
            group_name="reference",
            kinds={"duckdb", "polars", "csv"},
            owners=OWNERS,
            description=f"{ref.description} Edited by hand in {ref.path}.",
            skippable=True,
        )
        for ref in ALL_REFERENCE_FILES
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="Load the selected reference files into their core tables; a bad file fails alone, naming file, "
    "line and column, and keeps its last good table.",
)
def reference_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    problems = {}
    with warehouse.writer() as con:
        for ref in ALL_REFERENCE_FILES:
            if reference_key(ref) not in context.selected_asset_keys:
                continue
            try:
                frame, version = load_reference(con, ref)
            except ReferenceDataError as exc:
                problems[ref.path] = f"{ref.path}: {str(exc).removeprefix(ref.name + ': ')}"
                context.log.error(problems[ref.path])
                continue
            yield dg.MaterializeResult(
                asset_key=reference_key(ref),
                metadata={**table_metadata(frame, f"core.{ref.table}"), "file": ref.path},
                data_version=dg.DataVersion(version),
            )
    if problems:
        raise dg.Failure(
            description=f"{len(problems)} reference file(s) failed to load; each keeps its last good table:\n"
            + "\n".join(problems.values()),
            metadata=problems,
            allow_retries=False,
        )
