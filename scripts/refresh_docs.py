"""Regenerate the command output shown in README.md and examples/README.md.

Every fenced ``console`` block whose first line is ``$ wres4 ...`` is run in-process from the
repository root and its output replaced by what the command really prints (stdout, then
stderr). ``tests/test_docs.py`` runs the same code and fails when a block is out of date, so
the documentation is never edited by hand.

    python scripts/refresh_docs.py          # rewrite the files
    python scripts/refresh_docs.py --check  # exit 1 if any block is stale
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", ROOT / "examples" / "README.md")
BLOCK = re.compile(r"(```console\n)(\$ wres4 [^\n]*\n)(.*?)(```)", re.S)
# A fixed terminal for reproducible tables: width, no colour, a fixed "today".
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def run(command: str) -> str:
    """Run one ``wres4 ...`` line in-process and return what it prints."""
    from click.testing import CliRunner

    from wres4.cli import cli

    args = shlex.split(command)[1:]
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        result = runner.invoke(cli, args, env=ENV, catch_exceptions=False)
    finally:
        os.chdir(old)
    text = result.stdout + result.stderr
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines) + ("\n" if lines else "")


def refresh_text(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        command = match.group(2)[2:].strip()
        return f"{match.group(1)}{match.group(2)}{run(command)}{match.group(4)}"

    return BLOCK.sub(replace, text)


def commands(text: str) -> list[tuple[str, str]]:
    """(command, shown output) of every runnable block."""
    return [(m.group(2)[2:].strip(), m.group(3)) for m in BLOCK.finditer(text)]


def main(argv: list[str]) -> int:
    stale = []
    for path in DOCS:
        if not path.exists():
            continue
        old = path.read_text(encoding="utf-8")
        new = refresh_text(old)
        if new != old:
            stale.append(path)
            if "--check" not in argv:
                path.write_text(new, encoding="utf-8")
    if stale and "--check" in argv:
        print("stale: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    for path in stale:
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
