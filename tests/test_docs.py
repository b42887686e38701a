"""The documentation is part of the product: its commands run and print what it shows."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from wres4.cli import cli

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("refresh_docs", ROOT / "scripts" / "refresh_docs.py")
assert spec is not None and spec.loader is not None
refresh_docs = importlib.util.module_from_spec(spec)
sys.modules["refresh_docs"] = refresh_docs
spec.loader.exec_module(refresh_docs)

DOC_BLOCKS = [
    (path.name, command, shown)
    for path in refresh_docs.DOCS
    if path.exists()
    for command, shown in refresh_docs.commands(path.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(("doc", "command", "shown"), DOC_BLOCKS, ids=[c for _, c, _ in DOC_BLOCKS])
def test_documented_output_is_current(doc: str, command: str, shown: str) -> None:
    # Regenerate with: python scripts/refresh_docs.py
    assert refresh_docs.run(command) == shown, f"{doc}: output of '{command}' is stale"


def test_every_command_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"### `wres4 {name}`" in readme, f"README has no section for wres4 {name}"
        assert re.search(rf"\$ wres4 {name}\b", readme), f"README shows no run of wres4 {name}"


def test_every_command_help_has_summary_and_example() -> None:
    from click.testing import CliRunner

    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.stdout, f"wres4 {name} --help shows no example"
        assert cli.commands[name].get_short_help_str().strip(), name


def test_quick_start_block_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    assert "wres4 compute examples/staff.csv --training examples/training.csv" in lines[0]
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "Quick start" in ci and "eval" in ci
    for tool in ("ruff check", "ruff format --check", "mypy --strict src"):
        assert tool in ci


def test_library_notebook_example_prints_what_readme_shows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### In a notebook, with DataFrames", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == shown
