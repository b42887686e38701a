"""The one writer registry: every report kind through the same formats and destination rules,
the library's write/render equal to the command line's bytes, and in-memory inputs named
in every output that lists the inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

import wres4
from wres4.cli import cli
from wres4.errors import ExitCode, UsageError
from wres4.findings import FINDINGS_COLUMNS, finding_records, findings_table
from wres4.helptext import EXIT_CODES
from wres4.output.writers import KINDS, check_request, choose_format

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / name, dtype=str, keep_default_na=False)


def invoke(*args: str) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_every_kind_offers_its_formats() -> None:
    assert set(KINDS) == {"compute", "funnel", "progression", "check", "ethnicity"}
    assert KINDS["compute"].formats == (
        "table",
        "csv",
        "tsv",
        "json",
        "jsonl",
        "markdown",
        "xlsx",
        "parquet",
        "html",
    )
    assert "parquet" not in KINDS["funnel"].formats and "xlsx" in KINDS["funnel"].formats
    assert "html" in KINDS["funnel"].formats and "html" not in KINDS["check"].formats
    assert KINDS["progression"].formats == KINDS["compute"].formats
    assert set(KINDS["check"].formats) == {"text", "table", "json"}
    assert "xlsx" not in KINDS["ethnicity"].formats


@pytest.mark.parametrize(
    ("kind", "fmt", "output", "section", "message"),
    [
        ("funnel", "parquet", "x.parquet", None, "-f parquet is not available for funnel"),
        ("ethnicity", "xlsx", "x.xlsx", None, "-f xlsx is not available for ethnicity"),
        ("compute", "xlsx", None, None, "-f xlsx writes a binary file; give -o FILE.xlsx."),
        ("funnel", "xlsx", "-", None, "-f xlsx writes a binary file"),
        ("compute", "table", "out.txt", None, "-f table is for the terminal"),
        ("ethnicity", "table", "out.txt", None, "-f table is for the terminal"),
        ("funnel", "json", None, "targets", "-f json holds every section"),
    ],
)
def test_one_destination_rule_for_every_kind(
    kind: str, fmt: str, output: str | None, section: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        check_request(kind, fmt, None if output is None else Path(output), section, terminal=True)


def test_binary_formats_may_be_piped_when_stdout_is_not_a_terminal() -> None:
    check_request("compute", "parquet", Path("-"), terminal=False)
    check_request("funnel", "xlsx", Path("-"), terminal=False)


def test_format_choice() -> None:
    assert choose_format("compute", None, Path("a.MD")) == "markdown"
    assert choose_format("compute", None, None, terminal=True) == "table"
    assert choose_format("compute", None, None, "json", terminal=False) == "json"
    assert choose_format("compute", None, None, "xlsx", terminal=False) == "csv"
    assert choose_format("check", None, Path("audit.json")) == "json"
    assert choose_format("check", None, Path("audit.txt")) == "text"
    assert choose_format("check", None, None, terminal=False) == "text"
    with pytest.raises(UsageError, match=re.escape("cannot tell the format from 'a.doc'")):
        choose_format("funnel", None, Path("a.doc"))


def test_exit_code_table_is_the_help_text_and_the_errors() -> None:
    for code in ExitCode:
        assert f"  {code.value}  {code.meaning}" in EXIT_CODES
    assert wres4.InputError("x").exit_code is ExitCode.INPUT
    assert wres4.ConfigError("x").exit_code is ExitCode.USAGE
    assert wres4.UsageError("x").exit_code is ExitCode.USAGE
    assert wres4.QualityError("x").exit_code is ExitCode.QUALITY
    out = CliRunner().invoke(cli, ["compute", "--help"])
    for code in ExitCode:
        assert f"{code.value}  {code.meaning}" in out.stdout


def test_library_write_and_render_equal_the_command_line(tmp_path: Path) -> None:
    staff, training = EXAMPLES / "staff.csv", EXAMPLES / "training.csv"
    result = wres4.compute([staff], training=[training])
    for fmt in ("csv", "tsv", "json", "jsonl", "markdown"):
        out = CliRunner().invoke(cli, ["compute", str(staff), "-t", str(training), "-f", fmt])
        assert out.exit_code == 0, out.output
        assert wres4.render(result, fmt) == out.stdout
    for suffix in ("xlsx", "parquet", "csv"):
        by_cli = tmp_path / f"cli.{suffix}"
        invoke("compute", staff, "-t", training, "-o", by_cli)
        assert wres4.write(result, tmp_path / f"lib.{suffix}").read_bytes() == by_cli.read_bytes()
    with pytest.raises(UsageError, match="not text"):
        wres4.render(result, "xlsx")
    with pytest.raises(TypeError, match="cannot write a dict"):
        wres4.render({"a": 1}, "csv")


def test_check_json_holds_the_findings_table(tmp_path: Path) -> None:
    staff, training = EXAMPLES / "staff.csv", EXAMPLES / "training.csv"
    out = CliRunner().invoke(cli, ["check", str(staff), "-t", str(training), "-f", "json"])
    document = json.loads(out.stdout)
    report = wres4.check([staff], training=[training])
    assert document["findings"] == finding_records(report.findings)
    assert document["findings"] == findings_table(report.findings).to_dict("records")
    assert all(list(row) == list(FINDINGS_COLUMNS) for row in document["findings"])
    assert {row["severity"] for row in document["findings"]} <= {"problem", "note"}
    problems = [row for row in document["findings"] if row["severity"] == "problem"]
    assert len(problems) == len(document["problems"]) == document["summary"]["problems"]


def test_check_exits_3_through_the_one_quality_error_without_an_error_line(
    tmp_path: Path,
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnic Origin,Snapshot Date,Accessed\n"
        "1,A White - British,31/03/2024,yes\n2,Klingon,31/03/2024,no\n"
        "3,PC Black Nigerian,31/03/2024,yes\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(cli, ["check", str(staff)])
    assert out.exit_code == ExitCode.QUALITY
    assert "Error:" not in out.stderr
    strict = CliRunner().invoke(cli, ["compute", str(staff), "--strict", "-f", "csv"])
    assert strict.exit_code == ExitCode.QUALITY
    assert strict.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert strict.stdout == ""


def test_tables_are_named_in_every_output_that_lists_the_inputs(tmp_path: Path) -> None:
    staff = read("staff.csv")
    training = pa.Table.from_pandas(read("training.csv"), preserve_index=False)
    result = wres4.compute(staff, training=training)
    book = openpyxl.load_workbook(wres4.write(result, tmp_path / "r.xlsx"), read_only=True)
    method = [tuple(str(c) for c in row) for row in book["Method"].iter_rows(values_only=True)]
    names = {row[0] for row in method}
    assert {"staff table", "training table"} <= names
    audit = wres4.render(wres4.check(staff, training=training), "text")
    assert "  staff table     488 rows" in audit
    funnel = wres4.funnel(read("applications.csv"), staff=staff)
    book = openpyxl.load_workbook(wres4.write(funnel, tmp_path / "f.xlsx"), read_only=True)
    values = [str(c) for row in book["Method"].iter_rows(values_only=True) for c in row]
    assert "Input: applications table" in values and "Input: staff table" in values


def test_ethnicity_report_goes_through_the_registry(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        cli, ["ethnicity", "CP White Polish", "=cmd|x", "Klingon", "-o", str(tmp_path / "e.md")]
    )
    assert out.exit_code == 0, out.output
    text = (tmp_path / "e.md").read_text(encoding="utf-8")
    assert "| CP White Polish | CP | White - Polish | White | 1 |" in text
    assert "=cmd\\|x" in text
    csv = CliRunner().invoke(cli, ["ethnicity", "=cmd|x", "-f", "csv"]).stdout
    assert csv.splitlines()[1].startswith("'=cmd|x,")
    unmapped = wres4.indicator.ethnicity.map_labels([("Klingon", 3), ("A", 2)], unmapped_only=True)
    assert [row["label"] for row in unmapped.rows] == ["Klingon"]
    assert list(unmapped.tables()["results"].columns) == [
        "label",
        "code",
        "category",
        "group",
        "count",
    ]
