-- gpucost warehouse, costs domain (issue 10): the serving model's validation and curves, what could not be costed,
-- and the cost marts' comments after eligible offers, end-to-end utilization and the serving model.

CREATE TABLE marts.inference_validation (
    model                               VARCHAR   NOT NULL,
    gpu_model                           VARCHAR   NOT NULL,
    gpus                                DOUBLE    NOT NULL,
    tensor_parallel                     DOUBLE,
    precision                           VARCHAR,
    kv_precision                        VARCHAR,
    input_tokens                        DOUBLE,
    output_tokens                       DOUBLE,
    concurrency                         DOUBLE,
    tokens_per_second_per_user          DOUBLE,
    phase                               VARCHAR   NOT NULL,
    scenario                            VARCHAR,
    framework                           VARCHAR,
    source                              VARCHAR   NOT NULL,
    measured_tokens_per_second_per_gpu  DOUBLE    NOT NULL,
    modeled_tokens_per_second_per_gpu   DOUBLE,
    modeled_to_measured_ratio           DOUBLE,
    compared                            VARCHAR,
    not_compared_reason                 VARCHAR,
    computed_at                         TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.inference_validation IS 'The serving model (costmodel/serving.py) against every measured row of core.inference_throughput: the row''s tokens/s per GPU next to the model''s at the same model, GPU, precision, lengths, replica (tensor_parallel or the group) and concurrency (or per-user target), and their ratio; phase both compares output tokens/s with prefill time included, decode the decode rate, prefill the prefill rate. A row that cannot be compared says why (lengths not published, no architecture, no GPU specs).';
COMMENT ON COLUMN marts.inference_validation.measured_tokens_per_second_per_gpu IS 'The measured figure / gpus.';
COMMENT ON COLUMN marts.inference_validation.modeled_tokens_per_second_per_gpu IS 'The serving model''s figure for the same setting, per GPU.';
COMMENT ON COLUMN marts.inference_validation.modeled_to_measured_ratio IS 'modeled / measured: above 1 the model is optimistic.';
COMMENT ON COLUMN marts.inference_validation.compared IS 'Which rate was compared.';
COMMENT ON COLUMN marts.inference_validation.not_compared_reason IS 'Why the row has no ratio.';

CREATE TABLE marts.inference_curves (
    model                              VARCHAR   NOT NULL,
    gpu_model                          VARCHAR   NOT NULL,
    precision                          VARCHAR   NOT NULL,
    kv_precision                       VARCHAR   NOT NULL,
    peak_precision                     VARCHAR   NOT NULL,
    input_tokens                       DOUBLE    NOT NULL,
    output_tokens                      DOUBLE    NOT NULL,
    replica_gpus                       BIGINT    NOT NULL,
    batch_size                         BIGINT    NOT NULL,
    tokens_per_second_per_user         DOUBLE    NOT NULL,
    tokens_per_second_per_gpu          DOUBLE    NOT NULL,
    decode_tokens_per_second_per_gpu   DOUBLE    NOT NULL,
    prefill_tokens_per_second_per_gpu  DOUBLE    NOT NULL,
    ttft_s                             DOUBLE    NOT NULL,
    bound                              VARCHAR   NOT NULL,
    computed_at                        TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.inference_curves IS 'Throughput per GPU against speed per user, per model x GPU model x precision: the replica the serving model picks (whole nodes over a fabric allowed) at batch 1, 2, 4 ... up to what its memory holds, for the default workload (1,000 input and 1,000 output tokens). Pick a row at the interactivity you need: tokens_per_second_per_gpu (output tokens/s with prefill time included) gives the cost at any $/GPU-hour.';
COMMENT ON COLUMN marts.inference_curves.peak_precision IS 'The tensor-core path the math runs on (a GPU without FP8 or FP4 runs weight-only quantized models at its 16-bit peak).';
COMMENT ON COLUMN marts.inference_curves.tokens_per_second_per_user IS 'Decode speed one sequence sees at this batch: 1 / step time.';

CREATE TABLE marts.cost_exclusions (
    model      VARCHAR   NOT NULL,
    gpu_model  VARCHAR   NOT NULL,
    workload   VARCHAR   NOT NULL,
    precision  VARCHAR,
    reason     VARCHAR   NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.cost_exclusions IS 'Why a reference model has no row in marts.training_costs (workload training) or marts.inference_costs (workload serving, per precision) on a GPU model that has prices: no cluster-capable offer, a training state larger than the biggest cluster of its offers, weights that fit no replica, no architecture or specs. The checks training_costs_exclusions and inference_costs_exclusions list them.';

COMMENT ON TABLE marts.training_costs IS 'One training run of each reference model on each GPU model that has an offer able to run it, at each price choice (pricing): cluster-capable offers only (offer_class cluster_node: whole multi-GPU nodes with a fast link inside and a fabric between, from a provider selling multi-node clusters; or tpu_slice), in a cluster that holds the training state (training_gpus_min). FLOPs = 6 x active params x tokens (training_flops) + attention (flops_attention, PaLM appendix B) = training_flops_total; GPU-hours = training_flops_total / (dense peak at the training precision x utilization x 3600), utilization derived from published runs (utilization_basis) unless given, with its band (_low = at mfu_high, _high = at mfu_low). Energy = GPU-hours x server-level average power per GPU (power_basis) x PUE at the tariff where the offer runs; owned cost = the Epoch AI method with the hardware value depreciated from acquisition to training start + energy. Models with no eligible offer of a GPU model: marts.cost_exclusions.';
COMMENT ON TABLE marts.inference_costs IS 'What serving each reference model costs on each GPU model, per weight precision, at each price choice, on offers that can host its replica: the serving model (costmodel/serving.py) picks the replica (tensor parallel in a node, pipeline across nodes) and the largest batch that fits weights + KV cache and meets the latency targets; prefill and decode are modeled apart (per-kernel-group rooflines, distinct MoE experts per batch, KV cache per token) and priced per 1M input, output and blended tokens at the workload (input_tokens, output_tokens); the offer is the one with the cheapest blended cost (on_demand_median: the offer at the median cost), its $/GPU-hour counting GPUs a replica cannot use. throughput_basis measured: a record of core.inference_throughput on an offer that can host its GPU group (its input/output split scaled from the modeled one). cost_per_million_tokens_usd stays the cost of 1M generated tokens with their prefill. Energy per 1M tokens counts the GPU at its server-level average power. Unservable combinations: marts.cost_exclusions.';
COMMENT ON TABLE marts.model_validation IS 'The training model against published runs: GPU-hours predicted from 6ND + attention FLOPs on the run''s own hardware at the peak of its precision (FP8 for DeepSeek-V3), at the default end-to-end utilization and its band, next to the published hardware-hours; implied_utilization is what the run delivered end to end (implied_mfu the old 6ND-only figure). The default is fitted on these runs (in_utilization_fit), so the ratios are in-sample: they show the spread of real runs around one constant.';
COMMENT ON TABLE marts.scenario_costs IS 'The seed analysis and its claims as published vs today, one row per (scenario, metric): the published figure and its role (reproduce / claim / upper_bound), the figure recomputed from the stated assumptions (matches_published), and the same workload at today''s cheapest on-demand price on the same GPU model and on the GPU model that does it best, on offers that can run it (training: cluster-capable offers holding the state; serving: offers hosting a replica, throughput scaled by the serving model; fleets: whole multi-GPU servers), with the price, the offer class and interconnect, and the tariff used. Today''s figures are rental figures: capex only as published.';
