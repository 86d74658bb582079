-- SkyPilot and gpuhunt are one source per cloud / provider from now on (skypilot_<cloud>, gpuhunt_<provider>).
-- Their history moves with them: raw rows into each cloud's own table, core rows renamed to the new source,
-- so every past day stays queryable under the name the source now has.

-- repeat {cloud} in aws azure gcp lambda runpod vast verda nebius oci cudo hyperstack shadeform primeintellect jarvislabs hyperbolic seeweb mithril lium yotta daytona
INSERT INTO raw.skypilot_{cloud} (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_{cloud}', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = '{cloud}';
-- end repeat

-- repeat {provider} in aws azure gcp lambdalabs runpod nebius oci verda cloudrift
INSERT INTO raw.gpuhunt_{provider} (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_{provider}', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = '{provider}';
-- end repeat

UPDATE core.gpu_prices SET source = 'skypilot_' || provider WHERE source = 'skypilot';
UPDATE core.gpu_prices SET source = 'gpuhunt_' || CASE provider WHEN 'lambda' THEN 'lambdalabs' ELSE provider END
WHERE source = 'gpuhunt';
COMMENT ON TABLE raw.skypilot_vms IS 'Retired (issue 11): SkyPilot catalogs up to the split into one source per cloud; the rows were copied to raw.skypilot_<cloud>. Kept as history.';
COMMENT ON TABLE raw.gpuhunt_offers IS 'Retired (issue 11): gpuhunt catalogs up to the split into one source per provider; the rows were copied to raw.gpuhunt_<provider>. Kept as history.';

-- The GCP pricing page scraper is removed: that page renders its prices by script, so the scraper never parsed a
-- live page and its only core rows are the bundled 2026 snapshot. They leave core (the raw table stays as history);
-- GCP prices now come from skypilot_gcp, gpuhunt_gcp and gcp_billing.
DELETE FROM core.gpu_prices WHERE source = 'gcp';
COMMENT ON TABLE raw.gcp_gpu_prices IS 'Retired (issue 11): the GCP GPU pricing page as parsed from the bundled snapshot (the live page renders prices by script and never parsed). Kept as history; GCP prices come from skypilot_gcp, gpuhunt_gcp and gcp_billing.';
COMMENT ON TABLE raw.runpod_gpu_types IS 'Retired (issue 11): RunPod gpuTypes list prices (one price for all data centres) up to the switch to raw.runpod_lowest_prices (per data centre, with stock). Kept as history.';
