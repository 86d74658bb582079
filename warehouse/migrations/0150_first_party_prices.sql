-- First-party GPU price sources: GCP's GPU pricing page, Lambda's pricing page, RunPod's GraphQL API,
-- and Vast.ai's marketplace (kept as a daily price distribution per GPU model).
-- core.gpu_prices gains columns that only some sources fill: a committed price's term and a
-- marketplace's distribution. Every other row leaves them NULL.

CREATE TABLE raw.gcp_gpu_prices (
    source          VARCHAR   NOT NULL,
    gpu_model_name  VARCHAR   NOT NULL,
    gpu_count       DOUBLE    NOT NULL,
    gpu_memory      VARCHAR,
    region          VARCHAR   NOT NULL,
    region_name     VARCHAR,
    price_column    VARCHAR   NOT NULL,
    pricing         VARCHAR   NOT NULL,
    commitment_term VARCHAR,
    price_usd       DOUBLE    NOT NULL,
    snapshot_date   DATE      NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    origin          VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.gcp_gpu_prices IS 'Google Cloud GPU pricing page (cloud.google.com/compute/gpus-pricing) as parsed: one row per GPU model, GPU count, region and price column. price_usd is USD per hour for gpu_count GPUs alone (the host VM is billed separately). pricing on_demand / spot / committed (commitment_term 1y or 3y). One slice per snapshot_date.';

CREATE TABLE raw.lambda_prices (
    source                 VARCHAR   NOT NULL,
    plan                   VARCHAR   NOT NULL,
    instance_size          DOUBLE    NOT NULL,
    vram_per_gpu_gb        DOUBLE,
    vcpus                  DOUBLE,
    ram                    VARCHAR,
    storage                VARCHAR,
    price_per_gpu_hour_usd DOUBLE    NOT NULL,
    snapshot_date          DATE      NOT NULL,
    fetched_at             TIMESTAMP NOT NULL,
    origin                 VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.lambda_prices IS 'Lambda pricing page (lambda.ai/pricing) as parsed: one row per plan and instance size (GPUs per instance, from the 8x/4x/2x/1x tab), with the on-demand price in USD per GPU-hour as listed. One slice per snapshot_date.';

CREATE TABLE raw.runpod_gpu_types (
    source               VARCHAR   NOT NULL,
    gpu_type_id          VARCHAR   NOT NULL,
    display_name         VARCHAR,
    manufacturer         VARCHAR,
    memory_in_gb         DOUBLE,
    max_gpu_count        DOUBLE,
    secure_cloud         BOOLEAN,
    community_cloud      BOOLEAN,
    secure_price         DOUBLE,
    community_price      DOUBLE,
    secure_spot_price    DOUBLE,
    community_spot_price DOUBLE,
    snapshot_date        DATE      NOT NULL,
    fetched_at           TIMESTAMP NOT NULL,
    origin               VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.runpod_gpu_types IS 'RunPod GraphQL gpuTypes as returned: one row per GPU type with its Secure Cloud and Community Cloud prices, on-demand and spot, in USD per GPU-hour (NULL = not offered). secure_cloud / community_cloud say whether that cloud offers the type. One slice per snapshot_date.';

CREATE TABLE raw.vast_offer_stats (
    source                        VARCHAR   NOT NULL,
    gpu_name                      VARCHAR   NOT NULL,
    gpu_memory_gb                 DOUBLE    NOT NULL,
    pricing                       VARCHAR   NOT NULL,
    offer_count                   BIGINT    NOT NULL,
    gpu_count_total               BIGINT    NOT NULL,
    price_min_per_gpu_hour_usd    DOUBLE    NOT NULL,
    price_p10_per_gpu_hour_usd    DOUBLE    NOT NULL,
    price_median_per_gpu_hour_usd DOUBLE    NOT NULL,
    snapshot_date                 DATE      NOT NULL,
    fetched_at                    TIMESTAMP NOT NULL,
    origin                        VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.vast_offer_stats IS 'Vast.ai marketplace (console.vast.ai/api/v0/bundles/) summarised per GPU name, memory (snapped to the size the GPU is sold with) and pricing (on_demand = type on-demand, spot = type bid): offer count, GPUs offered, and min / p10 / median USD per GPU-hour (dph_total / num_gpus). The distribution, not the thousands of single offers, is what is kept. One slice per snapshot_date.';

ALTER TABLE core.gpu_prices ADD COLUMN commitment_term VARCHAR;
ALTER TABLE core.gpu_prices ADD COLUMN offer_count BIGINT;
ALTER TABLE core.gpu_prices ADD COLUMN price_min_per_gpu_hour_usd DOUBLE;
ALTER TABLE core.gpu_prices ADD COLUMN price_p10_per_gpu_hour_usd DOUBLE;
ALTER TABLE core.gpu_prices ADD COLUMN price_median_per_gpu_hour_usd DOUBLE;
COMMENT ON COLUMN core.gpu_prices.commitment_term IS 'For pricing = committed: the term of the commitment (1y, 3y). NULL otherwise.';
COMMENT ON COLUMN core.gpu_prices.offer_count IS 'Marketplace sources (source vast): how many offers the row summarises. NULL for list prices.';
COMMENT ON COLUMN core.gpu_prices.price_min_per_gpu_hour_usd IS 'Marketplace sources: the cheapest offer, USD per GPU-hour. NULL for list prices.';
COMMENT ON COLUMN core.gpu_prices.price_p10_per_gpu_hour_usd IS 'Marketplace sources: the 10th percentile of offers, USD per GPU-hour (linear interpolation). NULL for list prices.';
COMMENT ON COLUMN core.gpu_prices.price_median_per_gpu_hour_usd IS 'Marketplace sources: the median offer, USD per GPU-hour; a Vast row''s price_per_hour_usd (gpu_count 1) is this median. NULL for list prices.';
