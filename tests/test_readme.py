"""The README's examples run, and say what their text says: every `gpucost ...` line in its code blocks is executed
against the offline-built warehouse."""

import json

import pytest

from pipeline.cli import main
from tests.readme import readme_commands, readme_queries

# Commands that write or serve rather than read: `run` builds the warehouse this suite reads (tested in test_cli),
# `ui` starts a server (test_ui); `report` writes a file, and is run here with --output into a temp dir.
NOT_READ = {"run", "ui"}
COMMANDS = [argv for argv in readme_commands() if argv and argv[0] not in NOT_READ]


def test_the_readme_has_examples_of_every_read_command():
    shown = {argv[0] for argv in COMMANDS}
    assert {"sql", "prices", "energy", "estimate", "scenario", "gpus", "models", "report"} <= shown, shown
    assert len(readme_queries()) >= 3


def runnable(argv: list[str], tmp_path) -> list[str]:
    """An example as a test runs it: no shell redirection, no browser, the report written into a temp dir."""
    argv = [a for a in (argv[: argv.index(">")] if ">" in argv else argv) if a != "--open"]
    if argv[0] == "report":
        argv = [a for i, a in enumerate(argv) if a != "--output" and (i == 0 or argv[i - 1] != "--output")]
        argv += ["--output", str(tmp_path / "report.html")]
    return argv


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a)[:80] for a in COMMANDS])
def test_each_readme_command_runs_and_prints_rows(argv, offline_warehouse, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GPUCOST_DB", str(offline_warehouse))
    monkeypatch.setenv("COLUMNS", "120")
    argv = runnable(argv, tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"gpucost {' '.join(argv)} exited {code}: {err}"
    assert out.strip() and "(none)" not in out and "(no rows)" not in out, f"gpucost {' '.join(argv)} printed no rows"
    assert "None" not in out and "nan" not in out.lower().split(), out
    if "--json" in argv:
        assert json.loads(out)
    else:
        assert max(len(line) for line in out.splitlines()) <= 120, "wider than the README's terminal"


def test_the_first_query_agrees_with_the_headline(offline_warehouse, monkeypatch, capsys):
    """The README's first query (GPT-3 training costs) lists on-demand prices only, cheapest first, as the headline."""
    monkeypatch.setenv("GPUCOST_DB", str(offline_warehouse))
    first = readme_queries()[0]
    assert "GPT-3 175B" in first and "on_demand" in first
    assert main(["sql", first, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and len({r["gpu_model"] for r in rows}) == len(rows), "one row per GPU model"
    costs = [next(v for k, v in r.items() if k.endswith("usd") and "per" not in k) for r in rows]
    assert costs == sorted(costs)
    from pipeline.commands.run_output import read_summary

    headline = read_summary()["training"].sort("cloud_cost_usd")
    assert rows[0]["gpu_model"] == headline["gpu_model"][0]


def help_examples() -> list[list[str]]:
    """Every example line under "examples:" in `gpucost --help` and each command's `--help` (a description after
    two or more spaces is not part of the command)."""
    import contextlib
    import io
    import re
    import shlex

    from pipeline.cli import COMMANDS

    found = []
    for command in [[], *([name, "--help"] for name in COMMANDS)]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main(command or ["--help"])
        text = out.getvalue()
        examples = text.split("examples:", 1)[1] if "examples:" in text else ""
        for line in examples.splitlines():
            if line.strip().startswith("gpucost "):
                found.append(shlex.split(re.split(r"\s{2,}(?=[a-z])", line.strip())[0])[1:])
    return found


HELP_EXAMPLES = [argv for argv in help_examples() if argv[0] not in (*NOT_READ, "validate")]


@pytest.mark.parametrize("argv", HELP_EXAMPLES, ids=[" ".join(a)[:80] for a in HELP_EXAMPLES])
def test_each_help_example_runs(argv, offline_warehouse, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GPUCOST_DB", str(offline_warehouse))
    code = main(runnable(argv, tmp_path))
    out, err = capsys.readouterr()
    assert code == 0, f"gpucost {' '.join(argv)} exited {code}: {err}"
    assert out.strip()
