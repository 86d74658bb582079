-- Every source's newest snapshot of GPU prices, side by side, with the first-party choice and each row's age.
CREATE OR REPLACE VIEW marts.gpu_prices_by_source AS
SELECT *, (current_date - snapshot_date) AS age_days
FROM core.gpu_prices_current;
COMMENT ON VIEW marts.gpu_prices_by_source IS 'Each source''s newest snapshot of GPU prices, every source kept side by side, held rows included (see held_reason), with age_days. first_party: the row comes from the provider''s own source (source = provider). preferred: the row the marts use for this offer (provider, region, instance_type, pricing, commitment_term): never a held row; the first-party row while it is at most 3 days older than the newest row of the offer (a first-party price without a region covers every region), else the newest snapshot, then the source name. reported_by: every source pricing the same offer.';
