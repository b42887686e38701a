"""The report workbook (xlsx): results, trend chart, breakdown, data quality and method.

Like every writer it formats the :class:`~wres4.indicator.result.Result` and computes nothing. Every
cell goes through :func:`put`, which keeps numbers numeric and makes text from the input
inert (a string cell, never a formula). The bytes are deterministic: fixed document times
(``SOURCE_DATE_EPOCH`` when set) and fixed zip entry times. openpyxl is imported lazily.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import io
import json
import os
import re
import zipfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from wres4.errors import InputError
from wres4.indicator.result import (
    COUNT_COLUMNS,
    LIKELIHOOD_COLUMNS,
    P_COLUMNS,
    RATIO_COLUMNS,
    Result,
    row_dicts,
)
from wres4.output.cells import FORMULA_STARTS, input_name, plain
from wres4.output.terminal import DISCLOSURE_NOTE, footnotes, trend_sentence
from wres4.report import Report

PERCENT, RATIO, COUNT, P_FORMAT, DATE = "0.0%", "0.00", "#,##0", "0.0000", "yyyy-mm-dd"
# Result columns by exact name (result.py owns the names), then patterns for other tables
# (extra sheets such as the funnel), then the value's type. First match wins.
EXACT_FORMATS: dict[str, str] = {
    "year": "0",
    "from_year": "0",
    "to_year": "0",
    "snapshot_date": DATE,
    "equal_line": RATIO,
    **dict.fromkeys(COUNT_COLUMNS, COUNT),
    **dict.fromkeys(LIKELIHOOD_COLUMNS, PERCENT),
    **dict.fromkeys(RATIO_COLUMNS, RATIO),
    **dict.fromkeys(P_COLUMNS, P_FORMAT),
}
PATTERN_FORMATS: dict[str, tuple[str, ...]] = {
    PERCENT: ("*_rate", "*_rate_change", "*share*", "*_likelihood"),
    P_FORMAT: ("*p_value", "*p_exact", "p_*"),
    RATIO: ("*ratio*", "*ci_low", "*ci_high"),
    COUNT: ("*_headcount", "*_accessed", "*count*"),
}
TYPE_FORMATS: tuple[tuple[type, str], ...] = ((bool, "General"), (int, COUNT), (dt.date, DATE))

FIXED_TIME = dt.datetime(2000, 1, 1)  # document time when SOURCE_DATE_EPOCH is not set
ZIP_TIMES = (dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31))  # what a zip can record
MAX_TEXT = 32767  # Excel's limit for one cell
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
VERSIONED = ("wres4", "pandas", "statsmodels", "openpyxl")
# Trend chart lines: the ratio, the 1.00 line, then the interval in the ratio's colour.
SERIES_STYLES = (
    ("1F4E79", "solid"),
    ("7F7F7F", "dash"),
    ("1F4E79", "sysDot"),
    ("1F4E79", "sysDot"),
)
CI_MARK_NOTE = "* "  # that footnote explains a marker the text outputs use; cells carry no marker


def write_workbook(
    result: Result,
    path: Path,
    *,
    extra_sheets: Sequence[tuple[str, list[dict[str, Any]]]] = (),
) -> None:
    """Write the report workbook to ``path`` (wres4.output.writers.write makes it atomic).

    ``extra_sheets`` adds (name, rows) tables, e.g. the funnel, formatted by column name.
    """
    from openpyxl import Workbook

    stamp = document_time()
    book = Workbook()
    results = book.active
    results.title = "Indicator 4"
    overall = row_dicts(result.overall)
    keys = [c for c in result.table.columns if c not in result.by]
    title = "WRES indicator 4: relative likelihood of accessing non-mandatory training and CPD"
    published = "disclosure" in result.meta
    end = table_sheet(
        results, keys, overall, above=[title, result.meta["direction"]], published=published
    )
    skip = (result.meta["direction"], CI_MARK_NOTE)  # the direction is above the table
    notes = [n for n in footnotes(result) if not n.startswith(skip)]
    for offset, note in enumerate(notes, 2):
        put(results, end + offset, 1, note)
    trend_sheet(book.create_sheet("Trend"), result, overall)
    breakdown = row_dicts(result.table.drop(result.overall.index)) if result.by else []
    if breakdown:
        sheet = book.create_sheet("Breakdown")
        table_sheet(
            sheet,
            list(result.table.columns),
            breakdown,
            above=[title],
            key_columns=len(result.by) + 1,
            published=published,
        )
    for name, rows in extra_sheets:
        columns = list(dict.fromkeys(k for row in rows for k in row))
        table_sheet(book.create_sheet(sheet_title(name)), columns, rows, key_columns=0)
    quality_sheet(book.create_sheet("Data quality"), result)
    method_sheet(book.create_sheet("Method"), result)
    save(book, path, stamp)


def document_time() -> dt.datetime:
    """The time stamped into the file: SOURCE_DATE_EPOCH when set, else a fixed constant."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return FIXED_TIME
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise InputError(
            f"SOURCE_DATE_EPOCH is '{raw}', not a whole number of seconds since 1970; "
            "fix it or unset it."
        ) from None


def save(book: Any, path: Path, stamp: dt.datetime) -> None:
    """Save with fixed times: openpyxl stamps 'now' into core.xml and into every zip entry."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.creator = "wres4"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter, not save_workbook: save_workbook overwrites `modified` with the clock.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    when = min(max(stamp, ZIP_TIMES[0]), ZIP_TIMES[1]).timetuple()[:6]
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0  # the same bytes on every platform
            out.writestr(entry, src.read(info.filename))


def put(ws: Any, row: int, col: int, value: Any, number_format: str | None = None) -> Any:
    """Write one cell: numbers stay numbers; text is always text, never a formula."""
    from openpyxl.styles import Alignment

    cell = ws.cell(row=row, column=col)
    value = cell_value(value)
    if isinstance(value, str):
        text = ILLEGAL_XML.sub("", value)[:MAX_TEXT]
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        if number_format and number_format != "General":  # e.g. "*" for a suppressed count
            cell.alignment = Alignment(horizontal="right")
    else:
        cell.value = value
        if number_format and value is not None:
            cell.number_format = number_format
    return cell


def cell_value(value: Any) -> Any:
    """A value openpyxl can store: dates as dates, None for missing, Python numbers."""
    import pandas as pd

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple | dict) or value is None:
        return value
    return None if pd.isna(value) else plain(value)


def column_format(name: str, values: Sequence[Any]) -> str | None:
    if name in EXACT_FORMATS:
        return EXACT_FORMATS[name]
    for fmt, patterns in PATTERN_FORMATS.items():
        if any(fnmatch.fnmatchcase(name.lower(), p) for p in patterns):
            return fmt
    present = [v for v in map(cell_value, values) if v is not None]
    for typ, fmt in TYPE_FORMATS:  # only when every value has the type (key/value tables mix)
        if present and all(isinstance(v, typ) for v in present):
            return fmt
    return None


def write_table(
    ws: Any,
    top: int,
    keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
    headers: Sequence[str] = (),
    published: bool = False,
) -> int:
    """A header row at ``top`` and the rows under it; returns the last row written.

    ``published`` (disclosure control): ratios and likelihoods are shown with the places
    they were published to ("General"), never padded to more."""
    from openpyxl.styles import Font

    for col, head in enumerate(headers or keys, 1):
        put(ws, top, col, head).font = Font(bold=True)
    formats = [column_format(k, [r.get(k) for r in rows]) for k in keys]
    if published:
        formats = ["General" if f in (RATIO, PERCENT) else f for f in formats]
    for number, row in enumerate(rows, top + 1):
        for col, (key, fmt) in enumerate(zip(keys, formats, strict=True), 1):
            put(ws, number, col, row.get(key), fmt)
    return top + len(rows)


def table_sheet(
    ws: Any,
    keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    above: Sequence[str] = (),
    key_columns: int = 1,
    published: bool = False,
) -> int:
    """Lines of text, a blank row, then a table with a frozen header; widths fitted."""
    from openpyxl.utils import get_column_letter

    for number, line in enumerate(above, 1):
        put(ws, number, 1, line)
    top = len(above) + 2 if above else 1
    end = write_table(ws, top, keys, rows, published=published)
    ws.freeze_panes = f"{get_column_letter(key_columns + 1)}{top + 1}"
    fit_widths(ws, top)
    return end


def fit_widths(ws: Any, top: int, most: int = 60) -> None:
    """Column widths from the header and values (rows above the table would overflow)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=top):
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), shown_length(cell.value))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), most)


def shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool | dt.date):
        return 10
    if isinstance(value, int):
        return len(f"{value:,}")
    return 8 if isinstance(value, float) else len(str(value))


def sheet_title(name: str) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters."""
    return BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "Sheet"


def trend_sheet(ws: Any, result: Result, overall: list[dict[str, Any]]) -> None:
    """The relative likelihood by year as a native line chart, with the 1.0 line and the CI."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef

    bme = result.meta["groups"]["bme"]
    level = f"{round(result.meta['settings']['confidence'] * 100):g}%"
    columns = {
        "year": "Year",
        "period": "Period",
        "white_likelihood": "White likelihood",
        "bme_likelihood": f"{bme} likelihood",
        "relative_likelihood": "Relative likelihood",
        "equal_line": "Equal likelihood (1.00)",
        "ci_low": f"{level} CI low",
        "ci_high": f"{level} CI high",
    }
    if all(r.get("ci_low") is None and r.get("ci_high") is None for r in map(clean, overall)):
        del columns["ci_low"], columns["ci_high"]
    rows = [{**r, "equal_line": 1.0} for r in overall]
    end = write_table(ws, 1, list(columns), rows, list(columns.values()))
    ws.freeze_panes = "A2"
    fit_widths(ws, 1)
    sentence = trend_sentence(result)
    if sentence:
        put(ws, end + 2, 1, sentence)
    chart = LineChart()
    chart.title = f"Relative likelihood (White / {bme})"
    chart.y_axis.title = "Relative likelihood"
    chart.x_axis.title = "Reporting year"
    chart.y_axis.number_format = RATIO
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes otherwise
    chart.width, chart.height = 18, 9
    first = list(columns).index("relative_likelihood") + 1
    for col in range(first, len(columns) + 1):
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=end), titles_from_data=True)
    periods = str(Reference(ws, min_col=2, min_row=2, max_row=end))
    for series, (colour, dash) in zip(chart.series, SERIES_STYLES, strict=False):
        series.cat = AxDataSource(strRef=StrRef(f=periods))  # text labels, not numbers
        series.smooth = False
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.dashStyle = dash
    chart.series[0].marker.symbol = "circle"
    ws.add_chart(chart, f"B{end + 4}")


def clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: cell_value(v) for k, v in row.items()}


def quality_sheet(ws: Any, result: Result | Report) -> None:
    """Unknown ethnicity by year (the indicator's result), every finding, the values it
    names, bank staff excluded."""
    from openpyxl.styles import Font

    shares = []
    published = "disclosure" in result.meta
    overall = row_dicts(result.overall) if isinstance(result, Result) else []
    for row in map(clean, overall):
        counts = [row[f"{g}_headcount"] for g in ("white", "bme", "unknown")]
        total = sum(counts) if all(isinstance(n, int) for n in counts) else None
        if published:
            # A total and share of rounded counts, read as true ones, would pin the unknown
            # count (method.md: Disclosure control): the published counts stand alone.
            total = None
        share = counts[2] / total if total else None  # "*" counts (disclosure) give no share
        shares.append({**row, "total_headcount": total, "unknown_share": share})
    findings = [
        {**f.as_dict(), "rows": ", ".join(map(str, f.rows)), "problem": f.problem}
        for f in result.findings
    ]
    values = [
        {"code": f.code, "file": f.file, "column": f.column, "value": v, "count": n}
        for f in result.findings
        for v, n in f.values
    ]
    bank = [{"year": int(y), "bank_excluded": n} for y, n in result.meta["bank_excluded"].items()]
    sections: list[tuple[str, list[str], list[dict[str, Any]]]] = []
    if isinstance(result, Result):
        sections.append(
            (
                "Staff with unknown ethnicity (excluded from both likelihoods)",
                ["year", "period", "unknown_headcount", "total_headcount", "unknown_share"],
                shares,
            )
        )
    sections += [
        (
            "Findings",
            ["code", "message", "count", "file", "column", "rows", "problem"],
            findings,
        ),
        ("Values reported (e.g. unrecognised labels)", list(values[0]) if values else [], values),
        ("Bank-only staff excluded from the headcount", ["year", "bank_excluded"], bank),
    ]
    top, titles = 1, []
    for title, keys, rows in sections:
        titles.append((top, title))
        if rows:
            top = write_table(ws, top + 1, keys, rows) + 2
        else:
            put(ws, top + 1, 1, "None.")
            top += 3
    fit_widths(ws, 1, most=80)
    for at, title in titles:  # after fitting: a title may overflow into the next columns
        put(ws, at, 1, title).font = Font(bold=True)


def method_sheet(ws: Any, result: Result | Report) -> None:
    """How the numbers were made: definition, direction, settings, versions, inputs."""
    meta = result.meta
    about = {
        "Definition and formula": meta["definition"],
        "Direction": meta["direction"],
        "Input form": meta["form"],
        "Snapshot dates": "; ".join(f"{y}: {d}" for y, d in meta["snapshots"].items()),
        "Breakdown by": ", ".join(meta["by"]),
        "Trend method": (getattr(result, "trend", None) or {}).get("method"),
    }
    if "disclosure" in meta:
        about["Disclosure control"] = DISCLOSURE_NOTE
        # the indicator counts rows at each level, progression its comparisons
        unit = "rows" if "rows" in meta["disclosure"] else "comparisons"
        about[f"Disclosure: {unit} published at each level"] = setting_text(
            meta["disclosure"][unit]
        )
        about["Disclosure: columns withheld"] = ", ".join(meta["disclosure"]["withheld_columns"])
    versions = {name: installed_version(name) for name in VERSIONED}
    sections = [
        ("Method", "item", [{"item": k, "value": v} for k, v in about.items()]),
        (
            "Settings",
            "setting",
            [{"setting": k, "value": setting_text(v)} for k, v in meta["settings"].items()],
        ),
        ("Versions", "package", [{"package": k, "value": v} for k, v in versions.items()]),
    ]
    top = 1
    for title, key, rows in sections:
        top = write_table(ws, top, [key, "value"], rows, [title, "value"]) + 2
    inputs = [{"file": input_name(i), "sha256": i["sha256"]} for i in meta["inputs"]]
    write_table(ws, top, ["file", "sha256"], inputs, ["Input file", "SHA-256"])
    fit_widths(ws, 1, most=100)


def setting_text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return value


def installed_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
