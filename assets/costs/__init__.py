"""Costs: the marts computed by costmodel/ over the warehouse's prices and tariffs. Dagster definitions: defs.py."""
