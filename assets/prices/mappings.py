"""Mapping files a source needs to name its GPUs (assets/prices/data/), each row citing its source.

AWS and Azure price lists name instances, not GPUs: these hand-edited CSV files say
which GPU (and how many) an instance family or SKU carries. They are read and
checked like the reference files (typed columns, required cells, unique keys).
"""

from __future__ import annotations

from importlib import resources

import polars as pl

from assets.reference.files import ReferenceFile, parse_reference

DATA_PACKAGE = "assets.prices.data"

AWS_GPU_FAMILIES = ReferenceFile(
    name="aws_gpu_families.csv",
    table="aws_gpu_families",
    schema={
        "family": pl.String,
        "instance_type": pl.String,
        "gpu_name": pl.String,
        "gpu_count": pl.Float64,
        "source": pl.String,
    },
    required=("family", "gpu_name", "source"),
    key=("family", "instance_type"),
    description="EC2 instance family (or one instance type) -> GPU name, and the GPU count where the price list's GPU "
    "column cannot be used.",
)

AZURE_GPU_SKUS = ReferenceFile(
    name="azure_gpu_skus.csv",
    table="azure_gpu_skus",
    schema={"arm_sku_name": pl.String, "gpu_name": pl.String, "gpu_count": pl.Float64, "source": pl.String},
    required=("arm_sku_name", "gpu_name", "gpu_count", "source"),
    key=("arm_sku_name",),
    description="Azure VM SKU (armSkuName) -> GPU name and GPU count (fractions for partial GPUs).",
)


_loaded: dict[str, pl.DataFrame] = {}


def load_mapping(ref: ReferenceFile) -> pl.DataFrame:
    """The mapping file, parsed once per process (a bad edit fails with the file, line and column)."""
    if ref.name not in _loaded:
        _loaded[ref.name] = parse_reference(ref, resources.files(DATA_PACKAGE).joinpath(ref.name).read_bytes())
    return _loaded[ref.name]
