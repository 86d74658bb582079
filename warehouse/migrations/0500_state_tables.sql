-- Views leave the migrations (each now lives in its own file under warehouse/views/, re-created after
-- migrating), and the marts stop scanning the whole history: today's state is a table written when the
-- data land. Existing warehouses keep their data: every new table is filled here from the views it replaces.

-- meta.snapshots: which (table, source, snapshot_date) slices exist, so "the newest slice of a source"
-- is a lookup, not a scan of the history.
CREATE TABLE meta.snapshots (
    table_name    VARCHAR   NOT NULL,
    source        VARCHAR   NOT NULL,
    snapshot_date DATE      NOT NULL,
    row_count     BIGINT    NOT NULL,
    written_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (table_name, source, snapshot_date)
);
COMMENT ON TABLE meta.snapshots IS 'Every (table, source, snapshot_date) slice a snapshot table holds, with its row count and when it was last written (UTC): the index that lets readers find a source''s newest slice without scanning the history.';

INSERT INTO meta.snapshots SELECT 'raw.skypilot_vms', source, snapshot_date, count(*), max(fetched_at) FROM raw.skypilot_vms GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.aws_ec2_prices', source, snapshot_date, count(*), max(fetched_at) FROM raw.aws_ec2_prices GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.azure_vm_prices', source, snapshot_date, count(*), max(fetched_at) FROM raw.azure_vm_prices GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.gpuhunt_offers', source, snapshot_date, count(*), max(fetched_at) FROM raw.gpuhunt_offers GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.gcp_gpu_prices', source, snapshot_date, count(*), max(fetched_at) FROM raw.gcp_gpu_prices GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.lambda_prices', source, snapshot_date, count(*), max(fetched_at) FROM raw.lambda_prices GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.runpod_gpu_types', source, snapshot_date, count(*), max(fetched_at) FROM raw.runpod_gpu_types GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.vast_offer_stats', source, snapshot_date, count(*), max(fetched_at) FROM raw.vast_offer_stats GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.eia_electricity_prices', source, snapshot_date, count(*), max(fetched_at) FROM raw.eia_electricity_prices GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.eurostat_nrg_pc_205', source, snapshot_date, count(*), max(fetched_at) FROM raw.eurostat_nrg_pc_205 GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.ecb_eurofxref', source, snapshot_date, count(*), max(fetched_at) FROM raw.ecb_eurofxref GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'raw.owid_carbon_intensity', source, snapshot_date, count(*), max(fetched_at) FROM raw.owid_carbon_intensity GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'core.gpu_prices', source, snapshot_date, count(*), max(fetched_at) FROM core.gpu_prices GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'core.electricity_tariffs', source, snapshot_date, count(*), max(fetched_at) FROM core.electricity_tariffs GROUP BY ALL;
INSERT INTO meta.snapshots SELECT 'core.grid_carbon_intensity', source, snapshot_date, count(*), max(fetched_at) FROM core.grid_carbon_intensity GROUP BY ALL;

-- core.gpu_prices_current: every source's newest snapshot of core.gpu_prices, with the first-party choice made
-- (written by core/gpu_prices in the same transaction as the history). The price marts are views over it.
CREATE TABLE core.gpu_prices_current AS
SELECT * EXCLUDE (age_days), NULL::VARCHAR AS reported_by FROM marts.gpu_prices_by_source;
COMMENT ON TABLE core.gpu_prices_current IS 'Today''s state of core.gpu_prices: every source''s newest snapshot, every row (held ones included), with first_party (source = provider), preferred (the row the marts use for its offer) and reported_by (every source that prices the same offer). Rewritten whenever prices land; marts.latest_gpu_prices, marts.gpu_prices_by_source and marts.held_gpu_prices read it.';
COMMENT ON COLUMN core.gpu_prices_current.preferred IS 'The row the marts use for this offer (provider, region, instance_type, pricing, commitment_term): never a held row; the first-party row while it is at most 3 days older than the newest row of the offer (a first-party price without a region covers every region), else the newest snapshot, then the source name.';
COMMENT ON COLUMN core.gpu_prices_current.reported_by IS 'Every source with a usable price for the same offer (a region-less first-party price counts for every region), comma-separated, the preferred source first.';

-- core.gpu_prices_accepted: per source and offer, the newest price that was not held and the one before it:
-- the baseline the >5x jump rule compares with, without reading earlier days.
CREATE TABLE core.gpu_prices_accepted AS
WITH accepted AS (
    SELECT source, provider, region, instance_type, pricing, commitment_term, price_per_hour_usd, snapshot_date,
           row_number() OVER (PARTITION BY source, provider, region, instance_type, pricing, commitment_term
                              ORDER BY snapshot_date DESC) AS rank
    FROM core.gpu_prices WHERE held_reason IS NULL
)
SELECT a.source, a.provider, a.region, a.instance_type, a.pricing, a.commitment_term,
       a.price_per_hour_usd, a.snapshot_date,
       b.price_per_hour_usd AS previous_price_per_hour_usd, b.snapshot_date AS previous_snapshot_date
FROM accepted a
LEFT JOIN accepted b
  ON b.rank = 2 AND b.source = a.source AND b.provider = a.provider AND b.region IS NOT DISTINCT FROM a.region
 AND b.instance_type = a.instance_type AND b.pricing = a.pricing AND b.commitment_term IS NOT DISTINCT FROM a.commitment_term
WHERE a.rank = 1;
COMMENT ON TABLE core.gpu_prices_accepted IS 'Per source and offer: the newest accepted (not held) price and its snapshot date, and the accepted one before it. The baseline of the >5x jump rule (a held price stays held until confirmed), kept so a new snapshot is checked without reading the history.';

-- marts.gpu_prices_daily: a market history appended per day instead of a view recomputing every day.
CREATE TABLE marts.gpu_prices_daily_table AS
SELECT snapshot_date, gpu_model, commitment_term, pricing, cheapest_price_per_gpu_hour_usd,
       NULL::DOUBLE AS p10_price_per_gpu_hour_usd, median_price_per_gpu_hour_usd, offers, providers,
       cheapest_provider, cheapest_region, cheapest_instance_type, cheapest_source,
       NULL::VARCHAR AS sources, now()::TIMESTAMP AS computed_at
FROM marts.gpu_prices_daily;
DROP VIEW marts.gpu_prices_daily;
ALTER TABLE marts.gpu_prices_daily_table RENAME TO gpu_prices_daily;
COMMENT ON TABLE marts.gpu_prices_daily IS 'The GPU market per day (snapshot_date = the market day), GPU model and pricing (on_demand, spot, committed with its term): cheapest, p10 and median $/GPU-hour over every whole-instance offer on the market that day, the number of offers and providers, where the cheapest was, and which sources stood behind the day. An offer counts on a day with its price as last seen on or before it, while its source keeps publishing (a source silent for longer than its publishing interval + 2 days drops out); each offer once (first-party preferred); held rows never count. Days are appended as prices land; a past day changes only when a snapshot of it is re-ingested.';

-- core.energy_by_region_current: the energy inputs per cloud region as of the last build (the view
-- marts.energy_by_region adds how old each input is today).
CREATE TABLE core.energy_by_region_current AS
SELECT * EXCLUDE (tariff_age_days, fx_age_days, grid_age_years, pue_age_years) FROM marts.energy_by_region;
COMMENT ON TABLE core.energy_by_region_current IS 'Energy inputs per cloud region (tariff, grid carbon, PUE, with their sources and periods) as of the last build of marts/energy_by_region; the view marts.energy_by_region adds each input''s age.';

-- Every view and macro of the earlier migrations goes: warehouse/views/ re-creates them (renamed where noted).
DROP VIEW IF EXISTS marts.energy_by_region;
DROP VIEW IF EXISTS marts.held_gpu_prices;
DROP VIEW IF EXISTS marts.gpu_rental_options;
DROP VIEW IF EXISTS marts.gpu_prices_latest;  -- renamed marts.gpu_prices_by_place
DROP VIEW IF EXISTS marts.latest_gpu_prices;
DROP VIEW IF EXISTS marts.gpu_prices_by_source;
DROP VIEW IF EXISTS marts.source_status;
DROP MACRO TABLE IF EXISTS marts.cheapest_gpus;
DROP MACRO IF EXISTS marts.gpu_family_match;
