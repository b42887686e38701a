"""Funnel output: the terminal panels and the csv/tsv/json/jsonl/markdown text of a
:class:`~wres4.funnel.model.FunnelResult`. Writers only format the result; they compute nothing.

Rich is imported inside the functions that draw, so importing this module stays cheap.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wres4.errors import DataError
from wres4.output.cells import cell_text, input_name
from wres4.output.terminal import (
    DISCLOSURE_NOTE,
    fmt_count,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    is_missing,
    p_cell,
)

if TYPE_CHECKING:
    from rich.console import Console

    from wres4.funnel.model import FunnelResult

TITLES = {
    "results": "Applications by group: distinct people at each stage",
    "relative_likelihoods": "Relative likelihood, White ÷ {bme}, at each stage",
    "decline_reasons": "Decline reasons by group",
    "representation": "Representation: who accessed training against the workforce",
    "targets": "Programme targets: {bme} participants who accessed",
}
# column -> (human header, kind of value) for the terminal and markdown.
VIEW: dict[str, tuple[str, str]] = {
    "period": ("Period", "text"),
    "group": ("Group", "group"),
    "headcount": ("Staff", "count"),
    "applied": ("Applied", "count"),
    "approved": ("Approved", "count"),
    "declined": ("Declined", "count"),
    "accessed": ("Accessed", "count"),
    "application_rate": ("Applied / staff", "pct"),
    "approval_rate": ("Approved / applied", "pct"),
    "access_rate": ("Accessed / applied", "pct"),
    "stage": ("Stage", "text"),
    "relative_likelihood": ("Relative likelihood ({level} CI)", "ratio"),
    "p_value": ("p", "p"),
    "p_exact": ("p (Fisher)", "p"),
    "flags": ("Notes", "flags"),
    "reason": ("Reason", "text"),
    "count": ("People", "count"),
    "share": ("Share of the group's declines", "pct"),
    "share_of_accessed": ("Share of those who accessed", "pct"),
    "share_of_workforce": ("Share of the workforce", "pct"),
    "programme": ("Programme", "text"),
    "target": ("Target", "count"),
    "bme_participants": ("{bme} participants", "count"),
    "met": ("Met", "met"),
}
# Rates are shown beside their counts for people: "15 (75.0%)" under "Approved (% of applied)".
RATE_OF: dict[str, tuple[str, str]] = {
    "applied": ("application_rate", "% of staff"),
    "approved": ("approval_rate", "% of applied"),
    "accessed": ("access_rate", "% of applied"),
}
# Shown inside another cell: the interval with the ratio, rates with their counts.
HIDDEN = frozenset({"ci_low", "ci_high", *(rate for rate, _ in RATE_OF.values())})


def section_table(result: FunnelResult, section: str) -> list[dict[str, Any]]:
    """One section's rows, or a DataError saying what the section needs."""
    sections = result.sections()
    if section not in sections:
        need = result.meta.get("absent_sections", {}).get(section, "is not available")
        raise DataError(f"this run has no {section.replace('_', ' ')} section: it {need}.")
    return sections[section]


def document(result: FunnelResult) -> dict[str, Any]:
    """The JSON object: ``meta`` and every present section."""
    return {"meta": result.meta, **result.sections()}


def _delimited(result: FunnelResult, section: str, out: io.StringIO, delimiter: str) -> None:
    rows = section_table(result, section)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(list(result.tables()[section].columns))
    for row in rows:
        writer.writerow([cell_text(v) for v in row.values()])


def _json(result: FunnelResult, section: str, out: io.StringIO) -> None:
    json.dump(document(result), out, indent=2, ensure_ascii=False, allow_nan=False)
    out.write("\n")


def _jsonl(result: FunnelResult, section: str, out: io.StringIO) -> None:
    for row in section_table(result, section):
        out.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")


def _markdown(result: FunnelResult, section: str, out: io.StringIO) -> None:
    rows = section_table(result, section)
    columns = [c for c in result.tables()[section].columns if c not in HIDDEN]
    heads = [header(result, c, section) for c in columns]
    out.write(f"**{_title(result, section)}**\n\n")
    out.write("| " + " | ".join(heads) + " |\n")
    out.write("|" + "|".join("---:" if VIEW[c][1] in NUMERIC else "---" for c in columns) + "|\n")
    for row in rows:
        cells = [human(result, c, row).replace("|", "\\|") for c in columns]
        out.write("| " + " | ".join(cells) + " |\n")
    if section == "relative_likelihoods":
        out.write("\n" + result.meta["direction"] + "\n")
    if "disclosure" in result.meta:
        out.write("\n" + DISCLOSURE_NOTE + "\n")


WRITERS: dict[str, Callable[[FunnelResult, str, io.StringIO], None]] = {
    "csv": lambda r, s, o: _delimited(r, s, o, ","),
    "tsv": lambda r, s, o: _delimited(r, s, o, "\t"),
    "json": _json,
    "jsonl": _jsonl,
    "markdown": _markdown,
}


def render_text(result: FunnelResult, fmt: str, section: str = "results") -> str:
    """The result as text: json holds every section; the others hold ``section``."""
    buffer = io.StringIO()
    WRITERS[fmt](result, section, buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- for people

NUMERIC = frozenset({"count", "pct", "ratio", "p"})
FREE_TEXT = frozenset({"reason", "programme"})
RESULTS_NOTE = (
    "Applied: people (% of staff). Approved, Accessed: people (% of those who applied). "
    "People count once per stage and period however many applications they made. Unknown: "
    "ethnicity not known; left out of the relative likelihoods."
)


def _bme(result: FunnelResult) -> str:
    return str(result.meta["groups"]["bme"])


def _title(result: FunnelResult, section: str) -> str:
    return TITLES[section].format(bme=_bme(result))


def _level(result: FunnelResult) -> str:
    return f"{round(float(result.meta['settings']['confidence']) * 100):g}%"


def header(result: FunnelResult, column: str, section: str) -> str:
    head = VIEW[column][0].format(bme=_bme(result), level=_level(result))
    rate = RATE_OF.get(column)
    if rate and rate[0] in result.tables()[section].columns:
        head += f" ({rate[1]})"
    return head


def human(result: FunnelResult, column: str, row: dict[str, Any]) -> str:
    """One cell as a person reads it: 12.5%, 1.13 (0.80–1.60), 'not calculable: ...'."""
    value = row[column]
    kind = VIEW[column][1]
    bme = _bme(result)
    published = "disclosure" in result.meta  # numbers show only the places published
    if kind == "count":
        rate = RATE_OF.get(column)
        if rate and not is_missing(row.get(rate[0])):
            return f"{fmt_count(value)} ({fmt_pct(row[rate[0]], published)})"
        return fmt_count(value)
    if kind == "pct":
        return fmt_pct(value, published)
    if kind == "p":
        if published and column == "p_value":  # the significance flag stands in for p
            return p_cell(row, column, True, float(result.meta["settings"]["confidence"]))
        return fmt_p(value)
    if kind == "group":
        return bme if value == "BME" else str(value)
    if kind == "met":
        if value is None:
            return "unclear" if published else ""  # the published count allows either
        return "met" if value else "not met"
    if kind == "ratio":
        if is_missing(value):
            return ""
        low, high = row.get("ci_low"), row.get("ci_high")
        shown = [fmt_ratio(v, published) for v in (value, low, high)]
        if published and is_missing(low) and is_missing(high):
            return shown[0]  # published without its interval
        return f"{shown[0]} ({shown[1] or '…'}–{shown[2] or '∞'})"
    if kind == "flags":
        notes = []
        for flag in str(value or "").split(";"):
            if flag.startswith("not_calculable:"):
                reason = flag.split(":", 1)[1].replace("_", " ").replace("bme", bme)
                notes.append(f"not calculable: {reason}")
            elif flag:
                notes.append(flag.replace("_", " "))
        return "; ".join(notes)
    return "" if value is None else str(value)


def print_funnel(result: FunnelResult, console: Console, section: str | None = None) -> None:
    """One panel per section (or only ``section``), for a terminal."""
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    names = [section] if section else list(result.tables())
    for name in names:
        rows = section_table(result, name)
        columns = [c for c in result.tables()[name].columns if c not in HIDDEN]
        cells = [[human(result, c, row) for c in columns] for row in rows]
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        for i, column in enumerate(columns):
            kind = VIEW[column][1]
            # Numbers and short labels keep their width; headers and free text wrap instead.
            fixed = kind != "flags" and column not in FREE_TEXT
            widest = max((len(line[i]) for line in cells), default=0)
            table.add_column(
                VIEW[column][0].format(bme=_bme(result), level=_level(result)),
                justify="right" if kind in NUMERIC else "left",
                min_width=min(widest, 24) if fixed else None,
            )
        for line in cells:
            # Text, not markup: reasons and programme names come from the input.
            table.add_row(*(Text(cell) for cell in line))
        parts: list[Any] = [table]
        if not rows:
            parts = [Text("(none)")]
        if name == "relative_likelihoods":
            parts.append(Text("\n" + result.meta["direction"]))
        if name == "results":
            parts.append(Text("\n" + RESULTS_NOTE.format(bme=_bme(result))))
        panel = Panel(Group(*parts), title=_title(result, name), title_align="left")
        console.print(panel)
    if "disclosure" in result.meta:
        console.print(DISCLOSURE_NOTE, highlight=False)


# ----------------------------------------------------------------------------------- workbook

SHEETS = {
    "results": "Funnel",
    "relative_likelihoods": "Funnel relative likelihood",
    "decline_reasons": "Decline reasons",
    "representation": "Representation",
    "targets": "Programme targets",
}


def write_workbook(result: FunnelResult, target: Path) -> None:
    """The funnel as a workbook (the writer registry makes the write atomic): one sheet per
    section, then data quality and method sheets; cells formatted by column name by the
    report workbook's own helpers."""
    from openpyxl import Workbook

    from wres4.output import workbook as wb

    book = Workbook()
    first = True
    for name, rows in result.sections().items():
        ws = book.active if first else book.create_sheet()
        first = False
        ws.title = wb.sheet_title(SHEETS[name])
        above = [_title(result, name)]
        if name == "relative_likelihoods":
            above.append(result.meta["direction"])
        wb.table_sheet(
            ws,
            list(result.tables()[name].columns),
            rows,
            above=above,
            key_columns=2,
            published="disclosure" in result.meta,
        )
    quality = [
        {**f.as_dict(), "rows": ", ".join(map(str, f.rows)), "values": _values(f.values)}
        for f in result.findings
    ]
    ws = book.create_sheet("Data quality")
    keys = ["code", "message", "count", "file", "column", "rows", "values", "problem"]
    wb.table_sheet(ws, keys, quality, above=["Findings"], key_columns=1)
    meta = result.meta
    settings = meta["settings"]
    method = [
        {"item": "Definition", "value": meta["definition"]},
        {"item": "Direction", "value": meta["direction"]},
        {"item": "Periods", "value": f"{meta['per']}: {', '.join(meta['periods'])}"},
        *({"item": f"Snapshot for {p}", "value": d} for p, d in meta["snapshots"].items()),
        *({"item": f"Column: {r}", "value": h} for r, h in meta["columns"].items()),
        *({"item": f"Setting: {k}", "value": wb.setting_text(v)} for k, v in settings.items()),
        *({"item": f"Version: {n}", "value": wb.installed_version(n)} for n in wb.VERSIONED),
        *({"item": f"Input: {input_name(i)}", "value": i["sha256"]} for i in meta["inputs"]),
    ]
    if "disclosure" in meta:
        method += [
            {"item": "Disclosure control", "value": DISCLOSURE_NOTE},
            {
                "item": "Disclosure: periods published at each level",
                "value": wb.setting_text(meta["disclosure"]["periods"]),
            },
            {
                "item": "Disclosure: columns withheld",
                "value": ", ".join(meta["disclosure"]["withheld_columns"]),
            },
        ]
    wb.table_sheet(book.create_sheet("Method"), ["item", "value"], method, key_columns=1)
    wb.save(book, target, wb.document_time())


def _values(values: tuple[tuple[str, int], ...]) -> str:
    return "; ".join(f"{v!r} ({n:,})" for v, n in values[:20])
