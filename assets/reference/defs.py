"""Reference data assets: versioned CSV files loaded into core.* tables."""

import dagster as dg

from assets.metadata import OWNERS, table_metadata
from assets.reference.files import REFERENCE_FILES, ReferenceFile, load_checked
from assets.resources import WAREHOUSE_POOL, WarehouseResource
from warehouse import replace_table


def build_reference_asset(ref: ReferenceFile) -> dg.AssetsDefinition:
    """core/<table> from its data file (assets/reference/data/ or a domain's own); its data version is the file's
    content hash.
    """

    @dg.asset(
        key=["core", ref.table],
        group_name="reference",
        kinds={"duckdb", "polars", "csv"},
        pool=WAREHOUSE_POOL,
        owners=OWNERS,
        description=f"{ref.description} Edited by hand in {ref.path}.",
    )
    def _reference(warehouse: WarehouseResource) -> dg.MaterializeResult:
        frame = load_checked(ref)
        with warehouse.writer() as con:
            replace_table(con, f"core.{ref.table}", frame)
        return dg.MaterializeResult(
            metadata={**table_metadata(frame, f"core.{ref.table}"), "file": ref.path},
            data_version=dg.DataVersion(ref.content_hash()),
        )

    return _reference


reference_assets = [build_reference_asset(ref) for ref in REFERENCE_FILES]
