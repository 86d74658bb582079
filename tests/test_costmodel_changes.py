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
