"""GPU prices: one module per source (fetch, parse, normalize), canonical names, price quality.

Dagster definitions live in defs.py.
"""
