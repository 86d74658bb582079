"""Parts of the README generated from the code (`make docs`), and the check that keeps them equal (a test).

Each generated part sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->`.
"""

from __future__ import annotations

import re
import sys

from pipeline.home import project_dir


def generated_sections() -> dict[str, str]:
    from assets.sources import markdown_table

    return {"sources": markdown_table()}


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end: {name} -->)", re.S)


def render(readme: str) -> str:
    """The README with every generated section replaced by what the code says today."""
    for name, body in generated_sections().items():
        pattern = _pattern(name)
        if not pattern.search(readme):
            raise ValueError(f"README.md has no generated section {name!r} (<!-- generated: {name} --> ... )")
        readme = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(3), readme)
    return readme


def main() -> int:
    path = project_dir() / "README.md"
    text = path.read_text(encoding="utf-8")
    updated = render(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"gpucost: {path} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
