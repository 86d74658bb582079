"""The one source registry: every price and energy source, declared once.

Asset keys (raw/<table>), URL-override settings (GPUCOST_URL_<KEY>), the loopback
fixture paths tests serve recorded responses from (tests/conftest.py: /<key><live URL path>),
the end-to-end table list and the README's source table are all derived from these tuples. A new provider is its module,
its recorded responses under tests/fixtures/, and one line here.
"""

from __future__ import annotations

from assets.energy import ecb, eia, eurostat, owid
from assets.prices import (
    aws,
    azure,
    cloudrift,
    gcp_billing,
    gpuhunt,
    lambda_page,
    oci,
    runpod,
    scaleway,
    skypilot,
    vast,
    vultr,
)
from assets.source import Source

PRICE_SOURCES: tuple[Source, ...] = (
    *skypilot.SOURCES,  # one source per SkyPilot cloud (skypilot_<cloud>)
    gcp_billing.SOURCE,
    lambda_page.SOURCE,
    runpod.SOURCE,
    vast.SOURCE,
    aws.SOURCE,
    azure.SOURCE,
    *gpuhunt.SOURCES,  # one source per gpuhunt provider (gpuhunt_<provider>)
    vultr.SOURCE,
    cloudrift.SOURCE,
    oci.SOURCE,
    scaleway.SOURCE,
)
ENERGY_SOURCES: tuple[Source, ...] = (eia.SOURCE, eurostat.SOURCE, ecb.SOURCE, owid.SOURCE)
TARIFF_SOURCES: tuple[Source, ...] = (eia.SOURCE, eurostat.SOURCE)
SOURCES: tuple[Source, ...] = (*PRICE_SOURCES, *ENERGY_SOURCES)


def domain(source: Source) -> str:
    return "prices" if source in PRICE_SOURCES else "energy"


def base_urls() -> dict[str, str]:
    """Every base-URL key -> its live URL. Sources sharing a key (the SkyPilot clouds, the gpuhunt providers)
    share its URL, so one setting moves them all."""
    urls: dict[str, str] = {}
    for s in SOURCES:
        for key, url in s.base_urls.items():
            if urls.setdefault(key, url) != url:
                raise ValueError(f"base-URL key {key!r} names two URLs: {urls[key]} and {url} ({s.name})")
    return urls


def markdown_table() -> str:
    """The README's source table, rendered from the registry (a test keeps the README equal to it)."""
    lines = [
        "| source | domain | what it gives | raw table | base URL setting | key | first-party for |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SOURCES:
        settings = ", ".join(f"`{env}`" for env in s.url_settings.values())
        key = f"required: `{s.key_env}` (skipped without it)" if s.key_env else "none"
        cells = [f"`{s.name}`", domain(s), s.summary, f"`{s.raw_table}`", settings, key, s.first_party_for or "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
