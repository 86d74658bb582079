"""Serving a model: KV cache, replica and batch, prefill and decode, precision, and what a token costs.

The architecture of each model comes from assets/reference/data/model_architectures.csv (`Architecture`). A replica
of r GPUs (tensor parallel inside a node, pipeline across nodes) holds the weights once and a KV cache per sequence
in flight. Two phases are modeled separately:

- prefill (the input tokens, compute-bound): 2 x N_active FLOPs per token plus attention to the tokens before it
  (on average half the input: causal), at the dense peak of the weights' precision x COMPUTE_EFFICIENCY;
- decode (one output token per sequence per step): a step reads the weights once for the whole batch (for a mixture
  of experts: the shared weights plus every distinct expert the batch routes to, E x (1 - (1 - k/E)^batch) per MoE
  layer in expectation), and each sequence's KV cache; it computes 2 x N_active FLOPs plus attention over the
  context per sequence. A step's kernels run one after another in three groups (the always-read weights' GEMMs,
  the routed experts' GEMMs, attention over the KV cache), each at its roofline: max(bytes / (bandwidth x
  BANDWIDTH_EFFICIENCY), FLOPs / (peak x COMPUTE_EFFICIENCY)); the step is their sum plus the tensor-parallel
  collectives (2 per layer: COLLECTIVE_LATENCY_S + bytes / link) and a fixed STEP_OVERHEAD_S.

KV cache per token: 2 x layers x kv_heads x head_dim x bytes (multi-head and grouped-query attention), or layers x
(kv_lora_rank + qk_rope_head_dim) x bytes (multi-head latent attention, DeepSeek); sliding-window layers hold at most
their window. Memory: the replica's usable memory (USABLE_MEMORY_FRACTION) holds the weights and the batch's KV at
the mean context of a sequence in flight (input + output / 2: paged caches hold what has been generated).

The batch is the largest that fits, limited by the latency targets (tokens per second per user = 1 / step time;
time to first token = the input's prefill on the replica + one step). The replica is the smallest that holds the
weights and one sequence, or a doubling of it (up to REPLICA_DOUBLINGS) when that serves more tokens per GPU (a
bigger replica leaves more memory for the batch). `bound` names what limits throughput: compute, bandwidth,
memory capacity (the batch is memory-limited while the step is bandwidth-bound) or latency target.

A workload of I input and O output tokens per query takes I / prefill + O / decode GPU-seconds per GPU: $/1M input
tokens and $/1M output tokens follow from each phase's share, a blended figure from the mix.

Constants are global (per precision at most) and argued where they are defined; the model is compared with every
measured row of inference_throughput.csv by `validate_serving` (marts.inference_validation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import polars as pl

from costmodel.hardware import BYTES_PER_ELEMENT, gpu_table
from costmodel.offers import USABLE_MEMORY_FRACTION

# Attained share of nameplate HBM bandwidth in decode: streaming microbenchmarks reach 85-90% of nameplate on
# H100/H200 HBM3; decode steps interleave weight GEMVs, attention over paged KV and small kernels, ~80%.
BANDWIDTH_EFFICIENCY = 0.80
# Attained share of the dense tensor peak in prefill and compute-bound decode: large GEMMs reach ~70% of the 16-bit
# and FP8 peaks in cuBLAS/CUTLASS; attention, norms, activations, sampling and scheduling take ~25-30% of a
# forward pass (0.7 x 0.72 = 0.5). FP4 GEMMs need block-scale handling and reach less of their 2x peak (~0.55 x 0.72).
COMPUTE_EFFICIENCY = {"bf16": 0.50, "fp16": 0.50, "fp8": 0.50, "int8": 0.50, "fp4": 0.40}
# One small all-reduce (or all-to-all) over NVLink/NVSwitch, Infinity Fabric or ICI takes ~10 us (NCCL's latency
# floor on one 8-GPU node); over PCIe, ~30 us. Tensor parallelism does two per layer per step.
COLLECTIVE_LATENCY_S = {"nvswitch": 10e-6, "nvlink": 10e-6, "xgmi": 10e-6, "ici": 10e-6, "pcie": 30e-6}
COLLECTIVES_PER_LAYER = 2
ACTIVATION_BYTES = 2.0  # BF16 activations cross the link
REPLICA_DOUBLINGS = 2  # try the smallest replica, 2x and 4x it
# Tensor cores multiply tiles: a GEMM's token dimension is computed in blocks of 128 rows (CUTLASS/cuBLAS Hopper and
# Blackwell kernels, MMA tiles of 64-128), so a weight matrix multiplied by M tokens costs ceil(M / 128) x 128 rows of
# math. In decode each routed expert sees only batch x k / (distinct experts) tokens, so its tiles run part-empty.
GEMM_TILE_TOKENS = 128
# A decode iteration also costs fixed host and launch time whatever its size: scheduling, sampling, kernel launches
# and synchronisation. TensorRT-LLM's batch-1 GPT-J decode (H100vsA100 blog: 111 tokens/s on an A100, 185 on an H100)
# sits 1.6-3 ms per step above its memory-bandwidth floor; 2 ms per step.
STEP_OVERHEAD_S = 2e-3
NODE_GPUS = 8  # tensor parallel inside an 8-GPU node; beyond it, whole nodes in a pipeline
MAX_REPLICA_GPUS = 512
# The workload the marts price when none is given: ChatGPT's 2023 answer length (SemiAnalysis: 2,000 tokens per
# response is the seed analysis's figure, output) after a 1,000-token prompt, and the interactivity of MLPerf's
# Llama 2 70B Server scenario (TTFT <= 2 s, TPOT <= 200 ms, i.e. >= 5 tokens/s per user).
DEFAULT_INPUT_TOKENS = 1000.0
DEFAULT_OUTPUT_TOKENS = 1000.0
DEFAULT_TOKENS_PER_SECOND_PER_USER = 5.0
DEFAULT_TTFT_S = 2.0
SERVING_PRECISIONS = ("bf16", "fp8", "fp4")
BOUNDS = ("compute", "bandwidth", "memory capacity", "latency target")


class ServingError(ValueError):
    """The workload cannot be served as asked (context too long, nothing fits, a latency target nobody meets)."""


@dataclass(frozen=True)
class Architecture:
    """What serving needs to know about a model (model_architectures.csv + reference_models.csv)."""

    model: str
    params_total: float
    params_active: float
    layers: float
    hidden_size: float
    attention_heads: float
    kv_heads: float
    head_dim: float
    context_length: float | None = None
    moe_experts: float | None = None
    moe_experts_per_token: float | None = None
    moe_shared_experts: float | None = None
    moe_expert_hidden_size: float | None = None
    moe_dense_layers: float | None = None
    mla_kv_lora_rank: float | None = None
    mla_qk_rope_head_dim: float | None = None
    mla_qk_nope_head_dim: float | None = None
    mla_v_head_dim: float | None = None
    attention_window: float | None = None
    windowed_layers: float | None = None
    source: str = field(default="", compare=False)

    @classmethod
    def from_rows(cls, model: dict, arch: dict) -> Architecture:
        keys = set(cls.__dataclass_fields__) - {"model", "params_total", "params_active", "source"}
        return cls(
            model=model["model"],
            params_total=model["params_total"],
            params_active=model["params_active"],
            source=arch.get("source") or "",
            **{k: arch.get(k) for k in keys},
        )

    @property
    def is_mla(self) -> bool:
        return self.mla_kv_lora_rank is not None

    @property
    def is_moe(self) -> bool:
        return bool(self.moe_experts)

    @property
    def moe_layers(self) -> float:
        return (self.layers - (self.moe_dense_layers or 0.0)) if self.is_moe else 0.0

    @property
    def expert_params(self) -> float:
        """One routed expert of one layer: gate, up and down projections (3 x hidden x expert hidden)."""
        return 3.0 * self.hidden_size * (self.moe_expert_hidden_size or 0.0) if self.is_moe else 0.0

    @property
    def routed_params(self) -> float:
        return self.moe_layers * (self.moe_experts or 0.0) * self.expert_params

    @property
    def always_read_params(self) -> float:
        """Weights every decode step reads whatever the routing: attention, embeddings, dense layers, shared experts."""
        return max(self.params_total - self.routed_params, 0.0)


def architectures(models: pl.DataFrame, archs: pl.DataFrame | None) -> dict[str, Architecture]:
    """Architecture per model name, for the models that have both rows."""
    if archs is None:
        return {}
    by_model = {r["model"]: r for r in archs.iter_rows(named=True)}
    return {
        m["model"]: Architecture.from_rows(m, by_model[m["model"]])
        for m in models.iter_rows(named=True)
        if m["model"] in by_model
    }


# ---------------------------------------------------------------------------------------------------------------
# Memory


def kv_bytes_per_token(arch: Architecture, kv_bytes_per_element: float) -> float:
    """KV-cache bytes one token adds to a sequence (every layer; windowed layers stop growing at their window)."""
    if arch.is_mla:
        return arch.layers * (arch.mla_kv_lora_rank + arch.mla_qk_rope_head_dim) * kv_bytes_per_element
    return 2.0 * arch.layers * arch.kv_heads * arch.head_dim * kv_bytes_per_element


def kv_replication(arch: Architecture, replica_gpus: int) -> float:
    """Copies of each KV head a replica keeps: tensor parallelism over t GPUs splits the KV heads, so with fewer KV
    heads than GPUs (Qwen3 235B: 4 heads on 8 GPUs) each head is held, and read, t / kv_heads times. Latent
    attention (MLA) is served attention-data-parallel: one copy per sequence."""
    if arch.is_mla:
        return 1.0
    t = min(replica_gpus, NODE_GPUS)
    return max(1.0, t / arch.kv_heads)


def kv_bytes_per_sequence(arch: Architecture, context_tokens: float, kv_bytes_per_element: float) -> float:
    """KV bytes of one sequence at `context_tokens`, windowed layers capped at their window."""
    per_layer_token = kv_bytes_per_token(arch, kv_bytes_per_element) / arch.layers
    windowed = (
        (arch.windowed_layers if arch.windowed_layers is not None else arch.layers) if arch.attention_window else 0
    )
    span = min(context_tokens, arch.attention_window) if arch.attention_window else context_tokens
    return per_layer_token * ((arch.layers - windowed) * context_tokens + windowed * span)


def weights_bytes(arch: Architecture, weight_bytes_per_param: float) -> float:
    return arch.params_total * weight_bytes_per_param


def replica_sizes(limit: float | None = None, node_gpus: int = NODE_GPUS) -> list[int]:
    """Replica sizes: 1, 2, 4 ... up to a node, then whole nodes (pipeline), up to `limit` GPUs."""
    top = MAX_REPLICA_GPUS if limit is None or math.isinf(limit) else int(limit)
    sizes, r = [], 1
    while r <= min(node_gpus, top):
        sizes.append(r)
        r *= 2
    n = 2 * node_gpus
    while n <= top:
        sizes.append(n)
        n *= 2
    return sizes


def max_batch_in_memory(
    arch: Architecture, replica_gpus: int, memory_gb: float, weight_bytes: float, kv_bytes: float, context: float
) -> int:
    """Sequences whose KV cache fits beside the weights in the replica's usable memory."""
    room = replica_gpus * memory_gb * 1e9 * USABLE_MEMORY_FRACTION - weights_bytes(arch, weight_bytes)
    per_seq = kv_bytes_per_sequence(arch, context, kv_bytes) * kv_replication(arch, replica_gpus)
    return max(int(room // per_seq), 0) if per_seq > 0 else 0


def min_replica_gpus(
    arch: Architecture,
    memory_gb: float,
    weight_bytes: float,
    kv_bytes: float,
    context: float,
    batch: int = 1,
    limit: float | None = None,
) -> int | None:
    """The smallest replica (see replica_sizes) whose memory holds the weights and `batch` sequences' KV."""
    for r in replica_sizes(limit):
        if max_batch_in_memory(arch, r, memory_gb, weight_bytes, kv_bytes, context) >= batch:
            return r
    return None


# ---------------------------------------------------------------------------------------------------------------
# Compute and traffic


def distinct_experts(experts: float, experts_per_token: float, tokens: float) -> float:
    """Expected distinct experts `tokens` tokens route to in one layer, each picking k of E at random:
    E x (1 - (1 - k/E)^tokens)."""
    if not experts:
        return 0.0
    return experts * (1.0 - (1.0 - experts_per_token / experts) ** tokens)


def weights_read_per_step(arch: Architecture, batch: float, weight_bytes: float) -> float:
    """Weight bytes one decode step of `batch` sequences reads: the always-read weights, plus the distinct routed
    experts of every MoE layer."""
    routed = arch.moe_layers * distinct_experts(arch.moe_experts or 0.0, arch.moe_experts_per_token or 0.0, batch)
    return (arch.always_read_params + routed * arch.expert_params) * weight_bytes


def _attention_dims(arch: Architecture, phase: str) -> tuple[float, float]:
    """(QK dim, V dim) per head. MLA decodes in the latent space (weights absorbed: 576 and 512); it prefills
    un-absorbed (192 and 128)."""
    if arch.is_mla:
        if phase == "decode":
            return arch.mla_kv_lora_rank + arch.mla_qk_rope_head_dim, arch.mla_kv_lora_rank
        nope = arch.mla_qk_nope_head_dim or arch.head_dim
        return nope + arch.mla_qk_rope_head_dim, arch.mla_v_head_dim or nope
    return arch.head_dim, arch.head_dim


def attention_flops_per_token(arch: Architecture, context: float, phase: str) -> float:
    """Inference attention FLOPs of one token attending to `context` tokens: 2 x heads x (QK + V dims) x context per
    layer, windowed layers capped at their window."""
    qk, v = _attention_dims(arch, phase)
    windowed = (
        (arch.windowed_layers if arch.windowed_layers is not None else arch.layers) if arch.attention_window else 0
    )
    span = min(context, arch.attention_window) if arch.attention_window else context
    per_layer = 2.0 * arch.attention_heads * (qk + v)
    return per_layer * ((arch.layers - windowed) * context + windowed * span)


def prefill_flops_per_token(arch: Architecture, input_tokens: float) -> float:
    """2 x N_active + attention to the tokens before it (input / 2 on average: causal)."""
    return 2.0 * arch.params_active + attention_flops_per_token(arch, input_tokens / 2.0, "prefill")


def decode_flops_per_token(arch: Architecture, context: float) -> float:
    return 2.0 * arch.params_active + attention_flops_per_token(arch, context, "decode")


@dataclass(frozen=True)
class Gpu:
    """The GPU facts serving needs, for one precision of math."""

    gpu_model: str
    peak_tflops_dense: float
    peak_precision: str
    memory_gb: float
    memory_bandwidth_tbps: float
    intra_node_link: str = "nvswitch"
    intra_node_bandwidth_gb_per_s: float | None = None

    @classmethod
    def from_row(cls, row: dict) -> Gpu:
        return cls(
            gpu_model=row["gpu_model"],
            peak_tflops_dense=row["peak_tflops_dense"],
            peak_precision=row["peak_precision"],
            memory_gb=row["memory_gb"],
            memory_bandwidth_tbps=row["memory_bandwidth_tbps"],
            intra_node_link=row.get("intra_node_link") or "pcie",
            intra_node_bandwidth_gb_per_s=row.get("intra_node_bandwidth_gb_per_s"),
        )


def collective_time_s(arch: Architecture, gpu: Gpu, replica_gpus: int, batch: float) -> float:
    """Tensor-parallel collectives of one decode step: 2 per layer, a latency floor plus the ring traffic
    2 (t - 1) / t x batch x hidden x 2 bytes over the GPU link, t = the GPUs of the replica inside one node."""
    t = min(replica_gpus, NODE_GPUS)
    if t <= 1:
        return 0.0
    latency = COLLECTIVE_LATENCY_S.get(gpu.intra_node_link, COLLECTIVE_LATENCY_S["pcie"])
    link = (gpu.intra_node_bandwidth_gb_per_s or 64.0) * 1e9 / 2.0  # one direction
    traffic = 2.0 * (t - 1) / t * batch * arch.hidden_size * ACTIVATION_BYTES
    return arch.layers * COLLECTIVES_PER_LAYER * (latency + traffic / link)


@dataclass(frozen=True)
class Step:
    """One decode step of `batch` sequences on a replica.

    compute_s / bandwidth_s: the time of the operations limited by arithmetic / by memory traffic (they add up, with
    the collectives, to time_s).
    """

    time_s: float
    compute_s: float
    bandwidth_s: float
    collective_s: float
    weights_read_bytes: float
    kv_read_bytes: float
    all_flops_s: float = 0.0  # every group at its arithmetic time (the compute-bound ceiling)
    all_bytes_s: float = 0.0  # every group at its memory time (the bandwidth-bound ceiling)


def padded_tokens(tokens: float) -> float:
    """Rows of math a GEMM over `tokens` tokens costs: whole tiles of GEMM_TILE_TOKENS (the expected count)."""
    if tokens <= 0:
        return 0.0
    return math.ceil(tokens / GEMM_TILE_TOKENS - 1e-9) * GEMM_TILE_TOKENS


def decode_step(
    arch: Architecture,
    gpu: Gpu,
    replica_gpus: int,
    batch: float,
    context: float,
    weight_bytes: float,
    kv_bytes: float,
    compute_efficiency: float,
) -> Step:
    """A decode step as three groups of kernels that run one after another, each at its own roofline:
    the always-read weights' GEMMs (attention projections, dense FFNs, shared experts, LM head), the routed experts'
    GEMMs, and attention over the KV cache. Time = sum over groups of max(bytes / bandwidth, FLOPs / peak) +
    collectives: kernels do not overlap across groups, so one group's spare bandwidth does not speed another's math
    (a single max over the whole step would credit it)."""
    bw = replica_gpus * gpu.memory_bandwidth_tbps * 1e12 * BANDWIDTH_EFFICIENCY
    peak = replica_gpus * gpu.peak_tflops_dense * 1e12 * compute_efficiency
    routed_active = arch.moe_layers * (arch.moe_experts_per_token or 0.0) * arch.expert_params
    experts_read = weights_read_per_step(arch, batch, weight_bytes) - arch.always_read_params * weight_bytes
    kv = batch * kv_bytes_per_sequence(arch, context, kv_bytes) * kv_replication(arch, replica_gpus)
    touched = distinct_experts(arch.moe_experts or 0.0, arch.moe_experts_per_token or 0.0, batch)
    per_expert = batch * (arch.moe_experts_per_token or 0.0) / touched if touched else 0.0
    expert_rows = arch.moe_layers * touched * padded_tokens(per_expert)
    groups = (
        (arch.always_read_params * weight_bytes, padded_tokens(batch) * 2.0 * (arch.params_active - routed_active)),
        (experts_read, expert_rows * 2.0 * arch.expert_params),
        (kv, batch * attention_flops_per_token(arch, context, "decode")),
    )
    compute = sum(f / peak for b, f in groups if f / peak >= b / bw)
    bandwidth = sum(b / bw for b, f in groups if f / peak < b / bw)
    collective = collective_time_s(arch, gpu, replica_gpus, batch)
    return Step(
        compute + bandwidth + collective + STEP_OVERHEAD_S,
        compute,
        bandwidth,
        collective,
        arch.always_read_params * weight_bytes + experts_read,
        kv,
        sum(f / peak for _, f in groups),
        sum(b / bw for b, _ in groups),
    )


def prefill_tokens_per_second_per_gpu(arch: Architecture, gpu: Gpu, input_tokens: float, compute_efficiency: float):
    return gpu.peak_tflops_dense * 1e12 * compute_efficiency / prefill_flops_per_token(arch, input_tokens)


# ---------------------------------------------------------------------------------------------------------------
# A serving point: replica, batch and throughput together


@dataclass(frozen=True)
class Workload:
    input_tokens: float = DEFAULT_INPUT_TOKENS
    output_tokens: float = DEFAULT_OUTPUT_TOKENS
    precision: str = "fp8"
    kv_precision: str | None = None
    tokens_per_second_per_user: float | None = None
    ttft_s: float | None = None

    @property
    def kv(self) -> str:
        return default_kv_precision(self.precision) if self.kv_precision is None else self.kv_precision

    @property
    def mean_context(self) -> float:
        """The mean context of a sequence in flight: its input plus half its output."""
        return self.input_tokens + self.output_tokens / 2.0


def default_kv_precision(weight_precision: str) -> str:
    """KV cache at the weights' precision, but not below FP8: FP4 checkpoints ship FP8 KV caches (TensorRT-LLM
    NVFP4 recipes), since a 4-bit cache costs accuracy on long contexts."""
    return "fp8" if weight_precision in ("fp4", "fp8", "int8") else weight_precision


def _check_workload(arch: Architecture, w: Workload) -> None:
    for name, value in (("precision", w.precision), ("kv_precision", w.kv)):
        if value not in BYTES_PER_ELEMENT:
            raise ServingError(f"{name} must be one of {', '.join(BYTES_PER_ELEMENT)}, got {value!r}")
    context = w.input_tokens + w.output_tokens
    if arch.context_length and context > arch.context_length:
        raise ServingError(
            f"{arch.model}: {context:,.0f} tokens of context (input + output) is beyond its {arch.context_length:,.0f}"
        )


def serving_point(
    arch: Architecture,
    gpu: Gpu,
    workload: Workload,
    *,
    replica_limit: float | None = None,
    replica_gpus: int | None = None,
    batch: int | None = None,
    compute_efficiency: float | None = None,
    weight_bytes_per_param: float | None = None,
) -> dict:
    """Replica, batch, throughput per GPU and bound for one model on one GPU at a workload.

    replica_limit: the most GPUs one replica may span (an instance's GPUs; None: whole nodes over a fabric).
    replica_gpus / batch: fixed instead of chosen. Raises ServingError when nothing fits or no latency target holds.
    """
    _check_workload(arch, workload)
    wb = weight_bytes_per_param if weight_bytes_per_param is not None else BYTES_PER_ELEMENT[workload.precision]
    kb = BYTES_PER_ELEMENT[workload.kv]
    eff = compute_efficiency if compute_efficiency is not None else COMPUTE_EFFICIENCY[gpu.peak_precision]
    r_min = min_replica_gpus(
        arch, gpu.memory_gb, wb, kb, workload.input_tokens + workload.output_tokens, 1, replica_limit
    )
    if r_min is None:
        raise ServingError(
            f"{arch.model} at {workload.precision} ({weights_bytes(arch, wb) / 1e9:,.0f} GB of weights) fits no "
            f"replica of at most {replica_limit or MAX_REPLICA_GPUS:g} {gpu.gpu_model} (the most one offer holds)"
        )
    if replica_gpus is not None:
        if replica_gpus < r_min:
            raise ServingError(f"{arch.model} needs at least {r_min} {gpu.gpu_model} per replica, not {replica_gpus}")
        candidates = [replica_gpus]
    else:
        sizes = [s for s in replica_sizes(replica_limit) if s >= r_min]
        candidates = sizes[: REPLICA_DOUBLINGS + 1]
    best, reasons = None, []
    for r in candidates:
        try:
            point = _point_at(arch, gpu, workload, r, batch, wb, kb, eff)
        except ServingError as exc:
            reasons.append(str(exc))
            continue
        if best is None or point["tokens_per_second_per_gpu"] > best["tokens_per_second_per_gpu"] * (1 + 1e-9):
            best = point
    if best is None:
        raise ServingError(reasons[-1] if reasons else f"{arch.model} cannot be served on {gpu.gpu_model}")
    return best | {
        "replica_gpus_min": r_min,
        "weight_bytes_per_param": wb,
        "kv_bytes_per_element": kb,
        "compute_efficiency": eff,
        "bandwidth_efficiency": BANDWIDTH_EFFICIENCY,
    }


def _point_at(arch, gpu, workload, r, batch, wb, kb, eff) -> dict:
    context = workload.mean_context
    b_mem = max_batch_in_memory(arch, r, gpu.memory_gb, wb, kb, context)
    if b_mem < 1:
        raise ServingError(f"{arch.model} leaves no room for a KV cache on {r} {gpu.gpu_model}")
    prefill = prefill_tokens_per_second_per_gpu(arch, gpu, workload.input_tokens, eff)

    def step(b: int) -> Step:
        return decode_step(arch, gpu, r, b, context, wb, kb, eff)

    def ttft(b: int) -> float:
        return workload.input_tokens / (prefill * r) + step(b).time_s

    def ok(b: int) -> bool:
        if workload.tokens_per_second_per_user and 1.0 / step(b).time_s < workload.tokens_per_second_per_user:
            return False
        return not (workload.ttft_s and ttft(b) > workload.ttft_s)

    if batch is not None:
        if batch > b_mem:
            raise ServingError(f"batch {batch} does not fit: {b_mem} sequences fit on {r} {gpu.gpu_model}")
        b, limited_by = batch, "given"
    else:
        if not ok(1):
            raise ServingError(_latency_miss(arch, gpu, workload, r, step(1), ttft(1)))
        lo, hi = 1, b_mem
        while lo < hi:  # the largest batch that meets the targets (step time grows with the batch)
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
        b = lo
        limited_by = "memory" if b == b_mem else "latency"
    s = step(b)
    decode = b / (s.time_s * r)
    both = workload.output_tokens / (workload.input_tokens / prefill + workload.output_tokens / decode)
    if limited_by == "latency":
        bound = "latency target"
    elif s.compute_s >= s.bandwidth_s:
        bound = "compute"
    elif limited_by == "memory":
        bound = "memory capacity"
    else:
        bound = "bandwidth"
    return {
        "replica_gpus": r,
        "batch_size": b,
        "batch_size_memory_max": b_mem,
        "kv_cache_bytes_per_token": kv_bytes_per_token(arch, kb),
        "kv_cache_bytes_per_sequence": kv_bytes_per_sequence(arch, context, kb),
        "weights_bytes": weights_bytes(arch, wb),
        "weights_read_per_step_bytes": s.weights_read_bytes,
        "kv_read_per_step_bytes": s.kv_read_bytes,
        "step_time_s": s.time_s,
        "step_compute_s": s.compute_s,
        "step_bandwidth_s": s.bandwidth_s,
        "step_collective_s": s.collective_s,
        "tokens_per_second_compute_bound": b / (s.all_flops_s * r) if s.all_flops_s else None,
        "tokens_per_second_bandwidth_bound": b / (s.all_bytes_s * r) if s.all_bytes_s else None,
        "prefill_tokens_per_second_per_gpu": prefill,
        "decode_tokens_per_second_per_gpu": decode,
        "tokens_per_second_per_gpu": both,
        "tokens_per_second_per_user": 1.0 / s.time_s,
        "ttft_s": ttft(b),
        "bound": bound,
    }


def _latency_miss(arch, gpu, workload, r, step: Step, ttft: float) -> str:
    if workload.tokens_per_second_per_user and 1.0 / step.time_s < workload.tokens_per_second_per_user:
        return (
            f"{arch.model} on {r} {gpu.gpu_model} decodes at most {1.0 / step.time_s:,.1f} tokens/s per user, below "
            f"the {workload.tokens_per_second_per_user:g} asked"
        )
    return f"{arch.model} on {r} {gpu.gpu_model} needs {ttft:.2f} s to the first token, over the {workload.ttft_s:g} s"


def serving_curve(arch: Architecture, gpu: Gpu, workload: Workload, *, replica_limit: float | None = None) -> list:
    """Throughput per GPU against speed per user: the chosen replica at batch 1, 2, 4 ... up to what fits."""
    free = Workload(workload.input_tokens, workload.output_tokens, workload.precision, workload.kv_precision)
    top = serving_point(arch, gpu, free, replica_limit=replica_limit)
    points, b = [], 1
    while True:
        b = min(b, top["batch_size_memory_max"])
        p = serving_point(arch, gpu, free, replica_gpus=top["replica_gpus"], batch=b)
        points.append(p)
        if b >= top["batch_size_memory_max"]:
            return points
        b *= 2


# ---------------------------------------------------------------------------------------------------------------
# Money


def cost_per_million(price_per_gpu_hour_usd, tokens_per_second_per_gpu, utilization=1.0):
    """$ per 1M tokens of a phase running at `tokens_per_second_per_gpu` (idle time paid for)."""
    return price_per_gpu_hour_usd / (tokens_per_second_per_gpu * utilization * 3600.0) * 1e6


def token_costs(point: dict, price_per_gpu_hour_usd: float, workload: Workload, utilization: float = 1.0) -> dict:
    """$/1M input, $/1M output, blended $/1M (input + output at the workload's mix), $ per query, $/1M generated
    tokens all-in (the old cost_per_million_tokens_usd: a query's whole GPU time over its output tokens)."""
    keys = (
        "cost_per_million_input_tokens_usd",
        "cost_per_million_output_tokens_usd",
        "cost_per_million_tokens_blended_usd",
        "cost_per_query_tokens_usd",
        "cost_per_million_tokens_usd",
    )
    if not point.get("prefill_tokens_per_second_per_gpu") or not point.get("decode_tokens_per_second_per_gpu"):
        return dict.fromkeys(keys)
    c_in = cost_per_million(price_per_gpu_hour_usd, point["prefill_tokens_per_second_per_gpu"], utilization)
    c_out = cost_per_million(price_per_gpu_hour_usd, point["decode_tokens_per_second_per_gpu"], utilization)
    i, o = workload.input_tokens, workload.output_tokens
    per_query = (i * c_in + o * c_out) / 1e6
    return {
        "cost_per_million_input_tokens_usd": c_in,
        "cost_per_million_output_tokens_usd": c_out,
        "cost_per_million_tokens_blended_usd": per_query / (i + o) * 1e6,
        "cost_per_query_tokens_usd": per_query,
        "cost_per_million_tokens_usd": per_query / o * 1e6 if o else None,
    }


def replica_price_per_gpu_hour(price_per_gpu_hour_usd: float, gpus_per_instance: float, replica_gpus: int) -> float:
    """What one GPU of a replica costs when instances come in `gpus_per_instance`: GPUs a replica cannot use are paid
    for too (3 replicas of 2 on an 8-GPU node leave 2 idle; a 16-GPU replica on 8-GPU nodes uses 2 whole nodes)."""
    g = max(gpus_per_instance, 1.0)
    if replica_gpus <= g:
        useful = math.floor(g / replica_gpus) * replica_gpus
        return price_per_gpu_hour_usd * g / useful
    paid = math.ceil(replica_gpus / g) * g
    return price_per_gpu_hour_usd * paid / replica_gpus


def gpus_for_specs(specs: pl.DataFrame, precision: str) -> dict[str, Gpu]:
    """Gpu per model for math at `precision` (GPUs without memory or bandwidth cannot be modeled)."""
    table = gpu_table(specs, precision).filter(
        pl.col("memory_gb").is_not_null() & pl.col("memory_bandwidth_tbps").is_not_null()
    )
    return {r["gpu_model"]: Gpu.from_row(r) for r in table.iter_rows(named=True)}


# ---------------------------------------------------------------------------------------------------------------
# The model against every measured row


def _measured_point(arch: Architecture, gpu: Gpu, row: dict) -> tuple[float | None, float | None, str]:
    """(modeled, measured, what was compared) for one row of inference_throughput.csv, per GPU."""
    phase = row.get("phase") or "both"
    gpus = row["gpus"]
    measured = row["tokens_per_second"] / gpus
    i, o = row.get("input_tokens"), row.get("output_tokens")
    if i is None or (o is None and phase == "both"):
        raise ServingError("input/output lengths not published with the figure")
    precision = row.get("precision") or "bf16"
    if precision == "fp16":
        precision = "bf16"
    w = Workload(i, o or 0.0, precision, row.get("kv_precision"))
    tp = row.get("tensor_parallel")
    concurrency = row.get("concurrency")
    per_user = row.get("tokens_per_second_per_user")
    if phase == "prefill":
        return (
            prefill_tokens_per_second_per_gpu(arch, gpu, i, COMPUTE_EFFICIENCY[gpu.peak_precision]),
            measured,
            ("prefill tokens/s per GPU"),
        )
    limit = gpus if gpus > 1 else None
    replica = int(tp) if tp else None
    batch = None
    if concurrency:
        r = replica or serving_point(arch, gpu, w, replica_limit=limit)["replica_gpus"]
        replica = r
        batch = max(1, round(concurrency / max(gpus / r, 1.0)))
        free = serving_point(arch, gpu, w, replica_gpus=r)
        batch = min(batch, free["batch_size_memory_max"])
    elif per_user and gpus == 1:  # a per-GPU figure of a bigger deployment at an interactivity
        w = Workload(i, o or 0.0, precision, row.get("kv_precision"), tokens_per_second_per_user=per_user)
        limit = None
    point = serving_point(arch, gpu, w, replica_limit=limit, replica_gpus=replica, batch=batch)
    if phase == "decode":
        return point["decode_tokens_per_second_per_gpu"], measured, "decode tokens/s per GPU"
    return point["tokens_per_second_per_gpu"], measured, "output tokens/s per GPU (prefill time included)"


def validate_serving(
    throughput: pl.DataFrame, models: pl.DataFrame, archs: pl.DataFrame | None, specs: pl.DataFrame
) -> pl.DataFrame:
    """The serving model against every measured row: modeled / measured, or why a row cannot be compared."""
    by_model = architectures(models, archs)
    gpus = {p: gpus_for_specs(specs, p) for p in ("bf16", "fp8", "int8", "fp4")}
    rows = []
    for row in throughput.iter_rows(named=True):
        precision = row.get("precision") or "bf16"
        family = {"fp16": "bf16"}.get(precision, precision)
        arch, gpu = by_model.get(row["model"]), gpus.get(family, {}).get(row["gpu_model"])
        modeled = measured = None
        compared, reason = None, None
        if arch is None:
            reason = "no architecture in model_architectures.csv"
        elif gpu is None:
            reason = f"{row['gpu_model']} has no peak, memory or bandwidth in gpu_specs.csv"
        else:
            try:
                modeled, measured, compared = _measured_point(arch, gpu, row)
            except ServingError as exc:
                reason = str(exc)
        rows.append(
            {
                **{k: row.get(k) for k in VALIDATION_KEYS},
                "measured_tokens_per_second_per_gpu": row["tokens_per_second"] / row["gpus"],
                "modeled_tokens_per_second_per_gpu": modeled,
                "modeled_to_measured_ratio": None if modeled is None else modeled / measured,
                "compared": compared,
                "not_compared_reason": reason,
            }
        )
    return pl.DataFrame(rows, schema=VALIDATION_SCHEMA)


def validation_summary(validation: pl.DataFrame) -> dict:
    """How many rows compare, the median modeled/measured ratio, and the worst (farthest from 1 either way)."""
    rows = validation.filter(pl.col("modeled_to_measured_ratio").is_not_null())
    if rows.is_empty():
        return {"rows": validation.height, "compared": 0}
    off = rows.with_columns(
        pl.max_horizontal(pl.col("modeled_to_measured_ratio"), 1 / pl.col("modeled_to_measured_ratio")).alias("_off")
    ).sort("_off", descending=True)
    worst = off.row(0, named=True)
    ratio = rows["modeled_to_measured_ratio"]
    within_2x = int(((ratio <= 2) & (ratio >= 0.5)).sum())
    return {
        "rows": validation.height,
        "compared": rows.height,
        "median_ratio": float(ratio.median()),
        "worst_ratio": float(worst["modeled_to_measured_ratio"]),
        "worst_row": f"{worst['model']} on {worst['gpus']:g} {worst['gpu_model']} {worst['precision']}, "
        f"{worst['scenario']}",
        "within_2x": within_2x,
    }


VALIDATION_KEYS = (
    "model",
    "gpu_model",
    "gpus",
    "tensor_parallel",
    "precision",
    "kv_precision",
    "input_tokens",
    "output_tokens",
    "concurrency",
    "tokens_per_second_per_user",
    "phase",
    "scenario",
    "framework",
    "source",
)
VALIDATION_SCHEMA = {
    "model": pl.String,
    "gpu_model": pl.String,
    "gpus": pl.Float64,
    "tensor_parallel": pl.Float64,
    "precision": pl.String,
    "kv_precision": pl.String,
    "input_tokens": pl.Float64,
    "output_tokens": pl.Float64,
    "concurrency": pl.Float64,
    "tokens_per_second_per_user": pl.Float64,
    "phase": pl.String,
    "scenario": pl.String,
    "framework": pl.String,
    "source": pl.String,
    "measured_tokens_per_second_per_gpu": pl.Float64,
    "modeled_tokens_per_second_per_gpu": pl.Float64,
    "modeled_to_measured_ratio": pl.Float64,
    "compared": pl.String,
    "not_compared_reason": pl.String,
}
