-- After 0710 (new offer columns) and 0720 (SkyPilot and gpuhunt split per cloud / provider, the GCP page retired):
-- today's state tables and the snapshot index follow the history they describe.
ALTER TABLE core.gpu_prices_current ADD COLUMN availability VARCHAR;
ALTER TABLE core.gpu_prices_current ADD COLUMN price_per_hour_local DOUBLE;
ALTER TABLE core.gpu_prices_current ADD COLUMN local_currency VARCHAR;
ALTER TABLE core.gpu_prices_current ADD COLUMN fx_rate DOUBLE;
ALTER TABLE core.gpu_prices_current ADD COLUMN fx_date DATE;
ALTER TABLE core.gpu_prices_current ADD COLUMN fx_source VARCHAR;

UPDATE core.gpu_prices_current SET source = 'skypilot_' || provider WHERE source = 'skypilot';
UPDATE core.gpu_prices_current SET source = 'gpuhunt_' || CASE provider WHEN 'lambda' THEN 'lambdalabs' ELSE provider END
WHERE source = 'gpuhunt';
DELETE FROM core.gpu_prices_current WHERE source = 'gcp';

UPDATE core.gpu_prices_accepted SET source = 'skypilot_' || provider WHERE source = 'skypilot';
UPDATE core.gpu_prices_accepted SET source = 'gpuhunt_' || CASE provider WHEN 'lambda' THEN 'lambdalabs' ELSE provider END
WHERE source = 'gpuhunt';
DELETE FROM core.gpu_prices_accepted WHERE source = 'gcp';

-- the index: the new per-cloud raw tables, and core.gpu_prices under the sources' new names
INSERT OR REPLACE INTO meta.snapshots
SELECT 'raw.skypilot_' || cloud, 'skypilot_' || cloud, snapshot_date, count(*), max(fetched_at)
FROM raw.skypilot_vms GROUP BY ALL;
INSERT OR REPLACE INTO meta.snapshots
SELECT 'raw.gpuhunt_' || provider, 'gpuhunt_' || provider, snapshot_date, count(*), max(fetched_at)
FROM raw.gpuhunt_offers GROUP BY ALL;
DELETE FROM meta.snapshots WHERE table_name = 'core.gpu_prices' AND source IN ('skypilot', 'gpuhunt', 'gcp');
INSERT OR REPLACE INTO meta.snapshots
SELECT 'core.gpu_prices', source, snapshot_date, count(*), max(fetched_at)
FROM core.gpu_prices WHERE source LIKE 'skypilot\_%' ESCAPE '\' OR source LIKE 'gpuhunt\_%' ESCAPE '\'
GROUP BY ALL;
