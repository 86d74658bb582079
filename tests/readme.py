"""The README's examples as data, so tests can run them and the benchmark can time them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands(text: str | None = None) -> list[list[str]]:
    """Every `gpucost ...` command line in the README's code blocks, as argv (a quoted argument may span lines);
    a ```text block shows output, not commands."""
    text = README.read_text(encoding="utf-8") if text is None else text
    commands = []
    for kind, block in re.findall(r"```([a-z]*)\n(.*?)```", text, re.S):
        if kind == "text":
            continue
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line.startswith("$ "):
                line = line[2:]
            if line.startswith("gpucost "):
                command = line.split("  #", 1)[0].strip()
                while command.count('"') % 2 and i + 1 < len(lines):
                    i += 1
                    command += " " + lines[i].strip()
                commands.append(shlex.split(command)[1:])
            i += 1
    return commands


def readme_queries(text: str | None = None) -> list[str]:
    """The SQL of every `gpucost sql "..."` example."""
    return [argv[1] for argv in readme_commands(text) if argv[:1] == ["sql"] and len(argv) > 1]
