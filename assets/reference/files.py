"""Reference data files (GPU specs, GPU aliases, reference models): read, typed and checked.

They are versioned CSV files in assets/reference/data/, edited by hand, one cited
source per row. A bad edit fails with the file, the row and the column at fault.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from importlib import resources

import polars as pl

DATA_PACKAGE = "assets.reference.data"


class ReferenceDataError(ValueError):
    """A reference data file does not hold what its schema says."""


@dataclass(frozen=True)
class ReferenceFile:
    name: str  # file name in assets/reference/data/
    table: str  # core.<table>
    schema: dict[str, pl.DataType]
    required: tuple[str, ...]
    key: tuple[str, ...]
    description: str

    def read_bytes(self) -> bytes:
        return resources.files(DATA_PACKAGE).joinpath(self.name).read_bytes()

    def content_hash(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()[:16]

    def load(self) -> pl.DataFrame:
        return parse_reference(self, self.read_bytes())


def parse_reference(ref: ReferenceFile, body: bytes) -> pl.DataFrame:
    """Parse a reference CSV strictly: known columns, typed values, required cells, unique keys."""
    text = pl.read_csv(io.BytesIO(body), infer_schema=False)
    missing = [c for c in ref.schema if c not in text.columns]
    if missing:
        raise ReferenceDataError(f"{ref.name}: missing column(s) {', '.join(missing)}")
    text = text.select(list(ref.schema)).with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    typed = text.with_columns(pl.col(c).cast(t, strict=False) for c, t in ref.schema.items() if t != pl.String)
    for column, dtype in ref.schema.items():
        bad = text.with_row_index("line", offset=2).filter(pl.col(column).is_not_null() & typed[column].is_null())
        if bad.height:
            raise ReferenceDataError(f"{ref.name}: line {bad['line'][0]}: {column}={bad[column][0]!r} is not a valid {dtype}")
    for column in ref.required:
        empty = typed.with_row_index("line", offset=2).filter(pl.col(column).is_null())
        if empty.height:
            raise ReferenceDataError(f"{ref.name}: line {empty['line'][0]}: {column} is required")
    dupes = typed.filter(pl.struct(list(ref.key)).is_duplicated())
    if dupes.height:
        raise ReferenceDataError(f"{ref.name}: duplicate key {ref.key}: {dupes.select(ref.key).row(0)}")
    return typed


def _check_patterns(aliases: pl.DataFrame) -> None:
    for pattern in aliases["instance_pattern"].drop_nulls():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ReferenceDataError(f"gpu_aliases.csv: instance_pattern {pattern!r} is not a valid regular expression: {exc}") from exc


GPU_SPECS = ReferenceFile(
    name="gpu_specs.csv",
    table="gpu_specs",
    schema={
        "gpu_model": pl.String, "vendor": pl.String, "tflops_bf16_dense": pl.Float64, "tflops_fp16_dense": pl.Float64,
        "tflops_fp8_dense": pl.Float64, "memory_gb": pl.Float64, "memory_bandwidth_tbps": pl.Float64,
        "tdp_w": pl.Float64, "source": pl.String, "notes": pl.String,
    },
    required=("gpu_model", "vendor", "source"),
    key=("gpu_model",),
    description="Accelerator specs: dense BF16/FP16/FP8 TFLOP/s (no sparsity), memory, bandwidth, TDP; one cited source per row.",
)

GPU_ALIASES = ReferenceFile(
    name="gpu_aliases.csv",
    table="gpu_aliases",
    schema={
        "alias": pl.String, "provider": pl.String, "instance_pattern": pl.String, "gpu_count": pl.Float64,
        "gpu_model": pl.String, "source": pl.String,
    },
    required=("alias", "gpu_model", "source"),
    key=("alias", "provider", "instance_pattern"),
    description="Every GPU name seen at a provider, mapped to one canonical GPU model (optionally narrowed by provider and instance-type pattern).",
)

REFERENCE_MODELS = ReferenceFile(
    name="reference_models.csv",
    table="reference_models",
    schema={
        "model": pl.String, "params_total": pl.Float64, "params_active": pl.Float64, "training_tokens": pl.Float64,
        "source": pl.String, "notes": pl.String,
    },
    required=("model", "params_total", "params_active", "source"),
    key=("model",),
    description="Reference AI models: total and active parameters, training tokens, each with its source.",
)

REFERENCE_FILES = (GPU_SPECS, GPU_ALIASES, REFERENCE_MODELS)


def load_checked(ref: ReferenceFile) -> pl.DataFrame:
    """Load a reference file plus the checks that span rows (alias targets exist, patterns compile)."""
    frame = ref.load()
    if ref is GPU_ALIASES:
        _check_patterns(frame)
        unknown = set(frame["gpu_model"]) - set(GPU_SPECS.load()["gpu_model"])
        if unknown:
            raise ReferenceDataError(f"gpu_aliases.csv: gpu_model(s) not in gpu_specs.csv: {sorted(unknown)}")
    return frame
