"""The documentation is part of the product: its commands run and print what it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import wres4
from wres4.cli import cli

ROOT = Path(__file__).resolve().parent.parent
REFRESH = ROOT / "scripts" / "refresh_docs.py"
DOCS = (ROOT / "README.md", ROOT / "examples" / "README.md")
BLOCK_START = "```console\n$ wres4 "


def refresh_docs(*args: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/refresh_docs.py on the wres4 this test imports, warnings as errors."""
    package_root = str(Path(wres4.__file__).resolve().parent.parent)
    paths = [package_root, os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    cmd = [sys.executable, "-W", "error", str(REFRESH), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)


def test_documented_output_is_current() -> None:
    # Regenerate with: python scripts/refresh_docs.py
    done = refresh_docs("--check")
    assert done.returncode == 0, done.stderr
    shown = sum(path.read_text(encoding="utf-8").count(BLOCK_START) for path in DOCS)
    assert shown >= 10
    assert done.stdout == f"checked {shown} blocks in {len(DOCS)} files\n"


def test_a_stale_block_fails_the_check_with_a_diff_until_refreshed(tmp_path: Path) -> None:
    doc = tmp_path / "DOC.md"
    stale = '```console\n$ wres4 ethnicity "CP White Polish" -f csv\nlabel,code\nold line\n```\n'
    doc.write_text(stale, encoding="utf-8")
    done = refresh_docs("--check", str(doc))
    assert done.returncode == 1
    assert f"{doc}: the output of 'wres4 ethnicity \"CP White Polish\" -f csv' is stale" in (
        done.stderr
    )
    assert "-old line\n" in done.stderr
    assert "+CP White Polish,CP,White - Polish,White,1\n" in done.stderr
    assert doc.read_text(encoding="utf-8") == stale  # --check writes nothing

    assert refresh_docs(str(doc)).returncode == 0
    assert "old line" not in doc.read_text(encoding="utf-8")
    again = refresh_docs("--check", str(doc))
    assert (again.returncode, again.stdout) == (0, "checked 1 blocks in 1 files\n"), again.stderr


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
