"""The cost steps as plain functions over a warehouse connection: each reads today's state, calls costmodel/,
writes its mart and returns the frame with its checks. Dagster (assets/costs/defs.py) and the plain script
call the same functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from assets.checks import CheckOutcome, CheckSpec
from assets.versions import content_version
from costmodel import inference, scenarios, training, validation
from costmodel.changes import attribute_changes, headline_figures
from warehouse import changes, queries, replace_table
from warehouse import energy as energy_queries


@dataclass(frozen=True)
class CostBuild:
    frame: pl.DataFrame
    version: str
    checks: list[CheckOutcome]
    added: int = 0  # cost_changes: figure states recorded this time


def _version(frame: pl.DataFrame) -> str:
    """The same estimates give the same version whenever computed, so nothing downstream re-runs for nothing."""
    return content_version(frame, ("computed_at",))


def _sane(spec: CheckSpec, frame: pl.DataFrame, money: list[str], provenance: list[str]) -> CheckOutcome:
    """No negative, NaN or infinite money figure, and every row names the price (and tariff) behind it."""
    broken = pl.any_horizontal(
        (pl.col(c) < 0) | pl.col(c).is_nan() | pl.col(c).is_infinite() for c in money if c in frame.columns
    ).fill_null(False)
    unnamed = pl.any_horizontal(pl.col(c).is_null() for c in provenance if c in frame.columns)
    bad = frame.filter(broken | unnamed)
    return spec.outcome(
        bad.is_empty(), f"{bad.height} row(s) with a broken figure or no named input", bad.head(20), bad_rows=bad.height
    )


TRAINING_SANE = CheckSpec(
    "training_costs_sane",
    "Every training cost is a finite, non-negative number and names the price (source, snapshot, origin) and tariff "
    "it was computed from.",
    blocking=True,
)
INFERENCE_SANE = CheckSpec(
    "inference_costs_sane",
    "Every serving cost is a finite, non-negative number and names the price and tariff it was computed from.",
    blocking=True,
)
REPRODUCED = CheckSpec(
    "scenario_costs_reproduce_published",
    "Every published figure of the seed analysis is reproduced from its stated assumptions (at most 3 significant "
    "digits).",
)


def _inputs(con) -> dict:
    return {
        "specs": queries.read_table(con, "core.gpu_specs"),
        "prices": queries.latest_gpu_prices(con),
        "energy": energy_queries.energy_by_region(con),
        "datacenter_pue": energy_queries.datacenter_pue(con),
    }


def build_training_costs(con, *, mfu: float, mfu_low: float | None, mfu_high: float | None, computed_at: dt.datetime):
    low, central, high = training.mfu_band(mfu, mfu_low, mfu_high)
    i = _inputs(con)
    frame = training.training_costs(
        queries.read_table(con, "core.reference_models"),
        i["specs"],
        i["prices"],
        mfu=central,
        mfu_low=low,
        mfu_high=high,
        energy=i["energy"],
        datacenter_pue=i["datacenter_pue"],
        purchase_prices=queries.read_table(con, "core.gpu_purchase_prices"),
        computed_at=computed_at,
    )
    replace_table(con, "marts.training_costs", frame)
    money = ["cloud_cost_usd", "cloud_cost_usd_low", "cloud_cost_usd_high", "energy_cost_usd", "owned_cost_usd"]
    provenance = ["price_source", "price_snapshot_date", "price_origin", "tariff_source"]
    return CostBuild(frame, _version(frame), [_sane(TRAINING_SANE, frame, money, provenance)])


def build_inference_costs(
    con, *, mfu: float, batch_size: int, bytes_per_param: float, utilization: float, computed_at: dt.datetime
):
    i = _inputs(con)
    frame = inference.inference_costs(
        queries.read_table(con, "core.reference_models"),
        i["specs"],
        i["prices"],
        queries.read_table(con, "core.inference_throughput"),
        mfu=mfu,
        batch_size=batch_size,
        bytes_per_param=bytes_per_param,
        utilization=utilization,
        energy=i["energy"],
        datacenter_pue=i["datacenter_pue"],
        computed_at=computed_at,
    )
    replace_table(con, "marts.inference_costs", frame)
    money = ["cost_per_million_tokens_usd", "energy_cost_per_million_tokens_usd"]
    provenance = ["price_source", "price_snapshot_date", "price_origin", "tariff_source"]
    return CostBuild(frame, _version(frame), [_sane(INFERENCE_SANE, frame, money, provenance)])


def build_scenario_costs(con, *, computed_at: dt.datetime):
    i = _inputs(con)
    frame = scenarios.scenario_costs(
        queries.read_table(con, "core.scenarios"),
        queries.read_table(con, "core.scenario_published"),
        i["specs"],
        i["prices"],
        i["energy"],
        i["datacenter_pue"],
        computed_at=computed_at,
    )
    replace_table(con, "marts.scenario_costs", frame)
    missed = frame.filter(pl.col("published_value").is_not_null() & ~pl.col("matches_published"))
    check = REPRODUCED.outcome(
        missed.is_empty(),
        f"{missed.height} published figure(s) not reproduced",
        missed.select("scenario", "metric", "published_value", "as_published_value"),
        missed=missed.height,
    )
    return CostBuild(frame, _version(frame), [check])


def build_model_validation(con, *, mfu: float, mfu_low: float | None, mfu_high: float | None, computed_at: dt.datetime):
    low, central, high = training.mfu_band(mfu, mfu_low, mfu_high)
    frame = validation.model_validation(
        queries.read_table(con, "core.reference_models"),
        queries.read_table(con, "core.training_runs"),
        queries.read_table(con, "core.gpu_specs"),
        mfu=central,
        mfu_low=low,
        mfu_high=high,
        computed_at=computed_at,
    )
    replace_table(con, "marts.model_validation", frame)
    return CostBuild(frame, _version(frame), [])


def build_cost_changes(con, *, computed_at: dt.datetime):
    """Record each headline figure's state when it changed, and name the input that moved it."""
    figures = headline_figures(
        queries.read_table(con, "marts.training_costs"), queries.read_table(con, "marts.scenario_costs")
    )
    added = changes.record_figures(con, figures.with_columns(pl.lit(computed_at).alias("computed_at")))
    current = changes.figure_states(con, 1).join(figures.select("figure"), on="figure", how="semi")
    frame = attribute_changes(current, changes.figure_states(con, 2)).sort("figure")
    replace_table(con, "marts.cost_changes", frame)
    return CostBuild(frame, content_version(frame), [], added)
