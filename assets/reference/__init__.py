"""Reference data: hand-edited, cited CSV files (GPU specs, aliases, models, scenarios) and their loader.

Dagster definitions live in defs.py.
"""
