-- Tariffs and grid intensities are held row by row, as prices are: a bad value stays in core with its reason and
-- is left out of the energy mart (which then falls back for that region), instead of blocking every cost mart.
ALTER TABLE core.electricity_tariffs ADD COLUMN held_reason VARCHAR;
COMMENT ON COLUMN core.electricity_tariffs.held_reason IS 'NULL for a usable tariff. Otherwise why it is left out of marts.energy_by_region: no_usd_value (no exchange rate), not_positive (negative or zero), implausible (above 1.5 $/kWh). Confirm a real one in assets/energy/data/energy_confirmations.csv.';
ALTER TABLE core.grid_carbon_intensity ADD COLUMN held_reason VARCHAR;
COMMENT ON COLUMN core.grid_carbon_intensity.held_reason IS 'NULL for a usable intensity. Otherwise why it is left out of marts.energy_by_region (outside 0..1,500 gCO2e/kWh). Confirm a real one in assets/energy/data/energy_confirmations.csv.';

CREATE TABLE core.energy_confirmations (
    kind         VARCHAR NOT NULL,  -- tariff | grid
    source       VARCHAR NOT NULL,
    area_code    VARCHAR,
    sector       VARCHAR,
    period_label VARCHAR,
    iso3         VARCHAR,
    year         BIGINT,
    value        DOUBLE  NOT NULL,
    confirmed_on VARCHAR NOT NULL,
    confirmed_by VARCHAR NOT NULL,
    source_note  VARCHAR
);
COMMENT ON TABLE core.energy_confirmations IS 'Held tariffs (kind tariff: source, area_code, sector, period_label, value in USD/kWh) and grid intensities (kind grid: source, iso3, year, value in gCO2e/kWh) a person checked and found real: that exact value is then used. From assets/energy/data/energy_confirmations.csv. Usually empty.';
