"""The gpucost CLI: run offline, query, and fail with one clear line."""

import json

import pytest

from pipeline.cli import main


def test_run_offline_then_query_the_mart(capsys):
    assert main(["run", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "GPT-3 175B" in out and "H100-SXM" in out and "skypilot_" in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 120, max(lines, key=len)  # fits a terminal
    # a line per source as it finishes, then every source's data age, honestly (bundled snapshots are old)
    assert any(line.split()[:2] == ["aws", "snapshot"] for line in lines)
    assert "hold only the snapshot bundled in the repo" in out and "past their publishing interval" in out
    header = next(line for line in lines if line.startswith("gpu "))
    assert header.split()[:4] == ["gpu", "gpt3_usd", "low_usd", "high_usd"] and "source" in header
    assert "None" not in out and "nan" not in out.lower()

    assert (
        main(
            [
                "sql",
                "select gpu_model, cloud_cost_usd from marts.training_costs where model = 'GPT-3 175B' order by "
                "cloud_cost_usd limit 3",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and rows[0]["cloud_cost_usd"] <= rows[1]["cloud_cost_usd"]

    assert main(["sql", "select count(*) as n from marts.training_costs"]) == 0
    assert "n" in capsys.readouterr().out


REFUSED = {
    "drop table marts.training_costs": "read-only: a DROP statement is not run",
    "select 1; delete from marts.training_costs": "read-only: a DELETE statement is not run",
    "copy (select 1 as x) to '{tmp}/out.csv'": "read-only: a COPY statement is not run",
    "select * from read_csv('/etc/passwd')": (
        'read-only, and reads nothing but the warehouse: Cannot access file "/etc/passwd"'
    ),
    "select * from read_text('{tmp}')": "read-only, and reads nothing but the warehouse: Cannot access file",
    "install httpfs": "read-only: a LOAD statement is not run",
    "set enable_external_access = true": "read-only: a SET statement is not run",
    "attach '{tmp}/other.duckdb'": "read-only: a ATTACH statement is not run",
    "select * from glob('/etc/*')": "read-only, and reads nothing but the warehouse",
}


@pytest.mark.parametrize("query", REFUSED, ids=list(REFUSED))
def test_sql_reads_the_warehouse_only_and_refuses_in_one_line(capsys, offline_warehouse, monkeypatch, tmp_path, query):
    monkeypatch.setenv("GPUCOST_DB", str(offline_warehouse))
    sql = query.format(tmp=tmp_path)
    assert main(["sql", sql]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gpucost: " + REFUSED[query]) and err.count("\n") == 1, err
    assert not (tmp_path / "out.csv").exists()
    assert main(["sql", "select count(*) as n from marts.training_costs"]) == 0  # nothing was changed


def test_no_warehouse_yet_says_what_to_do(capsys):
    assert main(["sql", "select 1"]) == 2
    assert "run `gpucost run`" in capsys.readouterr().err


def test_run_mfu_is_one_override_for_every_mart_that_assumes_an_mfu(capsys):
    """`--mfu` used to reach marts.training_costs only: model_validation (same config) stayed at 0.40."""
    from pipeline.run import ops_with_config_field

    assert {"marts__training_costs", "marts__model_validation", "marts__inference_costs"} <= set(
        ops_with_config_field("mfu")
    )
    assert main(["run", "--offline", "--mfu", "0.45"]) == 0
    capsys.readouterr()
    for table in ("training_costs", "model_validation", "inference_costs"):
        assert main(["sql", f"select distinct mfu from marts.{table}", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == [{"mfu": 0.45}], table
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert (
        "run-level override" in help_text
        and "next automatic recompute" in help_text
        and "model_validation" in help_text
    )


def test_run_summary_as_json_and_quiet(capsys, offline_warehouse, monkeypatch):
    assert main(["run", "--offline", "--quiet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)  # nothing but the JSON on stdout
    assert summary["exit_status"] == 0 and summary["headline_training"][0]["cloud_cost_usd"] > 0
    aws = next(s for s in summary["sources"] if s["source"] == "aws")
    assert aws["data_origin"].startswith("snapshot:") and aws["past_interval"] is True
    assert [r["what"] for r in summary["runs"]][0] == "ingest"
    assert main(["run", "--offline", "--csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("gpu_model,price_per_gpu_hour_usd,provider")


def test_no_arguments_prints_usage_with_examples(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: gpucost") and "examples:" in out and 'gpucost estimate training --model "GPT-3' in out
    for command in ("run", "prices", "gpus", "models", "estimate", "scenario", "energy", "report", "sql"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "examples:" in capsys.readouterr().out, command


def test_bad_mfu_is_a_usage_error(capsys):
    assert main(["run", "--offline", "--mfu", "1.5"]) == 2
    assert "--mfu must be in (0, 1]" in capsys.readouterr().err


@pytest.mark.parametrize("query", ["", "   ", "-- only a comment", ";"], ids=["empty", "blank", "comment", "semicolon"])
def test_sql_without_a_statement_is_a_one_line_error(capsys, query):
    import warehouse
    from pipeline.home import warehouse_path

    with warehouse.connect_writer(warehouse_path()):
        pass  # an empty, migrated warehouse
    assert main(["sql", query]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("gpucost: the query returned no result set") and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["prices", "--gpus", "abc"], "gpucost prices: argument --gpus: invalid int value: 'abc'"),
        (["energy", "--provider"], "gpucost energy: argument --provider: expected one argument"),
        (["sql"], "gpucost sql: the following arguments are required: query"),
        (["run", "--mfu", "high"], "gpucost run: argument --mfu: invalid float value: 'high'"),
        (["energy", "--bogus"], "gpucost: unrecognized arguments: --bogus"),
        (["prics"], "gpucost: unknown command 'prics'; did you mean prices?"),
    ],
    ids=["prices-type", "energy-missing-value", "sql-missing-query", "run-type", "unknown-option", "unknown-command"],
)
def test_bad_arguments_are_one_line_without_the_usage_text(capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1 and "usage:" not in err
