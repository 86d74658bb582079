"""End-to-end training utilization, derived from published runs; attention FLOPs from each model's architecture.

Training FLOPs = 6 x N_active x D (Kaplan et al. 2020) plus attention, which 6ND leaves out. Per token, the PaLM paper
(Chowdhery et al. 2022, appendix B) counts 6N + 12 x L x H x Q x T: L layers, H query heads, Q head dim, T the
training sequence length (forward QK^T and AV are 2 x H x Q x T FLOPs each per layer, x3 for the backward pass). At
an 8K window this adds 8% to Llama 3.1 405B, 15% to a 70B and 27% to an 8B. Sliding-window layers attend to at most
their window; multi-head latent attention (DeepSeek) has Q = (qk_nope + qk_rope + v) / 2 (QK^T over 192 dims, AV
over 128).

End-to-end utilization is what a run delivers over its whole published hardware-hours (restarts, lost time, evals,
long-context stages included): utilization = (6ND + attention) / (hardware-hours x 3600 x dense peak at the run's
precision). It is below a steady-state step MFU (Megatron-LM 44-52%), and it is what a planner pays for.

The default is derived from `training_runs.csv` by one stated rule (`utilization_fit`):
- one run per model: its `total` row where published, else `pre-training`; a run whose GPU, hours, parameters and
  tokens repeat another's is counted once (Llama 3.3 70B's card repeats Llama 3.1 70B's 7.0M hours);
- runs without published tokens are skipped (gpt-oss);
- per precision family (16-bit: bf16/fp16 or unstated; fp8), against that family's dense peak;
- central = the median; band = the 10th to 90th percentile (linear interpolation), so it holds most runs;
- a family with fewer than MIN_RUNS_FOR_BAND runs keeps its median and borrows the 16-bit band's relative width.
A run file edit moves the default at the next recompute.
"""

from __future__ import annotations

import polars as pl

from costmodel.hardware import gpu_table, peaks_at

SECONDS_PER_HOUR = 3600.0
BAND_QUANTILES = (0.10, 0.90)
MIN_RUNS_FOR_BAND = 3
SCOPE_PREFERENCE = ("total", "pre-training")
SIXTEEN_BIT = "16-bit"


def precision_family(precision: str | None) -> str:
    """fp8 (and below) runs are scored against the FP8 peak; everything else against the 16-bit peak."""
    return "fp8" if precision in ("fp8", "fp4", "int8") else SIXTEEN_BIT


def attention_head_dim(arch: dict) -> float:
    """Q of the PaLM attention term: the head dim, or for multi-head latent attention the mean of its QK and V dims."""
    if arch.get("mla_kv_lora_rank") is not None and arch.get("mla_qk_nope_head_dim") is not None:
        qk = arch["mla_qk_nope_head_dim"] + arch["mla_qk_rope_head_dim"]
        return (qk + (arch.get("mla_v_head_dim") or arch["mla_qk_nope_head_dim"])) / 2.0
    return arch["head_dim"]


def attention_flops_per_token(
    layers: float,
    heads: float,
    head_dim: float,
    sequence_length: float,
    window: float | None = None,
    windowed_layers: float | None = None,
) -> float:
    """12 x heads x head_dim x (full layers x T + windowed layers x min(T, window)) training FLOPs per token."""
    if window is None:
        windowed, span = 0.0, sequence_length
    else:
        windowed, span = (layers if windowed_layers is None else windowed_layers), min(sequence_length, window)
    return 12.0 * heads * head_dim * ((layers - windowed) * sequence_length + windowed * span)


def attention_flops_for(arch: dict | None, sequence_length: float | None = None) -> tuple[float, str]:
    """(attention training FLOPs per token, how they were counted) for a model architecture row."""
    if arch is None:
        return 0.0, "no architecture in model_architectures.csv: 6ND only"
    seq = sequence_length or arch.get("training_sequence_length")
    if not seq:
        return 0.0, "no training sequence length in model_architectures.csv: 6ND only"
    q = attention_head_dim(arch)
    flops = attention_flops_per_token(
        arch["layers"], arch["attention_heads"], q, seq, arch.get("attention_window"), arch.get("windowed_layers")
    )
    return flops, (
        f"PaLM appendix B: 12 x {arch['layers']:g} layers x {arch['attention_heads']:g} heads x {q:g} head dim x "
        f"{seq:g} tokens per sequence" + (" (windowed layers capped)" if arch.get("attention_window") else "")
    )


def with_attention_flops(frame: pl.DataFrame, architectures: pl.DataFrame | None, tokens: str) -> pl.DataFrame:
    """Add flops_attention_per_token, flops_attention (x `tokens`) and attention_basis for each row's `model`."""
    archs = {} if architectures is None else {r["model"]: r for r in architectures.iter_rows(named=True)}
    models = frame["model"].unique().to_list()
    table = pl.DataFrame(
        [
            {
                "model": m,
                **dict(
                    zip(
                        ("flops_attention_per_token", "attention_basis"), attention_flops_for(archs.get(m)), strict=True
                    )
                ),
            }
            for m in models
        ],
        schema={"model": pl.String, "flops_attention_per_token": pl.Float64, "attention_basis": pl.String},
    )
    return frame.join(table, on="model", how="left").with_columns(
        (pl.col("flops_attention_per_token") * pl.col(tokens)).alias("flops_attention")
    )


def implied_utilization(
    runs: pl.DataFrame, models: pl.DataFrame, specs: pl.DataFrame, architectures: pl.DataFrame | None
) -> pl.DataFrame:
    """Every published run with the utilization it implies: (6ND + attention) / (hours x 3600 x peak at its precision).

    Also `implied_mfu`, the old 6ND-only figure against the 16-bit peak, for comparison.
    """
    sixteen = gpu_table(specs).select("gpu_model", pl.col("peak_tflops_dense").alias("_peak16"))
    fp8 = peaks_at(specs, "fp8", strict=True).select("gpu_model", pl.col("peak_tflops_dense").alias("_peak8"))
    frame = (
        runs.join(models.select("model", "params_active", "params_total", "training_tokens"), on="model", how="left")
        .join(sixteen, on="gpu_model", how="left")
        .join(fp8, on="gpu_model", how="left")
        .with_columns(
            (6 * pl.col("params_active") * pl.col("training_tokens")).alias("training_flops"),
            pl.col("precision")
            .map_elements(precision_family, return_dtype=pl.String, skip_nulls=False)
            .alias("precision_family"),
        )
    )
    frame = with_attention_flops(frame, architectures, "training_tokens")
    peak = pl.when(pl.col("precision_family") == "fp8").then(pl.col("_peak8")).otherwise(pl.col("_peak16"))
    return frame.with_columns(
        peak.alias("utilization_peak_tflops"),
        (pl.col("training_flops") / (pl.col("hardware_hours") * SECONDS_PER_HOUR * pl.col("_peak16") * 1e12)).alias(
            "implied_mfu"
        ),
        (
            (pl.col("training_flops") + pl.col("flops_attention"))
            / (pl.col("hardware_hours") * SECONDS_PER_HOUR * peak * 1e12)
        ).alias("implied_utilization"),
    ).drop("_peak16", "_peak8")


def fit_runs(implied: pl.DataFrame) -> pl.DataFrame:
    """The runs the default is fitted on (see the module doc): one per model, duplicates once, tokens known."""
    rank = {s: i for i, s in enumerate(SCOPE_PREFERENCE)}
    return (
        implied.filter(pl.col("scope").is_in(SCOPE_PREFERENCE) & pl.col("implied_utilization").is_not_null())
        .with_columns(pl.col("scope").replace_strict(rank, return_dtype=pl.Int64).alias("_rank"))
        .sort("model", "_rank")
        .unique("model", keep="first", maintain_order=True)
        .unique(["gpu_model", "hardware_hours", "params_active", "training_tokens"], keep="first", maintain_order=True)
        .drop("_rank")
        .sort("implied_utilization")
    )


def utilization_fit(implied: pl.DataFrame) -> dict[str, dict]:
    """Per precision family: central, low, high, how many runs, which, and the rule, as a dict."""
    runs = fit_runs(implied)
    out: dict[str, dict] = {}
    for family in (SIXTEEN_BIT, "fp8"):
        values = runs.filter(pl.col("precision_family") == family)["implied_utilization"]
        if values.is_empty():
            continue
        central = float(values.median())
        low = float(values.quantile(BAND_QUANTILES[0], interpolation="linear"))
        high = float(values.quantile(BAND_QUANTILES[1], interpolation="linear"))
        out[family] = {
            "central": central,
            "low": low,
            "high": high,
            "runs": values.len(),
            "models": runs.filter(pl.col("precision_family") == family)["model"].to_list(),
        }
    base = out.get(SIXTEEN_BIT)
    for family, fit in out.items():
        if fit["runs"] < MIN_RUNS_FOR_BAND and base is not None and family != SIXTEEN_BIT:
            fit["low"] = fit["central"] * base["low"] / base["central"]
            fit["high"] = min(1.0, fit["central"] * base["high"] / base["central"])
            fit["band_borrowed"] = True
    for family, fit in out.items():
        fit["basis"] = basis_text(family, fit)
    return out


def basis_text(family: str, fit: dict) -> str:
    borrowed = " (band: the 16-bit band's relative width, too few runs)" if fit.get("band_borrowed") else ""
    return (
        f"derived: median end-to-end utilization of {fit['runs']} published {family} run(s) in training_runs.csv "
        f"({fit['central']:.3f}); band p10-p90 {fit['low']:.3f}-{fit['high']:.3f}{borrowed}; "
        "(6ND + attention FLOPs) / (hardware-hours x dense peak at the run's precision)"
    )


def default_utilization(
    runs: pl.DataFrame | None,
    models: pl.DataFrame,
    specs: pl.DataFrame,
    architectures: pl.DataFrame | None,
    precision: str = "bf16",
) -> dict | None:
    """The derived default for a training precision (None without published runs of either family)."""
    if runs is None or runs.is_empty():
        return None
    fits = utilization_fit(implied_utilization(runs, models, specs, architectures))
    family = precision_family(precision)
    if family in fits:
        return fits[family]
    base = fits.get(SIXTEEN_BIT)
    if base is None:
        return None
    # No published run at this precision: the 16-bit utilization is applied to its peak, and the basis says so.
    return {**base, "basis": base["basis"] + f"; no published {family} run: the 16-bit figure is applied"}
