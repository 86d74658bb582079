"""The one source registry: every price and energy source, declared once.

Asset keys (raw/<table>), URL-override settings (GPUCOST_URL_<KEY>), the loopback
fixture paths tests serve recorded responses from (tests/conftest.py: /<key><live URL path>),
the end-to-end table list and the README's source table are all derived from these tuples. A new provider is its module,
its recorded responses under tests/fixtures/, and one line here.
"""

from __future__ import annotations

from assets.energy import ecb, eia, eurostat, owid
from assets.prices import aws, azure, gcp, gpuhunt, lambda_page, runpod, skypilot, vast
from assets.source import Source

PRICE_SOURCES: tuple[Source, ...] = (
    skypilot.SOURCE,
    gcp.SOURCE,
    lambda_page.SOURCE,
    runpod.SOURCE,
    vast.SOURCE,
    aws.SOURCE,
    azure.SOURCE,
    gpuhunt.SOURCE,
)
ENERGY_SOURCES: tuple[Source, ...] = (eia.SOURCE, eurostat.SOURCE, ecb.SOURCE, owid.SOURCE)
TARIFF_SOURCES: tuple[Source, ...] = (eia.SOURCE, eurostat.SOURCE)
SOURCES: tuple[Source, ...] = (*PRICE_SOURCES, *ENERGY_SOURCES)


def domain(source: Source) -> str:
    return "prices" if source in PRICE_SOURCES else "energy"


def markdown_table() -> str:
    """The README's source table, rendered from the registry (a test keeps the README equal to it)."""
    lines = [
        "| source | domain | what it gives | raw table | base URL setting | key | first-party for |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SOURCES:
        settings = ", ".join(f"`{env}`" for env in s.url_settings.values())
        key = f"optional: `{s.key_env}`" if s.key_env else "none"
        cells = [f"`{s.name}`", domain(s), s.summary, f"`{s.raw_table}`", settings, key, s.first_party_for or "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
