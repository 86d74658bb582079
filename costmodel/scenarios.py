"""The seed analysis, reproduced and re-priced.

A scenario (a row of assets/reference/data/scenarios.csv) states the assumptions of a
published estimate. `as_published` recomputes it from those assumptions alone; `today`
redoes the same workload at the warehouse's current prices and electricity terms, on the
same hardware and on today's best hardware (the priced GPU that does it cheapest). A stated
PUE stays; the tariff, grid and (when not stated) PUE are today's, where today's offer runs.

Three kinds:
- training: params x tokens on a GPU at an MFU and a $/GPU-hour;
- serving: a query workload at a measured throughput per GPU, utilization, $/GPU-hour;
- fleet: a number of servers (given, or what a budget buys) with their power and tariff.

On other hardware a serving or fleet scenario keeps the efficiency it had: throughput per GPU
scales with the dense peak (the same implied MFU), and a fleet keeps its compute capacity.
Today's figures are rental figures: the warehouse holds no current purchase prices, so
capex is only reported as published.
"""

from __future__ import annotations

import math
from dataclasses import replace

import polars as pl

from costmodel.hardware import gpu_row, gpu_table
from costmodel.inference import SECONDS_PER_DAY, fleet, servers_for_budget, workload_tokens_per_second
from costmodel.power import Electricity, electricity_for
from costmodel.prices import cheapest_prices
from costmodel.training import cloud_cost_usd, gpu_hours, training_flops

KINDS = ("training", "serving", "fleet")
# The figure that decides which hardware is "best" today, per kind.
DECIDING_METRIC = {"training": "cloud_cost_usd", "serving": "cost_per_day_usd", "fleet": "cost_per_day_usd"}
PRICE_KEYS = (
    "gpu_model",
    "price_per_gpu_hour_usd",
    "price_provider",
    "price_region",
    "price_instance_type",
    "price_snapshot_date",
    "price_origin",
)
ELECTRICITY_KEYS = ("pue", "tariff_usd_per_kwh", "tariff_source", "tariff_period", "tariff_is_fallback")


def round_sig(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def matches_published(value: float | None, published: float, significant_digits: int) -> bool:
    """Equal when both round to the same figure at the published precision (at most 3 significant digits)."""
    if value is None:
        return False
    digits = max(1, min(3, int(significant_digits)))
    return round_sig(value, digits) == round_sig(published, digits)


def _given(s: dict, key: str):
    value = s.get(key)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _queries_per_day(s: dict) -> float | None:
    if _given(s, "queries_per_second") is not None:
        return s["queries_per_second"] * SECONDS_PER_DAY
    if _given(s, "daily_users") is not None:
        return s["daily_users"] * s["queries_per_user_per_day"]
    return None


def _seed_peak(s: dict, specs: pl.DataFrame) -> float:
    """The dense peak the scenario assumed: stated, else the spec of its GPU."""
    if _given(s, "peak_tflops_dense") is not None:
        return s["peak_tflops_dense"]
    row = gpu_row(specs, s["gpu_model"])
    if row is None:
        raise ValueError(f"scenario {s['name']}: GPU {s['gpu_model']!r} has no dense peak in gpu_specs")
    return row["peak_tflops_dense"]


def _seed_fleet_gpus(s: dict) -> float:
    servers = _given(s, "servers")
    if servers is None:
        servers = servers_for_budget(s["budget_usd"], s["server_price_usd"])
    return servers * s["gpus_per_server"]


def _stated_electricity(s: dict) -> Electricity | None:
    if _given(s, "tariff_usd_per_kwh") is None:
        return None
    return Electricity(
        pue=_given(s, "pue") or 1.0,
        pue_source="as stated",
        tariff_usd_per_kwh=s["tariff_usd_per_kwh"],
        tariff_source="as stated",
    )


def evaluate(
    s: dict,
    *,
    peak_tflops_dense: float,
    price_per_gpu_hour_usd: float | None,
    electricity: Electricity | None,
    power_w_per_gpu: float | None = None,
    seed_peak_tflops_dense: float | None = None,
    use_server_figures: bool = True,
) -> dict:
    """A scenario's figures on a GPU with a given peak, price and electricity.

    With the scenario's own GPU, `seed_peak_tflops_dense` equals the peak and nothing scales;
    on other hardware, throughput (serving) or GPU count (fleet) scales by the ratio of peaks.
    `use_server_figures` keeps the stated server price and power (only true of the stated hardware).
    """
    kind = s["kind"]
    if kind == "training":
        flops = training_flops(s["params_active"], s["training_tokens"])
        hours = gpu_hours(flops, peak_tflops_dense, s["mfu"])
        out = {"flops": flops, "gpu_hours": hours}
        if price_per_gpu_hour_usd is not None:
            out |= {
                "price_per_gpu_hour_usd": price_per_gpu_hour_usd,
                "cloud_cost_usd": cloud_cost_usd(hours, price_per_gpu_hour_usd),
            }
        return out
    scale = peak_tflops_dense / (seed_peak_tflops_dense or peak_tflops_dense)
    server = (
        {"server_price_usd": _given(s, "server_price_usd"), "server_power_kw": _given(s, "server_power_kw")}
        if use_server_figures
        else {}
    )
    common = {
        "gpus_per_server": int(s["gpus_per_server"]),
        "price_per_gpu_hour_usd": price_per_gpu_hour_usd,
        "power_w_per_gpu": power_w_per_gpu,
        "electricity": electricity,
        **server,
    }
    if kind == "serving":
        per_day = _queries_per_day(s)
        tokens_per_second = workload_tokens_per_second(s["tokens_per_query"], queries_per_day=per_day)
        per_gpu = s["tokens_per_second_per_gpu"] * scale
        effective = per_gpu * (_given(s, "utilization") or 1.0)
        out = {
            "queries_per_day": per_day,
            "tokens_per_second": tokens_per_second,
            "tokens_per_second_per_gpu": per_gpu,
            "effective_tokens_per_second_per_gpu": effective,
        }
        out |= fleet(gpus_exact=tokens_per_second / effective, queries_per_day=per_day, **common)
    elif kind == "fleet":
        out = fleet(gpus_exact=_seed_fleet_gpus(s) / scale, **common)
    else:
        raise ValueError(f"scenario {s['name']}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if price_per_gpu_hour_usd is not None:
        out["price_per_gpu_hour_usd"] = price_per_gpu_hour_usd
    return {k: v for k, v in out.items() if v is not None}


def as_published(s: dict, specs: pl.DataFrame) -> dict:
    """The scenario's figures from its stated assumptions only."""
    peak = _seed_peak(s, specs)
    return evaluate(
        s,
        peak_tflops_dense=peak,
        seed_peak_tflops_dense=peak,
        price_per_gpu_hour_usd=_given(s, "price_per_gpu_hour_usd"),
        electricity=_stated_electricity(s),
    )


def today(
    s: dict, specs: pl.DataFrame, prices: pl.DataFrame, energy: pl.DataFrame | None, datacenter_pue: pl.DataFrame
) -> dict:
    """The same workload at today's cheapest on-demand prices: on the same GPU, and on the GPU that does it cheapest.

    Electricity is where each offer runs (marts.energy_by_region), PUE falling back to core.datacenter_pue.
    """
    seed_peak = _seed_peak(s, specs)
    candidates = cheapest_prices(prices, "on_demand").join(gpu_table(specs), on="gpu_model", how="inner")
    results = []
    for offer in candidates.iter_rows(named=True):
        electricity = electricity_for(energy, datacenter_pue, offer["price_provider"], offer["price_region"])
        if _given(s, "pue") is not None:  # a stated facility assumption stays; only the tariff is today's
            electricity = replace(electricity, pue=s["pue"], pue_source="as stated by the scenario")
        same = offer["gpu_model"] == s["gpu_model"]
        figures = evaluate(
            s,
            peak_tflops_dense=seed_peak if same else offer["peak_tflops_dense"],
            seed_peak_tflops_dense=seed_peak,
            price_per_gpu_hour_usd=offer["price_per_gpu_hour_usd"],
            electricity=electricity,
            power_w_per_gpu=offer["tdp_w"],
            use_server_figures=same,
        )
        figures.pop("capex_usd", None)  # no current purchase prices: today is a rental figure
        provenance = {k: offer[k] for k in PRICE_KEYS} | {k: getattr(electricity, k) for k in ELECTRICITY_KEYS}
        results.append(provenance | figures)
    metric = DECIDING_METRIC[s["kind"]]
    same_hardware = next((r for r in results if r["gpu_model"] == s["gpu_model"]), None)
    best_hardware = min(results, key=lambda r: r[metric], default=None)
    return {"same_hardware": same_hardware, "best_hardware": best_hardware}


def published_figures(published: pl.DataFrame, name: str) -> dict:
    """{metric: {value, significant_digits, as_written, source}} for one scenario."""
    rows = published.filter(pl.col("scenario") == name).iter_rows(named=True)
    return {
        r["metric"]: {k: r[k] for k in ("published_value", "significant_digits", "as_written", "source")} for r in rows
    }


def scenario_result(
    s: dict,
    published: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame | None,
    energy: pl.DataFrame | None,
    datacenter_pue: pl.DataFrame | None = None,
) -> dict:
    """Everything about one scenario: its assumptions, the published figures, as published, and today.

    Today needs prices (and then the PUE table too)."""
    figures = published_figures(published, s["name"])
    computed = as_published(s, specs)
    return {
        "name": s["name"],
        "kind": s["kind"],
        "description": s["description"],
        "source": s["source"],
        "assumptions": {
            k: v
            for k, v in s.items()
            if k not in ("name", "kind", "description", "source", "notes") and _given(s, k) is not None
        },
        "published": {m: f["published_value"] for m, f in figures.items()},
        "matches_published": {
            m: matches_published(computed.get(m), f["published_value"], f["significant_digits"])
            for m, f in figures.items()
        },
        "as_published": computed,
        "today": today(s, specs, prices, energy, datacenter_pue) if prices is not None else None,
    }


def scenario_costs(
    scenarios: pl.DataFrame,
    published: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    energy: pl.DataFrame | None,
    datacenter_pue: pl.DataFrame,
    *,
    computed_at,
) -> pl.DataFrame:
    """The scenarios mart: one row per (scenario, metric), as published next to today on the same and the best
    hardware.
    """
    rows = []
    for s in scenarios.iter_rows(named=True):
        result = scenario_result(s, published, specs, prices, energy, datacenter_pue)
        figures = published_figures(published, s["name"])
        same, best = result["today"]["same_hardware"] or {}, result["today"]["best_hardware"] or {}
        metrics = [m for m in [*result["as_published"], *same, *best] if m not in (*PRICE_KEYS, *ELECTRICITY_KEYS)]
        for metric in dict.fromkeys(metrics):
            fig = figures.get(metric, {})
            rows.append(
                {
                    "scenario": s["name"],
                    "kind": s["kind"],
                    "metric": metric,
                    "published_value": fig.get("published_value"),
                    "published_as_written": fig.get("as_written"),
                    "published_source": fig.get("source"),
                    "as_published_value": _number(result["as_published"].get(metric)),
                    "matches_published": result["matches_published"].get(metric),
                    "today_same_hardware_value": _number(same.get(metric)),
                    "today_best_hardware_value": _number(best.get(metric)),
                    **{f"same_hardware_{k}": same.get(k) for k in (*PRICE_KEYS, *ELECTRICITY_KEYS)},
                    **{f"best_hardware_{k}": best.get(k) for k in (*PRICE_KEYS, *ELECTRICITY_KEYS)},
                    "assumptions": _assumptions_text(result["assumptions"]),
                    "scenario_source": s["source"],
                    "computed_at": computed_at,
                }
            )
    return pl.DataFrame(rows, schema=SCENARIO_COST_SCHEMA)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _assumptions_text(assumptions: dict) -> str:
    return "; ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in assumptions.items())


def _hardware_schema(prefix: str) -> dict:
    return {
        f"{prefix}_gpu_model": pl.String,
        f"{prefix}_price_per_gpu_hour_usd": pl.Float64,
        f"{prefix}_price_provider": pl.String,
        f"{prefix}_price_region": pl.String,
        f"{prefix}_price_instance_type": pl.String,
        f"{prefix}_price_snapshot_date": pl.Date,
        f"{prefix}_price_origin": pl.String,
        f"{prefix}_pue": pl.Float64,
        f"{prefix}_tariff_usd_per_kwh": pl.Float64,
        f"{prefix}_tariff_source": pl.String,
        f"{prefix}_tariff_period": pl.String,
        f"{prefix}_tariff_is_fallback": pl.Boolean,
    }


SCENARIO_COST_SCHEMA = {
    "scenario": pl.String,
    "kind": pl.String,
    "metric": pl.String,
    "published_value": pl.Float64,
    "published_as_written": pl.String,
    "published_source": pl.String,
    "as_published_value": pl.Float64,
    "matches_published": pl.Boolean,
    "today_same_hardware_value": pl.Float64,
    "today_best_hardware_value": pl.Float64,
    **_hardware_schema("same_hardware"),
    **_hardware_schema("best_hardware"),
    "assumptions": pl.String,
    "scenario_source": pl.String,
    "computed_at": pl.Datetime("us"),
}
