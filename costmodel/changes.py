"""Headline figures and what changed them.

A headline figure is one number a reader follows day to day (GPT-3 training on
the cheapest H100, the cheapest H100 GPU-hour, a seed scenario today). Each
carries, as readable text, the inputs it was computed from, in three kinds:
the price (which row: source, provider, region, instance, $ and date), the
tariff, and the assumptions. Comparing a figure's inputs before and after a
change names what moved it.
"""

from __future__ import annotations

import polars as pl

INPUT_KINDS = ("price", "tariff", "assumptions")
FIGURE_COLUMNS = ("figure", "value", "unit", *(f"{k}_input" for k in INPUT_KINDS))


def _price_text(prefix: str = "", with_source: bool = True) -> pl.Expr:
    """Which price row, and its $: not its date or origin, so a price re-read unchanged the next day is no change."""
    c = lambda name: pl.col(f"{prefix}{name}")  # noqa: E731
    return pl.format(
        "{}{} {} {}: ${}/GPU-h",
        pl.format("{} ", c("price_source")) if with_source else pl.lit(""),
        c("price_provider"),
        pl.coalesce(c("price_region"), pl.lit("(every region)")),
        pl.coalesce(c("price_instance_type"), pl.lit("-")),
        c("price_per_gpu_hour_usd").round(4),
    )


def _count(column: str) -> pl.Expr:
    """175B rather than 175000000000.0: parameter and token counts in billions, as people write them."""
    return pl.format("{}B", (pl.col(column) / 1e9).round(3))


def _tariff_text(prefix: str = "") -> pl.Expr:
    c = lambda name: pl.col(f"{prefix}{name}")  # noqa: E731
    return pl.format(
        "${}/kWh ({}, {}), PUE {}",
        c("tariff_usd_per_kwh").round(4),
        c("tariff_source"),
        pl.coalesce(c("tariff_period"), pl.lit("-")),
        c("pue"),
    )


PRICINGS = {"on_demand": "on-demand", "spot": "spot"}  # the price choices a reader follows, as the figures name them


def training_figures(training: pl.DataFrame) -> pl.DataFrame:
    """Each reference model's training cost on each GPU model at the cheapest on-demand and spot price, on the
    cheapest GPU of all, at each provider's cheapest offer, and each GPU model's cheapest GPU-hour."""
    return pl.concat(
        [
            *(_training_figures(training.filter(pl.col("pricing") == p), label) for p, label in PRICINGS.items()),
            _provider_figures(training.filter(pl.col("pricing") == "on_demand_provider")),
        ]
    )


def _cheapest_training(rows: pl.DataFrame, keys: list[str], figure: pl.Expr) -> pl.DataFrame:
    """The cheapest training cost per `keys`, named by `figure`, with the GPU and price it used."""
    return (
        rows.sort("cloud_cost_usd")
        .unique(keys, keep="first", maintain_order=True)
        .select(
            figure.alias("figure"),
            pl.col("cloud_cost_usd").alias("value"),
            pl.lit("usd").alias("unit"),
            pl.format("{} via {}", "gpu_model", _price_text()).alias("price_input"),
            _tariff_text().alias("tariff_input"),
            pl.format(
                "MFU {}; {} active params x {} tokens",
                pl.col("mfu").round(4),
                _count("params_active"),
                _count("training_tokens"),
            ).alias("assumptions_input"),
        )
    )


def _cheapest_gpu_hour(rows: pl.DataFrame, keys: list[str], figure: pl.Expr) -> pl.DataFrame:
    """The cheapest GPU-hour per `keys`, named by `figure`."""
    return (
        rows.sort("price_per_gpu_hour_usd")
        .unique(keys, keep="first", maintain_order=True)
        .select(
            figure.alias("figure"),
            pl.col("price_per_gpu_hour_usd").alias("value"),
            pl.lit("usd_per_gpu_hour").alias("unit"),
            _price_text().alias("price_input"),
            pl.lit(None, pl.String).alias("tariff_input"),
            pl.lit("").alias("assumptions_input"),
        )
    )


def _provider_figures(rows: pl.DataFrame) -> pl.DataFrame:
    """Per provider: the cheapest way to train each model there, and each GPU model's cheapest GPU-hour there."""
    keys = ["price_provider"]
    return pl.concat(
        [
            _cheapest_training(
                rows, ["model", *keys], pl.format("training {} at {} (cheapest on-demand)", "model", "price_provider")
            ),
            _cheapest_gpu_hour(
                rows, ["gpu_model", *keys], pl.format("cheapest on-demand {} GPU-hour at {}", "gpu_model", *keys)
            ),
        ]
    )


def _training_figures(rows: pl.DataFrame, label: str) -> pl.DataFrame:
    """One price choice's figures; the on-demand ones keep the names they have always had."""
    tail = "" if label == "on-demand" else f" ({label})"
    per_gpu = rows.select(
        pl.format("training {} on {} (cheapest {})", "model", "gpu_model", pl.lit(label)).alias("figure"),
        pl.col("cloud_cost_usd").alias("value"),
        pl.lit("usd").alias("unit"),
        _price_text().alias("price_input"),
        _tariff_text().alias("tariff_input"),
        pl.format(
            "MFU {} (band {}-{}); {} active params x {} tokens; {} dense TFLOP/s ({})",
            pl.col("mfu").round(4),
            pl.col("mfu_low").round(4),
            pl.col("mfu_high").round(4),
            _count("params_active"),
            _count("training_tokens"),
            "peak_tflops_dense",
            "peak_precision",
        ).alias("assumptions_input"),
    )
    best = _cheapest_training(rows, ["model"], pl.format("training {} on the cheapest GPU{}", "model", pl.lit(tail)))
    gpu_hour = _cheapest_gpu_hour(rows, ["gpu_model"], pl.format("cheapest {} {} GPU-hour", pl.lit(label), "gpu_model"))
    return pl.concat([best, per_gpu, gpu_hour])


def scenario_figures(scenarios: pl.DataFrame) -> pl.DataFrame:
    """Each seed scenario's figures today, on the same hardware and on today's best."""
    frames = []
    for which in ("same_hardware", "best_hardware"):
        p = f"{which}_"
        frames.append(
            scenarios.filter(pl.col(f"today_{which}_value").is_not_null()).select(
                pl.format("{} {} today ({})", "scenario", "metric", pl.lit(which.replace("_", " "))).alias("figure"),
                pl.col(f"today_{which}_value").alias("value"),
                pl.col("metric").alias("unit"),
                pl.format("{} via {}", pl.col(f"{p}gpu_model"), _price_text(p, with_source=False)).alias("price_input"),
                _tariff_text(p).alias("tariff_input"),
                pl.col("assumptions").alias("assumptions_input"),
            )
        )
    return pl.concat(frames)


def serving_figures(inference: pl.DataFrame) -> pl.DataFrame:
    """Each reference model's modeled serving cost per 1M blended tokens, on the cheapest way (on-demand and spot)
    and on each GPU model on-demand, with the serving choices that produced it as its assumptions."""
    modeled = inference.filter(
        (pl.col("throughput_basis") == "modeled") & pl.col("cost_per_million_tokens_blended_usd").is_not_null()
    ).sort("cost_per_million_tokens_blended_usd")
    assumptions = pl.format(
        "{}, replica of {} GPUs, batch {}, {} in + {} out tokens, {}-bound, utilization {}",
        "precision",
        "replica_gpus",
        "batch_size",
        pl.col("input_tokens").cast(pl.Int64),
        pl.col("output_tokens").cast(pl.Int64),
        "bound",
        "utilization",
    )

    def figures(rows: pl.DataFrame, keys: list[str], name: pl.Expr) -> pl.DataFrame:
        return rows.unique(keys, keep="first", maintain_order=True).select(
            name.alias("figure"),
            pl.col("cost_per_million_tokens_blended_usd").alias("value"),
            pl.lit("usd_per_million_tokens").alias("unit"),
            pl.format("{} via {}", "gpu_model", _price_text()).alias("price_input"),
            _tariff_text().alias("tariff_input"),
            assumptions.alias("assumptions_input"),
        )

    return pl.concat(
        [
            *(
                figures(
                    modeled.filter(pl.col("pricing") == p),
                    ["model"],
                    pl.format("serving {} per 1M tokens, cheapest {}", "model", pl.lit(label)),
                )
                for p, label in PRICINGS.items()
            ),
            figures(
                modeled.filter(pl.col("pricing") == "on_demand"),
                ["model", "gpu_model"],
                pl.format("serving {} per 1M tokens on {} (cheapest on-demand)", "model", "gpu_model"),
            ),
        ]
    )


def headline_figures(training: pl.DataFrame, scenarios: pl.DataFrame, inference: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([training_figures(training), scenario_figures(scenarios), serving_figures(inference)]).sort(
        "figure"
    )


def attribute_changes(current: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """For each current figure: its previous value and which inputs changed, in words.

    `previous` holds each figure's last different state (empty for a new figure).
    """
    before = previous.select(
        "figure",
        *(pl.col(c).alias(f"previous_{c}") for c in FIGURE_COLUMNS[1:]),
        pl.col("computed_at").alias("previous_computed_at"),
    )
    joined = current.join(before, on="figure", how="left")
    changed = [
        pl.when(pl.col(f"{k}_input").ne_missing(pl.col(f"previous_{k}_input"))).then(
            pl.format(
                "{}: {} -> {}",
                pl.lit(k),
                pl.coalesce(f"previous_{k}_input", pl.lit("none")),
                pl.coalesce(f"{k}_input", pl.lit("none")),
            )
        )
        for k in INPUT_KINDS
    ]
    return joined.with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
        ((pl.col("value") / pl.col("previous_value") - 1) * 100).alias("change_pct"),
        pl.when(pl.col("previous_value").is_null())
        .then(pl.lit("new figure"))
        .otherwise(pl.concat_str(changed, separator="; ", ignore_nulls=True))
        .alias("changed_inputs"),
    ).with_columns(
        pl.when(pl.col("changed_inputs") == "")
        .then(pl.lit("no recorded input changed (a change in the model's code or a reference file)"))
        .otherwise(pl.col("changed_inputs"))
        .alias("changed_inputs")
    )
