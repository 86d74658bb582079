-- gpucost warehouse: the energy domain. Electricity tariffs (EIA, Eurostat), the EUR->USD rate (ECB),
-- grid carbon intensity (Our World in Data), where cloud regions are, data-centre PUE, and the mart
-- that joins them per cloud region.

-- raw: each source as returned, one slice per (source, snapshot_date).
CREATE TABLE raw.eia_electricity_prices (
    source         VARCHAR   NOT NULL,
    area_name      VARCHAR   NOT NULL,
    area_kind      VARCHAR   NOT NULL,  -- state | census_division | us_total | other
    state_code     VARCHAR,
    sector         VARCHAR   NOT NULL,  -- residential | commercial | industrial | transportation | all_sectors
    period         DATE      NOT NULL,  -- first day of the month
    period_label   VARCHAR   NOT NULL,
    cents_per_kwh  DOUBLE,
    value_flag     VARCHAR,             -- '--', 'W', 'NM' as printed when there is no value
    snapshot_date  DATE      NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    origin         VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.eia_electricity_prices IS 'EIA Electric Power Monthly Table 5.6.A as published: average retail price in US cents/kWh per state, census division and U.S. Total, per sector, for the month and the same month a year earlier. NULL cents_per_kwh keeps EIA''s marker in value_flag. One slice per snapshot_date.';

CREATE TABLE raw.eurostat_nrg_pc_205 (
    source         VARCHAR   NOT NULL,
    freq           VARCHAR,
    siec           VARCHAR,
    nrg_cons       VARCHAR   NOT NULL,  -- consumption band, e.g. MWH_GE150000 (band IG)
    unit           VARCHAR   NOT NULL,
    tax            VARCHAR   NOT NULL,  -- X_TAX | X_VAT | I_TAX
    currency       VARCHAR   NOT NULL,
    geo            VARCHAR   NOT NULL,  -- Eurostat geo code (EL = Greece), EU27_2020 = EU average
    time           VARCHAR   NOT NULL,  -- semester, YYYY-S1 | YYYY-S2
    value          DOUBLE    NOT NULL,
    status         VARCHAR,             -- Eurostat flag (p provisional, e estimated, ...)
    snapshot_date  DATE      NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    origin         VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.eurostat_nrg_pc_205 IS 'Eurostat nrg_pc_205 (electricity prices for non-household consumers, semi-annual) decoded from JSON-stat: one row per present cell of the cube, value in currency per kWh. One slice per snapshot_date.';

CREATE TABLE raw.ecb_eurofxref (
    source         VARCHAR   NOT NULL,
    rate_date      DATE      NOT NULL,
    currency       VARCHAR   NOT NULL,
    rate           DOUBLE    NOT NULL,  -- units of currency per 1 EUR
    snapshot_date  DATE      NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    origin         VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.ecb_eurofxref IS 'ECB euro foreign exchange reference rates (eurofxref-daily.xml): units of each currency per 1 EUR, by reference date. One slice per snapshot_date.';

CREATE TABLE raw.owid_carbon_intensity (
    source             VARCHAR   NOT NULL,
    entity             VARCHAR   NOT NULL,
    code               VARCHAR,           -- ISO 3166 alpha-3, OWID_WRL for World, NULL for regional aggregates
    year               INTEGER   NOT NULL,
    grid_gco2_per_kwh  DOUBLE    NOT NULL,
    snapshot_date      DATE      NOT NULL,
    fetched_at         TIMESTAMP NOT NULL,
    origin             VARCHAR   NOT NULL
);
COMMENT ON TABLE raw.owid_carbon_intensity IS 'Our World in Data carbon intensity of electricity generation (gCO2e/kWh) by country or aggregate and year, as exported by its grapher chart. One slice per snapshot_date.';

-- core: reference data files (assets/energy/data/*.csv).
CREATE TABLE core.countries (
    country_code  VARCHAR NOT NULL PRIMARY KEY,  -- ISO 3166-1 alpha-2
    iso3          VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    eurostat_geo  VARCHAR,
    eu_member     BIGINT  NOT NULL,
    source        VARCHAR NOT NULL
);
COMMENT ON TABLE core.countries IS 'Countries where gpucost prices cloud regions, and every EU member: ISO alpha-2 and alpha-3 codes, Eurostat geo code, EU membership (1/0). From assets/energy/data/countries.csv.';

CREATE TABLE core.cloud_regions (
    provider      VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    display_name  VARCHAR,
    country_code  VARCHAR NOT NULL,
    state_code    VARCHAR,  -- US state postal code; NULL outside the US or where the state is not published
    city          VARCHAR,
    source        VARCHAR NOT NULL,
    notes         VARCHAR,
    PRIMARY KEY (provider, region)
);
COMMENT ON TABLE core.cloud_regions IS 'Where each cloud region is: country and, in the US, state, one cited source per row. Region names as the price sources spell them (RunPod regions are country codes). From assets/energy/data/cloud_regions.csv.';

CREATE TABLE core.datacenter_pue (
    provider  VARCHAR NOT NULL,  -- '*' = default for any provider without its own row
    region    VARCHAR,           -- NULL = the provider's fleet-wide default
    pue       DOUBLE  NOT NULL,
    year      BIGINT  NOT NULL,
    scope     VARCHAR NOT NULL,  -- fleet | geography | campus | assumption | industry_average
    source    VARCHAR NOT NULL,
    notes     VARCHAR
);
COMMENT ON TABLE core.datacenter_pue IS 'Power usage effectiveness (total facility power / IT power) per provider and, where published, per region, with its source and year. From assets/energy/data/datacenter_pue.csv.';

CREATE TABLE core.tariff_preferences (
    source           VARCHAR NOT NULL,
    sector           VARCHAR NOT NULL,
    preference_rank  BIGINT  NOT NULL,
    sector_label     VARCHAR NOT NULL,
    rationale        VARCHAR NOT NULL,
    PRIMARY KEY (source, sector)
);
COMMENT ON TABLE core.tariff_preferences IS 'Which tariff a data centre pays, per tariff source, in order of preference (1 = first choice): US industrial, then commercial; Eurostat band IG (150 GWh a year or more), then IF, IE, ID. From assets/energy/data/tariff_preferences.csv.';

-- core: canonical rows computed from the raw tables.
CREATE TABLE core.electricity_tariffs (
    source              VARCHAR   NOT NULL,
    area_kind           VARCHAR   NOT NULL,  -- state | census_division | country | eu_average
    area_code           VARCHAR   NOT NULL,
    area_name           VARCHAR   NOT NULL,
    country_code        VARCHAR,
    state_code          VARCHAR,
    sector              VARCHAR   NOT NULL,
    tax                 VARCHAR,
    period_label        VARCHAR   NOT NULL,
    period_start        DATE      NOT NULL,
    period_end          DATE      NOT NULL,
    price_per_kwh       DOUBLE,              -- in currency, as published (converted from cents for EIA)
    currency            VARCHAR   NOT NULL,
    value_flag          VARCHAR,
    tariff_usd_per_kwh  DOUBLE,
    fx_rate             DOUBLE,              -- USD per unit of currency; NULL for USD prices
    fx_date             DATE,
    fx_source           VARCHAR,
    snapshot_date       DATE      NOT NULL,
    fetched_at          TIMESTAMP NOT NULL,
    origin              VARCHAR   NOT NULL
);
COMMENT ON TABLE core.electricity_tariffs IS 'Every electricity price from every tariff source in one shape: area (US state, census division, country, EU average), sector or consumption band, period, price per kWh in its currency and in USD. Converted values carry the exchange rate used, its date and source. One slice per (source, snapshot_date).';
COMMENT ON COLUMN core.electricity_tariffs.fx_rate IS 'USD per unit of currency (ECB reference rate of fx_date); NULL for prices published in USD.';

CREATE TABLE core.grid_carbon_intensity (
    source             VARCHAR   NOT NULL,
    iso3               VARCHAR   NOT NULL,  -- ISO alpha-3, or OWID_WRL for World
    country_code       VARCHAR,             -- ISO alpha-2 where core.countries knows the country
    entity             VARCHAR   NOT NULL,
    year               INTEGER   NOT NULL,
    grid_gco2_per_kwh  DOUBLE    NOT NULL,
    snapshot_date      DATE      NOT NULL,
    fetched_at         TIMESTAMP NOT NULL,
    origin             VARCHAR   NOT NULL
);
COMMENT ON TABLE core.grid_carbon_intensity IS 'Carbon intensity of electricity generation (gCO2e/kWh) by country and year, and the World average. One slice per (source, snapshot_date).';

-- marts: energy per cloud region.
CREATE VIEW marts.energy_by_region AS
WITH
latest_tariffs AS (
    SELECT * FROM core.electricity_tariffs
    QUALIFY snapshot_date = max(snapshot_date) OVER (PARTITION BY source)
),
candidates AS (  -- per area and preferred sector: its newest period with a price
    SELECT t.*, p.preference_rank, p.sector_label
    FROM latest_tariffs t JOIN core.tariff_preferences p USING (source, sector)
    WHERE t.price_per_kwh IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY t.source, t.area_kind, t.area_code, t.sector ORDER BY t.period_start DESC) = 1
),
priced AS (
    SELECT DISTINCT provider, region FROM core.gpu_prices WHERE region IS NOT NULL
),
regions AS (
    SELECT r.provider, r.region, r.display_name, r.country_code, r.state_code, r.city, r.source AS location_source,
           TRUE AS location_known, p.provider IS NOT NULL AS priced
    FROM core.cloud_regions r LEFT JOIN priced p ON p.provider = r.provider AND p.region = r.region
    UNION ALL
    SELECT p.provider, p.region, NULL, NULL, NULL, NULL, NULL, FALSE, TRUE
    FROM priced p ANTI JOIN core.cloud_regions r ON r.provider = p.provider AND r.region = p.region
),
by_state AS (  -- countries whose tariffs are published by state: their national row is an average
    SELECT DISTINCT country_code FROM candidates WHERE area_kind = 'state'
),
matches AS (
    SELECT r.provider, r.region, c.*, 1 AS level,
           CASE WHEN c.preference_rank = 1 THEN 'exact' ELSE 'other_sector' END AS basis
    FROM regions r JOIN candidates c ON c.area_kind = 'state' AND c.country_code = r.country_code AND c.state_code = r.state_code
    UNION ALL
    SELECT r.provider, r.region, c.*, 2,
           CASE WHEN s.country_code IS NOT NULL THEN 'national_average' WHEN c.preference_rank = 1 THEN 'exact' ELSE 'other_sector' END
    FROM regions r JOIN candidates c ON c.area_kind = 'country' AND c.country_code = r.country_code
    LEFT JOIN by_state s ON s.country_code = r.country_code
    UNION ALL
    SELECT r.provider, r.region, c.*, 3, 'eu_average'
    FROM regions r JOIN core.countries k ON k.country_code = r.country_code AND k.eu_member = 1
    JOIN candidates c ON c.area_kind = 'eu_average'
    UNION ALL
    SELECT r.provider, r.region, c.*, 4, 'us_average_proxy'
    FROM regions r JOIN candidates c ON c.area_kind = 'country' AND c.country_code = 'US'
    WHERE r.country_code IS NOT NULL
),
tariff AS (
    SELECT * FROM matches
    QUALIFY row_number() OVER (PARTITION BY provider, region ORDER BY level, preference_rank, period_start DESC) = 1
),
latest_grid AS (
    SELECT * FROM core.grid_carbon_intensity
    QUALIFY snapshot_date = max(snapshot_date) OVER (PARTITION BY source)
),
grid_country AS (
    SELECT * FROM latest_grid WHERE country_code IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY country_code ORDER BY year DESC, source) = 1
),
grid_world AS (
    SELECT * FROM latest_grid WHERE iso3 = 'OWID_WRL'
    QUALIFY row_number() OVER (ORDER BY year DESC, source) = 1
),
pue AS (
    SELECT r.provider, r.region, p.pue, p.year, p.scope, p.source
    FROM regions r JOIN core.datacenter_pue p
      ON (p.provider = r.provider AND (p.region = r.region OR p.region IS NULL)) OR (p.provider = '*' AND p.region IS NULL)
    QUALIFY row_number() OVER (
        PARTITION BY r.provider, r.region
        ORDER BY CASE WHEN p.region IS NOT NULL THEN 1 WHEN p.provider = r.provider THEN 2 ELSE 3 END) = 1
)
SELECT
    r.provider, r.region, r.country_code, r.state_code,
    t.tariff_usd_per_kwh,
    t.source AS tariff_source,
    t.period_label AS tariff_period,
    coalesce(t.basis, 'unavailable') <> 'exact' AS tariff_is_fallback,
    coalesce(g.grid_gco2_per_kwh, w.grid_gco2_per_kwh) AS grid_gco2_per_kwh,
    coalesce(g.year, w.year) AS grid_year,
    coalesce(g.source, w.source) AS grid_source,
    p.pue,
    p.source AS pue_source,
    r.display_name, r.city, r.location_known, r.location_source, r.priced,
    coalesce(t.basis, 'unavailable') AS tariff_basis,
    CASE coalesce(t.basis, 'unavailable')
        WHEN 'exact' THEN NULL
        WHEN 'other_sector' THEN 'first-choice sector not published for ' || t.area_name || ': ' || t.sector_label || ' used'
        WHEN 'national_average' THEN 'no price for ' || coalesce('state ' || r.state_code, 'an unknown state') || ': national average (' || t.area_name || ') used'
        WHEN 'eu_average' THEN 'no ' || t.source || ' price for ' || r.country_code || ': EU27 average used'
        WHEN 'us_average_proxy' THEN 'no tariff source covers ' || r.country_code || ': U.S. average used as a proxy'
        ELSE CASE WHEN r.location_known THEN 'no tariff for this location and no national average in the warehouse'
                  ELSE 'region not in assets/energy/data/cloud_regions.csv: location unknown' END
    END AS tariff_note,
    t.area_kind AS tariff_area_kind, t.area_name AS tariff_area, t.sector AS tariff_sector, t.sector_label AS tariff_sector_label,
    t.tax AS tariff_tax, t.price_per_kwh AS tariff_price_per_kwh, t.currency AS tariff_currency,
    t.period_start AS tariff_period_start, t.period_end AS tariff_period_end,
    current_date - t.period_end AS tariff_age_days,
    t.snapshot_date AS tariff_snapshot_date, t.origin AS tariff_origin,
    t.fx_rate, t.fx_date, t.fx_source, current_date - t.fx_date AS fx_age_days,
    g.grid_gco2_per_kwh IS NULL AS grid_is_fallback,
    coalesce(g.entity, w.entity) AS grid_area,
    year(current_date) - coalesce(g.year, w.year) AS grid_age_years,
    coalesce(g.snapshot_date, w.snapshot_date) AS grid_snapshot_date,
    coalesce(g.origin, w.origin) AS grid_origin,
    p.year AS pue_year, p.scope AS pue_scope, year(current_date) - p.year AS pue_age_years
FROM regions r
LEFT JOIN tariff t ON t.provider = r.provider AND t.region = r.region
LEFT JOIN grid_country g ON g.country_code = r.country_code
LEFT JOIN grid_world w ON TRUE
LEFT JOIN pue p ON p.provider = r.provider AND p.region = r.region;
COMMENT ON VIEW marts.energy_by_region IS 'Energy inputs per cloud region: every region in core.cloud_regions and every region with a GPU price. Location (country, US state); electricity tariff in USD/kWh with its source, sector or band, period, exchange rate and date where converted; grid carbon intensity (gCO2e/kWh) and its year; PUE and its source. A region without its own tariff says so: tariff_basis (exact | other_sector | national_average | eu_average | us_average_proxy | unavailable), tariff_is_fallback and tariff_note; never a silent zero. *_age_days / *_age_years say how old each input is.';
