"""The serving model against hand-computed values: KV cache, replica size, prefill/decode split, distinct experts."""

import math

import pytest

from assets.reference.files import GPU_SPECS, MODEL_ARCHITECTURES, REFERENCE_MODELS
from costmodel import serving
from costmodel.serving import (
    Architecture,
    Gpu,
    ServingError,
    Workload,
    decode_step,
    distinct_experts,
    kv_bytes_per_sequence,
    kv_bytes_per_token,
    kv_replication,
    min_replica_gpus,
    prefill_tokens_per_second_per_gpu,
    replica_price_per_gpu_hour,
    serving_point,
    token_costs,
    weights_read_per_step,
)

ARCHS = serving.architectures(REFERENCE_MODELS.load(), MODEL_ARCHITECTURES.load())
FP8 = serving.gpus_for_specs(GPU_SPECS.load(), "fp8")
BF16 = serving.gpus_for_specs(GPU_SPECS.load(), "bf16")


def test_kv_bytes_per_token_for_grouped_query_attention():
    # Llama 3.1 70B: 2 (K and V) x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 bytes per token at BF16
    arch = ARCHS["Llama 3.1 70B"]
    assert kv_bytes_per_token(arch, 2.0) == 2 * 80 * 8 * 128 * 2 == 327_680
    assert kv_bytes_per_token(arch, 1.0) == 163_840  # FP8 halves it
    # 2,000 tokens of context: 655 MB per sequence
    assert kv_bytes_per_sequence(arch, 2000, 2.0) == 327_680 * 2000


def test_kv_bytes_per_token_for_multi_head_latent_attention():
    # DeepSeek-V3 caches a 512-d latent + a 64-d RoPE key per layer: 61 x 576 x 2 bytes = 70,272 at BF16, not the
    # 2 x 61 x 128 heads x 128 dims x 2 = 3,997,696 full multi-head attention would hold (57x)
    arch = ARCHS["DeepSeek-V3"]
    assert arch.is_mla and kv_bytes_per_token(arch, 2.0) == 61 * (512 + 64) * 2 == 70_272
    assert kv_replication(arch, 8) == 1.0  # served attention-data-parallel


def test_sliding_window_layers_stop_growing_at_their_window():
    # Mistral 7B: every layer windowed at 4,096: 2 x 32 x 8 x 128 x 2 = 131,072 bytes per token up to the window
    mistral = ARCHS["Mistral 7B"]
    assert kv_bytes_per_sequence(mistral, 2000, 2.0) == 131_072 * 2000
    assert kv_bytes_per_sequence(mistral, 8192, 2.0) == kv_bytes_per_sequence(mistral, 4096, 2.0) == 131_072 * 4096
    # gpt-oss-120b: 18 of 36 layers windowed at 128; per layer and token 2 x 8 x 64 x 2 = 2,048 bytes
    oss = ARCHS["gpt-oss-120b"]
    assert kv_bytes_per_sequence(oss, 10_000, 2.0) == 18 * 10_000 * 2048 + 18 * 128 * 2048


def test_kv_heads_are_replicated_when_tensor_parallelism_outruns_them():
    qwen = ARCHS["Qwen3 235B-A22B"]  # 4 KV heads
    assert kv_replication(qwen, 8) == 2.0 and kv_replication(qwen, 4) == 1.0
    assert kv_replication(ARCHS["Llama 3.1 405B"], 8) == 1.0  # 8 KV heads on 8 GPUs


@pytest.mark.parametrize(
    ("precision", "weight_bytes", "expected"),
    [
        # 405B x 2 bytes = 810 GB; an H100 holds 80 x 0.9 = 72 GB of it: 11.25 GPUs -> 8 in a node is too few, so two
        # nodes (16, pipelined)
        ("bf16", 2.0, 16),
        # 405 GB: 5.6 GPUs -> one 8-GPU node
        ("fp8", 1.0, 8),
        # NVFP4 with its scales: 405B x 0.5625 = 228 GB -> 4
        ("fp4", 0.5625, 4),
    ],
)
def test_replica_size_for_a_405b_model(precision, weight_bytes, expected):
    arch, h100 = ARCHS["Llama 3.1 405B"], FP8["H100-SXM"]
    kv = serving.BYTES_PER_ELEMENT[serving.default_kv_precision(precision)]
    assert min_replica_gpus(arch, h100.memory_gb, weight_bytes, kv, 2000) == expected
    assert serving_point(arch, h100, Workload(1000, 1000, precision))["replica_gpus_min"] == expected
    with pytest.raises(ServingError, match="fits no replica"):
        serving_point(arch, h100, Workload(1000, 1000, precision), replica_limit=expected // 2)


def test_distinct_experts_a_batch_routes_to():
    # DeepSeek-V3: 256 routed experts, 8 per token. One token: exactly 8; two: 256 x (1 - (248/256)^2) = 15.75
    assert distinct_experts(256, 8, 1) == pytest.approx(8.0)
    assert distinct_experts(256, 8, 2) == pytest.approx(256 * (1 - (248 / 256) ** 2)) == pytest.approx(15.75)
    # 64 tokens: 256 x (1 - 0.96875^64) = 256 x (1 - 0.13109) = 222.44; thousands: all 256
    assert distinct_experts(256, 8, 64) == pytest.approx(222.44, abs=0.01)
    assert distinct_experts(256, 8, 4096) == pytest.approx(256.0)
    assert distinct_experts(0, 0, 64) == 0.0  # dense


def test_a_moe_decode_step_reads_shared_weights_plus_the_experts_it_touches():
    arch = ARCHS["DeepSeek-V3"]
    # 58 MoE layers x 256 experts x 3 x 7,168 x 2,048 = 653.9B routed; the other 17.1B are read every step
    per_expert = 3 * 7168 * 2048
    assert arch.routed_params == 58 * 256 * per_expert and arch.always_read_params == pytest.approx(
        671e9 - 58 * 256 * per_expert
    )
    # active check: always-read + 58 layers x 8 experts = 37.5B, the published 37B
    assert arch.always_read_params + 58 * 8 * per_expert == pytest.approx(37e9, rel=0.02)
    one = weights_read_per_step(arch, 1, 1.0)
    assert one == pytest.approx(arch.always_read_params + 58 * 8 * per_expert)  # batch 1 reads its 37B, not 72B
    assert weights_read_per_step(arch, 4096, 1.0) == pytest.approx(671e9, rel=1e-6)


TOY = Architecture(
    model="toy",
    params_total=1e9,
    params_active=1e9,
    layers=10,
    hidden_size=512,
    attention_heads=8,
    kv_heads=8,
    head_dim=64,
    context_length=8192,
)
TOY_GPU = Gpu("toy-gpu", peak_tflops_dense=1000.0, peak_precision="bf16", memory_gb=80.0, memory_bandwidth_tbps=1.0)


def test_prefill_and_decode_split_by_hand():
    # prefill: 2 x 1e9 + attention 2 x 8 heads x (64 + 64) x 500 (half the 1,000-token input) x 10 layers
    # = 2.01024e9 FLOPs per token; at 1,000 TFLOP/s x 0.5: 248,726 input tokens/s
    flops = 2e9 + 2 * 8 * 128 * 500 * 10
    assert prefill_tokens_per_second_per_gpu(TOY, TOY_GPU, 1000, 0.5) == pytest.approx(1000e12 * 0.5 / flops)
    # decode, batch 4 at 1,500 tokens of context: weights 2 GB read once; KV 4 x 1,500 x (2 x 10 x 8 x 64 x 2 =
    # 20,480 bytes); both groups bandwidth-bound at 1 TB/s x 0.8, + the 2 ms step overhead
    step = decode_step(TOY, TOY_GPU, 1, 4, 1500, 2.0, 2.0, 0.5)
    kv = 4 * 1500 * 20_480
    assert step.kv_read_bytes == kv and step.weights_read_bytes == 2e9
    assert step.compute_s == 0.0 and step.collective_s == 0.0
    assert step.time_s == pytest.approx((2e9 + kv) / 0.8e12 + 2e-3)
    point = serving_point(TOY, TOY_GPU, Workload(1000, 1000, "bf16"), replica_gpus=1, batch=4, compute_efficiency=0.5)
    decode = 4 / step.time_s
    prefill = 1000e12 * 0.5 / flops
    assert point["decode_tokens_per_second_per_gpu"] == pytest.approx(decode)
    assert point["prefill_tokens_per_second_per_gpu"] == pytest.approx(prefill)
    # a query of 1,000 in and 1,000 out takes 1000/prefill + 1000/decode GPU-seconds
    assert point["tokens_per_second_per_gpu"] == pytest.approx(1000 / (1000 / prefill + 1000 / decode))
    costs = token_costs(point, 2.0, Workload(1000, 1000, "bf16"))
    assert costs["cost_per_million_input_tokens_usd"] == pytest.approx(2.0 / (prefill * 3600) * 1e6)
    assert costs["cost_per_million_output_tokens_usd"] == pytest.approx(2.0 / (decode * 3600) * 1e6)
    assert costs["cost_per_million_tokens_blended_usd"] == pytest.approx(
        (costs["cost_per_million_input_tokens_usd"] + costs["cost_per_million_output_tokens_usd"]) / 2
    )
    assert costs["cost_per_query_tokens_usd"] == pytest.approx(2.0 / 3600 * (1000 / prefill + 1000 / decode))


def test_the_batch_grows_until_memory_or_the_latency_target_stops_it():
    arch, h200 = ARCHS["Llama 3.3 70B"], FP8["H200"]
    free = serving_point(arch, h200, Workload(1000, 1000, "fp8"), replica_gpus=1)
    assert free["batch_size"] == free["batch_size_memory_max"] and free["bound"] in ("compute", "memory capacity")
    # 70 GB of FP8 weights in 141 x 0.9 GB leaves 56.9 GB for 163,840-byte tokens x 1,500 of mean context: 231
    assert free["batch_size_memory_max"] == math.floor((141e9 * 0.9 - 70e9) / (163_840 * 1500))
    fast = serving_point(arch, h200, Workload(1000, 1000, "fp8", tokens_per_second_per_user=40), replica_gpus=1)
    assert fast["bound"] == "latency target" and fast["batch_size"] < free["batch_size"]
    assert fast["tokens_per_second_per_user"] >= 40
    with pytest.raises(ServingError, match="tokens/s per user"):
        serving_point(arch, h200, Workload(1000, 1000, "fp8", tokens_per_second_per_user=5000))
    with pytest.raises(ServingError, match="beyond its 131,072"):
        serving_point(arch, h200, Workload(200_000, 1000, "fp8"))


def test_a_gpu_without_fp8_runs_fp8_weights_at_its_16_bit_peak():
    a100 = FP8["A100-80GB"]
    assert (a100.peak_tflops_dense, a100.peak_precision) == (312.0, "bf16")
    assert (FP8["H100-SXM"].peak_tflops_dense, FP8["H100-SXM"].peak_precision) == (1979.0, "fp8")
    fp4 = serving.gpus_for_specs(GPU_SPECS.load(), "fp4")
    assert (fp4["B200"].peak_tflops_dense, fp4["B200"].peak_precision) == (9000.0, "fp4")


def test_a_replica_pays_for_the_gpus_it_cannot_use():
    assert replica_price_per_gpu_hour(3.0, 8, 4) == 3.0  # two replicas of 4 fill the node
    assert replica_price_per_gpu_hour(3.0, 8, 3) == pytest.approx(4.0)  # two replicas of 3: 6 of 8 GPUs used
    assert replica_price_per_gpu_hour(3.0, 8, 16) == 3.0  # two whole nodes
    assert replica_price_per_gpu_hour(3.0, 8, 12) == pytest.approx(4.0)  # 12 GPUs need 2 nodes (16)


def test_the_validation_compares_every_measured_row_or_says_why_not():
    from assets.reference.files import INFERENCE_THROUGHPUT

    frame = serving.validate_serving(
        INFERENCE_THROUGHPUT.load(), REFERENCE_MODELS.load(), MODEL_ARCHITECTURES.load(), GPU_SPECS.load()
    )
    assert frame.height == INFERENCE_THROUGHPUT.load().height
    assert (frame["modeled_to_measured_ratio"].is_null() == frame["not_compared_reason"].is_not_null()).all()
    row = frame.filter(
        (frame["model"] == "Llama 3.3 70B") & (frame["gpu_model"] == "H200") & (frame["input_tokens"] == 1000)
    ).row(0, named=True)
    assert row["measured_tokens_per_second_per_gpu"] == 2909 and 0.5 < row["modeled_to_measured_ratio"] < 2
    summary = serving.validation_summary(frame)
    assert summary["compared"] >= 40 and 0.5 < summary["median_ratio"] < 2
