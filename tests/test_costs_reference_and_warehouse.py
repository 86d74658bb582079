"""The cost model's reference files check each other."""

import polars as pl
import pytest

from assets.reference.files import (
    INFERENCE_THROUGHPUT,
    PRICE_CONFIRMATIONS,
    REFERENCE_FILES,
    SCENARIO_PUBLISHED,
    SCENARIOS,
    TRAINING_RUNS,
    ReferenceDataError,
    load_checked,
    parse_reference,
)


def test_every_reference_file_loads_and_every_row_has_a_source():
    for ref in REFERENCE_FILES:
        if ref is PRICE_CONFIRMATIONS:  # usually empty; its `source` is the price source being confirmed
            continue
        frame = load_checked(ref)
        assert frame.height and frame["source"].null_count() == 0, ref.name


def replaced(ref, old: str, new: str) -> pl.DataFrame:
    body = ref.read_bytes().decode()
    assert old in body
    return parse_reference(ref, body.replace(old, new, 1).encode())


@pytest.mark.parametrize(
    ("ref", "old", "new", "message"),
    [
        (
            TRAINING_RUNS,
            "Llama 2 7B,total,A100-80GB",
            "Llama 2 7B,total,A100-96GB",
            "gpu_model(s) not in gpu_specs.csv: ['A100-96GB']",
        ),
        (TRAINING_RUNS, "Llama 2 7B,total", "Llama 9 7B,total", "model(s) not in reference_models.csv: ['Llama 9 7B']"),
        (INFERENCE_THROUGHPUT, "Llama 3.1 8B,H200", "Llama 3.1 9B,H200", "model(s) not in reference_models.csv"),
        (SCENARIOS, "seed-50m-cluster,fleet", "seed-50m-cluster,cluster", "unknown kind(s) ['cluster']"),
        (
            SCENARIO_PUBLISHED,
            "seed-50m-cluster,gpus",
            "seed-51m-cluster,gpus",
            "scenario(s) not in scenarios.csv: ['seed-51m-cluster']",
        ),
    ],
)
def test_a_bad_edit_names_the_file_and_the_value(ref, old, new, message):
    with pytest.raises(ReferenceDataError) as err:
        load_checked(ref, replaced(ref, old, new))
    assert ref.name in str(err.value) and message in str(err.value)
