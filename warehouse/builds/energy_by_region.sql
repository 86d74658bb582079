-- The rows of core.energy_by_region_current (marts/energy_by_region): tariff, grid carbon and PUE per cloud region.
-- Reads each tariff and grid source's newest slice through meta.snapshots, and the priced regions from today's
-- prices (core.gpu_prices_current): nothing here scans the history. Held rows (held_reason) never count: the
-- region falls back as if the value were missing, and says so.
WITH
newest AS (
    SELECT table_name, source, max(snapshot_date) AS snapshot_date FROM meta.snapshots
    WHERE table_name IN ('core.electricity_tariffs', 'core.grid_carbon_intensity') GROUP BY ALL
),
latest_tariffs AS (
    SELECT t.* FROM core.electricity_tariffs t
    JOIN newest n ON n.table_name = 'core.electricity_tariffs' AND n.source = t.source AND n.snapshot_date = t.snapshot_date
),
candidates AS (  -- per area and preferred sector: its newest period with a price
    SELECT t.*, p.preference_rank, p.sector_label
    FROM latest_tariffs t JOIN core.tariff_preferences p USING (source, sector)
    WHERE t.price_per_kwh IS NOT NULL AND t.held_reason IS NULL
    QUALIFY row_number() OVER (PARTITION BY t.source, t.area_kind, t.area_code, t.sector ORDER BY t.period_start DESC) = 1
),
priced AS (
    SELECT DISTINCT provider, region FROM core.gpu_prices_current WHERE region IS NOT NULL
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
    SELECT g.* FROM core.grid_carbon_intensity g
    JOIN newest n ON n.table_name = 'core.grid_carbon_intensity' AND n.source = g.source AND n.snapshot_date = g.snapshot_date
    WHERE g.held_reason IS NULL
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
    t.snapshot_date AS tariff_snapshot_date, t.origin AS tariff_origin,
    t.fx_rate, t.fx_date, t.fx_source,
    g.grid_gco2_per_kwh IS NULL AS grid_is_fallback,
    coalesce(g.entity, w.entity) AS grid_area,
    coalesce(g.snapshot_date, w.snapshot_date) AS grid_snapshot_date,
    coalesce(g.origin, w.origin) AS grid_origin,
    p.year AS pue_year, p.scope AS pue_scope
FROM regions r
LEFT JOIN tariff t ON t.provider = r.provider AND t.region = r.region
LEFT JOIN grid_country g ON g.country_code = r.country_code
LEFT JOIN grid_world w ON TRUE
LEFT JOIN pue p ON p.provider = r.provider AND p.region = r.region
ORDER BY r.provider, r.region
