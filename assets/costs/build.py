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
from costmodel.offers import classify_offers, training_exclusions
from costmodel.utilization import default_utilization
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


def _plausible(spec: CheckSpec, frame: pl.DataFrame, workload: str) -> CheckOutcome:
    """The workload's headline figure (cheapest on-demand, modeled) within its PLAUSIBLE band."""
    model, column, low, high = PLAUSIBLE[workload]
    rows = frame.filter((pl.col("model") == model) & (pl.col("pricing") == "on_demand"))
    if "throughput_basis" in rows.columns:
        rows = rows.filter(pl.col("throughput_basis") == "modeled")
    best = rows.sort(column, nulls_last=True).head(1)
    if best.is_empty():
        return spec.outcome(False, f"no on-demand figure for {model}", best, model=model)
    value = best[column][0]
    return spec.outcome(
        low <= value <= high,
        f"{model}: {value:,.4g} ({column}) is outside {low:,.4g}-{high:,.4g}",
        best,
        **{"model": model, column: round(value, 4), "band_low": low, "band_high": high},
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
# Plausible bands for the figures a reader quotes, argued from physics and published estimates, not fitted:
# - GPT-3 175B (3.14e23 FLOPs): at 100% of a B200's 2.25 PFLOP/s dense BF16 it takes 38.8k GPU-hours, so under
#   $100k needs < $2.60 per on-demand GPU-hour at perfect utilization; over $10M is twice Lambda's 2020 V100-cloud
#   estimate ($4.6M, lambda.ai "OpenAI's GPT-3 Language Model: A Technical Overview") on hardware 20x slower.
# - Llama 3.3 70B served: API providers' list prices span about $0.1-0.9 per 1M tokens (late 2025: DeepInfra
#   $0.23 in / $0.40 out, Together AI $0.88); self-hosted on list-price GPUs, below a tenth of the cheapest or above
#   ten times the dearest would be a modeling error.
PLAUSIBLE = {
    "training": ("GPT-3 175B", "cloud_cost_usd", 1e5, 1e7),
    "serving": ("Llama 3.3 70B", "cost_per_million_tokens_blended_usd", 0.01, 9.0),
}
TRAINING_PLAUSIBLE = CheckSpec(
    "training_costs_headline_plausible",
    "GPT-3 175B's cheapest on-demand training cost lies between $100k and $10M (the band's argument is beside "
    "PLAUSIBLE in assets/costs/build.py); outside it, a price, a spec or the utilization is wrong.",
    warn=True,
)
INFERENCE_PLAUSIBLE = CheckSpec(
    "inference_costs_headline_plausible",
    "Llama 3.3 70B's cheapest modeled on-demand serving cost lies between $0.01 and $9 per 1M blended tokens "
    "(a tenth of the cheapest to ten times the dearest API list price).",
    warn=True,
)
REPRODUCED = CheckSpec(
    "scenario_costs_reproduce_published",
    "Every published figure of the seed analysis is reproduced from its stated assumptions (at most 3 significant "
    "digits).",
)


def _reference(con) -> dict:
    """The reference tables the cost model reads, by role."""
    return {
        "models": queries.read_table(con, "core.reference_models"),
        "specs": queries.read_table(con, "core.gpu_specs"),
        "runs": queries.read_table(con, "core.training_runs"),
        "architectures": queries.read_table(con, "core.model_architectures"),
        "interconnect": queries.read_table(con, "core.instance_interconnect"),
    }


def _inputs(con) -> dict:
    """The reference tables, today's prices and the energy inputs where each offer runs."""
    return {
        **_reference(con),
        "prices": queries.latest_gpu_prices(con),
        "energy": energy_queries.energy_by_region(con),
        "datacenter_pue": energy_queries.datacenter_pue(con),
    }


PROVENANCE = ["price_source", "price_snapshot_date", "price_origin", "tariff_source"]


def build_training_costs(
    con, *, mfu: float | None, mfu_low: float | None, mfu_high: float | None, computed_at: dt.datetime
) -> CostBuild:
    """Every reference model on every GPU model with an offer able to train it. MFU None: the end-to-end
    utilization the published runs delivered (costmodel/utilization.py)."""
    i = _inputs(con)
    frame = training.training_costs(
        i["models"],
        i["specs"],
        i["prices"],
        interconnect=i["interconnect"],
        runs=i["runs"],
        architectures=i["architectures"],
        mfu=mfu,
        mfu_low=mfu_low,
        mfu_high=mfu_high,
        energy=i["energy"],
        datacenter_pue=i["datacenter_pue"],
        purchase_prices=queries.read_table(con, "core.gpu_purchase_prices"),
        computed_at=computed_at,
    )
    replace_table(con, "marts.training_costs", frame)
    money = ["cloud_cost_usd", "cloud_cost_usd_low", "cloud_cost_usd_high", "energy_cost_usd", "owned_cost_usd"]
    checks = [_sane(TRAINING_SANE, frame, money, PROVENANCE), _plausible(TRAINING_PLAUSIBLE, frame, "training")]
    return CostBuild(frame, _version(frame), checks)


def build_inference_costs(
    con,
    *,
    mfu: float | None,
    batch_size: int | None,
    bytes_per_param: float | None,
    utilization: float,
    computed_at: dt.datetime,
) -> CostBuild:
    """Serving every reference model on every GPU model and precision, on offers that can host its replica.
    None for mfu, batch_size or bytes_per_param: the serving model's own choice."""
    i = _inputs(con)
    frame = inference.inference_costs(
        i["models"],
        i["specs"],
        i["prices"],
        queries.read_table(con, "core.inference_throughput"),
        architectures=i["architectures"],
        interconnect=i["interconnect"],
        mfu=mfu,
        batch_size=batch_size,
        bytes_per_param=bytes_per_param,
        utilization=utilization,
        energy=i["energy"],
        datacenter_pue=i["datacenter_pue"],
        computed_at=computed_at,
    )
    replace_table(con, "marts.inference_costs", frame)
    money = [
        "cost_per_million_tokens_usd",
        "cost_per_million_input_tokens_usd",
        "cost_per_million_output_tokens_usd",
        "cost_per_million_tokens_blended_usd",
        "energy_cost_per_million_tokens_usd",
    ]
    checks = [_sane(INFERENCE_SANE, frame, money, PROVENANCE), _plausible(INFERENCE_PLAUSIBLE, frame, "serving")]
    return CostBuild(frame, _version(frame), checks)


def build_scenario_costs(con, *, computed_at: dt.datetime) -> CostBuild:
    """The seed analysis and its claims, as published and today on offers that can run each workload."""
    i = _inputs(con)
    fit = default_utilization(i["runs"], i["models"], i["specs"], i["architectures"])
    frame = scenarios.scenario_costs(
        queries.read_table(con, "core.scenarios"),
        queries.read_table(con, "core.scenario_published"),
        i["specs"],
        i["prices"],
        i["energy"],
        i["datacenter_pue"],
        computed_at=computed_at,
        interconnect=i["interconnect"],
        models=i["models"],
        architectures=i["architectures"],
        default_mfu=fit["central"] if fit else None,
    )
    replace_table(con, "marts.scenario_costs", frame)
    reproduce = pl.col("published_value").is_not_null() & (pl.col("published_role") == "reproduce")
    missed = frame.filter(reproduce & ~pl.col("matches_published"))
    check = REPRODUCED.outcome(
        missed.is_empty(),
        f"{missed.height} published figure(s) not reproduced",
        missed.select("scenario", "metric", "published_value", "as_published_value"),
        missed=missed.height,
    )
    return CostBuild(frame, _version(frame), [check])


def build_model_validation(
    con, *, mfu: float | None, mfu_low: float | None, mfu_high: float | None, computed_at: dt.datetime
) -> CostBuild:
    """Predicted against published hardware-hours of every published run."""
    r = _reference(con)
    frame = validation.model_validation(
        r["models"],
        r["runs"],
        r["specs"],
        architectures=r["architectures"],
        mfu=mfu,
        mfu_low=mfu_low,
        mfu_high=mfu_high,
        computed_at=computed_at,
    )
    replace_table(con, "marts.model_validation", frame)
    return CostBuild(frame, _version(frame), [])


def build_inference_validation(con, *, computed_at: dt.datetime) -> CostBuild:
    """The serving model against every measured throughput row: modeled over measured, or why not comparable."""
    r = _reference(con)
    frame = inference.inference_validation(
        queries.read_table(con, "core.inference_throughput"),
        r["models"],
        r["architectures"],
        r["specs"],
        computed_at=computed_at,
    )
    replace_table(con, "marts.inference_validation", frame)
    return CostBuild(frame, _version(frame), [])


def build_inference_curves(con, *, computed_at: dt.datetime) -> CostBuild:
    """Throughput per GPU against speed per user, per model x GPU x precision."""
    r = _reference(con)
    frame = inference.inference_curves(r["models"], r["architectures"], r["specs"], computed_at=computed_at)
    replace_table(con, "marts.inference_curves", frame)
    return CostBuild(frame, _version(frame), [])


TRAINING_EXCLUDED = CheckSpec(
    "training_costs_exclusions",
    "Lists the (model, GPU model) pairs with no row in marts.training_costs and why (informational: a 24 GB card "
    "cannot train GPT-3, and saying so is the point).",
    warn=True,
)
SERVING_EXCLUDED = CheckSpec(
    "inference_costs_exclusions",
    "Lists the (model, GPU model, precision) with no row in marts.inference_costs and why (informational).",
    warn=True,
)


def build_cost_exclusions(con, *, computed_at: dt.datetime) -> CostBuild:
    """Why a reference model has no training or serving cost on a priced GPU model."""
    i = _inputs(con)
    offers = classify_offers(i["prices"], i["specs"], i["interconnect"]).filter(pl.col("pricing") == "on_demand")
    frame = pl.concat(
        [
            training_exclusions(i["models"], offers).with_columns(pl.lit(None, pl.String).alias("precision")),
            inference.serving_exclusions(i["models"], i["architectures"], i["specs"], i["prices"], i["interconnect"]),
        ],
        how="diagonal_relaxed",
    ).with_columns(pl.lit(computed_at).alias("computed_at"))
    replace_table(con, "marts.cost_exclusions", frame)
    checks = []
    for spec, workload in ((TRAINING_EXCLUDED, "training"), (SERVING_EXCLUDED, "serving")):
        rows = frame.filter(pl.col("workload") == workload).select("model", "gpu_model", "precision", "reason")
        # informational: it passes and lists them; an exclusion is an answer, not a fault
        checks.append(spec.outcome(True, None, rows, excluded=rows.height, excluded_pairs=rows.head(40)))
    return CostBuild(frame, _version(frame), checks)


def build_cost_changes(con, *, computed_at: dt.datetime):
    """Record each headline figure's state when it changed, and name the input that moved it."""
    figures = headline_figures(
        queries.read_table(con, "marts.training_costs"),
        queries.read_table(con, "marts.scenario_costs"),
        queries.read_table(con, "marts.inference_costs"),
    )
    added = changes.record_figures(con, figures.with_columns(pl.lit(computed_at).alias("computed_at")))
    current = changes.figure_states(con, 1).join(figures.select("figure"), on="figure", how="semi")
    frame = attribute_changes(current, changes.figure_states(con, 2)).sort("figure")
    replace_table(con, "marts.cost_changes", frame)
    return CostBuild(frame, content_version(frame), [], added)
