CREATE OR REPLACE VIEW marts.gpu_rental_options AS
SELECT gpu_model, provider, region, instance_type, gpu_count, pricing, price_per_hour_usd, price_per_gpu_hour_usd,
       source, first_party, origin, snapshot_date, age_days
FROM marts.gpu_prices_by_source
WHERE preferred AND gpu_model IS NOT NULL AND price_basis = 'instance' AND gpu_count >= 1;
COMMENT ON VIEW marts.gpu_rental_options IS 'What can be rented today: current whole-instance offers with at least one whole GPU of a known model (first-party preferred), per instance-hour and per GPU-hour. Query marts.cheapest_gpus(model, n) for the cheapest way to get n GPUs.';
