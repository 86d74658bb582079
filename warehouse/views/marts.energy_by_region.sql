-- Energy inputs per cloud region as of the last build, with how old each input is today.
CREATE OR REPLACE VIEW marts.energy_by_region AS
SELECT *,
       current_date - tariff_period_end AS tariff_age_days,
       current_date - fx_date AS fx_age_days,
       year(current_date) - grid_year AS grid_age_years,
       year(current_date) - pue_year AS pue_age_years
FROM core.energy_by_region_current;
COMMENT ON VIEW marts.energy_by_region IS 'Energy inputs per cloud region: every region in core.cloud_regions and every region with a GPU price. Location (country, US state); electricity tariff in USD/kWh with its source, sector or band, period, exchange rate and date where converted; grid carbon intensity (gCO2e/kWh) and its year; PUE and its source. A region without its own tariff says so: tariff_basis (exact | other_sector | national_average | eu_average | us_average_proxy | unavailable), tariff_is_fallback and tariff_note; never a silent zero. *_age_days / *_age_years say how old each input is today. Built by marts/energy_by_region into core.energy_by_region_current.';
