"""Dagster asset definitions by domain (prices, energy, reference, costs), and the source modules they call."""
