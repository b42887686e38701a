"""Progression output: the terminal panels, csv/tsv/json/jsonl/markdown text, the workbook
and Parquet of a :class:`~wres4.progression.model.ProgressionResult`. Writers only format
the result; they compute nothing.

Rich and openpyxl are imported inside the functions that draw, so importing this module stays
cheap.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from wres4.output.cells import cell_text
from wres4.output.terminal import (
    DISCLOSURE_NOTE,
    fmt_count,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    is_missing,
)
from wres4.periods import period_name
from wres4.progression.model import EFFECT_NOTE

if TYPE_CHECKING:
    from rich.console import Console

    from wres4.progression.model import ProgressionResult

SECTIONS = ("results", "senior")
TITLES = {
    "results": "Retention and progression, snapshot to snapshot",
    "ratios": "Relative likelihood, White ÷ {bme} ({level} CI)",
    "effect": "CPD effect: progression of those who accessed CPD ÷ those who did not",
    "senior": "Senior staff ({senior} and above)",
}
CPD_NAMES = {"all": "All", "accessed": "CPD", "not_accessed": "No CPD"}
RESULTS_NOTE = (
    "Cohort: the headcount at that year's snapshot, followed to the next snapshot. CPD: "
    "accessed non-mandatory training or CPD in the cohort year; No CPD: did not. Banded: "
    "on an Agenda for Change band at both snapshots; Progressed: on a higher one."
)


def document(result: ProgressionResult) -> dict[str, Any]:
    """The JSON object: ``meta``, ``results`` and ``senior``."""
    return {"meta": result.meta, **result.sections()}


def render_text(result: ProgressionResult, fmt: str, section: str = "results") -> str:
    """json holds both sections; csv, tsv, jsonl and markdown hold ``section``."""
    out = io.StringIO()
    section = section or "results"
    if fmt == "json":
        json.dump(document(result), out, indent=2, ensure_ascii=False, allow_nan=False)
        out.write("\n")
    elif fmt == "jsonl":
        for row in result.sections()[section]:
            out.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(list(result.tables()[section].columns))
        for row in result.sections()[section]:
            writer.writerow([cell_text(v) for v in row.values()])
    else:
        for view in views(result, [section]):
            out.write(f"**{view.title}**\n\n| " + " | ".join(view.heads) + " |\n")
            aligns = ("---" if i < view.lead else "---:" for i in range(len(view.heads)))
            out.write("|" + "|".join(aligns) + "|\n")
            for line in view.cells:
                out.write("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |\n")
            out.write(f"\n{view.note}\n\n" if view.note else "\n")
        if "disclosure" in result.meta:
            out.write(DISCLOSURE_NOTE + "\n")
    return out.getvalue()


# ---------------------------------------------------------------------------------- for people


def _published(result: ProgressionResult) -> bool:
    return "disclosure" in result.meta


def _bme(result: ProgressionResult) -> str:
    return str(result.meta["groups"]["bme"])


def _group(result: ProgressionResult, value: Any) -> str:
    return _bme(result) if value == "BME" else str(value)


def _count_rate(count: Any, rate: Any, published: bool) -> str:
    shown = fmt_count(count)
    return f"{shown} ({fmt_pct(rate, published)})" if not is_missing(rate) else shown


def ratio_text(row: dict[str, Any], name: str, published: bool) -> str:
    """A comparison's ratio as people read it: "0.93 (0.83–1.09)", "not calculable (≥ 0.5)"."""
    value, low, high = (row.get(f"{name}_{s}") for s in ("ratio", "ci_low", "ci_high"))
    flags = str(row.get("flags") or "").split(";")
    if is_missing(value):
        if any(f.startswith(f"{name}_not_calculable") for f in flags):
            bound = fmt_ratio(low, published)
            return "not calculable" + (f" (≥ {bound})" if bound else "")
        if f"{name}_withheld" in flags:
            return "withheld"
        return "suppressed" if published else ""  # made of a count shown as *
    text = fmt_ratio(value, published)
    if is_missing(low) and is_missing(high):
        return text
    return f"{text} ({fmt_ratio(low, published) or '…'}–{fmt_ratio(high, published) or '∞'})"


def _p(row: dict[str, Any], name: str, published: bool, confidence: float) -> str:
    if not published:
        return fmt_p(row.get(f"{name}_p_value"))
    flags = str(row.get("flags") or "").split(";")
    alpha = f"{1.0 - confidence:.10g}"
    if f"{name}_significant" in flags:
        return f"<{alpha}"
    return f"≥{alpha}" if f"{name}_not_significant" in flags else ""


def _breakdown(row: dict[str, Any], by: tuple[str, ...]) -> list[str]:
    if not by:
        return []
    if all(is_missing(row.get(name)) for name in by):
        return ["All staff"] + [""] * (len(by) - 1)
    return ["" if is_missing(row.get(name)) else str(row[name]) for name in by]


def _span(row: dict[str, Any]) -> str:
    return period_name(int(row["from_year"]))


class View(NamedTuple):
    """One table as a person reads it: ``lead`` columns of labels, then numbers."""

    name: str  # results, ratios, effect or senior
    title: str
    heads: list[str]
    cells: list[list[str]]
    note: str
    lead: int


def views(result: ProgressionResult, sections: list[str]) -> list[View]:
    """Each table a person reads, in order."""
    published = _published(result)
    by = result.by
    confidence = float(result.meta["settings"]["confidence"])
    level = f"{round(confidence * 100):g}%"
    rows = result.sections()["results"]
    out = []
    if "results" in sections:
        heads = [*by, "Cohort", "Group", "CPD", "In post", "Retained (%)", "Banded"]
        heads.append("Progressed (% of banded)")
        cells = [
            [
                *_breakdown(r, by),
                _span(r),
                _group(result, r["group"]),
                CPD_NAMES[r["cpd"]],
                fmt_count(r["in_post"]),
                _count_rate(r["retained"], r["retention_rate"], published),
                fmt_count(r["banded"]),
                _count_rate(r["progressed"], r["progression_rate"], published),
            ]
            for r in rows
        ]
        out.append(View("results", TITLES["results"], heads, cells, RESULTS_NOTE, len(by) + 3))
        pairs = [r for r in rows if r["group"] == "White"]
        heads = [*by, "Cohort", "CPD", "Retention", "p", "Progression", "p"]
        cells = [
            [
                *_breakdown(r, by),
                _span(r),
                CPD_NAMES[r["cpd"]],
                ratio_text(r, "retention", published),
                _p(r, "retention", published, confidence),
                ratio_text(r, "progression", published),
                _p(r, "progression", published, confidence),
            ]
            for r in pairs
        ]
        title = TITLES["ratios"].format(bme=_bme(result), level=level)
        out.append(View("ratios", title, heads, cells, str(result.meta["direction"]), len(by) + 2))
        effects = [r for r in rows if r["cpd"] == "all"]
        if any(r["cpd"] == "accessed" for r in rows):  # the cohort is split by CPD
            heads = [*by, "Cohort", "Group", f"CPD effect ({level} CI)", "p"]
            cells = [
                [
                    *_breakdown(r, by),
                    _span(r),
                    _group(result, r["group"]),
                    ratio_text(r, "cpd_effect", published),
                    _p(r, "cpd_effect", published, confidence),
                ]
                for r in effects
            ]
            out.append(View("effect", TITLES["effect"], heads, cells, EFFECT_NOTE, len(by) + 2))
    if "senior" in sections:
        heads = [*by, "Year", "Group", "Staff", "Banded", "Senior (% of banded)"]
        heads += ["Share of senior staff", "Share: change since first year"]
        cells = [
            [
                *_breakdown(r, by),
                period_name(int(r["year"])),
                _group(result, r["group"]),
                fmt_count(r["headcount"]),
                fmt_count(r["banded"]),
                _count_rate(r["senior"], r["senior_rate"], published),
                fmt_pct(r["share_of_senior"], published),
                _points(r["share_of_senior_change"]),
            ]
            for r in result.sections()["senior"]
        ]
        title = TITLES["senior"].format(senior=result.meta["senior_band"])
        out.append(View("senior", title, heads, cells, "", len(by) + 2))
    return out


def _points(change: Any) -> str:
    """A change in a share, in percentage points: "+5.8 pp"."""
    if is_missing(change):
        return ""
    return f"{float(change) * 100:+.1f} pp".replace("+0.0 pp", "0.0 pp").replace("-0.0", "0.0")


def print_progression(
    result: ProgressionResult, console: Console, section: str | None = None
) -> None:
    """One panel per table (or only ``section``'s), for a terminal."""
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    for view in views(result, [section] if section else list(SECTIONS)):
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        for i, head in enumerate(view.heads):
            # Cells keep their width (headers wrap instead); numbers are right-aligned.
            widest = max((len(line[i]) for line in view.cells), default=0)
            lead = i < view.lead
            table.add_column(head, justify="left" if lead else "right", min_width=min(widest, 24))
        for line in view.cells:
            table.add_row(*(Text(cell) for cell in line))  # text, never markup
        parts: list[Any] = [table] + ([Text("\n" + view.note)] if view.note else [])
        console.print(Panel(Group(*parts), title=view.title, title_align="left"))
    if _published(result):
        console.print(DISCLOSURE_NOTE, highlight=False)


# ------------------------------------------------------------------------- workbook, Parquet


def write_workbook(result: ProgressionResult, target: Path) -> None:
    """A Progression sheet (the cohort results and a native chart of the share of senior
    staff by year), a Senior staff sheet, then data quality and method sheets."""
    from openpyxl import Workbook

    from wres4.output import workbook as wb

    published = _published(result)
    book = Workbook()
    sheet = book.active
    sheet.title = "Progression"
    results = result.sections()["results"]
    above = [TITLES["results"], str(result.meta["direction"])]
    end = wb.table_sheet(
        sheet, list(result.results.columns), results, above=above, published=published
    )
    seniors = book.create_sheet("Senior staff")
    title = TITLES["senior"].format(senior=result.meta["senior_band"])
    wb.table_sheet(
        seniors,
        list(result.senior.columns),
        result.sections()["senior"],
        above=[title],
        published=published,
    )
    _senior_chart(sheet, book.create_sheet("Senior chart data"), result, end + 3)
    wb.quality_sheet(book.create_sheet("Data quality"), result)
    wb.method_sheet(book.create_sheet("Method"), result)
    wb.save(book, target, wb.document_time())


def _senior_chart(sheet: Any, data: Any, result: ProgressionResult, at: int) -> None:
    """The share of senior staff by year for each group (the whole organisation), as a
    native line chart on ``sheet``, drawn from a small year x group table on ``data``."""
    from openpyxl.chart import LineChart, Reference

    from wres4.output import workbook as wb

    rows = [
        r for r in result.sections()["senior"] if all(is_missing(r.get(name)) for name in result.by)
    ]
    groups = list(dict.fromkeys(r["group"] for r in rows))
    years = list(dict.fromkeys(int(r["year"]) for r in rows))
    share = {(int(r["year"]), r["group"]): r["share_of_senior"] for r in rows}
    heads = ["Period", *(f"{_group(result, g)} share of senior staff" for g in groups)]
    table = [{"period": period_name(y), **{g: share.get((y, g)) for g in groups}} for y in years]
    end = wb.write_table(data, 1, ["period", *groups], table, heads)
    for row in data.iter_rows(min_row=2, max_row=end, min_col=2):
        for cell in row:
            cell.number_format = "General" if _published(result) else wb.PERCENT
    wb.fit_widths(data, 1)
    chart = LineChart()
    chart.title = f"Share of senior staff ({result.meta['senior_band']} and above) by group"
    chart.y_axis.title = "Share of senior staff"
    chart.x_axis.title = "Snapshot"
    chart.y_axis.number_format = "0%"
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes otherwise
    chart.width, chart.height = 18, 9
    chart.add_data(
        Reference(data, min_col=2, max_col=len(heads), min_row=1, max_row=end),
        titles_from_data=True,
    )
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=end))
    dashes = ("solid", "dash", "sysDot")
    for series, dash in zip(chart.series, dashes, strict=False):
        series.smooth = False
        series.graphicalProperties.line.dashStyle = dash  # readable without colour
        series.marker.symbol = "circle"
    sheet.add_chart(chart, f"A{at}")


def write_parquet(result: ProgressionResult, target: Path, section: str | None = None) -> None:
    """One section (results unless ``section`` says senior) with proper column types."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = section or "results"
    frame = result.tables()[name]
    text = {"group", "cpd", "flags", "snapshot_date", *result.by}
    counts = {"from_year", "to_year", "year", "in_post", "retained", "banded", "progressed"}
    counts |= {"headcount", "senior"}
    rows = result.sections()[name]
    fields, arrays = [], []
    for column in frame.columns:
        values = [row[column] for row in rows]
        cells: list[Any]
        if column in text:
            typ: pa.DataType = pa.string()
            cells = [None if v is None else str(v) for v in values]
        elif column in counts:
            typ = pa.int64()  # a count hidden by disclosure control ("*") is null
            cells = [None if isinstance(v, str) else v for v in values]
        else:
            typ = pa.float64()
            cells = [None if v is None else float(v) for v in values]
        fields.append(pa.field(column, typ))
        arrays.append(pa.array(cells, type=typ))
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), target)
