-- A confirmation names the commitment term too (GCP 1y and 3y prices are different offers).
ALTER TABLE core.price_confirmations ADD COLUMN commitment_term VARCHAR;
COMMENT ON COLUMN core.price_confirmations.commitment_term IS 'For committed prices: the term (1y, 3y) of the confirmed offer; empty otherwise.';

-- First-party preference, but not for a stale first-party price: a provider's own source that stopped
-- delivering (a page whose layout changed) must not hide an aggregator's fresher price for weeks.
-- First-party wins while its snapshot is at most 3 days older than the newest usable row of the offer.
CREATE OR REPLACE VIEW marts.gpu_prices_by_source AS
WITH latest AS (
    SELECT p.*, (current_date - p.snapshot_date) AS age_days, (p.source = p.provider) AS first_party,
           (p.held_reason IS NULL) AS usable,
           list_value(p.provider, p.instance_type, p.pricing, p.commitment_term) AS _offer
    FROM core.gpu_prices p
    JOIN (SELECT source, max(snapshot_date) AS snapshot_date FROM core.gpu_prices GROUP BY source) l
      USING (source, snapshot_date)
), fresh AS (
    SELECT *, first_party AND snapshot_date >= max(snapshot_date) OVER (PARTITION BY _offer, usable) - INTERVAL 3 DAY AS _fresh_first_party
    FROM latest
), ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY _offer, region, usable ORDER BY _fresh_first_party DESC, snapshot_date DESC, source) AS _rank,
           -- a fresh first-party price with no region (Lambda's page) holds in every region of that provider
           bool_or(_fresh_first_party AND usable AND region IS NULL) OVER (PARTITION BY _offer) AS _first_party_everywhere
    FROM fresh
)
SELECT * EXCLUDE (_offer, _rank, _first_party_everywhere, _fresh_first_party, usable),
       (usable AND _rank = 1 AND (_fresh_first_party OR NOT _first_party_everywhere)) AS preferred
FROM ranked;
COMMENT ON VIEW marts.gpu_prices_by_source IS 'Each source''s newest snapshot of GPU prices, every source kept side by side, held rows included (see held_reason). first_party: the row comes from the provider''s own source (source = provider). preferred: the row the marts use for this offer (provider, region, instance_type, pricing, commitment_term): never a held row; the first-party row while it is at most 3 days older than the newest row of the offer (a first-party price without a region covers every region), else the newest snapshot, then the source name.';

CREATE OR REPLACE VIEW marts.held_gpu_prices AS
SELECT source, provider, region, instance_type, gpu_model, pricing, commitment_term, price_per_hour_usd, price_per_gpu_hour_usd,
       held_reason, snapshot_date, age_days, origin
FROM marts.gpu_prices_by_source
WHERE held_reason IS NOT NULL
ORDER BY source, provider, region, instance_type, pricing;
COMMENT ON VIEW marts.held_gpu_prices IS 'Current prices held out of every mart, with the reason (out_of_band, region_outlier, spot_not_below_on_demand, jump). If a held price is real, add its line to assets/reference/data/price_confirmations.csv (gpucost prices --held --json prints it).';
