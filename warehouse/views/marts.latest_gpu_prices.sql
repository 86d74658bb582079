-- The current price of every offer, each offer once.
CREATE OR REPLACE VIEW marts.latest_gpu_prices AS
SELECT * EXCLUDE (first_party, preferred, reported_by, age_days), reported_by, age_days
FROM marts.gpu_prices_by_source WHERE preferred;
COMMENT ON VIEW marts.latest_gpu_prices IS 'The current price of every GPU offer, each offer once: each source''s most recent snapshot, with age_days (days since that snapshot); where several sources price the same offer (provider, region, instance_type, pricing, commitment_term), the first-party row wins over an aggregator''s, else the newest (reported_by lists every source that prices it). A source that failed today still shows its last good data, with its age. Held rows never appear.';
