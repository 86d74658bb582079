"""A reference file edited wrong: the run names the file, the line and the column, and keeps its last good table."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.reference.defs import reference_key
from assets.reference.files import ReferenceFile
from assets.reference.load import ALL_REFERENCE_FILES
from pipeline.commands.run_output import outcome_text
from pipeline.definitions import build_definitions
from pipeline.resources import build_resources
from pipeline.run import RunSummary, _failed_steps

SPECS = next(r for r in ALL_REFERENCE_FILES if r.name == "gpu_specs.csv")
MODELS = next(r for r in ALL_REFERENCE_FILES if r.name == "reference_models.csv")


def _edited(monkeypatch, ref: ReferenceFile, old: bytes, new: bytes) -> None:
    """The file as a person might have edited it (the repo's copy is never touched)."""
    original = ReferenceFile.read_bytes
    body = original(ref)
    assert old in body

    def read_bytes(self):
        return body.replace(old, new, 1) if self.name == ref.name else original(self)

    monkeypatch.setattr(ReferenceFile, "read_bytes", read_bytes)


def _load_references(warehouse_path):
    resources = build_resources(offline=True, database=str(warehouse_path))
    job = build_definitions(resources).resolve_job_def("ingest")
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=sorted(reference_key(r) for r in (SPECS, MODELS)),
        raise_on_error=False,
    )


@pytest.mark.parametrize(
    "old, new, where",
    [
        (
            b"V100,NVIDIA,,125,",
            b"V100,NVIDIA,,lots,",
            "line 2, column tflops_fp16_dense: 'lots' is not a valid Float64",
        ),
        (b"gpu_model,vendor,", b"gpu,vendor,", "line 1 (header): missing column(s) gpu_model"),
        (
            b"V100,NVIDIA,",
            b"A100-40GB,NVIDIA,",
            "lines 2 and 9, column(s) gpu_model: duplicate key ('gpu_model',): ('A100-40GB',)",
        ),
        (b"V100,NVIDIA,", b",NVIDIA,", "line 2, column gpu_model: empty, but required"),
    ],
    ids=["not-a-number", "missing-column", "duplicate-model", "empty-required"],
)
def test_a_bad_reference_file_is_named_with_line_and_column_in_the_run_output(
    monkeypatch, warehouse_path, old, new, where
):
    first = _load_references(warehouse_path)
    assert first.success
    _edited(monkeypatch, SPECS, old, new)
    result = _load_references(warehouse_path)
    failures = _failed_steps(result)
    assert list(failures) == ["assets/reference/data/gpu_specs.csv"]
    text = outcome_text(RunSummary(failed_ingest=failures), 0, strict=False)
    assert f"Failed: assets/reference/data/gpu_specs.csv: {where} (its last good data was kept)" in text, text
    assert "(its last good data was kept)" in text
    # the UI shows the same line on the failed step, and the other file still loaded
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert where in failure.metadata["assets/reference/data/gpu_specs.csv"].value
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [reference_key(MODELS)]
