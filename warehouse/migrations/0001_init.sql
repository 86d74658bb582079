-- gpucost warehouse, version 1: the three layers and the first source.
-- raw:   what each source returned, parsed to rows, one table per source, one slice per (source, snapshot_date).
-- core:  canonical, deduplicated rows every source shares (GPU names, $/GPU-hour) and the reference data.
-- marts: what users query.
-- meta:  bookkeeping (migrations, source run log).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE meta.source_runs (
    source        VARCHAR   NOT NULL,
    attempted_at  TIMESTAMP NOT NULL,
    status        VARCHAR   NOT NULL,  -- live | snapshot | failed
    origin        VARCHAR,             -- live | snapshot:<capture date>
    snapshot_date DATE,
    row_count     BIGINT,
    message       VARCHAR
);
COMMENT ON TABLE meta.source_runs IS 'One row per ingest attempt of a source: live, bootstrapped from the bundled snapshot, or failed (with the error). Timestamps are UTC.';

CREATE TABLE raw.skypilot_vms (
    source            VARCHAR   NOT NULL,
    cloud             VARCHAR   NOT NULL,
    instance_type     VARCHAR,
    accelerator_name  VARCHAR,
    accelerator_count DOUBLE,
    vcpus             DOUBLE,
    memory_gib        DOUBLE,
    gpu_info          VARCHAR,
    price             DOUBLE,
    spot_price        DOUBLE,
    region            VARCHAR,
    availability_zone VARCHAR,
    arch              VARCHAR,
    snapshot_date     DATE      NOT NULL,
    fetched_at        TIMESTAMP NOT NULL,
    origin            VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.skypilot_vms IS 'SkyPilot hosted catalog (catalogs/v8/{cloud}/vms.csv) as returned, one row per catalog line. Price and spot_price are USD per instance-hour; GCP GPU rows price the GPUs only. One slice per snapshot_date.';

CREATE TABLE core.gpu_prices (
    source                   VARCHAR   NOT NULL,
    provider                 VARCHAR   NOT NULL,
    region                   VARCHAR,
    instance_type            VARCHAR   NOT NULL,
    gpu_name_raw             VARCHAR   NOT NULL,
    gpu_model                VARCHAR,
    gpu_count                DOUBLE    NOT NULL,
    pricing                  VARCHAR   NOT NULL,
    price_basis              VARCHAR   NOT NULL,
    price_per_hour_usd       DOUBLE    NOT NULL,
    price_per_gpu_hour_usd   DOUBLE    NOT NULL,
    price_per_pflop_hour_usd DOUBLE,
    currency                 VARCHAR   NOT NULL,
    snapshot_date            DATE      NOT NULL,
    fetched_at               TIMESTAMP NOT NULL,
    origin                   VARCHAR   NOT NULL
);
COMMENT ON TABLE core.gpu_prices IS 'Every GPU price offer from every source, one row per (source, provider, region, instance_type, pricing, snapshot_date). gpu_model is the canonical name (NULL when the raw name is unknown: see gpu_name_raw). Prices in USD; price_per_gpu_hour_usd = price_per_hour_usd / gpu_count.';
COMMENT ON COLUMN core.gpu_prices.price_basis IS 'instance: the whole rentable machine; gpu_only: the GPUs alone, host VM billed separately (GCP attachable GPUs).';
COMMENT ON COLUMN core.gpu_prices.origin IS 'live, or snapshot:<capture date> when the row came from the snapshot bundled in the repository.';

CREATE TABLE core.gpu_specs (
    gpu_model              VARCHAR NOT NULL PRIMARY KEY,
    vendor                 VARCHAR NOT NULL,
    tflops_bf16_dense      DOUBLE,
    tflops_fp16_dense      DOUBLE,
    tflops_fp8_dense       DOUBLE,
    memory_gb              DOUBLE,
    memory_bandwidth_tbps  DOUBLE,
    tdp_w                  DOUBLE,
    source                 VARCHAR NOT NULL,
    notes                  VARCHAR
);
COMMENT ON TABLE core.gpu_specs IS 'Accelerator specifications (dense tensor throughput without sparsity, memory, bandwidth, TDP), one row per canonical GPU model, each with its source. From assets/reference/data/gpu_specs.csv.';

CREATE TABLE core.gpu_aliases (
    alias            VARCHAR NOT NULL,
    provider         VARCHAR,
    instance_pattern VARCHAR,
    gpu_count        DOUBLE,
    gpu_model        VARCHAR NOT NULL,
    source           VARCHAR NOT NULL
);
COMMENT ON TABLE core.gpu_aliases IS 'Every GPU name seen at a provider, mapped to one canonical gpu_model. provider and instance_pattern (a regular expression on the instance type) narrow an alias where one name means several chips; gpu_count, when set, corrects a catalog''s GPU count for matching instances. From assets/reference/data/gpu_aliases.csv.';

CREATE TABLE core.reference_models (
    model            VARCHAR NOT NULL PRIMARY KEY,
    params_total     DOUBLE  NOT NULL,
    params_active    DOUBLE  NOT NULL,
    training_tokens  DOUBLE,
    source           VARCHAR NOT NULL,
    notes            VARCHAR
);
COMMENT ON TABLE core.reference_models IS 'Reference AI models: total and active parameters and training tokens, each with its source. From assets/reference/data/reference_models.csv.';

CREATE TABLE marts.training_costs (
    model                   VARCHAR   NOT NULL,
    gpu_model               VARCHAR   NOT NULL,
    pricing                 VARCHAR   NOT NULL,
    params_active           DOUBLE    NOT NULL,
    training_tokens         DOUBLE    NOT NULL,
    training_flops          DOUBLE    NOT NULL,
    peak_tflops_dense       DOUBLE    NOT NULL,
    peak_precision          VARCHAR   NOT NULL,
    mfu                     DOUBLE    NOT NULL,
    gpu_hours               DOUBLE    NOT NULL,
    price_per_gpu_hour_usd  DOUBLE    NOT NULL,
    cloud_cost_usd          DOUBLE    NOT NULL,
    price_provider          VARCHAR   NOT NULL,
    price_region            VARCHAR,
    price_instance_type     VARCHAR   NOT NULL,
    price_source            VARCHAR   NOT NULL,
    price_snapshot_date     DATE      NOT NULL,
    price_origin            VARCHAR   NOT NULL,
    computed_at             TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.training_costs IS 'What one training run of each reference model costs on each GPU model at the cheapest current on-demand price. FLOPs = 6 x active params x tokens; GPU-hours = FLOPs / (dense BF16 peak, FP16 where a chip has no BF16, x MFU x 3600); cost = GPU-hours x $/GPU-hour. Each row keeps its assumptions (MFU, which price, its date and origin).';

CREATE VIEW marts.latest_gpu_prices AS
SELECT p.*, (current_date - p.snapshot_date) AS age_days
FROM core.gpu_prices p
JOIN (SELECT source, max(snapshot_date) AS snapshot_date FROM core.gpu_prices GROUP BY source) l
  USING (source, snapshot_date);
COMMENT ON VIEW marts.latest_gpu_prices IS 'Each source''s most recent snapshot of GPU prices, with age_days (days since that snapshot). A source that failed today still shows its last good data, with its age.';

CREATE VIEW marts.source_status AS
WITH last_attempt AS (
    SELECT * FROM meta.source_runs
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY attempted_at DESC) = 1
), last_good AS (
    SELECT source, max(attempted_at) AS last_good_at, arg_max(origin, attempted_at) AS data_origin,
           arg_max(snapshot_date, attempted_at) AS data_snapshot_date, arg_max(row_count, attempted_at) AS row_count
    FROM meta.source_runs WHERE status <> 'failed' GROUP BY source
)
SELECT a.source, a.status AS last_status, a.attempted_at AS last_attempt_at, a.message AS last_message,
       g.data_origin, g.data_snapshot_date, g.row_count,
       (current_date - g.data_snapshot_date) AS data_age_days,
       (a.status = 'failed' OR g.data_origin <> 'live' OR g.data_snapshot_date < current_date) AS stale
FROM last_attempt a LEFT JOIN last_good g USING (source);
COMMENT ON VIEW marts.source_status IS 'Per source: the last ingest attempt (live, snapshot or failed, with its message) and the data the warehouse holds for it (origin, snapshot date, age). stale is true when the data is not today''s live data.';
