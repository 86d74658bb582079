-- gpucost warehouse, costs domain: reference data of the cost model and its four marts.
-- marts.training_costs is rebuilt with its MFU band, every price choice, energy, CO2 and owned-hardware columns;
-- it is recomputed from core.* on every run, so dropping its rows loses nothing.

CREATE TABLE core.training_runs (
    model                            VARCHAR NOT NULL,
    scope                            VARCHAR NOT NULL,
    gpu_model                        VARCHAR NOT NULL,
    hardware_hours                   DOUBLE  NOT NULL,
    gpus                             DOUBLE,
    wall_clock_days                  DOUBLE,
    published_cost_usd               DOUBLE,
    published_price_per_gpu_hour_usd DOUBLE,
    source                           VARCHAR NOT NULL,
    notes                            VARCHAR,
    PRIMARY KEY (model, scope)
);
COMMENT ON TABLE core.training_runs IS 'Published training runs of reference models: hardware-hours on a GPU model (and cost and $/GPU-hour where published), scope total or pre-training, each with its source. From assets/reference/data/training_runs.csv.';

CREATE TABLE core.inference_throughput (
    model             VARCHAR NOT NULL,
    gpu_model         VARCHAR NOT NULL,
    gpus              DOUBLE  NOT NULL,
    precision         VARCHAR,
    input_tokens      DOUBLE,
    output_tokens     DOUBLE,
    tokens_per_second DOUBLE  NOT NULL,
    source            VARCHAR NOT NULL,
    notes             VARCHAR
);
COMMENT ON TABLE core.inference_throughput IS 'Measured inference throughput: generated tokens per second of a group of `gpus` GPUs (tensor parallel) running a reference model at a precision and input/output length, each with its source. From assets/reference/data/inference_throughput.csv.';

CREATE TABLE core.gpu_purchase_prices (
    gpu_model                VARCHAR NOT NULL PRIMARY KEY,
    server_price_per_gpu_usd DOUBLE  NOT NULL,
    price_date               VARCHAR NOT NULL,
    source                   VARCHAR NOT NULL,
    notes                    VARCHAR
);
COMMENT ON TABLE core.gpu_purchase_prices IS 'What a GPU server costs to buy, per GPU (server price / GPUs in it), with the date of the price and its source: the capex behind owned-hardware costs. From assets/reference/data/gpu_purchase_prices.csv.';

CREATE TABLE core.scenarios (
    name                      VARCHAR NOT NULL PRIMARY KEY,
    kind                      VARCHAR NOT NULL,  -- training | serving | fleet
    description               VARCHAR NOT NULL,
    gpu_model                 VARCHAR NOT NULL,
    params_active             DOUBLE,
    training_tokens           DOUBLE,
    peak_tflops_dense         DOUBLE,
    mfu                       DOUBLE,
    price_per_gpu_hour_usd    DOUBLE,
    daily_users               DOUBLE,
    queries_per_user_per_day  DOUBLE,
    queries_per_second        DOUBLE,
    tokens_per_query          DOUBLE,
    tokens_per_second_per_gpu DOUBLE,
    utilization               DOUBLE,
    gpus_per_server           DOUBLE,
    servers                   DOUBLE,
    budget_usd                DOUBLE,
    server_price_usd          DOUBLE,
    server_power_kw           DOUBLE,
    tariff_usd_per_kwh        DOUBLE,
    pue                       DOUBLE,
    source                    VARCHAR NOT NULL,
    notes                     VARCHAR
);
COMMENT ON TABLE core.scenarios IS 'Named scenarios of the seed analysis, one row each with the assumptions its source stated (empty = not stated). kind: training (params x tokens at an MFU and price), serving (a query workload at a throughput per GPU), fleet (servers given or bought with a budget). From assets/reference/data/scenarios.csv.';

CREATE TABLE core.scenario_published (
    scenario           VARCHAR NOT NULL,
    metric             VARCHAR NOT NULL,
    published_value    DOUBLE  NOT NULL,
    significant_digits BIGINT  NOT NULL,
    as_written         VARCHAR,
    source             VARCHAR NOT NULL,
    PRIMARY KEY (scenario, metric)
);
COMMENT ON TABLE core.scenario_published IS 'The figures each seed scenario published, with the precision they were written at: what the cost model must reproduce (to 3 significant digits at most). From assets/reference/data/scenario_published.csv.';

DROP TABLE marts.training_costs;
CREATE TABLE marts.training_costs (
    model                        VARCHAR   NOT NULL,
    gpu_model                    VARCHAR   NOT NULL,
    pricing                      VARCHAR   NOT NULL,
    params_active                DOUBLE    NOT NULL,
    training_tokens              DOUBLE    NOT NULL,
    training_flops               DOUBLE    NOT NULL,
    peak_tflops_dense            DOUBLE    NOT NULL,
    peak_precision               VARCHAR   NOT NULL,
    mfu                          DOUBLE    NOT NULL,
    mfu_low                      DOUBLE    NOT NULL,
    mfu_high                     DOUBLE    NOT NULL,
    gpu_hours                    DOUBLE    NOT NULL,
    gpu_hours_low                DOUBLE    NOT NULL,
    gpu_hours_high               DOUBLE    NOT NULL,
    price_per_gpu_hour_usd       DOUBLE    NOT NULL,
    cloud_cost_usd               DOUBLE    NOT NULL,
    cloud_cost_usd_low           DOUBLE    NOT NULL,
    cloud_cost_usd_high          DOUBLE    NOT NULL,
    price_provider               VARCHAR,
    price_region                 VARCHAR,
    price_instance_type          VARCHAR,
    price_source                 VARCHAR   NOT NULL,
    price_snapshot_date          DATE      NOT NULL,
    price_origin                 VARCHAR   NOT NULL,
    price_offers                 BIGINT    NOT NULL,
    power_w_per_gpu              DOUBLE,
    power_basis                  VARCHAR   NOT NULL,
    pue                          DOUBLE    NOT NULL,
    pue_source                   VARCHAR   NOT NULL,
    energy_kwh                   DOUBLE,
    tariff_usd_per_kwh           DOUBLE    NOT NULL,
    tariff_source                VARCHAR   NOT NULL,
    tariff_period                VARCHAR,
    tariff_is_fallback           BOOLEAN   NOT NULL,
    energy_cost_usd              DOUBLE,
    grid_gco2_per_kwh            DOUBLE,
    grid_year                    BIGINT,
    grid_source                  VARCHAR,
    co2_kg                       DOUBLE,
    server_price_per_gpu_usd     DOUBLE,
    purchase_price_date          VARCHAR,
    purchase_price_source        VARCHAR,
    cluster_overhead             DOUBLE    NOT NULL,
    depreciation_per_year        DOUBLE    NOT NULL,
    ownership_method             VARCHAR   NOT NULL,
    capex_usd_per_gpu_hour       DOUBLE,
    owned_cost_usd               DOUBLE,
    owning_breakeven_utilization DOUBLE,
    computed_at                  TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.training_costs IS 'One training run of each reference model on each GPU model, at each price choice (pricing). FLOPs = 6 x active params x tokens; GPU-hours = FLOPs / (dense BF16 peak, FP16 where a chip has no BF16, x MFU x 3600) at the central MFU and the band (_low = at mfu_high, _high = at mfu_low); cloud cost = GPU-hours x $/GPU-hour. Energy = GPU-hours x TDP x PUE at the tariff where the offer runs (documented defaults when unknown, tariff_is_fallback); owned cost = amortized capex (Epoch AI method) + energy. Each row keeps its assumptions and the dates of its price, tariff and purchase price.';
COMMENT ON COLUMN marts.training_costs.pricing IS 'on_demand: cheapest on-demand whole-instance offer anywhere (the headline); spot: cheapest spot offer; on_demand_median: median over every on-demand offer (no single provider); on_demand_provider: cheapest on-demand offer at each provider (price_provider).';
COMMENT ON COLUMN marts.training_costs.price_snapshot_date IS 'Date of the price used; for on_demand_median the oldest snapshot among the offers.';
COMMENT ON COLUMN marts.training_costs.price_offers IS 'How many offers the price was chosen from (or the median taken over).';
COMMENT ON COLUMN marts.training_costs.owning_breakeven_utilization IS 'Share of hours an owned GPU must be busy to cost less per busy hour than this rental price; above 1 means never; NULL when the rent does not even cover electricity.';
COMMENT ON COLUMN marts.training_costs.owned_cost_usd IS 'The run on owned hardware busy all the time: GPU-hours x amortized capex per GPU-hour + energy cost. NULL without a purchase price for the GPU model.';

CREATE TABLE marts.inference_costs (
    model                              VARCHAR   NOT NULL,
    gpu_model                          VARCHAR   NOT NULL,
    pricing                            VARCHAR   NOT NULL,
    throughput_basis                   VARCHAR   NOT NULL,  -- modeled | measured
    params_active                      DOUBLE    NOT NULL,
    params_total                       DOUBLE    NOT NULL,
    peak_tflops_dense                  DOUBLE    NOT NULL,
    peak_precision                     VARCHAR   NOT NULL,
    memory_gb                          DOUBLE,
    memory_bandwidth_tbps              DOUBLE,
    min_gpus_for_weights               BIGINT,
    mfu                                DOUBLE    NOT NULL,
    batch_size                         BIGINT    NOT NULL,
    bytes_per_param                    DOUBLE    NOT NULL,
    tokens_per_second_compute_bound    DOUBLE,
    tokens_per_second_bandwidth_bound  DOUBLE,
    measured_gpus                      DOUBLE,
    measured_precision                 VARCHAR,
    measured_input_tokens              DOUBLE,
    measured_output_tokens             DOUBLE,
    throughput_source                  VARCHAR   NOT NULL,
    tokens_per_second_per_gpu          DOUBLE    NOT NULL,
    utilization                        DOUBLE    NOT NULL,
    effective_tokens_per_second_per_gpu DOUBLE   NOT NULL,
    price_per_gpu_hour_usd             DOUBLE    NOT NULL,
    cost_per_million_tokens_usd        DOUBLE    NOT NULL,
    price_provider                     VARCHAR,
    price_region                       VARCHAR,
    price_instance_type                VARCHAR,
    price_source                       VARCHAR   NOT NULL,
    price_snapshot_date                DATE      NOT NULL,
    price_origin                       VARCHAR   NOT NULL,
    price_offers                       BIGINT    NOT NULL,
    power_w_per_gpu                    DOUBLE,
    pue                                DOUBLE    NOT NULL,
    pue_source                         VARCHAR   NOT NULL,
    energy_kwh_per_million_tokens      DOUBLE,
    tariff_usd_per_kwh                 DOUBLE    NOT NULL,
    tariff_source                      VARCHAR   NOT NULL,
    tariff_period                      VARCHAR,
    tariff_is_fallback                 BOOLEAN   NOT NULL,
    energy_cost_per_million_tokens_usd DOUBLE,
    grid_gco2_per_kwh                  DOUBLE,
    grid_year                          BIGINT,
    grid_source                        VARCHAR,
    co2_kg_per_million_tokens          DOUBLE,
    computed_at                        TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.inference_costs IS 'What one million generated tokens of each reference model cost on each GPU model, at each price choice (pricing, as in marts.training_costs). throughput_basis modeled: the lower of compute-bound (dense peak x MFU / (2 x active params)) and bandwidth-bound (batch x memory bandwidth / (active params x bytes per param)) tokens/s per GPU; measured: a record of core.inference_throughput (its group total / gpus). Cost = $/GPU-hour / (tokens/s x utilization x 3600) x 1e6. Energy per 1M tokens counts the GPU at TDP for every hour, x PUE, at the tariff where the offer runs. min_gpus_for_weights = total params x bytes per param / GPU memory, rounded up.';

CREATE TABLE marts.scenario_costs (
    scenario                            VARCHAR   NOT NULL,
    kind                                VARCHAR   NOT NULL,
    metric                              VARCHAR   NOT NULL,
    published_value                     DOUBLE,
    published_as_written                VARCHAR,
    published_source                    VARCHAR,
    as_published_value                  DOUBLE,
    matches_published                   BOOLEAN,
    today_same_hardware_value           DOUBLE,
    today_best_hardware_value           DOUBLE,
    same_hardware_gpu_model             VARCHAR,
    same_hardware_price_per_gpu_hour_usd DOUBLE,
    same_hardware_price_provider        VARCHAR,
    same_hardware_price_region          VARCHAR,
    same_hardware_price_instance_type   VARCHAR,
    same_hardware_price_snapshot_date   DATE,
    same_hardware_price_origin          VARCHAR,
    same_hardware_pue                   DOUBLE,
    same_hardware_tariff_usd_per_kwh    DOUBLE,
    same_hardware_tariff_source         VARCHAR,
    same_hardware_tariff_period         VARCHAR,
    same_hardware_tariff_is_fallback    BOOLEAN,
    best_hardware_gpu_model             VARCHAR,
    best_hardware_price_per_gpu_hour_usd DOUBLE,
    best_hardware_price_provider        VARCHAR,
    best_hardware_price_region          VARCHAR,
    best_hardware_price_instance_type   VARCHAR,
    best_hardware_price_snapshot_date   DATE,
    best_hardware_price_origin          VARCHAR,
    best_hardware_pue                   DOUBLE,
    best_hardware_tariff_usd_per_kwh    DOUBLE,
    best_hardware_tariff_source         VARCHAR,
    best_hardware_tariff_period         VARCHAR,
    best_hardware_tariff_is_fallback    BOOLEAN,
    assumptions                         VARCHAR   NOT NULL,
    scenario_source                     VARCHAR   NOT NULL,
    computed_at                         TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.scenario_costs IS 'The seed analysis as published vs today, one row per (scenario, metric): the published figure, the figure recomputed from the stated assumptions (matches_published: equal at the published precision, at most 3 significant digits), and the same workload at today''s cheapest on-demand price on the same GPU model and on the GPU model that does it cheapest (best_hardware), with the price, its date and origin, and the tariff used. Today''s figures are rental figures: capex only as published.';

CREATE TABLE marts.model_validation (
    model                                 VARCHAR   NOT NULL,
    scope                                 VARCHAR   NOT NULL,
    gpu_model                             VARCHAR   NOT NULL,
    params_active                         DOUBLE,
    training_tokens                       DOUBLE,
    training_flops                        DOUBLE,
    peak_tflops_dense                     DOUBLE,
    peak_precision                        VARCHAR,
    hardware_hours                        DOUBLE    NOT NULL,
    gpus                                  DOUBLE,
    wall_clock_days                       DOUBLE,
    published_cost_usd                    DOUBLE,
    published_price_per_gpu_hour_usd      DOUBLE,
    published_source                      VARCHAR   NOT NULL,
    published_notes                       VARCHAR,
    mfu                                   DOUBLE    NOT NULL,
    mfu_low                               DOUBLE    NOT NULL,
    mfu_high                              DOUBLE    NOT NULL,
    predicted_gpu_hours                   DOUBLE,
    predicted_gpu_hours_low               DOUBLE,
    predicted_gpu_hours_high              DOUBLE,
    predicted_to_published_ratio          DOUBLE,
    published_within_band                 BOOLEAN,
    implied_mfu                           DOUBLE,
    predicted_cost_at_published_price_usd DOUBLE,
    computed_at                           TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.model_validation IS 'The training model against published runs: hardware-hours predicted from 6 x active params x tokens on the run''s own hardware at the central MFU and the band, next to the published hardware-hours; implied_mfu is the MFU the run must have reached; published_within_band says whether the default MFU band explains it.';
