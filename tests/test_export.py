"""File outputs: formula-safe CSV/TSV, typed Parquet, atomic writes, and the -o/-f rules."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from wres4.cli import cli
from wres4.errors import InputError
from wres4.indicator.compute import compute
from wres4.indicator.result import Result
from wres4.output import text as export
from wres4.output.cells import cell_text, safe_text
from wres4.output.text import render_text
from wres4.output.writers import write
from wres4.settings import Settings

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"]

AGGREGATE = """year,group,headcount,accessed
2023,White,3000,1200
2023,Black African,1000,300
2023,Not stated,40,10
2024,White,3100,1300
2024,Black African,1100,380
2024,Not stated,45,3
"""


def aggregate_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(AGGREGATE, encoding="utf-8")
    return path


def aggregate(tmp_path: Path, **settings: Any) -> Result:
    return compute([aggregate_file(tmp_path)], settings=Settings(**settings))


def breakdown(tmp_path: Path, column: str = "Pay Band", **settings: Any) -> Result:
    """Staff + training where the pay bands look like formulas."""
    staff = io.StringIO()
    training = io.StringIO()
    sw, tw = csv.writer(staff, lineterminator="\n"), csv.writer(training, lineterminator="\n")
    sw.writerow(["Employee Number", "Ethnic Origin", "Snapshot Date", column])
    tw.writerow(["Employee Number", "Course Type", "Status", "Start Date"])
    person = 0
    for band in ["Band 5", *INJECTIONS]:
        for label, n, trained in (("A White - British", 12, 6), ("N Black African", 10, 3)):
            for i in range(n):
                person += 1
                sw.writerow([person, label, "31/03/2024", band])
                if i < trained:
                    tw.writerow([person, "CPD", "Attended", "2023-06-15"])
    (tmp_path / "staff.csv").write_text(staff.getvalue(), encoding="utf-8")
    (tmp_path / "training.csv").write_text(training.getvalue(), encoding="utf-8")
    return compute(
        [tmp_path / "staff.csv"],
        training=[tmp_path / "training.csv"],
        by=[column],
        settings=Settings(**settings),
    )


# ------------------------------------------------------------------------------ formula safety


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Band 5", "Band 5"),
        ("", ""),
    ],
)
def test_safe_text(text: str, expected: str) -> None:
    assert safe_text(text) == expected


def test_numbers_stay_numbers() -> None:
    assert [cell_text(v) for v in (-0.5, -3, 0.1, None, True)] == ["-0.5", "-3", "0.1", "", "true"]


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_delimited_breakdown_values_are_neutralised(
    tmp_path: Path, fmt: str, delimiter: str
) -> None:
    result = breakdown(tmp_path)
    rows = list(csv.DictReader(io.StringIO(render_text(result, fmt)), delimiter=delimiter))
    bands = {r["Pay Band"] for r in rows}
    assert {"'" + t for t in INJECTIONS} <= bands
    assert "Band 5" in bands
    doc = json.loads(render_text(result, "json"))["results"]
    for row, want in zip(rows, doc, strict=True):
        assert float(row["white_headcount"]) == want["white_headcount"]  # numbers stay numbers


def test_breakdown_header_from_the_input_is_neutralised(tmp_path: Path) -> None:
    result = breakdown(tmp_path, column="=Band")
    assert render_text(result, "csv").startswith("'=Band,year,")
    write(result, tmp_path / "r.xlsx", "xlsx")
    header = openpyxl.load_workbook(tmp_path / "r.xlsx")["Breakdown"]["A3"]
    assert (header.value, header.data_type, header.quotePrefix) == ("=Band", "s", True)


# ------------------------------------------------------------------------------------ parquet


def test_parquet_schema_and_values(tmp_path: Path) -> None:
    result = breakdown(tmp_path, band=(0.8, 1.25))
    write(result, tmp_path / "r.parquet", "parquet")
    table = pq.read_table(tmp_path / "r.parquet")
    types = dict(zip(table.schema.names, table.schema.types, strict=True))
    assert types["Pay Band"] == pa.string()
    assert types["year"] == pa.int64()
    assert types["snapshot_date"] == pa.date32()
    assert types["period"] == types["flags"] == pa.string()
    assert types["in_band"] == pa.bool_()
    for name in ("white_headcount", "white_accessed", "bme_headcount", "unknown_accessed"):
        assert types[name] == pa.int64(), name
    for name in ("white_likelihood", "relative_likelihood", "ci_low", "p_value", "p_holm"):
        assert types[name] == pa.float64(), name
    doc = json.loads(render_text(result, "json"))["results"]
    got = table.to_pylist()
    for row, want in zip(got, doc, strict=True):
        row["snapshot_date"] = row["snapshot_date"].isoformat()
        assert row == want


def test_parquet_counts_stay_integers_under_disclosure(tmp_path: Path) -> None:
    result = aggregate(tmp_path, disclosure="nhs")
    write(result, tmp_path / "r.parquet", "parquet")
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.schema.field("unknown_accessed").type == pa.int64()
    doc = json.loads(render_text(result, "json"))["results"]
    assert doc[-1]["unknown_accessed"] == "*"
    assert table.column("unknown_accessed").to_pylist()[-1] is None
    assert "suppressed" in table.column("flags").to_pylist()[-1]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_same_inputs_same_bytes(tmp_path: Path, fmt: str) -> None:
    result = aggregate(tmp_path)
    write(result, tmp_path / f"one.{fmt}", fmt)
    write(result, tmp_path / f"two.{fmt}", fmt)
    assert (tmp_path / f"one.{fmt}").read_bytes() == (tmp_path / f"two.{fmt}").read_bytes()


# ------------------------------------------------------------------------------ atomic writes


def test_failed_write_leaves_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = aggregate(tmp_path)
    target = tmp_path / "out.csv"
    target.write_text("previous\n", encoding="utf-8")
    before = sorted(os.listdir(tmp_path))

    def half(result: Result, out: Any) -> None:
        out.write("year,period\n2023,")
        raise RuntimeError("interrupted")

    monkeypatch.setitem(export.TEXT_WRITERS, "csv", half)
    with pytest.raises(RuntimeError, match="interrupted"):
        write(result, target, "csv")
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(os.listdir(tmp_path)) == before


def test_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    write(aggregate(tmp_path), tmp_path / "new.csv", "csv")
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o666 & ~umask


def test_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "shared.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write(aggregate(tmp_path), target, "xlsx")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert openpyxl.load_workbook(target).sheetnames[0] == "Indicator 4"


def test_missing_folder_and_folder_target(tmp_path: Path) -> None:
    result = aggregate(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        write(result, tmp_path / "nowhere" / "out.csv", "csv")
    with pytest.raises(InputError, match="is a folder"):
        write(result, tmp_path, "csv")


# ------------------------------------------------------------------------------------- the CLI


def test_cli_writes_xlsx_from_suffix(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    run = CliRunner().invoke(cli, ["compute", str(aggregate_file(tmp_path)), "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert run.stdout == ""
    assert "wrote" in run.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Indicator 4", "Trend", "Data quality", "Method"]
    assert [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] == []


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_cli_binary_without_output_is_a_usage_error(tmp_path: Path, fmt: str) -> None:
    run = CliRunner().invoke(cli, ["compute", str(aggregate_file(tmp_path)), "-f", fmt])
    assert run.exit_code == 2
    assert f"-f {fmt} writes a binary file; give -o FILE.{fmt}." in run.stderr
    assert run.stdout == ""


def test_cli_dash_means_stdout(tmp_path: Path) -> None:
    data = str(aggregate_file(tmp_path))
    run = CliRunner().invoke(cli, ["compute", data, "-f", "json", "-o", "-"])
    assert run.exit_code == 0
    assert (
        json.loads(run.stdout)["results"]
        == json.loads(render_text(compute([data]), "json"))["results"]
    )
    run = CliRunner().invoke(cli, ["compute", data, "-f", "parquet", "-o", "-"])
    assert run.exit_code == 0  # piped (not a terminal): the bytes go to stdout
    assert run.stdout_bytes[:4] == b"PAR1"
    assert not (tmp_path / "-").exists()
