-- Optional offer columns (assets/prices/offers.py OPTIONAL_SCHEMA): stock where a source gives it, and prices
-- published in another currency with the exchange rate that converted them (offers.to_usd). NULL for every other row.
ALTER TABLE core.gpu_prices ADD COLUMN availability VARCHAR;
ALTER TABLE core.gpu_prices ADD COLUMN price_per_hour_local DOUBLE;
ALTER TABLE core.gpu_prices ADD COLUMN local_currency VARCHAR;
ALTER TABLE core.gpu_prices ADD COLUMN fx_rate DOUBLE;
ALTER TABLE core.gpu_prices ADD COLUMN fx_date DATE;
ALTER TABLE core.gpu_prices ADD COLUMN fx_source VARCHAR;
COMMENT ON COLUMN core.gpu_prices.availability IS 'Stock as the source states it (RunPod stockStatus High / Medium / Low; CloudRift "N of M nodes free"). NULL where the source gives none.';
COMMENT ON COLUMN core.gpu_prices.price_per_hour_local IS 'The price as published, per instance-hour, in local_currency (Scaleway EUR, before tax); price_per_hour_usd = price_per_hour_local x fx_rate. NULL for USD sources.';
COMMENT ON COLUMN core.gpu_prices.local_currency IS 'ISO currency of price_per_hour_local (EUR). NULL for USD sources.';
COMMENT ON COLUMN core.gpu_prices.fx_rate IS 'USD per unit of local_currency used to convert the row (the stored ECB reference rate). NULL for USD sources.';
COMMENT ON COLUMN core.gpu_prices.fx_date IS 'Date of the exchange rate in fx_rate.';
COMMENT ON COLUMN core.gpu_prices.fx_source IS 'Where fx_rate comes from (ecb_eurofxref).';
