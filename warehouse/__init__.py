"""The DuckDB warehouse: schema, migrations, every SQL statement, read and write helpers.

DuckDB takes one read-write process or many read-only ones, never both: writers go
through `connect_writer` (which waits out a competing lock and migrates), readers
through the short-lived, read-only `connect_reader` (which waits a few seconds for a
writer to finish, then raises `WarehouseBusy`). So that readers never wait for a run, each run
ends by publishing a read copy (`publish_read_copy`); readers open `readable(path)`, the read copy
once there is one.
"""

from dataclasses import dataclass

from warehouse.connection import WarehouseBusy, WarehouseMissing, connect_reader, connect_writer
from warehouse.migrate import migrate, schema_version
from warehouse.publish import Published, default_read_copy, publish_read_copy, readable
from warehouse.write import record_source_run, replace_snapshot, replace_table


@dataclass(frozen=True)
class Warehouse:
    """A warehouse file: short writer and reader connections (the Dagster resource offers the same two)."""

    path: str

    def writer(self):
        return connect_writer(self.path)

    def reader(self):
        return connect_reader(self.path)


__all__ = [
    "Published",
    "Warehouse",
    "WarehouseBusy",
    "WarehouseMissing",
    "connect_reader",
    "connect_writer",
    "default_read_copy",
    "migrate",
    "publish_read_copy",
    "readable",
    "record_source_run",
    "replace_snapshot",
    "replace_table",
    "schema_version",
]
