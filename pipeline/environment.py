"""Settings read from the environment that need no Dagster: base-URL overrides and their spelling.

GPUCOST_URL_<KEY>    override a source's base URL (e.g. GPUCOST_URL_SKYPILOT=http://127.0.0.1:8000/v8);
                     the keys come from the source registry (assets/sources.py)
"""

from __future__ import annotations

import difflib
import os

from assets.source import URL_ENV_PREFIX


def base_url_overrides(environ=os.environ) -> dict[str, str]:
    prefix = len(URL_ENV_PREFIX)
    return {key[prefix:].lower(): value for key, value in environ.items() if key.startswith(URL_ENV_PREFIX) and value}


def unknown_url_settings(environ=os.environ) -> list[str]:
    """GPUCOST_URL_<KEY> variables no source reads, each with the nearest known name (a typo sends a run live)."""
    from assets.sources import SOURCES

    known = [env for source in SOURCES for env in source.url_settings.values()]
    problems = []
    for name in sorted(k for k in environ if k.startswith(URL_ENV_PREFIX) and k not in known):
        near = difflib.get_close_matches(name, known, n=1)
        problems.append(f"{name} is not a source's URL setting" + (f" (did you mean {near[0]}?)" if near else ""))
    return problems
