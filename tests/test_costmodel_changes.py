"""Attributing a headline figure's change to the input that moved it."""

import datetime as dt

import polars as pl

from costmodel.changes import attribute_changes

T0, T1 = dt.datetime(2026, 11, 29, 6), dt.datetime(2026, 11, 30, 6)


def states(*rows, at):
    return pl.DataFrame(
        [
            {
                "figure": f,
                "value": v,
                "unit": "usd",
                "price_input": p,
                "tariff_input": t,
                "assumptions_input": a,
                "computed_at": at,
            }
            for f, v, p, t, a in rows
        ]
    )


def test_names_the_input_that_changed_and_the_size_of_the_change():
    before = states(
        ("gpt3 on H100", 760_000.0, "lambda gpu_8x_h100_sxm5: $3.44/GPU-h", "$0.08/kWh", "MFU 0.4"),
        ("gpt3 on A100", 1_395_232.0, "lambda gpu_1x_a100: $1.99/GPU-h", "$0.08/kWh", "MFU 0.4"),
        at=T0,
    )
    now = states(
        ("gpt3 on H100", 882_520.0, "lambda gpu_8x_h100_sxm5: $3.99/GPU-h", "$0.08/kWh", "MFU 0.4"),
        ("gpt3 on A100", 1_046_424.0, "lambda gpu_1x_a100: $1.99/GPU-h", "$0.08/kWh", "MFU 0.3"),
        ("gpt3 on B200", 650_417.0, "lambda gpu_8x_b200_sxm6: $6.69/GPU-h", "$0.08/kWh", "MFU 0.4"),
        ("gpt3 on L4", 1_277_843.0, "gcp g2: $0.71/GPU-h", "$0.06/kWh", "MFU 0.4"),
        at=T1,
    )
    got = {r["figure"]: r for r in attribute_changes(now, before).iter_rows(named=True)}
    h100 = got["gpt3 on H100"]
    assert h100["previous_value"] == 760_000.0 and round(h100["change_pct"], 2) == round(
        (882_520 / 760_000 - 1) * 100, 2
    )
    assert (
        h100["changed_inputs"] == "price: lambda gpu_8x_h100_sxm5: $3.44/GPU-h -> lambda gpu_8x_h100_sxm5: $3.99/GPU-h"
    )
    assert got["gpt3 on A100"]["changed_inputs"] == "assumptions: MFU 0.4 -> MFU 0.3"
    assert got["gpt3 on B200"]["changed_inputs"] == "new figure" and got["gpt3 on B200"]["previous_value"] is None


def test_a_change_with_no_recorded_input_says_so():
    before = states(("x", 1.0, "p", None, "a"), at=T0)
    now = states(("x", 2.0, "p", None, "a"), at=T1)
    assert attribute_changes(now, before)["changed_inputs"][0].startswith("no recorded input changed")


def priced(model, gpu, pricing, provider, usd_per_gpu_hour, **extra):
    return {
        "model": model,
        "gpu_model": gpu,
        "pricing": pricing,
        "price_source": provider,
        "price_provider": provider,
        "price_region": "us-east-1",
        "price_instance_type": f"{gpu}-8x",
        "price_per_gpu_hour_usd": usd_per_gpu_hour,
        "tariff_usd_per_kwh": 0.08,
        "tariff_source": "eia",
        "tariff_period": "2026-08",
        "pue": 1.2,
        **extra,
    }


def training_rows(spot_usd: float) -> pl.DataFrame:
    def row(gpu, pricing, provider, usd):
        return priced(
            "GPT-3 175B",
            gpu,
            pricing,
            provider,
            usd,
            cloud_cost_usd=usd * 300_000,
            mfu=0.3051110884,
            mfu_low=0.21,
            mfu_high=0.45,
            params_active=175e9,
            training_tokens=300e9,
            peak_tflops_dense=989.0,
            peak_precision="bf16",
        )

    return pl.DataFrame(
        [
            row("H100-SXM", "on_demand", "lambda", 2.99),
            row("H100-SXM", "spot", "aws", spot_usd),
            row("H100-SXM", "on_demand_provider", "lambda", 2.99),
            row("H100-SXM", "on_demand_provider", "aws", 6.88),
        ]
    )


def serving_rows() -> pl.DataFrame:
    def row(gpu, pricing, usd, blended):
        return priced(
            "Llama 3.3 70B",
            gpu,
            pricing,
            "lambda",
            usd,
            throughput_basis="modeled",
            cost_per_million_tokens_blended_usd=blended,
            precision="fp8",
            replica_gpus=2,
            batch_size=128,
            input_tokens=1000.0,
            output_tokens=1000.0,
            bound="bandwidth",
            utilization=1.0,
        )

    return pl.DataFrame([row("H100-SXM", "on_demand", 2.99, 0.21), row("B200", "on_demand", 4.99, 0.15)])


def test_figures_follow_spot_each_provider_and_serving_and_a_spot_move_names_its_price():
    from costmodel.changes import serving_figures, training_figures

    def figures(spot_usd):
        return pl.concat([training_figures(training_rows(spot_usd)), serving_figures(serving_rows())])

    before = figures(1.10)
    names = set(before["figure"])
    assert {
        "training GPT-3 175B on the cheapest GPU",
        "training GPT-3 175B on the cheapest GPU (spot)",
        "training GPT-3 175B on H100-SXM (cheapest spot)",
        "cheapest spot H100-SXM GPU-hour",
        "training GPT-3 175B at aws (cheapest on-demand)",
        "cheapest on-demand H100-SXM GPU-hour at aws",
        "serving Llama 3.3 70B per 1M tokens, cheapest on-demand",
        "serving Llama 3.3 70B per 1M tokens on H100-SXM (cheapest on-demand)",
    } <= names
    serving = before.filter(pl.col("figure") == "serving Llama 3.3 70B per 1M tokens, cheapest on-demand").row(
        0, named=True
    )
    assert serving["value"] == 0.15 and serving["price_input"].startswith("B200 via lambda")
    assert "fp8, replica of 2 GPUs, batch 128, 1000 in + 1000 out tokens" in serving["assumptions_input"]
    now = figures(1.65)
    moved = attribute_changes(
        now.with_columns(pl.lit(T1).alias("computed_at")), before.with_columns(pl.lit(T0).alias("computed_at"))
    ).filter(pl.col("change") != 0)
    assert set(moved["figure"]) == {
        "training GPT-3 175B on the cheapest GPU (spot)",
        "training GPT-3 175B on H100-SXM (cheapest spot)",
        "cheapest spot H100-SXM GPU-hour",
    }
    assert all(text.startswith("price: ") and "$1.1/GPU-h -> " in text for text in moved["changed_inputs"])
