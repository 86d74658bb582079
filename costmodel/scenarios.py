"""The seed analysis, reproduced and re-priced.

A scenario (a row of assets/reference/data/scenarios.csv) states the assumptions of a
published estimate or claim. `as_published` recomputes it from those assumptions alone; `today`
redoes the same workload at the warehouse's current prices and electricity terms, on the
same hardware and on today's best hardware (the priced GPU that does it cheapest), on offers that can run it
(costmodel/offers.py: training on cluster-capable offers holding the training state; serving on offers that host
a replica; fleets on whole multi-GPU servers). A stated PUE stays; the tariff, grid and (when not stated) PUE are
today's, where today's offer runs.

Kinds:
- training: params x tokens on a GPU at an MFU and a $/GPU-hour;
- serving: a query workload at a measured throughput per GPU, utilization, $/GPU-hour;
- fleet: a number of servers (given, or what a budget buys) with their power and tariff;
- budget_runs: how many runs of a training scenario a budget buys (and at a claimed cost per run);
- claim_check: a claimed cost per run against a run at stated assumptions, and what would make it true
  (runs, price or utilization);
- months_on_cluster: the utilization N cards for M months imply, and the months at the published runs' median
  end-to-end utilization (costmodel.utilization), on N cards and on a bigger cluster;
- cost_decline: two other scenarios (serving, training) as published vs today on the best hardware, and the
  yearly rate of decline since a date.

On other hardware a serving scenario keeps the efficiency it had relative to the serving model: throughput per GPU
scales by the modeled throughput of the scenario's model on the new GPU over that on the stated GPU
(costmodel/serving.py: decode is mostly bandwidth-bound, so the ratio is not the ratio of peaks); without an
architecture it scales with the dense peak. A fleet keeps its compute capacity (dense peak). Today's figures are
rental figures: capex is only reported as published.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import polars as pl

from costmodel import serving
from costmodel.hardware import gpu_row, gpu_table
from costmodel.inference import SECONDS_PER_DAY, fleet, servers_for_budget, workload_tokens_per_second
from costmodel.offers import classify_offers, interconnect_text
from costmodel.power import Electricity, electricity_for, server_power
from costmodel.prices import cheapest_prices
from costmodel.training import cloud_cost_usd, gpu_hours, training_flops, training_offers

KINDS = ("training", "serving", "fleet", "budget_runs", "claim_check", "months_on_cluster", "cost_decline")
TRAINING_KINDS = ("training", "budget_runs", "claim_check")
# The figure that decides which hardware is "best" today, per kind.
DECIDING_METRIC = {
    "training": "cloud_cost_usd",
    "budget_runs": "cloud_cost_usd",
    "claim_check": "cloud_cost_usd",
    "serving": "cost_per_day_usd",
    "fleet": "cost_per_day_usd",
    "months_on_cluster": "months",
}
PRICE_KEYS = (
    "gpu_model",
    "price_per_gpu_hour_usd",
    "price_provider",
    "price_region",
    "price_instance_type",
    "price_snapshot_date",
    "price_origin",
    "offer_class",
    "gpus_per_instance",
    "interconnect",
)
ELECTRICITY_KEYS = ("pue", "tariff_usd_per_kwh", "tariff_source", "tariff_period", "tariff_is_fallback")
HOURS_PER_MONTH = 730.0
DAYS_PER_YEAR = 365.25


def round_sig(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def matches_published(value: float | None, published: float, significant_digits: int, role: str = "reproduce") -> bool:
    """Equal when both round to the same figure at the published precision (at most 3 significant digits); for an
    `upper_bound` claim ('up to $10M'), when the value is at most the published figure."""
    if value is None:
        return False
    if role == "upper_bound":
        return value <= published
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


def _training(s: dict, peak: float, price: float | None) -> dict:
    flops = training_flops(s["params_active"], s["training_tokens"])
    hours = gpu_hours(flops, peak, s["mfu"])
    out = {"flops": flops, "gpu_hours": hours}
    if price is not None:
        out |= {"price_per_gpu_hour_usd": price, "cloud_cost_usd": cloud_cost_usd(hours, price)}
    return out


def evaluate(
    s: dict,
    *,
    peak_tflops_dense: float,
    price_per_gpu_hour_usd: float | None,
    electricity: Electricity | None,
    power_w_per_gpu: float | None = None,
    seed_peak_tflops_dense: float | None = None,
    use_server_figures: bool = True,
    throughput_scale: float | None = None,
) -> dict:
    """A scenario's figures on a GPU with a given peak, price and electricity.

    With the scenario's own GPU, `seed_peak_tflops_dense` equals the peak and nothing scales;
    on other hardware, throughput (serving: `throughput_scale`, else the ratio of peaks) or GPU count (fleet) scales.
    `use_server_figures` keeps the stated server price and power (only true of the stated hardware).
    """
    kind = s["kind"]
    if kind == "training":
        return _training(s, peak_tflops_dense, price_per_gpu_hour_usd)
    if kind == "budget_runs":
        out = _training(s, peak_tflops_dense, price_per_gpu_hour_usd)
        if "cloud_cost_usd" in out:
            out["runs_for_budget"] = s["budget_usd"] / out["cloud_cost_usd"]
        if _given(s, "claimed_cost_usd") and use_server_figures:
            out["runs_at_claimed_cost"] = s["budget_usd"] / s["claimed_cost_usd"]
        return out
    if kind == "claim_check":
        out = _training(s, peak_tflops_dense, price_per_gpu_hour_usd)
        claimed = s["claimed_cost_usd"]
        if "cloud_cost_usd" in out:
            out |= {
                "runs_for_claim": claimed / out["cloud_cost_usd"],
                "implied_price_per_gpu_hour_usd": claimed / out["gpu_hours"],
                "implied_mfu_for_claim": s["mfu"] * out["cloud_cost_usd"] / claimed,
            }
        return out
    if kind == "months_on_cluster":
        flops = training_flops(s["params_active"], s["training_tokens"])
        cards, months = s["cards"], s["months"]
        out = {
            "flops": flops,
            "implied_utilization": flops / (cards * months * HOURS_PER_MONTH * 3600.0 * peak_tflops_dense * 1e12),
            "mfu": s["mfu"],
            "months": gpu_hours(flops, peak_tflops_dense, s["mfu"]) / cards / HOURS_PER_MONTH,
        }
        if _given(s, "cluster_gpus"):
            out["months_on_cluster_gpus"] = (
                gpu_hours(flops, peak_tflops_dense, s["mfu"]) / s["cluster_gpus"] / (HOURS_PER_MONTH)
            )
        if price_per_gpu_hour_usd is not None:
            out |= {
                "price_per_gpu_hour_usd": price_per_gpu_hour_usd,
                "cloud_cost_usd": gpu_hours(flops, peak_tflops_dense, s["mfu"]) * price_per_gpu_hour_usd,
            }
        return out
    if kind not in ("serving", "fleet"):
        raise ValueError(f"scenario {s['name']}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
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
        per_gpu = s["tokens_per_second_per_gpu"] * (throughput_scale if throughput_scale is not None else scale)
        effective = per_gpu * (_given(s, "utilization") or 1.0)
        out = {
            "queries_per_day": per_day,
            "tokens_per_second": tokens_per_second,
            "tokens_per_second_per_gpu": per_gpu,
            "effective_tokens_per_second_per_gpu": effective,
        }
        out |= fleet(gpus_exact=tokens_per_second / effective, queries_per_day=per_day, **common)
    else:
        out = fleet(gpus_exact=_seed_fleet_gpus(s) / scale, **common)
    if price_per_gpu_hour_usd is not None:
        out["price_per_gpu_hour_usd"] = price_per_gpu_hour_usd
    return {k: v for k, v in out.items() if v is not None}


def as_published(s: dict, specs: pl.DataFrame) -> dict:
    """The scenario's figures from its stated assumptions only (cost_decline: see scenario_result)."""
    peak = _seed_peak(s, specs)
    return evaluate(
        s,
        peak_tflops_dense=peak,
        seed_peak_tflops_dense=peak,
        price_per_gpu_hour_usd=_given(s, "price_per_gpu_hour_usd"),
        electricity=_stated_electricity(s),
    )


def _models_frame(s: dict, models: pl.DataFrame | None) -> pl.DataFrame:
    """The scenario's run as a reference-model row (total parameters from the reference file when it names one)."""
    total = s["params_active"]
    if models is not None and _given(s, "model"):
        found = models.filter(pl.col("model") == s["model"])
        if found.height:
            total = max(found["params_total"][0], s["params_active"])
    return pl.DataFrame(
        {
            "model": [s.get("model") or s["name"]],
            "params_active": [float(s["params_active"])],
            "params_total": [float(total)],
            "training_tokens": [float(s["training_tokens"])],
        }
    )


def _training_candidates(s, specs, prices, interconnect, models) -> pl.DataFrame:
    eligible = training_offers(_models_frame(s, models), specs, prices, interconnect)
    return cheapest_prices(eligible, "on_demand")


def _classified(prices, specs, interconnect) -> pl.DataFrame:
    return classify_offers(prices, specs, interconnect).filter(
        pl.col("gpu_model").is_not_null()
        & (pl.col("pricing") == "on_demand")
        & (pl.col("price_basis") == "instance")
        & pl.col("price_per_gpu_hour_usd").is_not_null()
    )


def _fleet_candidates(s, specs, prices, interconnect) -> pl.DataFrame:
    """Whole multi-GPU servers (or TPU slices): a fleet of 8-GPU machines is not rebuilt from single-GPU rentals."""
    servers = _classified(prices, specs, interconnect).filter(
        pl.col("offer_class").is_in(["cluster_node", "multi_gpu_instance", "tpu_slice"])
    )
    return cheapest_prices(servers, "on_demand")


def _serving_candidates(s, specs, prices, interconnect, models, architectures) -> tuple[pl.DataFrame, dict]:
    """Offers that host a replica of the scenario's model, each at the $/GPU-hour of a replica's GPUs, with the
    modeled throughput of the model there; plus the modeled throughput on the stated GPU (for the ratio)."""
    archs = serving.architectures(models, architectures) if models is not None else {}
    arch = archs.get(s.get("model") or "")
    offers = _classified(prices, specs, interconnect).filter(pl.col("offer_class") != "marketplace_single")
    if arch is None:
        return cheapest_prices(offers, "on_demand"), {}
    precision = s.get("precision") or "bf16"
    family = {"fp16": "bf16"}.get(precision, precision)
    w = serving.Workload(_given(s, "input_tokens") or 0.0, s["tokens_per_query"], precision)
    gpus = serving.gpus_for_specs(specs, family)
    modeled = {}
    seed = gpus.get(s["gpu_model"])
    try:
        modeled["_seed"] = serving.serving_point(arch, seed, w, replica_limit=s.get("gpus_per_server") or 8)
    except (serving.ServingError, AttributeError):
        return cheapest_prices(offers, "on_demand"), {}
    rows = []
    for offer in offers.iter_rows(named=True):
        gpu = gpus.get(offer["gpu_model"])
        if gpu is None:
            continue
        limit = (
            None if offer["offer_class"] in ("cluster_node", "tpu_slice") else math.floor(offer["gpus_per_instance"])
        )
        if limit is not None and limit < 1:
            continue
        try:
            point = serving.serving_point(arch, gpu, w, replica_limit=limit)
        except serving.ServingError:
            continue
        g = point["replica_gpus"] if offer["offer_class"] == "tpu_slice" else offer["gpus_per_instance"]
        per_gpu = serving.replica_price_per_gpu_hour(offer["price_per_gpu_hour_usd"], g, point["replica_gpus"])
        rows.append(offer | {"price_per_gpu_hour_usd": per_gpu, "_tps": point["tokens_per_second_per_gpu"]})
    if not rows:
        return cheapest_prices(offers.head(0), "on_demand"), modeled
    frame = pl.DataFrame(rows, infer_schema_length=None)
    # the cheapest per GPU model by cost per token: price / modeled throughput
    best = (
        frame.with_columns((pl.col("price_per_gpu_hour_usd") / pl.col("_tps")).alias("_cost"))
        .sort("_cost", "provider", "region", "instance_type", nulls_last=True)
        .unique("gpu_model", keep="first", maintain_order=True)
    )
    for r in best.iter_rows(named=True):
        modeled[(r["gpu_model"], r["provider"], r["region"], r["instance_type"])] = r["_tps"]
    return cheapest_prices(best.drop("_cost", "_tps"), "on_demand"), modeled


def today(
    s: dict,
    specs: pl.DataFrame,
    prices: pl.DataFrame,
    energy: pl.DataFrame | None,
    datacenter_pue: pl.DataFrame,
    *,
    interconnect: pl.DataFrame | None = None,
    models: pl.DataFrame | None = None,
    architectures: pl.DataFrame | None = None,
) -> dict:
    """The same workload at today's cheapest on-demand prices, on offers that can run it: on the same GPU, and on the
    GPU that does it cheapest (months_on_cluster: soonest).

    Electricity is where each offer runs (marts.energy_by_region), PUE falling back to core.datacenter_pue.
    """
    seed_peak = _seed_peak(s, specs)
    kind = s["kind"]
    modeled: dict = {}
    if kind in TRAINING_KINDS or kind == "months_on_cluster":
        offers = _training_candidates(s, specs, prices, interconnect, models)
    elif kind == "serving":
        offers, modeled = _serving_candidates(s, specs, prices, interconnect, models, architectures)
    else:
        offers = _fleet_candidates(s, specs, prices, interconnect)
    candidates = offers.join(gpu_table(specs), on="gpu_model", how="inner")
    results = []
    for offer in candidates.iter_rows(named=True):
        electricity = electricity_for(energy, datacenter_pue, offer["price_provider"], offer["price_region"])
        if _given(s, "pue") is not None:  # a stated facility assumption stays; only the tariff is today's
            electricity = replace(electricity, pue=s["pue"], pue_source="as stated by the scenario")
        same = offer["gpu_model"] == s["gpu_model"]
        scale = None
        if modeled.get("_seed"):
            key = (offer["gpu_model"], offer["price_provider"], offer["price_region"], offer["price_instance_type"])
            if key in modeled:
                scale = modeled[key] / modeled["_seed"]["tokens_per_second_per_gpu"]
        figures = evaluate(
            s,
            peak_tflops_dense=seed_peak if same else offer["peak_tflops_dense"],
            seed_peak_tflops_dense=seed_peak,
            price_per_gpu_hour_usd=offer["price_per_gpu_hour_usd"],
            electricity=electricity,
            power_w_per_gpu=server_power(offer)[0],
            use_server_figures=same,
            throughput_scale=None if same else scale,
        )
        figures.pop("capex_usd", None)  # no current purchase prices: today is a rental figure
        detail = {
            "offer_class": offer.get("offer_class"),
            "gpus_per_instance": offer.get("gpus_per_instance"),
            "interconnect": interconnect_text(offer["interconnect_intra"], offer["interconnect_inter"])
            if offer.get("interconnect_intra")
            else None,
        }
        provenance = {k: offer.get(k) for k in PRICE_KEYS} | detail
        results.append(provenance | {k: getattr(electricity, k) for k in ELECTRICITY_KEYS} | figures)
    metric = DECIDING_METRIC[kind]
    same_hardware = next((r for r in results if r["gpu_model"] == s["gpu_model"]), None)
    best_hardware = min((r for r in results if metric in r), key=lambda r: r[metric], default=None)
    return {"same_hardware": same_hardware, "best_hardware": best_hardware}


def published_figures(published: pl.DataFrame, name: str) -> dict:
    """{metric: {value, significant_digits, as_written, source, role}} for one scenario."""
    rows = published.filter(pl.col("scenario") == name).iter_rows(named=True)
    keys = ("published_value", "significant_digits", "as_written", "source", "role")
    return {r["metric"]: {k: r.get(k) for k in keys} for r in rows}


def _decline(then: float | None, now: float | None, years: float) -> float | None:
    """Yearly rate of decline from `then` to `now` over `years`: 1 - (now / then) ** (1 / years)."""
    if not then or not now or years <= 0:
        return None
    return 1.0 - (now / then) ** (1.0 / years)


def _cost_decline(s, scenarios, published, specs, prices, energy, datacenter_pue, on, kw) -> tuple[dict, dict | None]:
    """(as published, today {same_hardware, best_hardware}) of a cost_decline scenario from the two it names."""
    serving_name, training_name = (n.strip() for n in s["reference_scenarios"].split(";"))
    by_name = {r["name"]: r for r in scenarios.iter_rows(named=True)} if scenarios is not None else {}
    refs = {"serving": by_name[serving_name], "training": by_name[training_name]}
    then = {
        "serving_cost_per_day_usd": as_published(refs["serving"], specs)["cost_per_day_usd"],
        "training_cloud_cost_usd": as_published(refs["training"], specs)["cloud_cost_usd"],
    }
    if prices is None:
        return then, None
    years = (on - dt.date.fromisoformat(s["as_of"])).days / DAYS_PER_YEAR
    now = {k: today(r, specs, prices, energy, datacenter_pue, **kw) for k, r in refs.items()}
    out = {}
    for which in ("same_hardware", "best_hardware"):
        srv, trn = now["serving"][which] or {}, now["training"][which] or {}
        figures = {
            "serving_cost_per_day_usd": srv.get("cost_per_day_usd"),
            "training_cloud_cost_usd": trn.get("cloud_cost_usd"),
            "years_since_as_of": years,
            "serving_yearly_decline": _decline(then["serving_cost_per_day_usd"], srv.get("cost_per_day_usd"), years),
            "training_yearly_decline": _decline(then["training_cloud_cost_usd"], trn.get("cloud_cost_usd"), years),
        }
        offer = srv or trn
        out[which] = (
            {k: offer.get(k) for k in (*PRICE_KEYS, *ELECTRICITY_KEYS)}
            | {
                "serving_gpu_model": srv.get("gpu_model"),
                "training_gpu_model": trn.get("gpu_model"),
            }
            | {k: v for k, v in figures.items() if v is not None}
        )
    return then, out


def scenario_result(
    s: dict,
    published: pl.DataFrame,
    specs: pl.DataFrame,
    prices: pl.DataFrame | None,
    energy: pl.DataFrame | None,
    datacenter_pue: pl.DataFrame | None = None,
    *,
    scenarios: pl.DataFrame | None = None,
    interconnect: pl.DataFrame | None = None,
    models: pl.DataFrame | None = None,
    architectures: pl.DataFrame | None = None,
    default_mfu: float | None = None,
    on: dt.date | None = None,
) -> dict:
    """Everything about one scenario: its assumptions, the published figures, as published, and today.

    Today needs prices (and then the PUE table too). `default_mfu` fills a months_on_cluster scenario's utilization
    (the published runs' median, costmodel.utilization); `scenarios` lets a cost_decline scenario find the two it
    names; `on` is today's date (default: the system date)."""
    figures = published_figures(published, s["name"])
    s = dict(s)
    assumptions_extra = {}
    if s["kind"] == "months_on_cluster" and _given(s, "mfu") is None:
        if default_mfu is None:
            raise ValueError(f"scenario {s['name']} needs a utilization: give mfu or the default")
        s["mfu"] = default_mfu
        assumptions_extra["mfu_source"] = "median end-to-end utilization of training_runs.csv (costmodel.utilization)"
    on = on or dt.date.today()
    kw = {"interconnect": interconnect, "models": models, "architectures": architectures}
    if s["kind"] == "cost_decline":
        computed, now = _cost_decline(s, scenarios, published, specs, prices, energy, datacenter_pue, on, kw)
    else:
        computed = as_published(s, specs)
        now = today(s, specs, prices, energy, datacenter_pue, **kw) if prices is not None else None
    return {
        "name": s["name"],
        "kind": s["kind"],
        "description": s["description"],
        "source": s["source"],
        "assumptions": {
            k: v
            for k, v in s.items()
            if k not in ("name", "kind", "description", "source", "notes") and _given(s, k) is not None
        }
        | assumptions_extra,
        "published": {m: f["published_value"] for m, f in figures.items()},
        "published_roles": {m: f.get("role") or "reproduce" for m, f in figures.items()},
        "matches_published": {
            m: matches_published(
                computed.get(m), f["published_value"], f["significant_digits"], f.get("role") or "reproduce"
            )
            for m, f in figures.items()
        },
        "as_published": computed,
        "today": now,
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
    interconnect: pl.DataFrame | None = None,
    models: pl.DataFrame | None = None,
    architectures: pl.DataFrame | None = None,
    default_mfu: float | None = None,
) -> pl.DataFrame:
    """The scenarios mart: one row per (scenario, metric), as published next to today on the same and the best
    hardware.
    """
    rows = []
    on = computed_at.date() if isinstance(computed_at, dt.datetime) else None
    for s in scenarios.iter_rows(named=True):
        result = scenario_result(
            s,
            published,
            specs,
            prices,
            energy,
            datacenter_pue,
            scenarios=scenarios,
            interconnect=interconnect,
            models=models,
            architectures=architectures,
            default_mfu=default_mfu,
            on=on,
        )
        figures = published_figures(published, s["name"])
        same, best = (
            (result["today"] or {}).get("same_hardware") or {},
            (result["today"] or {}).get("best_hardware") or {},
        )
        skip = (*PRICE_KEYS, *ELECTRICITY_KEYS, "offer_class", "gpus_per_instance", "interconnect")
        skip += ("serving_gpu_model", "training_gpu_model")
        metrics = [m for m in [*result["as_published"], *same, *best] if m not in skip]
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
                    "published_role": (fig.get("role") or "reproduce") if fig else None,
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
        f"{prefix}_offer_class": pl.String,
        f"{prefix}_gpus_per_instance": pl.Float64,
        f"{prefix}_interconnect": pl.String,
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
    "published_role": pl.String,
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
