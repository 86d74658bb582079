"""The alias table: most specific alias wins, counts corrected, unknown names kept."""

import polars as pl

from assets.prices.gpu_names import canonicalize
from assets.reference.files import GPU_ALIASES, GPU_SPECS, load_checked


def offers(*rows):
    return pl.DataFrame(
        [dict(zip(["provider", "instance_type", "gpu_name_raw", "gpu_count"], r)) for r in rows],
        schema={"provider": pl.String, "instance_type": pl.String, "gpu_name_raw": pl.String, "gpu_count": pl.Float64},
    )


def test_provider_and_pattern_narrow_a_shared_name():
    result = canonicalize(
        offers(
            ("lambda", "gpu_1x_h100_pcie", "H100", 1.0),
            ("lambda", "gpu_8x_h100_sxm5", "H100", 8.0),
            ("aws", "p5.48xlarge", "H100", 8.0),
            ("azure", "Standard_NC40ads_H100_v5", "H100", 1.0),
            ("runpod", "1x_H100_SECURE", "H100", 1.0),
            ("gcp", "a3-megagpu-8g", "H100-MEGA", 8.0),
        ),
        GPU_ALIASES.load(),
    )
    assert result["gpu_model"].to_list() == ["H100-PCIe", "H100-SXM", "H100-SXM", "H100-NVL", "H100-PCIe", "H100-SXM"]


def test_alias_corrects_a_wrong_gpu_count():
    result = canonicalize(offers(("azure", "Standard_ND96isr_H100_v5", "H100", 12.0)), GPU_ALIASES.load())
    assert result.row(0, named=True)["gpu_count"] == 8.0


def test_names_match_case_insensitively_and_unknown_names_stay():
    result = canonicalize(offers(("aws", "g5.xlarge", "a10g", 1.0), ("vast", "x", "RTX_9999", 1.0)), GPU_ALIASES.load())
    assert result["gpu_model"].to_list() == ["A10G", None]
    assert result["gpu_name_raw"].to_list() == ["a10g", "RTX_9999"]
    assert result.height == 2


def test_every_alias_points_at_a_spec_row_and_every_spec_cites_a_source():
    aliases = load_checked(GPU_ALIASES)
    specs = GPU_SPECS.load()
    assert set(aliases["gpu_model"]) <= set(specs["gpu_model"])
    assert specs["source"].null_count() == 0
    required = {
        "V100",
        "A100-40GB",
        "A100-80GB",
        "H100-SXM",
        "H100-PCIe",
        "H200",
        "B200",
        "L4",
        "L40S",
        "A10G",
        "MI300X",
        "TPU-v4",
        "TPU-v5e",
    }
    assert required <= set(specs["gpu_model"])
