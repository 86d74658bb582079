"""GPU names whose alias rows wait in gpu_aliases_awaiting_specs.csv for their spec rows (issue 11 point 6)."""

from pathlib import Path

from assets.reference.files import GPU_ALIASES, parse_reference

FILE = Path(__file__).resolve().parents[1] / "assets" / "reference" / "data" / "gpu_aliases_awaiting_specs.csv"
AWAITING = parse_reference(GPU_ALIASES, FILE.read_bytes())
AWAITING_NAMES = frozenset(AWAITING["alias"].str.to_lowercase())


def known_soon(names) -> set:
    """The names of a set that no alias names yet and no awaiting alias will name either."""
    return {n for n in names if n.lower() not in AWAITING_NAMES}
