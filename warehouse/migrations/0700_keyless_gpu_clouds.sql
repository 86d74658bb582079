-- Every keyless GPU cloud: raw tables only, one per source.
-- SkyPilot and gpuhunt become one source per cloud / provider (skypilot_<cloud>, gpuhunt_<provider>), so one
-- cloud's failure keeps the others' last good data; each gets its own raw table with the shared layout.
-- New first-party sources: RunPod per data centre (lowestPrice), the GCP Cloud Billing Catalog (with a key),
-- Vultr, CloudRift, OCI's cost estimator and Scaleway's public catalog.

-- repeat {cloud} in aws azure gcp lambda runpod vast verda nebius oci cudo hyperstack shadeform primeintellect jarvislabs hyperbolic seeweb mithril lium yotta daytona
CREATE TABLE raw.skypilot_{cloud} (
    source            VARCHAR NOT NULL,
    cloud             VARCHAR NOT NULL,
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
    gpu_memory_gb     DOUBLE,
    snapshot_date     DATE NOT NULL,
    fetched_at        TIMESTAMP NOT NULL,
    origin            VARCHAR NOT NULL
);
COMMENT ON TABLE raw.skypilot_{cloud} IS 'SkyPilot hosted catalog for {cloud} (catalogs/v8/{cloud}/vms.csv) as returned, one row per catalog line, columns read by header name. price and spot_price are USD per instance-hour (NULL where the catalog leaves them empty); gpu_memory_gb is per GPU after the catalog''s memory quirks (NULL when unknown). One slice per snapshot_date.';
-- end repeat

-- repeat {provider} in aws azure gcp lambdalabs runpod nebius oci verda cloudrift
CREATE TABLE raw.gpuhunt_{provider} (
    source          VARCHAR NOT NULL,
    instance_name   VARCHAR NOT NULL,
    location        VARCHAR NOT NULL,
    price           DOUBLE NOT NULL,
    cpu             DOUBLE,
    memory          DOUBLE,
    gpu_count       DOUBLE NOT NULL,
    gpu_name        VARCHAR,
    gpu_memory      DOUBLE,
    spot            BOOLEAN NOT NULL,
    disk_size       DOUBLE,
    gpu_vendor      VARCHAR,
    flags           VARCHAR,
    cpu_arch        VARCHAR,
    provider        VARCHAR NOT NULL,
    catalog_version VARCHAR,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    origin          VARCHAR NOT NULL
);
COMMENT ON TABLE raw.gpuhunt_{provider} IS 'dstack gpuhunt catalog for {provider} (v3/{provider}/<version>/catalog.zip) as published: one row per offer with a GPU, price USD per instance-hour, spot and on-demand as separate rows (spot true/false). One slice per snapshot_date.';
-- end repeat

CREATE TABLE raw.runpod_lowest_prices (
    source                VARCHAR NOT NULL,
    cloud                 VARCHAR NOT NULL,
    location              VARCHAR NOT NULL,
    gpu_count             DOUBLE NOT NULL,
    gpu_type_id           VARCHAR NOT NULL,
    display_name          VARCHAR,
    manufacturer          VARCHAR,
    memory_in_gb          DOUBLE,
    secure_price          DOUBLE,
    community_price       DOUBLE,
    secure_spot_price     DOUBLE,
    community_spot_price  DOUBLE,
    uninterruptable_price DOUBLE,
    minimum_bid_price     DOUBLE,
    stock_status          VARCHAR,
    min_vcpu              DOUBLE,
    min_memory            DOUBLE,
    snapshot_date         DATE NOT NULL,
    fetched_at            TIMESTAMP NOT NULL,
    origin                VARCHAR NOT NULL
);
COMMENT ON TABLE raw.runpod_lowest_prices IS 'RunPod GraphQL gpuTypes with lowestPrice per (cloud, data centre or country, pod size) as returned: list prices (secure_price, community_price, their spot twins) and the input''s uninterruptable_price / minimum_bid_price, USD per GPU-hour, with stock_status (NULL = not offered there). One slice per snapshot_date.';

CREATE TABLE raw.gcp_billing_skus (
    source          VARCHAR NOT NULL,
    sku_id          VARCHAR NOT NULL,
    description     VARCHAR NOT NULL,
    resource_family VARCHAR,
    resource_group  VARCHAR,
    usage_type      VARCHAR,
    region          VARCHAR NOT NULL,
    usage_unit      VARCHAR,
    unit_price      DOUBLE,
    currency_code   VARCHAR,
    effective_time  VARCHAR,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    origin          VARCHAR NOT NULL
);
COMMENT ON TABLE raw.gcp_billing_skus IS 'Google Cloud Billing Catalog (services/6F81-5844-456A/skus, every page) for Compute Engine GPU SKUs and the core / RAM SKUs of GPU host families (A2, A3, A3Plus, G2): one row per SKU and service region, unit_price in currency_code per usage_unit (GPU-hour, vCPU-hour, GiB-hour), usage_type OnDemand / Preemptible / Commit1Yr / Commit3Yr. One slice per snapshot_date.';

CREATE TABLE raw.vultr_plans (
    source                  VARCHAR NOT NULL,
    plan_list               VARCHAR NOT NULL,
    plan_id                 VARCHAR NOT NULL,
    plan_type               VARCHAR,
    location                VARCHAR NOT NULL,
    vcpus                   DOUBLE,
    ram_mb                  DOUBLE,
    disk_gb                 DOUBLE,
    gpu_type                VARCHAR,
    gpu_vram_gb             DOUBLE,
    hourly_cost             DOUBLE,
    monthly_cost            DOUBLE,
    hourly_cost_preemptible DOUBLE,
    snapshot_date           DATE NOT NULL,
    fetched_at              TIMESTAMP NOT NULL,
    origin                  VARCHAR NOT NULL
);
COMMENT ON TABLE raw.vultr_plans IS 'Vultr plan lists (/v2/plans?type=all and /v2/plans-metal, every page) for GPU plans (type vcg, metal ids with gpu): one row per plan and location, hourly_cost and monthly_cost USD per instance, ram in MB, gpu_vram_gb the plan''s total VRAM. One slice per snapshot_date.';

CREATE TABLE raw.cloudrift_instance_types (
    source              VARCHAR NOT NULL,
    instance_type_name  VARCHAR NOT NULL,
    brand_short         VARCHAR,
    manufacturer        VARCHAR,
    variant             VARCHAR NOT NULL,
    datacenter          VARCHAR NOT NULL,
    gpu_count           DOUBLE,
    cpu_count           DOUBLE,
    logical_cpu_count   DOUBLE,
    dram_gib            DOUBLE,
    vram_per_gpu_gib    DOUBLE,
    disk_gib            DOUBLE,
    cost_per_hour_cents DOUBLE,
    nodes               BIGINT,
    available_nodes     BIGINT,
    snapshot_date       DATE NOT NULL,
    fetched_at          TIMESTAMP NOT NULL,
    origin              VARCHAR NOT NULL
);
COMMENT ON TABLE raw.cloudrift_instance_types IS 'CloudRift instance types (POST /api/v1/instance-types/list) as returned: one row per variant and data centre, cost_per_hour_cents in US cents per instance-hour as the API gives it, sizes in GiB, nodes and available (free) nodes in the data centre. One slice per snapshot_date.';

CREATE TABLE raw.oci_gpu_shapes (
    source                  VARCHAR NOT NULL,
    shape                   VARCHAR NOT NULL,
    gpu_qty                 DOUBLE,
    gpu_memory_qty          DOUBLE,
    bundle_memory_gb        DOUBLE,
    allow_preemptible       BOOLEAN,
    part_number             VARCHAR,
    part_price_usd_per_hour DOUBLE,
    snapshot_date           DATE NOT NULL,
    fetched_at              TIMESTAMP NOT NULL,
    origin                  VARCHAR NOT NULL
);
COMMENT ON TABLE raw.oci_gpu_shapes IS 'Oracle Cloud cost estimator (shapes.json + products.json): one row per active GPU shape with its GPU count and the pay-as-you-go USD price of its GPU-hour part (part_price_usd_per_hour, per GPU); one price in every region. One slice per snapshot_date.';

CREATE TABLE raw.scaleway_gpu_products (
    source          VARCHAR NOT NULL,
    sku             VARCHAR NOT NULL,
    product         VARCHAR NOT NULL,
    offer_id        VARCHAR,
    variant         VARCHAR,
    description     VARCHAR,
    status          VARCHAR,
    zone            VARCHAR,
    region          VARCHAR,
    gpu_count       DOUBLE,
    gpu_type        VARCHAR,
    gpu_description VARCHAR,
    unit            VARCHAR,
    unit_size       DOUBLE,
    price           DOUBLE,
    currency        VARCHAR,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    origin          VARCHAR NOT NULL
);
COMMENT ON TABLE raw.scaleway_gpu_products IS 'Scaleway public Product Catalog (product-catalog/v2alpha1/public-catalog/products, instances, every page): one row per GPU instance product and zone, price per unit_of_measure in currency (EUR as published, before tax). One slice per snapshot_date.';
