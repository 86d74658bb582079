"""What a source is: three pure steps and a name, plus a snapshot bundled in the repo. No Dagster here."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources

import polars as pl

from assets.http import HttpClient


@dataclass(frozen=True)
class Snapshot:
    """A snapshot bundled in the repo: files in the source's real format, plus snapshot.json (capture date,
    provenance).
    """

    package: str
    # sources sharing one snapshot package (one file per cloud) each take their own files, by stem
    only: tuple[str, ...] = ()

    def _files(self):
        return resources.files(self.package)

    @property
    def manifest(self) -> dict:
        return json.loads(self._files().joinpath("snapshot.json").read_text(encoding="utf-8"))

    @property
    def captured(self) -> dt.date:
        """The capture date: the source's own where the manifest dates its files separately ("captured_files")."""
        manifest = self.manifest
        own = (manifest.get("captured_files") or {}).get(self.only[0]) if self.only else None
        return dt.date.fromisoformat(own or manifest["captured"])

    def payloads(self) -> dict[str, bytes]:
        """The snapshot's files keyed by stem, the same keys the source's fetch returns."""
        files = {
            f.name.rsplit(".", 1)[0]: f.read_bytes()
            for f in self._files().iterdir()
            if f.is_file()
            and f.name != "snapshot.json"
            and not f.name.startswith(("_", "."))
            and not f.name.endswith(".py")
        }
        return {k: v for k, v in files.items() if k in self.only} if self.only else files


URL_ENV_PREFIX = "GPUCOST_URL_"


@dataclass(frozen=True)
class Source:
    """A source is three pure steps and a name: fetch (HTTP), parse (bytes -> rows), normalize (rows -> canonical)."""

    name: str
    table: str
    description: str
    base_urls: dict[str, str]
    fetch: Callable[[HttpClient, dict[str, str]], dict[str, bytes]]
    parse: Callable[[dict[str, bytes]], pl.DataFrame]
    snapshot: Snapshot
    normalize: Callable[[pl.DataFrame], pl.DataFrame] | None = None  # raw rows -> the domain's canonical rows
    # how often the source publishes: data older than this (plus a day's grace) is stale
    expected_interval: dt.timedelta = dt.timedelta(days=1)
    # raw columns that change when the upstream republishes without changing a price (catalog ids, publication
    # dates): left out of the data version so an unchanged re-fetch recomputes nothing
    version_ignores: tuple[str, ...] = ()
    kinds: frozenset[str] = field(default_factory=lambda: frozenset({"duckdb", "polars"}))
    # the provider whose own prices these are (None for an aggregator or a non-price source)
    first_party_for: str | None = None
    # an environment variable holding the API key the source needs (None: no key needed); without it the
    # source is skipped (skip_reason), never failed
    key_env: str | None = None
    # one line for the README's source table: what the source gives
    summary: str = ""
    # the source's own total deadline in seconds (None: the settings' default), for a source that is big by nature
    deadline_s: float | None = None
    # raw rows -> how many prices normalize drops as placeholders (a spot price equal to or above its
    # on-demand price, a bid limit): never offers, reported in the ingest asset's metadata
    placeholders: Callable[[pl.DataFrame], int] | None = None
    # the provider(s) whose prices the source carries, for `gpucost prices --providers` and the docs
    providers: tuple[str, ...] = ()

    def skip_reason(self, environ: Mapping[str, str] = os.environ) -> str | None:
        """Why this source cannot run now (its key is not set), or None: the factory records a skip, not a failure."""
        if self.key_env and not environ.get(self.key_env):
            return f"{self.name}: skipped: {self.key_env} is not set (this source needs an API key; see README)"
        return None

    def api_key(self, environ: Mapping[str, str] = os.environ) -> str | None:
        return environ.get(self.key_env) if self.key_env else None

    @property
    def raw_table(self) -> str:
        return f"raw.{self.table}"

    @property
    def url_settings(self) -> dict[str, str]:
        """Base-URL key -> the environment variable that overrides it (GPUCOST_URL_<KEY>)."""
        return {key: URL_ENV_PREFIX + key.upper() for key in self.base_urls}
