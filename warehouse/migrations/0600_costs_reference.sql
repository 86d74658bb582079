-- gpucost warehouse, costs domain (issue 10): the reference data a planner can trust the estimates from.
-- New columns on the reference tables (every old column kept), and two new reference tables:
-- the architecture of each reference model and what links the GPUs of each instance family.

ALTER TABLE core.gpu_specs ADD COLUMN tflops_fp4_dense DOUBLE;
ALTER TABLE core.gpu_specs ADD COLUMN server_power_w_per_gpu DOUBLE;
ALTER TABLE core.gpu_specs ADD COLUMN server_power_kind VARCHAR;
ALTER TABLE core.gpu_specs ADD COLUMN server_power_source VARCHAR;
ALTER TABLE core.gpu_specs ADD COLUMN form_factor VARCHAR;
ALTER TABLE core.gpu_specs ADD COLUMN intra_node_link VARCHAR;
ALTER TABLE core.gpu_specs ADD COLUMN intra_node_bandwidth_gb_per_s DOUBLE;
ALTER TABLE core.gpu_specs ADD COLUMN intra_node_source VARCHAR;
ALTER TABLE core.gpu_specs ADD COLUMN release_date VARCHAR;
ALTER TABLE core.gpu_specs ADD COLUMN tops_int8_dense DOUBLE;
COMMENT ON TABLE core.gpu_specs IS 'Accelerator specifications, one row per canonical GPU model, each with its source: dense tensor TFLOP/s without sparsity at BF16, FP16, FP8 and FP4, memory, bandwidth, TDP, server-level power per GPU, the link between the GPUs of a node, release date. From assets/reference/data/gpu_specs.csv.';
COMMENT ON COLUMN core.gpu_specs.tflops_fp4_dense IS 'Dense FP4 (NVFP4 / MXFP4) tensor TFLOP/s without sparsity; NULL where the chip has no FP4 path.';
COMMENT ON COLUMN core.gpu_specs.server_power_w_per_gpu IS 'Server-level power per GPU in W (a DGX/HGX system''s power / its GPUs, or a paper''s measured system power per chip): CPUs, memory, NICs and fans included. NULL: the cost model uses TDP x a server factor.';
COMMENT ON COLUMN core.gpu_specs.server_power_kind IS 'max: the system''s maximum input power (the cost model scales it to an average draw); measured_mean: a measured average (used as is).';
COMMENT ON COLUMN core.gpu_specs.server_power_source IS 'Where server_power_w_per_gpu comes from.';
COMMENT ON COLUMN core.gpu_specs.form_factor IS 'SXM, OAM, PCIe card, superchip, TPU host: what the chip is mounted on.';
COMMENT ON COLUMN core.gpu_specs.intra_node_link IS 'What links the GPUs of one node when the instance table has no row: nvswitch, nvlink, xgmi (AMD Infinity Fabric), ici (TPU), pcie.';
COMMENT ON COLUMN core.gpu_specs.intra_node_bandwidth_gb_per_s IS 'Bidirectional GPU-to-GPU bandwidth within a node, GB/s per GPU (NVLink 4: 900).';
COMMENT ON COLUMN core.gpu_specs.intra_node_source IS 'Where intra_node_link and its bandwidth come from.';
COMMENT ON COLUMN core.gpu_specs.tops_int8_dense IS 'Dense INT8 tensor TOPS where published (A100 624; Hopper at its FP8 rate; TPUs): the math of INT8-quantized serving.';
COMMENT ON COLUMN core.gpu_specs.release_date IS 'Release date (YYYY-MM-DD, Epoch AI chip dataset): the earliest an owned chip can be acquired (+90 days, Epoch''s rule).';

ALTER TABLE core.training_runs ADD COLUMN precision VARCHAR;
COMMENT ON COLUMN core.training_runs.precision IS 'Training precision where published (bf16, fp8): which dense peak the run''s implied utilization is measured against. NULL: the 16-bit peak.';

ALTER TABLE core.inference_throughput ADD COLUMN tensor_parallel DOUBLE;
ALTER TABLE core.inference_throughput ADD COLUMN kv_precision VARCHAR;
ALTER TABLE core.inference_throughput ADD COLUMN concurrency DOUBLE;
ALTER TABLE core.inference_throughput ADD COLUMN tokens_per_second_per_user DOUBLE;
ALTER TABLE core.inference_throughput ADD COLUMN ttft_ms DOUBLE;
ALTER TABLE core.inference_throughput ADD COLUMN phase VARCHAR;
ALTER TABLE core.inference_throughput ADD COLUMN scenario VARCHAR;
ALTER TABLE core.inference_throughput ADD COLUMN framework VARCHAR;
COMMENT ON TABLE core.inference_throughput IS 'Measured inference throughput of reference models, each with its source: tokens per second of a group of `gpus` GPUs at a precision, input/output length and concurrency (phase both or decode: generated tokens; prefill: input tokens), with per-user speed and time to first token where published. From assets/reference/data/inference_throughput.csv.';
COMMENT ON COLUMN core.inference_throughput.tensor_parallel IS 'Tensor-parallel size of one model copy, where published.';
COMMENT ON COLUMN core.inference_throughput.kv_precision IS 'KV-cache precision where published (bf16, fp8).';
COMMENT ON COLUMN core.inference_throughput.concurrency IS 'Sequences in flight across the whole group of GPUs, where published.';
COMMENT ON COLUMN core.inference_throughput.tokens_per_second_per_user IS 'Generated tokens per second seen by one sequence (interactivity), where published.';
COMMENT ON COLUMN core.inference_throughput.ttft_ms IS 'Time to first token in ms, where published.';
COMMENT ON COLUMN core.inference_throughput.phase IS 'both: generated tokens/s of a workload including its prefill; decode: generated tokens/s of decode-only GPUs; prefill: input tokens/s of prefill-only GPUs.';
COMMENT ON COLUMN core.inference_throughput.scenario IS 'How the figure was measured: max throughput, a concurrency, MLPerf Offline or Server, batch 1.';
COMMENT ON COLUMN core.inference_throughput.framework IS 'The serving software and its notable settings.';

ALTER TABLE core.gpu_purchase_prices ADD COLUMN price_kind VARCHAR;
COMMENT ON COLUMN core.gpu_purchase_prices.price_kind IS 'server: a whole DGX/HGX system / GPUs; card_x_server_factor: a card price x Epoch AI''s chip-to-server factor; baseboard: GPUs and baseboard only (understates a server); rack: a rack / GPUs; equivalent: Epoch AI''s equivalent price for a chip that is not sold (TPUs) x the server factor; consumer_card: a card price alone.';

CREATE TABLE core.model_architectures (
    model                    VARCHAR NOT NULL PRIMARY KEY,
    layers                   DOUBLE  NOT NULL,
    hidden_size              DOUBLE  NOT NULL,
    attention_heads          DOUBLE  NOT NULL,
    kv_heads                 DOUBLE  NOT NULL,
    head_dim                 DOUBLE  NOT NULL,
    vocab_size               DOUBLE,
    context_length           DOUBLE,
    training_sequence_length DOUBLE,
    ffn_hidden_size          DOUBLE,
    moe_experts              DOUBLE,
    moe_experts_per_token    DOUBLE,
    moe_shared_experts       DOUBLE,
    moe_expert_hidden_size   DOUBLE,
    moe_dense_layers         DOUBLE,
    mla_kv_lora_rank         DOUBLE,
    mla_qk_rope_head_dim     DOUBLE,
    mla_qk_nope_head_dim     DOUBLE,
    mla_v_head_dim           DOUBLE,
    attention_window         DOUBLE,
    windowed_layers          DOUBLE,
    source                   VARCHAR NOT NULL,
    notes                    VARCHAR
);
COMMENT ON TABLE core.model_architectures IS 'Each reference model''s architecture from its published config or paper: layers, hidden size, attention and KV heads, head dim, vocabulary, context length and training sequence length; for a mixture of experts the routed experts, experts per token, shared experts, expert hidden size and dense layers; for multi-head latent attention (DeepSeek) the latent KV dims; sliding or chunked attention windows and how many layers use them. From assets/reference/data/model_architectures.csv.';
COMMENT ON COLUMN core.model_architectures.training_sequence_length IS 'Tokens per training sequence of the main pre-training stage: the T of the attention FLOPs 12 x layers x heads x head_dim x T per token (PaLM appendix B).';
COMMENT ON COLUMN core.model_architectures.moe_dense_layers IS 'Layers with a dense FFN instead of experts (DeepSeek: the first 3; Llama 4 Maverick: every second).';
COMMENT ON COLUMN core.model_architectures.mla_kv_lora_rank IS 'Multi-head latent attention: the compressed KV latent cached per token per layer (with mla_qk_rope_head_dim).';
COMMENT ON COLUMN core.model_architectures.windowed_layers IS 'Layers whose attention (and KV cache) is capped at attention_window tokens; the other layers attend to the whole context.';

CREATE TABLE core.instance_interconnect (
    provider            VARCHAR NOT NULL,
    instance_pattern    VARCHAR NOT NULL,
    gpus_per_instance   DOUBLE,
    interconnect_intra  VARCHAR,
    interconnect_inter  VARCHAR,
    inter_node_gbps     DOUBLE,
    multi_node_clusters BOOLEAN NOT NULL,
    max_cluster_gpus    DOUBLE,
    source              VARCHAR NOT NULL,
    notes               VARCHAR,
    PRIMARY KEY (provider, instance_pattern)
);
COMMENT ON TABLE core.instance_interconnect IS 'What links the GPUs of an instance family and its nodes, per provider and instance-type pattern (a regular expression): interconnect_intra nvswitch / nvlink / xgmi / pcie / ici / none, interconnect_inter infiniband / efa / roce / ici / ethernet / none, inter_node_gbps per instance, whether the provider sells multi-node clusters of it and the largest cluster (TPU: one ICI slice). One cited source per row. From assets/reference/data/instance_interconnect.csv.';
