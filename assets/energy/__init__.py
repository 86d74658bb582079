"""Energy: tariff, exchange-rate and grid-carbon sources, region and PUE data, energy per region.

Dagster definitions live in defs.py.
"""
