"""Reference data files (GPU specs, GPU aliases, reference models): read, typed and checked.

They are versioned CSV files in assets/reference/data/, edited by hand, one cited
source per row. A bad edit fails with the file, the row and the column at fault.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
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
    package: str = DATA_PACKAGE  # the package holding the file (a domain may keep its own data files)
    check: Callable[[pl.DataFrame], None] | None = None  # checks that span rows or files; raise ReferenceDataError

    @property
    def path(self) -> str:
        """The file's path in the repository, for descriptions and error messages."""
        return f"{self.package.replace('.', '/')}/{self.name}"

    def read_bytes(self) -> bytes:
        return resources.files(self.package).joinpath(self.name).read_bytes()

    def content_hash(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()[:16]

    def load(self) -> pl.DataFrame:
        return parse_reference(self, self.read_bytes())


def _typed(column: str, dtype: pl.DataType) -> pl.Expr:
    """A text column as its type: numbers cast, booleans written true/false (any case)."""
    if dtype == pl.Boolean:
        return (
            pl.col(column)
            .str.to_lowercase()
            .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
        )
    return pl.col(column).cast(dtype, strict=False)


def parse_reference(ref: ReferenceFile, body: bytes) -> pl.DataFrame:
    """Parse a reference CSV strictly: known columns, typed values, required cells, unique keys.

    Every error names the file, the line (the header is line 1) and the column, so an edit can be fixed
    from the message alone.
    """
    try:
        text = pl.read_csv(io.BytesIO(body), infer_schema=False)
    except pl.exceptions.ComputeError as exc:
        raise ReferenceDataError(f"{ref.name}: not a CSV file polars can read ({exc})") from exc
    missing = [c for c in ref.schema if c not in text.columns]
    if missing:
        raise ReferenceDataError(f"{ref.name}: line 1 (header): missing column(s) {', '.join(missing)}")
    text = text.select(list(ref.schema)).with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    typed = text.with_columns(_typed(c, t) for c, t in ref.schema.items() if t != pl.String)
    for column, dtype in ref.schema.items():
        bad = text.with_row_index("line", offset=2).filter(pl.col(column).is_not_null() & typed[column].is_null())
        if bad.height:
            raise ReferenceDataError(
                f"{ref.name}: line {bad['line'][0]}, column {column}: {bad[column][0]!r} is not a valid {dtype}"
            )
    for column in ref.required:
        empty = typed.with_row_index("line", offset=2).filter(pl.col(column).is_null())
        if empty.height:
            raise ReferenceDataError(f"{ref.name}: line {empty['line'][0]}, column {column}: empty, but required")
    lines = typed.with_row_index("line", offset=2).filter(pl.struct(list(ref.key)).is_duplicated())
    if lines.height:
        first = lines.filter(pl.struct(list(ref.key)) == pl.struct(list(ref.key)).first())["line"]
        raise ReferenceDataError(
            f"{ref.name}: lines {first[0]} and {first[1]}, column(s) {', '.join(ref.key)}: "
            f"duplicate key {ref.key}: {lines.select(ref.key).row(0)}"
        )
    return typed


def _check_patterns(aliases: pl.DataFrame) -> None:
    for pattern in aliases["instance_pattern"].drop_nulls():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ReferenceDataError(
                f"gpu_aliases.csv: instance_pattern {pattern!r} is not a valid regular expression: {exc}"
            ) from exc


PRECISIONS = ("bf16", "fp16", "fp8", "int8", "fp4")
INTRA_LINKS = ("nvlink", "nvswitch", "pcie", "xgmi", "ici", "none")
INTER_LINKS = ("infiniband", "efa", "roce", "ici", "ethernet", "none")
THROUGHPUT_PHASES = ("both", "decode", "prefill")


def _check_values(name: str, frame: pl.DataFrame, column: str, allowed: tuple[str, ...]) -> None:
    bad = sorted(set(frame[column].drop_nulls()) - set(allowed))
    if bad:
        raise ReferenceDataError(f"{name}: unknown {column} value(s) {bad} (known: {', '.join(allowed)})")


def _check_specs(specs: pl.DataFrame) -> None:
    _check_values("gpu_specs.csv", specs, "intra_node_link", INTRA_LINKS)
    _check_values("gpu_specs.csv", specs, "server_power_kind", ("max", "measured_mean"))
    unsourced = specs.filter(pl.col("server_power_w_per_gpu").is_not_null() & pl.col("server_power_source").is_null())
    if unsourced.height:
        raise ReferenceDataError(
            f"gpu_specs.csv: server_power_w_per_gpu without a source for {unsourced['gpu_model'][0]}"
        )


def _check_throughput(throughput: pl.DataFrame) -> None:
    _check_values("inference_throughput.csv", throughput, "phase", THROUGHPUT_PHASES)
    _check_values("inference_throughput.csv", throughput, "precision", PRECISIONS)
    _check_values("inference_throughput.csv", throughput, "kv_precision", PRECISIONS)


def _check_architectures(archs: pl.DataFrame) -> None:
    moe = archs.filter(pl.col("moe_experts").is_not_null())
    incomplete = moe.filter(pl.col("moe_experts_per_token").is_null() | pl.col("moe_expert_hidden_size").is_null())
    if incomplete.height:
        raise ReferenceDataError(
            f"model_architectures.csv: {incomplete['model'][0]} has moe_experts but no experts per token or expert size"
        )
    half_mla = archs.filter(pl.col("mla_kv_lora_rank").is_not_null() != pl.col("mla_qk_rope_head_dim").is_not_null())
    if half_mla.height:
        raise ReferenceDataError(
            f"model_architectures.csv: {half_mla['model'][0]} needs both MLA latent dims or neither"
        )


def _check_interconnect(table: pl.DataFrame) -> None:
    _check_values("instance_interconnect.csv", table, "interconnect_intra", INTRA_LINKS)
    _check_values("instance_interconnect.csv", table, "interconnect_inter", INTER_LINKS)
    for pattern in table["instance_pattern"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ReferenceDataError(
                f"instance_interconnect.csv: instance_pattern {pattern!r} is not a valid regular expression: {exc}"
            ) from exc


GPU_SPECS = ReferenceFile(
    name="gpu_specs.csv",
    table="gpu_specs",
    schema={
        "gpu_model": pl.String,
        "vendor": pl.String,
        "tflops_bf16_dense": pl.Float64,
        "tflops_fp16_dense": pl.Float64,
        "tflops_fp8_dense": pl.Float64,
        "memory_gb": pl.Float64,
        "memory_bandwidth_tbps": pl.Float64,
        "tdp_w": pl.Float64,
        "source": pl.String,
        "notes": pl.String,
        "tflops_fp4_dense": pl.Float64,
        "server_power_w_per_gpu": pl.Float64,
        "server_power_kind": pl.String,
        "server_power_source": pl.String,
        "form_factor": pl.String,
        "intra_node_link": pl.String,
        "intra_node_bandwidth_gb_per_s": pl.Float64,
        "intra_node_source": pl.String,
        "release_date": pl.String,
        "tops_int8_dense": pl.Float64,
    },
    required=("gpu_model", "vendor", "source"),
    key=("gpu_model",),
    description="Accelerator specs: dense BF16/FP16/FP8/FP4 TFLOP/s (no sparsity), memory, bandwidth, TDP, "
    "server-level power per GPU, the link between GPUs in a node, release date; one cited source per row.",
    check=_check_specs,
)

GPU_ALIASES = ReferenceFile(
    name="gpu_aliases.csv",
    table="gpu_aliases",
    schema={
        "alias": pl.String,
        "provider": pl.String,
        "instance_pattern": pl.String,
        "gpu_count": pl.Float64,
        "gpu_model": pl.String,
        "source": pl.String,
    },
    required=("alias", "gpu_model", "source"),
    key=("alias", "provider", "instance_pattern"),
    description="Every GPU name seen at a provider, mapped to one canonical GPU model (optionally narrowed by provider "
    "and instance-type pattern).",
)

REFERENCE_MODELS = ReferenceFile(
    name="reference_models.csv",
    table="reference_models",
    schema={
        "model": pl.String,
        "params_total": pl.Float64,
        "params_active": pl.Float64,
        "training_tokens": pl.Float64,
        "source": pl.String,
        "notes": pl.String,
    },
    required=("model", "params_total", "params_active", "source"),
    key=("model",),
    description="Reference AI models: total and active parameters, training tokens, each with its source.",
)

MODEL_ARCHITECTURES = ReferenceFile(
    name="model_architectures.csv",
    table="model_architectures",
    schema={
        "model": pl.String,
        **{
            c: pl.Float64
            for c in (
                "layers",
                "hidden_size",
                "attention_heads",
                "kv_heads",
                "head_dim",
                "vocab_size",
                "context_length",
                "training_sequence_length",
                "ffn_hidden_size",
                "moe_experts",
                "moe_experts_per_token",
                "moe_shared_experts",
                "moe_expert_hidden_size",
                "moe_dense_layers",
                "mla_kv_lora_rank",
                "mla_qk_rope_head_dim",
                "mla_qk_nope_head_dim",
                "mla_v_head_dim",
                "attention_window",
                "windowed_layers",
            )
        },
        "source": pl.String,
        "notes": pl.String,
    },
    required=("model", "layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "source"),
    key=("model",),
    description="Each reference model's architecture from its published config or paper: layers, hidden size, "
    "attention and KV heads, head dim, vocabulary, context and training sequence length; mixture-of-experts counts "
    "and sizes; multi-head latent attention dims; sliding-window layers. What the serving model and the attention "
    "FLOPs read.",
    check=_check_architectures,
)

INSTANCE_INTERCONNECT = ReferenceFile(
    name="instance_interconnect.csv",
    table="instance_interconnect",
    schema={
        "provider": pl.String,
        "instance_pattern": pl.String,
        "gpus_per_instance": pl.Float64,
        "interconnect_intra": pl.String,
        "interconnect_inter": pl.String,
        "inter_node_gbps": pl.Float64,
        "multi_node_clusters": pl.Boolean,
        "max_cluster_gpus": pl.Float64,
        "source": pl.String,
        "notes": pl.String,
    },
    required=("provider", "instance_pattern", "multi_node_clusters", "source"),
    key=("provider", "instance_pattern"),
    description="What links the GPUs of an instance family (NVLink/NVSwitch, PCIe, Infinity Fabric, TPU ICI) and its "
    "nodes (InfiniBand, EFA, RoCE, ICI, Ethernet), and whether the provider sells multi-node clusters of it; one cited "
    "source per row. instance_pattern is a regular expression on the instance type.",
    check=_check_interconnect,
)

TRAINING_RUNS = ReferenceFile(
    name="training_runs.csv",
    table="training_runs",
    schema={
        "model": pl.String,
        "scope": pl.String,
        "gpu_model": pl.String,
        "hardware_hours": pl.Float64,
        "gpus": pl.Float64,
        "wall_clock_days": pl.Float64,
        "published_cost_usd": pl.Float64,
        "published_price_per_gpu_hour_usd": pl.Float64,
        "source": pl.String,
        "notes": pl.String,
        "precision": pl.String,
    },
    required=("model", "scope", "gpu_model", "hardware_hours", "source"),
    key=("model", "scope"),
    description="Published training runs: the hardware-hours (and cost, where given) each reference model's training "
    "took, with the source.",
)

INFERENCE_THROUGHPUT = ReferenceFile(
    name="inference_throughput.csv",
    table="inference_throughput",
    schema={
        "model": pl.String,
        "gpu_model": pl.String,
        "gpus": pl.Float64,
        "precision": pl.String,
        "input_tokens": pl.Float64,
        "output_tokens": pl.Float64,
        "tokens_per_second": pl.Float64,
        "source": pl.String,
        "notes": pl.String,
        "tensor_parallel": pl.Float64,
        "kv_precision": pl.String,
        "concurrency": pl.Float64,
        "tokens_per_second_per_user": pl.Float64,
        "ttft_ms": pl.Float64,
        "phase": pl.String,
        "scenario": pl.String,
        "framework": pl.String,
    },
    required=("model", "gpu_model", "gpus", "tokens_per_second", "source", "phase"),
    key=(
        "model",
        "gpu_model",
        "gpus",
        "precision",
        "input_tokens",
        "output_tokens",
        "concurrency",
        "phase",
        "scenario",
    ),
    description="Measured inference throughput for reference models, each with its source: tokens per second of a "
    "group of GPUs (phase both or decode: generated tokens; prefill: input tokens), with precision, lengths, "
    "concurrency and latency where published.",
    check=_check_throughput,
)

GPU_PURCHASE_PRICES = ReferenceFile(
    name="gpu_purchase_prices.csv",
    table="gpu_purchase_prices",
    schema={
        "gpu_model": pl.String,
        "server_price_per_gpu_usd": pl.Float64,
        "price_date": pl.String,
        "source": pl.String,
        "notes": pl.String,
        "price_kind": pl.String,
    },
    required=("gpu_model", "server_price_per_gpu_usd", "price_date", "source", "price_kind"),
    key=("gpu_model",),
    description="Purchase prices of GPU servers, per GPU (server price / GPUs), dated and sourced: the capex behind "
    "owned-hardware costs.",
)

SCENARIOS = ReferenceFile(
    name="scenarios.csv",
    table="scenarios",
    schema={
        "name": pl.String,
        "kind": pl.String,
        "description": pl.String,
        "gpu_model": pl.String,
        **{
            c: pl.Float64
            for c in (
                "params_active",
                "training_tokens",
                "peak_tflops_dense",
                "mfu",
                "price_per_gpu_hour_usd",
                "daily_users",
                "queries_per_user_per_day",
                "queries_per_second",
                "tokens_per_query",
                "tokens_per_second_per_gpu",
                "utilization",
                "gpus_per_server",
                "servers",
                "budget_usd",
                "server_price_usd",
                "server_power_kw",
                "tariff_usd_per_kwh",
                "pue",
            )
        },
        "source": pl.String,
        "notes": pl.String,
        "model": pl.String,
        "precision": pl.String,
        **{c: pl.Float64 for c in ("input_tokens", "claimed_cost_usd", "cards", "months", "cluster_gpus")},
        "reference_scenarios": pl.String,
        "as_of": pl.String,
    },
    required=("name", "kind", "description", "gpu_model", "source"),
    key=("name",),
    description="Named scenarios of the seed analysis (training, serving, fleet), each with the assumptions its source "
    "stated.",
)

SCENARIO_PUBLISHED = ReferenceFile(
    name="scenario_published.csv",
    table="scenario_published",
    schema={
        "scenario": pl.String,
        "metric": pl.String,
        "published_value": pl.Float64,
        "significant_digits": pl.Int64,
        "as_written": pl.String,
        "source": pl.String,
        "role": pl.String,
    },
    required=("scenario", "metric", "published_value", "significant_digits", "source"),
    key=("scenario", "metric"),
    description="The figures each seed scenario published (value, precision as written, source): what the cost model "
    "must reproduce.",
)

PRICE_CONFIRMATIONS = ReferenceFile(
    name="price_confirmations.csv",
    table="price_confirmations",
    schema={
        "source": pl.String,
        "provider": pl.String,
        "region": pl.String,
        "instance_type": pl.String,
        "pricing": pl.String,
        "commitment_term": pl.String,
        "price_per_hour_usd": pl.Float64,
        "confirmed_on": pl.String,
        "confirmed_by": pl.String,
        "source_note": pl.String,
    },
    required=("source", "provider", "instance_type", "pricing", "price_per_hour_usd", "confirmed_on", "confirmed_by"),
    key=("source", "provider", "region", "instance_type", "pricing", "commitment_term", "price_per_hour_usd"),
    description="Held prices (implausible for their GPU model, or a >5x jump) that a person checked and confirmed: "
    "the exact price is then released into the marts. Usually empty.",
)

REFERENCE_FILES = (
    GPU_SPECS,
    GPU_ALIASES,
    REFERENCE_MODELS,
    MODEL_ARCHITECTURES,
    INSTANCE_INTERCONNECT,
    TRAINING_RUNS,
    INFERENCE_THROUGHPUT,
    GPU_PURCHASE_PRICES,
    SCENARIOS,
    SCENARIO_PUBLISHED,
    PRICE_CONFIRMATIONS,
)

# Columns that must name a row of another file: (file, column, target file, target column).
REFERENCES = (
    (GPU_ALIASES, "gpu_model", GPU_SPECS, "gpu_model"),
    (MODEL_ARCHITECTURES, "model", REFERENCE_MODELS, "model"),
    (TRAINING_RUNS, "model", REFERENCE_MODELS, "model"),
    (TRAINING_RUNS, "gpu_model", GPU_SPECS, "gpu_model"),
    (INFERENCE_THROUGHPUT, "model", REFERENCE_MODELS, "model"),
    (INFERENCE_THROUGHPUT, "gpu_model", GPU_SPECS, "gpu_model"),
    (GPU_PURCHASE_PRICES, "gpu_model", GPU_SPECS, "gpu_model"),
    (SCENARIOS, "gpu_model", GPU_SPECS, "gpu_model"),
    (SCENARIOS, "model", REFERENCE_MODELS, "model"),
    (SCENARIO_PUBLISHED, "scenario", SCENARIOS, "name"),
)
PUBLISHED_ROLES = ("reproduce", "claim", "upper_bound")
SCENARIO_KINDS = ("training", "serving", "fleet", "budget_runs", "claim_check", "months_on_cluster", "cost_decline")


def load_checked(ref: ReferenceFile, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """Load a reference file (or check a parsed `frame` of it) with the checks that span rows and files:
    named rows exist in the files they name, patterns compile, scenario kinds are known."""
    frame = ref.load() if frame is None else frame
    if ref.check is not None:
        ref.check(frame)
    if ref is GPU_ALIASES:
        _check_patterns(frame)
    if ref is SCENARIOS:
        bad = sorted(set(frame["kind"]) - set(SCENARIO_KINDS))
        if bad:
            raise ReferenceDataError(f"scenarios.csv: unknown kind(s) {bad} (known: {', '.join(SCENARIO_KINDS)})")
    if ref is SCENARIO_PUBLISHED:
        _check_values("scenario_published.csv", frame, "role", PUBLISHED_ROLES)
    for source, column, target, target_column in REFERENCES:
        if source is ref:
            unknown = set(frame[column].drop_nulls()) - set(target.load()[target_column])
            if unknown:
                raise ReferenceDataError(f"{ref.name}: {column}(s) not in {target.name}: {sorted(unknown)}")
    return frame
