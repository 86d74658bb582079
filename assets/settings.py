"""How sources are reached, as plain data: offline or not, base-URL overrides, HTTP limits, deadlines.

The Dagster resource (assets/resources.py IngestSettings) carries the same fields and hands out one
of these, so ingestion code never needs Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assets.http import HttpClient, HttpSettings
from assets.source import Source


@dataclass(frozen=True)
class IngestConfig:
    offline: bool = False
    base_urls: dict[str, str] = field(default_factory=dict)
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    retries: int = 2
    backoff_s: float = 1.0
    max_wait_s: float = 30.0
    # total time a source gets (every request, retry, body and the parse) unless it sets its own
    deadline_s: float = 90.0
    # per source name: a deadline that overrides both (tests shorten them; a slow mirror may need longer)
    deadlines: dict[str, float] = field(default_factory=dict)

    def deadline_for(self, source: Source) -> float:
        return self.deadlines.get(source.name, source.deadline_s or self.deadline_s)

    def client(self, source: str, deadline_s: float | None = None) -> HttpClient:
        return HttpClient(
            source,
            HttpSettings(
                connect_timeout_s=self.connect_timeout_s,
                read_timeout_s=self.read_timeout_s,
                retries=self.retries,
                backoff_s=self.backoff_s,
                max_wait_s=self.max_wait_s,
                deadline_s=deadline_s,
            ),
        )

    def urls(self, defaults: dict[str, str]) -> dict[str, str]:
        """A source's base URLs, with any override from settings (tests point these at 127.0.0.1)."""
        return {key: self.base_urls.get(key, url).rstrip("/") for key, url in defaults.items()}
