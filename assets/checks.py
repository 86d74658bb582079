"""Checks as plain data: what each checks, and its outcome on a frame. No Dagster here.

A domain declares its checks once (name, description, blocking or a warning) and computes their
outcomes from the frame its step just wrote, so a table is read once for all of its checks. The
Dagster definitions turn the same specs into AssetCheckSpecs and the outcomes into AssetCheckResults;
the plain script (tests/plain_run.py) reads the outcomes directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class CheckSpec:
    name: str
    description: str
    blocking: bool = False  # a failure stops what depends on the asset in the same run
    warn: bool = False  # a failure is a warning (data kept and used, and says so), not an error

    def outcome(
        self,
        passed: bool,
        message: str | None = None,
        sample: pl.DataFrame | None = None,
        warn: bool | None = None,
        **facts,
    ) -> CheckOutcome:
        return CheckOutcome(self, bool(passed), message, facts, sample, self.warn if warn is None else warn)


@dataclass(frozen=True)
class CheckOutcome:
    spec: CheckSpec
    passed: bool
    message: str | None = None  # one line a person can act on, when it did not pass
    facts: dict = field(default_factory=dict)  # numbers and short strings for the UI
    sample: pl.DataFrame | None = None  # the rows at fault (a few)
    warn: bool = False  # a failure is a warning (usually the spec's; some checks warn only on bundled data)

    @property
    def name(self) -> str:
        return self.spec.name
