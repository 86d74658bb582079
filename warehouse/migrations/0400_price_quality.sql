-- Price quality: rows held out of the marts (implausible for their GPU model, or a >5x day-over-day jump)
-- until a person confirms them in assets/reference/data/price_confirmations.csv.
ALTER TABLE core.gpu_prices ADD COLUMN held_reason VARCHAR;
COMMENT ON COLUMN core.gpu_prices.held_reason IS 'NULL for a usable price. Otherwise why the row is held out of every mart: out_of_band (more than 10x from its GPU model''s median over current offers) or jump (more than 5x from the same source''s previous snapshot of the offer). Confirm a held price in assets/reference/data/price_confirmations.csv to release it.';

CREATE TABLE core.price_confirmations (
    source             VARCHAR NOT NULL,
    provider           VARCHAR NOT NULL,
    region             VARCHAR,
    instance_type      VARCHAR NOT NULL,
    pricing            VARCHAR NOT NULL,
    price_per_hour_usd DOUBLE  NOT NULL,
    confirmed_on       VARCHAR NOT NULL,
    confirmed_by       VARCHAR NOT NULL,
    source_note        VARCHAR
);
COMMENT ON TABLE core.price_confirmations IS 'Prices a person checked and confirmed although they looked implausible or jumped: an exact (source, provider, region, instance_type, pricing, price_per_hour_usd) is then used in the marts. From assets/reference/data/price_confirmations.csv.';

-- As in 0100, now with commitment_term named directly (0150 added it) and held rows never preferred.
CREATE OR REPLACE VIEW marts.gpu_prices_by_source AS
WITH latest AS (
    SELECT p.*, (current_date - p.snapshot_date) AS age_days, (p.source = p.provider) AS first_party,
           (p.held_reason IS NULL) AS usable,
           list_value(p.provider, p.instance_type, p.pricing, p.commitment_term) AS _offer
    FROM core.gpu_prices p
    JOIN (SELECT source, max(snapshot_date) AS snapshot_date FROM core.gpu_prices GROUP BY source) l
      USING (source, snapshot_date)
), ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY _offer, region, usable ORDER BY first_party DESC, snapshot_date DESC, source) AS _rank,
           -- a first-party price with no region (Lambda's page) holds in every region of that provider
           bool_or(first_party AND usable AND region IS NULL) OVER (PARTITION BY _offer) AS _first_party_everywhere
    FROM latest
)
SELECT * EXCLUDE (_offer, _rank, _first_party_everywhere, usable),
       (usable AND _rank = 1 AND (first_party OR NOT _first_party_everywhere)) AS preferred
FROM ranked;
COMMENT ON VIEW marts.gpu_prices_by_source IS 'Each source''s newest snapshot of GPU prices, every source kept side by side, held rows included (see held_reason). first_party: the row comes from the provider''s own source (source = provider). preferred: the row the marts use for this offer (provider, region, instance_type, pricing, commitment_term): never a held row; the first-party row first (a first-party price without a region covers every region), then the newest snapshot, then the source name.';

CREATE OR REPLACE VIEW marts.gpu_prices_daily AS
WITH offers AS (
    SELECT * FROM core.gpu_prices
    WHERE gpu_model IS NOT NULL AND price_basis = 'instance' AND held_reason IS NULL
    QUALIFY row_number() OVER (PARTITION BY snapshot_date, region, provider, instance_type, pricing, commitment_term ORDER BY (source = provider) DESC, source) = 1
        AND ((source = provider) OR NOT bool_or(source = provider AND region IS NULL)
                 OVER (PARTITION BY snapshot_date, provider, instance_type, pricing, commitment_term))
), cheapest AS (
    SELECT snapshot_date, gpu_model, pricing, commitment_term, provider AS cheapest_provider, region AS cheapest_region,
           instance_type AS cheapest_instance_type, source AS cheapest_source
    FROM offers
    QUALIFY row_number() OVER (PARTITION BY snapshot_date, gpu_model, pricing, commitment_term ORDER BY price_per_gpu_hour_usd, provider, region, instance_type) = 1
)
SELECT o.snapshot_date, o.gpu_model, o.commitment_term, o.pricing,
       min(o.price_per_gpu_hour_usd) AS cheapest_price_per_gpu_hour_usd,
       median(o.price_per_gpu_hour_usd) AS median_price_per_gpu_hour_usd,
       count(*) AS offers,
       count(DISTINCT o.provider) AS providers,
       any_value(c.cheapest_provider) AS cheapest_provider, any_value(c.cheapest_region) AS cheapest_region,
       any_value(c.cheapest_instance_type) AS cheapest_instance_type, any_value(c.cheapest_source) AS cheapest_source
FROM offers o JOIN cheapest c
  ON c.snapshot_date = o.snapshot_date AND c.gpu_model = o.gpu_model AND c.pricing = o.pricing
 AND c.commitment_term IS NOT DISTINCT FROM o.commitment_term  -- NULL (no term) is a term like any other here
GROUP BY ALL;
COMMENT ON VIEW marts.gpu_prices_daily IS 'Per day, GPU model and pricing (on_demand, spot, committed with its term): the cheapest and median $/GPU-hour over that day''s whole-instance offers, the number of offers and providers, and where the cheapest was (cheapest_provider, cheapest_region, cheapest_instance_type, cheapest_source). A day counts the sources that delivered that day; an offer priced by several sources counts once (first-party preferred); held rows (core.gpu_prices.held_reason) never count.';

CREATE VIEW marts.held_gpu_prices AS
SELECT source, provider, region, instance_type, gpu_model, pricing, price_per_hour_usd, price_per_gpu_hour_usd,
       held_reason, snapshot_date, age_days, origin
FROM marts.gpu_prices_by_source
WHERE held_reason IS NOT NULL
ORDER BY source, provider, region, instance_type, pricing;
COMMENT ON VIEW marts.held_gpu_prices IS 'Current prices held out of every mart, with the reason (out_of_band or jump). If a held price is real, add its line to assets/reference/data/price_confirmations.csv (gpucost prices --held prints it).';
