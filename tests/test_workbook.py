"""The report workbook: sheets, numbers against the JSON, formats, chart, formula safety,
deterministic bytes and atomic writes. Read back with openpyxl and python-calamine."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from wres4.errors import InputError
from wres4.findings import Finding
from wres4.indicator.compute import compute
from wres4.indicator.result import Result
from wres4.output import workbook
from wres4.output.text import render_text
from wres4.output.workbook import write_workbook
from wres4.output.writers import write
from wres4.settings import Settings

# Text a spreadsheet would run as a formula (method.md: Formula safety).
# A leading tab is stripped by the
# readers, so it is tested through a finding built by hand.
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"]

AGGREGATE = """year,group,headcount,accessed
2022,White,2900,1100
2022,Black African,950,260
2023,White,3000,1200
2023,Black African,1000,300
2023,Not stated,40,10
2024,White,3100,1300
2024,Black African,1100,380
2024,Not stated,45,3
"""

FORMATS = {
    "year": "0",
    "snapshot_date": "yyyy-mm-dd",
    "white_headcount": "#,##0",
    "bme_accessed": "#,##0",
    "unknown_headcount": "#,##0",
    "white_likelihood": "0.0%",
    "bme_likelihood": "0.0%",
    "relative_likelihood": "0.00",
    "ci_low": "0.00",
    "ci_high": "0.00",
    "change_vs_previous": "0.00",
    "p_value": "0.0000",
    "p_exact": "0.0000",
}


def csv_text(rows: list[list[Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def aggregate(tmp_path: Path, **settings: Any) -> Result:
    path = tmp_path / "history.csv"
    path.write_text(AGGREGATE, encoding="utf-8")
    return compute([path], settings=Settings(**settings))


def breakdown(tmp_path: Path) -> Result:
    """Staff + training with formula-like pay bands and ethnicity labels, and one bank worker."""
    staff: list[list[Any]] = [
        ["Employee Number", "Ethnic Origin", "Snapshot Date", "Pay Band", "Assignment Category"]
    ]
    training = [["Employee Number", "Course Type", "Status", "Start Date"]]
    person = 0
    for band in ["Band 5", *INJECTIONS]:
        for label, n, trained in (("A White - British", 12, 6), ("N Black African", 10, 3)):
            for i in range(n):
                person += 1
                staff.append([person, label, "31/03/2024", band, "Permanent"])
                if i < trained:
                    training.append([person, "CPD", "Attended", "15/06/2023"])
    for label in INJECTIONS:
        person += 1
        staff.append([person, label, "31/03/2024", "Band 5", "Permanent"])
    staff.append([person + 1, "A White - British", "31/03/2024", "Band 5", "Bank"])
    (tmp_path / "staff.csv").write_text(csv_text(staff), encoding="utf-8")
    (tmp_path / "training.csv").write_text(csv_text(training), encoding="utf-8")
    return compute([tmp_path / "staff.csv"], training=[tmp_path / "training.csv"], by=["Pay Band"])


def save(result: Result, path: Path, **kwargs: Any) -> Any:
    write_workbook(result, path, **kwargs)
    return openpyxl.load_workbook(path)


def json_rows(result: Result) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(render_text(result, "json"))["results"]
    return rows


def header_row(ws: Any, first: str) -> int:
    for row in ws.iter_rows(max_col=1):
        if row[0].value == first:
            return int(row[0].row)
    raise AssertionError(f"no header starting {first!r} in {ws.title}")


def table(ws: Any, first: str) -> tuple[int, list[str], list[list[Any]]]:
    """(header row, column names, cells of the rows under it until a blank first cell)."""
    top = header_row(ws, first)
    names = [c.value for c in ws[top] if c.value is not None]
    cells = []
    for row in ws.iter_rows(min_row=top + 1, max_col=len(names)):
        if row[0].value is None:
            break
        cells.append(list(row))
    return top, names, cells


def same(cell_value: Any, expected: Any) -> bool:
    """A workbook value against the JSON value (xlsx stores 16 significant digits)."""
    if expected in (None, ""):  # openpyxl stores an empty string as an empty cell
        return cell_value in (None, "")
    if isinstance(cell_value, dt.datetime | dt.date):
        day = cell_value.date() if isinstance(cell_value, dt.datetime) else cell_value
        return bool(day.isoformat() == expected)
    if isinstance(expected, bool | str):
        return bool(cell_value == expected)
    return bool(cell_value == pytest.approx(expected, rel=1e-15, abs=0))


def check_rows(ws: Any, expected: list[dict[str, Any]], first: str) -> None:
    _, names, cells = table(ws, first)
    assert len(cells) == len(expected)
    for row, want in zip(cells, expected, strict=True):
        for name, cell in zip(names, row, strict=True):
            assert same(cell.value, want[name]), (ws.title, name, cell.value, want[name])
            if isinstance(want[name], int | float) and not isinstance(want[name], bool):
                assert cell.data_type == "n", (name, cell.data_type)
            if name in FORMATS and cell.value is not None:
                assert cell.number_format == FORMATS[name], name


# ------------------------------------------------------------------------------ results sheet


def test_sheet_names(tmp_path: Path) -> None:
    assert save(aggregate(tmp_path), tmp_path / "a.xlsx").sheetnames == [
        "Indicator 4",
        "Trend",
        "Data quality",
        "Method",
    ]
    assert save(breakdown(tmp_path), tmp_path / "b.xlsx").sheetnames == [
        "Indicator 4",
        "Trend",
        "Breakdown",
        "Data quality",
        "Method",
    ]


def test_indicator_sheet_matches_json(tmp_path: Path) -> None:
    result = aggregate(tmp_path)
    ws = save(result, tmp_path / "r.xlsx")["Indicator 4"]
    assert ws["A2"].value == result.meta["direction"]
    assert header_row(ws, "year") == 4
    assert ws.freeze_panes == "B5"
    check_rows(ws, json_rows(result), "year")
    assert ws["L5"].value == pytest.approx(json_rows(result)[0]["relative_likelihood"])
    assert ws.column_dimensions["F"].width >= len("white_likelihood")


def test_calamine_reads_the_same_numbers(tmp_path: Path) -> None:
    result = aggregate(tmp_path)
    write_workbook(result, tmp_path / "r.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Indicator 4")
    values = rows.to_python()
    names = values[3]
    data = [dict(zip(names, row, strict=True)) for row in values[4:7]]
    for got, want in zip(data, json_rows(result), strict=True):
        for name in names:
            assert same(got[name], want[name]), (name, got[name], want[name])


def test_breakdown_sheet_and_formula_text(tmp_path: Path) -> None:
    result = breakdown(tmp_path)
    book = save(result, tmp_path / "b.xlsx")
    rows = json_rows(result)
    check_rows(book["Indicator 4"], [r for r in rows if r["Pay Band"] is None], "year")
    ws = book["Breakdown"]
    assert ws.freeze_panes == "C4"
    check_rows(ws, [r for r in rows if r["Pay Band"] is not None], "Pay Band")
    _, _, cells = table(ws, "Pay Band")
    bands = {row[0].value: row[0] for row in cells}
    for text in INJECTIONS:
        assert bands[text].data_type == "s"
        assert bands[text].quotePrefix is True
    assert bands["Band 5"].quotePrefix is False


def test_no_formula_anywhere_in_the_file(tmp_path: Path) -> None:
    write_workbook(breakdown(tmp_path), tmp_path / "b.xlsx")
    with zipfile.ZipFile(tmp_path / "b.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(archive.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml
    assert "HYPERLINK" in xml  # the text is there, as text
    book = CalamineWorkbook.from_path(str(tmp_path / "b.xlsx"))
    texts = {v for row in book.get_sheet_by_name("Breakdown").to_python() for v in row}
    assert set(INJECTIONS) <= texts


def test_disclosure_star_is_right_aligned_text(tmp_path: Path) -> None:
    result = aggregate(tmp_path, disclosure="nhs")
    ws = save(result, tmp_path / "r.xlsx")["Indicator 4"]
    _, names, cells = table(ws, "year")
    last = dict(zip(names, cells[-1], strict=True))
    assert json_rows(result)[-1]["unknown_accessed"] == "*"
    star = last["unknown_accessed"]
    assert (star.value, star.data_type, star.alignment.horizontal) == ("*", "s", "right")
    assert last["white_headcount"].value == 3100


# -------------------------------------------------------------------------------------- trend


def test_trend_chart_references_its_table(tmp_path: Path) -> None:
    result = aggregate(tmp_path)
    ws = save(result, tmp_path / "r.xlsx")["Trend"]
    (chart,) = ws._charts
    assert type(chart).__name__ == "LineChart"
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == [f"'Trend'!${c}$2:${c}$4" for c in "EFGH"]
    assert [s.tx.strRef.f for s in chart.series] == [f"'Trend'!{c}1" for c in "EFGH"]
    assert chart.series[0].cat.strRef.f == "'Trend'!$B$2:$B$4"
    assert [ws[f"{c}1"].value for c in "EFGH"] == [
        "Relative likelihood",
        "Equal likelihood (1.00)",
        "95% CI low",
        "95% CI high",
    ]
    for i, want in enumerate(json_rows(result), 2):
        assert ws[f"B{i}"].value == want["period"]
        assert ws[f"E{i}"].value == pytest.approx(want["relative_likelihood"], rel=1e-15)
        assert ws[f"F{i}"].value == 1
        assert ws[f"G{i}"].value == pytest.approx(want["ci_low"], rel=1e-15)
        assert ws[f"C{i}"].number_format == "0.0%"


def test_trend_without_interval_has_two_series(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("year,group,headcount,accessed\n2024,White,100,10\n", encoding="utf-8")
    ws = save(compute([path]), tmp_path / "r.xlsx")["Trend"]
    (chart,) = ws._charts
    assert [s.val.numRef.f for s in chart.series] == ["'Trend'!$E$2", "'Trend'!$F$2"]
    assert ws["E2"].value is None and ws["G1"].value is None


# -------------------------------------------------------------------------- quality and method


def test_data_quality_sheet(tmp_path: Path) -> None:
    result = breakdown(tmp_path)
    ws = save(result, tmp_path / "b.xlsx")["Data quality"]
    _, names, cells = table(ws, "year")
    overall = [r for r in json_rows(result) if r["Pay Band"] is None]
    share = dict(zip(names, cells[0], strict=True))
    total = sum(overall[0][f"{g}_headcount"] for g in ("white", "bme", "unknown"))
    assert share["unknown_share"].value == pytest.approx(overall[0]["unknown_headcount"] / total)
    assert share["unknown_share"].number_format == "0.0%"
    _, names, cells = table(ws, "code")
    findings = [dict(zip(names, (c.value for c in row), strict=True)) for row in cells]
    assert {f["code"] for f in findings} == {f.code for f in result.findings}
    values_top = next(r for r in ws.iter_rows(max_col=4) if r[3].value == "value")[0].row
    labels = {}
    for row in ws.iter_rows(min_row=values_top + 1, max_col=5):
        if row[0].value is None:
            break
        labels[row[3].value] = (row[3], row[4].value)
    for text in INJECTIONS:
        cell, count = labels[text]
        assert (cell.data_type, cell.quotePrefix, count) == ("s", True, 1)
    bank_top = next(r for r in ws.iter_rows(max_col=2) if r[1].value == "bank_excluded")[0].row
    assert (ws.cell(bank_top + 1, 1).value, ws.cell(bank_top + 1, 2).value) == (2024, 1)
    assert result.meta["bank_excluded"] == {"2024": 1}


def test_leading_tab_and_carriage_return_stay_text(tmp_path: Path) -> None:
    finding = Finding("unmapped_label", "\t=1+1 was seen", 2, values=(("\tTAB", 1), ("\r=2", 1)))
    result = dataclasses.replace(aggregate(tmp_path), findings=(finding,))
    ws = save(result, tmp_path / "r.xlsx")["Data quality"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    # XML turns a raw carriage return into a line feed; it is still text, never a formula
    for text in ("\t=1+1 was seen", "\tTAB", "\n=2"):
        assert (cells[text].data_type, cells[text].quotePrefix) == ("s", True)


def test_method_sheet(tmp_path: Path) -> None:
    result = aggregate(tmp_path)
    ws = save(result, tmp_path / "r.xlsx")["Method"]
    pairs = {r[0].value: r[1].value for r in ws.iter_rows(max_col=2) if r[0].value}
    assert pairs["Definition and formula"] == result.meta["definition"]
    assert pairs["Direction"] == result.meta["direction"]
    assert pairs["ci_method"] == "koopman"
    assert pairs["confidence"] == 0.95
    assert set(result.meta["settings"]) <= set(pairs)
    for package in ("wres4", "pandas", "statsmodels", "openpyxl"):
        assert pairs[package] and pairs[package] != "not installed"
    assert pairs[str(tmp_path / "history.csv")] == result.meta["inputs"][0]["sha256"]


def test_extra_sheets_are_formatted_by_column_name(tmp_path: Path) -> None:
    rows = [
        {
            "stage": "=approved",
            "white_people": 120,
            "success_rate": 0.42,
            "decline_share": 0.1,
            "relative_likelihood": 1.1,
            "p_value": 0.03,
        }
    ]
    book = save(aggregate(tmp_path), tmp_path / "r.xlsx", extra_sheets=[("Funnel: stages", rows)])
    assert book.sheetnames[2] == "Funnel_ stages"
    ws = book["Funnel_ stages"]
    assert ws.freeze_panes == "A2"
    formats = {ws.cell(1, c).value: ws.cell(2, c).number_format for c in range(1, 7)}
    assert formats == {
        "stage": "General",
        "white_people": "#,##0",
        "success_rate": "0.0%",
        "decline_share": "0.0%",
        "relative_likelihood": "0.00",
        "p_value": "0.0000",
    }
    assert (ws["A2"].value, ws["A2"].data_type) == ("=approved", "s")


# -------------------------------------------------------------------- determinism and atomicity


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    result = breakdown(tmp_path)
    write_workbook(result, tmp_path / "one.xlsx")
    write_workbook(result, tmp_path / "two.xlsx")
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


def test_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_workbook(aggregate(tmp_path), tmp_path / "r.xlsx")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert "2023-11-14T22:13:20Z" in archive.read("docProps/core.xml").decode()
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").properties.created == dt.datetime(
        2023, 11, 14, 22, 13, 20
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH is 'yesterday'"):
        write_workbook(aggregate(tmp_path), tmp_path / "r.xlsx")


def boom(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("disk on fire")


def test_failed_build_leaves_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = aggregate(tmp_path)
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"last year's report")
    before = sorted(os.listdir(tmp_path))
    monkeypatch.setattr(workbook, "method_sheet", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write(result, target, "xlsx")
    assert target.read_bytes() == b"last year's report"
    assert sorted(os.listdir(tmp_path)) == before


def test_failure_halfway_through_the_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = aggregate(tmp_path)
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"last year's report")
    before = sorted(os.listdir(tmp_path))
    writestr = zipfile.ZipFile.writestr
    seen: list[str] = []

    def flaky(self: zipfile.ZipFile, info: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(info, zipfile.ZipInfo):  # the final file, after some entries are in
            seen.append(info.filename)
            if len(seen) == 5:
                raise OSError("no space left on device")
        writestr(self, info, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", flaky)
    with pytest.raises(OSError, match="no space"):
        write(result, target, "xlsx")
    assert target.read_bytes() == b"last year's report"
    assert sorted(os.listdir(tmp_path)) == before


def test_openpyxl_is_imported_lazily() -> None:
    code = (
        "import sys, wres4.cli, wres4.output.writers, wres4.output.workbook; "
        "assert 'openpyxl' not in sys.modules, 'openpyxl imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
