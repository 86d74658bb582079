-- Renamed from marts.gpu_prices_latest (too close to marts.latest_gpu_prices for what it is).
CREATE OR REPLACE VIEW marts.gpu_prices_by_place AS
WITH offers AS (
    SELECT *, list_value(provider, region, gpu_model, pricing, price_basis, commitment_term) AS _place
    FROM marts.gpu_prices_by_source
    WHERE preferred AND gpu_model IS NOT NULL
)
SELECT provider, region, gpu_model, commitment_term, pricing, price_basis,
       price_per_gpu_hour_usd, price_per_pflop_hour_usd, instance_type, gpu_count, price_per_hour_usd, source,
       first_party, origin, snapshot_date, age_days,
       count(*) OVER (PARTITION BY _place) AS offers
FROM offers
QUALIFY row_number() OVER (PARTITION BY _place ORDER BY price_per_gpu_hour_usd, instance_type, source) = 1;
COMMENT ON VIEW marts.gpu_prices_by_place IS 'The cheapest current price per place (provider, region, gpu_model, pricing, price_basis, commitment_term): the cheapest $/GPU-hour among that place''s offers (first-party preferred, see marts.latest_gpu_prices), the instance it comes from, its source, snapshot date and age_days, and how many offers there were. Called marts.gpu_prices_latest before.';
