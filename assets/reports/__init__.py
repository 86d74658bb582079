"""Reports: the warehouse drawn as one self-contained HTML page. Pure rendering modules; Dagster in defs.py."""
