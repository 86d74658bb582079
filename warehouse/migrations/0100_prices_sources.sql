-- Price sources AWS, Azure and gpuhunt (raw tables), and the price marts users query.
-- First-party rows (source = provider: aws, azure, gcp, lambda, runpod, vast) are preferred over
-- aggregator rows (skypilot, gpuhunt) for the same provider, region, instance type and pricing.

CREATE TABLE raw.aws_ec2_prices (
    source            VARCHAR   NOT NULL,
    sku               VARCHAR,
    term_type         VARCHAR   NOT NULL,
    price_description VARCHAR,
    unit              VARCHAR   NOT NULL,
    price_per_unit    DOUBLE    NOT NULL,
    currency          VARCHAR   NOT NULL,
    instance_type     VARCHAR   NOT NULL,
    instance_family   VARCHAR,
    vcpu              DOUBLE,
    memory            VARCHAR,
    gpu               DOUBLE,
    gpu_memory        VARCHAR,
    tenancy           VARCHAR,
    operating_system  VARCHAR,
    pre_installed_sw  VARCHAR,
    capacity_status   VARCHAR,
    market_option     VARCHAR,
    region_code       VARCHAR   NOT NULL,
    location          VARCHAR,
    usage_type        VARCHAR,
    price_list_region VARCHAR   NOT NULL,
    offer_version     VARCHAR,
    publication_date  VARCHAR,
    snapshot_date     DATE      NOT NULL,
    fetched_at        TIMESTAMP NOT NULL,
    origin            VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.aws_ec2_prices IS 'AWS Price List bulk CSV (AmazonEC2/current/{region}/index.csv), the rows kept by the on-demand filter: TermType OnDemand, Linux without pre-installed software, Shared tenancy, CapacityStatus Used, MarketOption OnDemand, USD per Hrs, price > 0, GPU instances. price_per_unit is USD per instance-hour; gpu is the GPU count AWS lists. One slice per snapshot_date.';

CREATE TABLE raw.azure_vm_prices (
    source                  VARCHAR   NOT NULL,
    arm_region_name         VARCHAR   NOT NULL,
    arm_sku_name            VARCHAR,
    sku_name                VARCHAR   NOT NULL,
    meter_name              VARCHAR   NOT NULL,
    product_name            VARCHAR   NOT NULL,
    retail_price            DOUBLE    NOT NULL,
    unit_of_measure         VARCHAR   NOT NULL,
    price_type              VARCHAR   NOT NULL,
    unit_price              DOUBLE,
    currency_code           VARCHAR   NOT NULL,
    service_name            VARCHAR,
    sku_id                  VARCHAR,
    meter_id                VARCHAR,
    reservation_term        VARCHAR,
    effective_start_date    VARCHAR,
    is_primary_meter_region BOOLEAN,
    sku_key                 VARCHAR   NOT NULL,
    snapshot_date           DATE      NOT NULL,
    fetched_at              TIMESTAMP NOT NULL,
    origin                  VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.azure_vm_prices IS 'Azure Retail Prices API items (Virtual Machines, Consumption) for GPU (N-series) SKUs, every page, as returned: Windows, Low Priority and Spot meters included (normalization drops Windows and Low Priority). retail_price is USD per unit_of_measure (1 Hour) per instance. sku_key is the SKU name lower-cased without Standard_, spaces or underscores. One slice per snapshot_date.';

CREATE TABLE raw.gpuhunt_offers (
    source          VARCHAR   NOT NULL,
    provider        VARCHAR   NOT NULL,
    catalog_version VARCHAR,
    instance_name   VARCHAR   NOT NULL,
    location        VARCHAR   NOT NULL,
    price           DOUBLE    NOT NULL,
    cpu             DOUBLE,
    memory          DOUBLE,
    gpu_count       DOUBLE    NOT NULL,
    gpu_name        VARCHAR,
    gpu_memory      DOUBLE,
    spot            BOOLEAN   NOT NULL,
    disk_size       DOUBLE,
    gpu_vendor      VARCHAR,
    flags           VARCHAR,
    cpu_arch        VARCHAR,
    snapshot_date   DATE      NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    origin          VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.gpuhunt_offers IS 'dstack gpuhunt catalogs (v3/{provider}/{version}/catalog.zip), GPU rows only, as returned: provider is gpuhunt''s name (lambdalabs = Lambda), price is USD per instance-hour, spot and on-demand are separate rows, TPUs have gpu_vendor google. One slice per snapshot_date.';

-- An offer is (provider, region, instance_type, pricing, commitment_term). commitment_term is added to
-- core.gpu_prices by migration 0150, which runs after this one on a new warehouse: the views name it
-- through COLUMNS(c -> c IN (...)), which DuckDB re-expands each time a view is read, so they use the
-- column once it exists (a committed 1y and 3y price are then two offers, never one).

-- Each source's newest snapshot, every row, with the first-party preference made explicit.
CREATE VIEW marts.gpu_prices_by_source AS
WITH latest AS (
    SELECT p.*, (current_date - p.snapshot_date) AS age_days, (p.source = p.provider) AS first_party,
           list_value(*COLUMNS(c -> c IN ('provider', 'instance_type', 'pricing', 'commitment_term'))) AS _offer
    FROM core.gpu_prices p
    JOIN (SELECT source, max(snapshot_date) AS snapshot_date FROM core.gpu_prices GROUP BY source) l
      USING (source, snapshot_date)
), ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY _offer, region ORDER BY first_party DESC, snapshot_date DESC, source) AS _rank,
           -- a first-party price with no region (Lambda's page) holds in every region of that provider
           bool_or(first_party AND region IS NULL) OVER (PARTITION BY _offer) AS _first_party_everywhere
    FROM latest
)
SELECT * EXCLUDE (_offer, _rank, _first_party_everywhere),
       (_rank = 1 AND (first_party OR NOT _first_party_everywhere)) AS preferred
FROM ranked;
COMMENT ON VIEW marts.gpu_prices_by_source IS 'Each source''s newest snapshot of GPU prices, every source kept side by side. first_party: the row comes from the provider''s own source (source = provider). preferred: the row the marts use for this offer (provider, region, instance_type, pricing, commitment_term): the first-party row first (a first-party price without a region covers every region), then the newest snapshot, then the source name.';

CREATE OR REPLACE VIEW marts.latest_gpu_prices AS
SELECT * EXCLUDE (first_party, preferred) FROM marts.gpu_prices_by_source WHERE preferred;
COMMENT ON VIEW marts.latest_gpu_prices IS 'The current price of every GPU offer: each source''s most recent snapshot, with age_days (days since that snapshot); where several sources price the same offer (provider, region, instance_type, pricing, commitment_term), the first-party row wins over an aggregator''s, else the newest. A source that failed today still shows its last good data, with its age.';

CREATE VIEW marts.gpu_prices_latest AS
WITH offers AS (
    SELECT *, list_value(*COLUMNS(c -> c IN ('provider', 'region', 'gpu_model', 'pricing', 'price_basis', 'commitment_term'))) AS _place
    FROM marts.latest_gpu_prices
    WHERE gpu_model IS NOT NULL
)
SELECT provider, region, COLUMNS(c -> c IN ('gpu_model', 'commitment_term')), pricing, price_basis,
       price_per_gpu_hour_usd, price_per_pflop_hour_usd, instance_type, gpu_count, price_per_hour_usd, source,
       (source = provider) AS first_party, origin, snapshot_date, age_days,
       count(*) OVER (PARTITION BY _place) AS offers
FROM offers
QUALIFY row_number() OVER (PARTITION BY _place ORDER BY price_per_gpu_hour_usd, instance_type, source) = 1;
COMMENT ON VIEW marts.gpu_prices_latest IS 'Latest price per (provider, region, gpu_model, pricing, price_basis, commitment_term): the cheapest $/GPU-hour among that place''s offers (first-party preferred, see marts.latest_gpu_prices), the instance it comes from, its source, snapshot date and age_days, and how many offers there were.';

CREATE VIEW marts.gpu_prices_daily AS
WITH keyed AS (
    SELECT *, list_value(*COLUMNS(c -> c IN ('gpu_model', 'pricing', 'commitment_term'))) AS _kind,
           list_value(*COLUMNS(c -> c IN ('provider', 'instance_type', 'pricing', 'commitment_term'))) AS _offer
    FROM core.gpu_prices
    WHERE gpu_model IS NOT NULL AND price_basis = 'instance'
), offers AS (
    SELECT * FROM keyed
    QUALIFY row_number() OVER (PARTITION BY snapshot_date, region, _offer ORDER BY (source = provider) DESC, source) = 1
        AND ((source = provider) OR NOT bool_or(source = provider AND region IS NULL) OVER (PARTITION BY snapshot_date, _offer))
), cheapest AS (
    SELECT snapshot_date, _kind, provider AS cheapest_provider, region AS cheapest_region,
           instance_type AS cheapest_instance_type, source AS cheapest_source
    FROM offers
    QUALIFY row_number() OVER (PARTITION BY snapshot_date, _kind ORDER BY price_per_gpu_hour_usd, provider, region, instance_type) = 1
)
SELECT snapshot_date, COLUMNS(c -> c IN ('gpu_model', 'commitment_term')), pricing,
       min(price_per_gpu_hour_usd) AS cheapest_price_per_gpu_hour_usd,
       median(price_per_gpu_hour_usd) AS median_price_per_gpu_hour_usd,
       count(*) AS offers,
       count(DISTINCT provider) AS providers,
       any_value(cheapest_provider) AS cheapest_provider, any_value(cheapest_region) AS cheapest_region,
       any_value(cheapest_instance_type) AS cheapest_instance_type, any_value(cheapest_source) AS cheapest_source
FROM offers JOIN cheapest USING (snapshot_date, _kind)
GROUP BY ALL;
COMMENT ON VIEW marts.gpu_prices_daily IS 'Per day, GPU model and pricing (on_demand, spot, committed with its term): the cheapest and median $/GPU-hour over that day''s whole-instance offers, the number of offers and providers, and where the cheapest was (cheapest_provider, cheapest_region, cheapest_instance_type, cheapest_source). A day counts the sources that delivered that day; an offer priced by several sources counts once (first-party preferred).';

CREATE VIEW marts.gpu_rental_options AS
SELECT gpu_model, provider, region, instance_type, gpu_count, pricing, price_per_hour_usd, price_per_gpu_hour_usd,
       source, (source = provider) AS first_party, origin, snapshot_date, age_days
FROM marts.latest_gpu_prices
WHERE gpu_model IS NOT NULL AND price_basis = 'instance' AND gpu_count >= 1;
COMMENT ON VIEW marts.gpu_rental_options IS 'What can be rented today: current whole-instance offers with at least one whole GPU of a known model (first-party preferred), per instance-hour and per GPU-hour. Query marts.cheapest_gpus(model, n) for the cheapest way to get n GPUs.';

-- "H100" names the family: H100 itself and every variant named H100-... (H100-SXM, H100-PCIe, H100-NVL).
CREATE MACRO marts.gpu_family_match(gpu_model, wanted) AS
    lower(gpu_model) = lower(wanted) OR starts_with(lower(gpu_model), lower(wanted) || '-');
COMMENT ON MACRO marts.gpu_family_match IS 'True when gpu_model is the wanted model or one of its variants (wanted ''H100'' matches H100-SXM, H100-PCIe and H100-NVL; ''A100-80GB'' matches A100-80GB and A100-80GB-PCIe). Case-insensitive.';

CREATE MACRO marts.cheapest_gpus(model, n, kind := 'on_demand') AS TABLE
SELECT o.*,
       CAST(ceil(n / o.gpu_count) AS BIGINT) AS instances,
       ceil(n / o.gpu_count) * o.gpu_count AS gpus_rented,
       ceil(n / o.gpu_count) * o.price_per_hour_usd AS total_price_per_hour_usd,
       ceil(n / o.gpu_count) * o.price_per_hour_usd / n AS price_per_needed_gpu_hour_usd
FROM marts.gpu_rental_options o
WHERE marts.gpu_family_match(o.gpu_model, model) AND o.pricing = kind
ORDER BY total_price_per_hour_usd, instances, o.provider, o.region, o.instance_type;
COMMENT ON MACRO TABLE marts.cheapest_gpus IS 'Cheapest places to rent n GPUs of a model (or its variants) today: select * from marts.cheapest_gpus(''H100'', 16) (kind := ''spot'' for spot). instances = whole instances needed, gpus_rented may exceed n, total_price_per_hour_usd = instances x instance price, price_per_needed_gpu_hour_usd = total / n.';
