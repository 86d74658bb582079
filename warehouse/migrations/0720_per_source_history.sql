-- SkyPilot and gpuhunt are one source per cloud / provider from now on (skypilot_<cloud>, gpuhunt_<provider>).
-- Their history moves with them: raw rows into each cloud's own table, core rows renamed to the new source,
-- so every past day stays queryable under the name the source now has.

INSERT INTO raw.skypilot_aws (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_aws', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'aws';

INSERT INTO raw.skypilot_azure (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_azure', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'azure';

INSERT INTO raw.skypilot_gcp (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_gcp', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'gcp';

INSERT INTO raw.skypilot_lambda (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_lambda', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'lambda';

INSERT INTO raw.skypilot_runpod (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_runpod', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'runpod';

INSERT INTO raw.skypilot_vast (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_vast', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'vast';

INSERT INTO raw.skypilot_verda (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_verda', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'verda';

INSERT INTO raw.skypilot_nebius (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_nebius', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'nebius';

INSERT INTO raw.skypilot_oci (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_oci', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'oci';

INSERT INTO raw.skypilot_cudo (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_cudo', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'cudo';

INSERT INTO raw.skypilot_hyperstack (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_hyperstack', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'hyperstack';

INSERT INTO raw.skypilot_shadeform (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_shadeform', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'shadeform';

INSERT INTO raw.skypilot_primeintellect (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_primeintellect', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'primeintellect';

INSERT INTO raw.skypilot_jarvislabs (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_jarvislabs', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'jarvislabs';

INSERT INTO raw.skypilot_hyperbolic (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_hyperbolic', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'hyperbolic';

INSERT INTO raw.skypilot_seeweb (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_seeweb', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'seeweb';

INSERT INTO raw.skypilot_mithril (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_mithril', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'mithril';

INSERT INTO raw.skypilot_lium (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_lium', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'lium';

INSERT INTO raw.skypilot_yotta (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_yotta', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'yotta';

INSERT INTO raw.skypilot_daytona (source, cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin)
SELECT 'skypilot_daytona', cloud, instance_type, accelerator_name, accelerator_count, vcpus, memory_gib, gpu_info, price, spot_price, region, availability_zone, arch, snapshot_date, fetched_at, origin FROM raw.skypilot_vms WHERE cloud = 'daytona';

INSERT INTO raw.gpuhunt_aws (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_aws', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'aws';

INSERT INTO raw.gpuhunt_azure (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_azure', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'azure';

INSERT INTO raw.gpuhunt_gcp (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_gcp', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'gcp';

INSERT INTO raw.gpuhunt_lambdalabs (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_lambdalabs', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'lambdalabs';

INSERT INTO raw.gpuhunt_runpod (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_runpod', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'runpod';

INSERT INTO raw.gpuhunt_nebius (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_nebius', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'nebius';

INSERT INTO raw.gpuhunt_oci (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_oci', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'oci';

INSERT INTO raw.gpuhunt_verda (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_verda', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'verda';

INSERT INTO raw.gpuhunt_cloudrift (source, provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin)
SELECT 'gpuhunt_cloudrift', provider, catalog_version, instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor, flags, cpu_arch, snapshot_date, fetched_at, origin FROM raw.gpuhunt_offers WHERE provider = 'cloudrift';

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
