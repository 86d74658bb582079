"""`gpucost prices`: per-model summary, offers of a family, the cheapest N GPUs, JSON, and one-line errors."""

import json

import pytest

from pipeline.cli import main


@pytest.fixture
def prices(offline_warehouse, monkeypatch, capsys):
    monkeypatch.setenv("GPUCOST_DB", str(offline_warehouse))
    capsys.readouterr()

    def run(*args):
        try:
            code = main(["prices", *args])
        except SystemExit as exit_:  # argparse rejects a bad argument itself, before the command runs
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_summary_lists_each_gpu_model_with_its_cheapest_offer(prices):
    code, out, _ = prices()
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("GPU models today, whole instances")
    h100 = next(line for line in lines if line.startswith("H100-SXM "))
    assert any(line.startswith("TPU-v5e ") for line in lines) and any(line.startswith("H100-NVL ") for line in lines)
    # the summary's cheapest is the first of the model's whole-instance offers
    _, out, _ = prices("--gpu", "H100-SXM", "--json", "--limit", "0")
    best = next(r for r in json.loads(out) if r["price_basis"] == "instance")
    assert (
        f"${best['price_per_gpu_hour_usd']:,.2f}" in h100 and best["provider"] in h100 and best["instance_type"] in h100
    )


def test_gpu_family_lists_every_variant_cheapest_first(prices):
    code, out, _ = prices("--gpu", "H100", "--json", "--limit", "0")
    rows = json.loads(out)
    assert code == 0 and {r["gpu_model"] for r in rows} == {"H100-SXM", "H100-PCIe", "H100-NVL"}
    per_gpu = [r["price_per_gpu_hour_usd"] for r in rows]
    assert per_gpu == sorted(per_gpu) and {r["pricing"] for r in rows} == {"on_demand"}
    assert {"aws", "azure", "gcp", "lambda"} <= {r["provider"] for r in rows}
    # first-party preferred: AWS's own p5.48xlarge row, not an aggregator's copy of it
    p5 = [r for r in rows if r["instance_type"] == "p5.48xlarge" and r["region"] == "us-east-1"]
    assert [r["source"] for r in p5] == ["aws"]


def test_filters_provider_region_and_spot(prices):
    code, out, _ = prices("--gpu", "H100-SXM", "--provider", "azure", "--spot", "--json")
    rows = json.loads(out)
    assert (
        code == 0
        and rows
        and {(r["provider"], r["pricing"], r["gpu_model"]) for r in rows} == {("azure", "spot", "H100-SXM")}
    )
    code, out, _ = prices("--gpu", "h100-sxm", "--provider", "aws", "--region", "us-west-2")
    assert code == 0 and "p5.48xlarge" in out and "us-east-1" not in out and "$6.88" in out
    # provider and region in any case, as `gpucost energy` and `estimate --provider` take them
    assert prices("--gpu", "h100-sxm", "--provider", "AWS", "--region", "US-West-2") == (0, out, "")


def test_cheapest_place_to_rent_n_gpus(prices):
    code, out, _ = prices("--gpu", "H100", "--gpus", "16", "--json", "--limit", "3")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 3
    best = rows[0]
    assert best["gpus_rented"] >= 16 and best["instances"] * best["gpu_count"] == best["gpus_rented"]
    assert best["total_price_per_hour_usd"] == pytest.approx(best["instances"] * best["price_per_hour_usd"])
    assert [r["total_price_per_hour_usd"] for r in rows] == sorted(r["total_price_per_hour_usd"] for r in rows)
    code, out, _ = prices("--gpu", "H100", "--gpus", "16")
    assert code == 0 and out.startswith("Cheapest ways to rent 16 x H100 (on-demand)") and "instances" in out
    assert max(len(line) for line in out.splitlines()) <= 120  # fits a terminal, no column left out
    assert "more column" not in out


def test_an_alias_a_provider_uses_finds_its_model(prices):
    code, out, _ = prices("--gpu", "A6000", "--json")
    assert code == 0 and {r["gpu_model"] for r in json.loads(out)} == {"RTX-A6000"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--gpu", "H900"], "gpucost: unknown GPU 'H900'; did you mean 'H800' or 'H200' or 'H100'?"),
        (["--provider", "nimbus"], "gpucost: unknown provider 'nimbus'; did you mean 'nebius'?"),
        (["--gpu", "H100", "--provider", "AWZ"], "gpucost: unknown provider 'AWZ'; did you mean 'aws'?"),
        (["--gpu", "H100", "--gpus", "0"], "gpucost: --gpus must be at least 1, got 0"),
        (["--gpu", "H100", "--gpus", "abc"], "gpucost prices: argument --gpus: invalid int value: 'abc'"),
        (
            ["--provider", "aws", "--region", "nowhere"],
            "gpucost: unknown region 'nowhere' at aws; known: eu-west-1, us-east-1, us-west-2",
        ),
        (["--region", "us-esat-1"], "gpucost: unknown region 'us-esat-1'; did you mean 'us-east-1'"),
        (["--held", "--spot"], "gpucost: --held lists held prices of every pricing"),
    ],
    ids=[
        "unknown-gpu",
        "unknown-provider",
        "provider-typo",
        "zero-gpus",
        "gpus-not-a-number",
        "unknown-region",
        "unknown-region-any-provider",
        "held-with-spot",
    ],
)
def test_user_errors_are_one_line_and_exit_2(prices, args, message):
    code, out, err = prices(*args)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1 and out == ""


def test_no_warehouse_yet_is_one_line_and_exit_2(capsys):
    assert main(["prices", "--gpu", "H100"]) == 2
    err = capsys.readouterr().err
    assert "run `gpucost run`" in err and err.count("\n") == 1


def test_providers_lists_every_provider_with_its_sources_offers_and_last_live_fetch(prices):
    code, out, _ = prices("--providers", "--json")
    rows = {r["provider"]: r for r in json.loads(out)}
    assert code == 0 and len(rows) >= 20
    lam = rows["lambda"]
    assert lam["sources"] == "gpuhunt_lambdalabs, lambda, skypilot_lambda"
    assert lam["last_live_fetch_at"] is None and lam["any_live"] is False  # an offline run: bundled snapshots only
    assert all(r["offers"] > 0 for r in rows.values()), rows
    code, out, _ = prices("--providers")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("Providers with a price")
    assert any(line.startswith("vultr ") and "never" in line for line in lines)
    assert max(len(line) for line in lines) <= 120 or "sources" in lines[2]


def test_providers_takes_one_provider_and_refuses_the_offer_filters(prices):
    code, out, _ = prices("--providers", "--provider", "OCI", "--json")
    assert code == 0 and [r["provider"] for r in json.loads(out)] == ["oci"]
    code, _, err = prices("--providers", "--gpu", "H100")
    assert code == 2 and "--providers lists every provider" in err
