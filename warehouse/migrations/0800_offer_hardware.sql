-- The machine around the GPUs, where a source says: vCPUs and host RAM per instance (assets/prices/offers.py
-- OPTIONAL_SCHEMA), so `gpucost prices` can show what else an offer comes with.
-- repeat {table} in gpu_prices gpu_prices_current
ALTER TABLE core.{table} ADD COLUMN vcpus DOUBLE;
ALTER TABLE core.{table} ADD COLUMN memory_gib DOUBLE;
COMMENT ON COLUMN core.{table}.vcpus IS 'vCPUs of the instance, as the source lists them (SkyPilot, gpuhunt, AWS, Lambda, Vultr); NULL where the source gives none.';
COMMENT ON COLUMN core.{table}.memory_gib IS 'Host RAM of the instance in GiB (not GPU memory), as the source lists it; NULL where the source gives none.';
-- end repeat
