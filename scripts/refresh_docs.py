"""Regenerate the command output shown in README.md and examples/README.md.

Every fenced ``console`` block whose first line is ``$ wres4 ...`` is run in-process from the
repository root and its output replaced by what the command really prints (stdout, then
stderr), so the documentation is never edited by hand. ``tests/test_docs.py`` runs this
script with ``--check``, which changes nothing and fails when a block is out of date.

    python scripts/refresh_docs.py                 # rewrite the files
    python scripts/refresh_docs.py --check         # exit 1, with a diff, if any block is stale
    python scripts/refresh_docs.py --check DOC.md  # only these files
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", ROOT / "examples" / "README.md")
BLOCK = re.compile(r"(```console\n)(\$ wres4 [^\n]*\n)(.*?)(```)", re.S)
# A fixed terminal for reproducible tables: width and no colour.
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def run(command: str) -> str:
    """Run one ``wres4 ...`` line in-process from the repository root; return what it prints."""
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


def commands(text: str) -> list[tuple[str, str]]:
    """(command, shown output) of every runnable block."""
    return [(m.group(2)[2:].strip(), m.group(3)) for m in BLOCK.finditer(text)]


def refresh_text(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The text with every block's output regenerated, and the stale blocks as
    (command, shown, actual)."""
    stale: list[tuple[str, str, str]] = []

    def replace(match: re.Match[str]) -> str:
        command = match.group(2)[2:].strip()
        actual = run(command)
        if actual != match.group(3):
            stale.append((command, match.group(3), actual))
        return f"{match.group(1)}{match.group(2)}{actual}{match.group(4)}"

    return BLOCK.sub(replace, text), stale


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _diff(doc: str, command: str, shown: str, actual: str) -> str:
    lines = difflib.unified_diff(
        shown.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"{doc}: shown",
        tofile=f"$ {command}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    parser.add_argument("docs", nargs="*", type=Path, help="files (default: the two READMEs)")
    args = parser.parse_args(argv)
    docs = [p.resolve() for p in args.docs] or [p for p in DOCS if p.exists()]
    blocks = 0
    stale_docs = []
    for path in docs:
        old = path.read_text(encoding="utf-8")
        new, stale = refresh_text(old)
        blocks += len(commands(old))
        if not stale:
            continue
        stale_docs.append(path)
        if args.check:
            for command, shown, actual in stale:
                print(f"{_name(path)}: the output of '{command}' is stale:", file=sys.stderr)
                print(_diff(_name(path), command, shown, actual), file=sys.stderr)
        else:
            path.write_text(new, encoding="utf-8")
            print(f"updated {_name(path)} ({len(stale)} blocks)")
    if args.check and stale_docs:
        names = ", ".join(_name(p) for p in stale_docs)
        print(f"stale: {names}; run python scripts/refresh_docs.py", file=sys.stderr)
        return 1
    print(f"checked {blocks} blocks in {len(docs)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
