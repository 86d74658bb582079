CREATE OR REPLACE VIEW marts.held_gpu_prices AS
SELECT source, provider, region, instance_type, gpu_model, pricing, commitment_term, price_per_hour_usd,
       price_per_gpu_hour_usd, held_reason, snapshot_date, age_days, origin
FROM marts.gpu_prices_by_source
WHERE held_reason IS NOT NULL
ORDER BY source, provider, region, instance_type, pricing;
COMMENT ON VIEW marts.held_gpu_prices IS 'Current prices held out of every mart, with the reason (out_of_band, region_outlier, spot_not_below_on_demand, jump). If a held price is real, add its line to assets/reference/data/price_confirmations.csv (gpucost prices --held --json prints it).';
