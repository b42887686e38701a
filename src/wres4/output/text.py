"""The indicator's text formats: csv, tsv, json, jsonl and markdown of a
:class:`~wres4.indicator.result.Result`. Writers only format the result; they compute nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import IO, Any

from wres4.indicator.result import Result, row_dicts
from wres4.output.cells import cell_text, plain, safe_text


def records(result: Result) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in row_dicts(result.table)]


def write_delimited(result: Result, out: IO[str], delimiter: str) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([safe_text(str(c)) for c in result.table.columns])  # --by names a header
    for row in records(result):
        writer.writerow([cell_text(v) for v in row.values()])


def json_document(result: Result) -> dict[str, Any]:
    doc: dict[str, Any] = {"meta": result.meta, "results": records(result)}
    if result.trend is not None:
        doc["trend"] = {k: plain(v) for k, v in result.trend.items()}
    return doc


def write_json(result: Result, out: IO[str]) -> None:
    json.dump(json_document(result), out, indent=2, ensure_ascii=False, allow_nan=False)
    out.write("\n")


def write_jsonl(result: Result, out: IO[str]) -> None:
    for row in records(result):
        out.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")


def write_markdown(result: Result, out: IO[str]) -> None:
    from wres4.output.terminal import footnotes

    head, rows = human_table(result, row_dicts(result.table))
    keys = len(result.by) + 1  # the breakdown values and the year read left to right
    out.write("| " + " | ".join(head) + " |\n")
    out.write("|" + "|".join("---" if i < keys else "---:" for i in range(len(head))) + "|\n")
    for cells in rows:
        out.write(
            "| " + " | ".join(_md(c) if i < len(result.by) else c for i, c in enumerate(cells))
        )
        out.write(" |\n")
    out.write("\n")
    for note in footnotes(result):
        out.write(note + "\n\n")


def human_table(result: Result, rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The result rows as people read them (markdown and the HTML report): headers, then
    one list of cells a row, each number as the terminal prints it (under disclosure
    control, with the places it was published to)."""
    from wres4.output.terminal import (
        breakdown_cells,
        fmt_count,
        fmt_pct,
        is_published,
        p_cell,
        ratio_cell,
    )

    published = is_published(result)
    confidence = result.meta["settings"]["confidence"]
    bme = result.meta["groups"]["bme"]
    head = [
        *result.by,
        "Year",
        "White accessed",
        "White staff",
        "White likelihood",
        f"{bme} accessed",
        f"{bme} staff",
        f"{bme} likelihood",
        "Unknown staff",
        f"Relative likelihood ({round(confidence * 100):g}% CI)",
        "p",
    ]
    optional = [
        (column, title)
        for column, title in (
            ("p_holm", "p (Holm)"),
            ("change_vs_previous", "vs previous"),
            ("in_band", "In band"),
        )
        if column in result.table.columns
        and not (published and column in ("p_holm", "change_vs_previous"))  # withheld
    ]
    head += [title for _, title in optional]
    lines = []
    for row in rows:
        cells = breakdown_cells(row, result.by)
        cells += [
            str(row["period"]),
            fmt_count(row["white_accessed"]),
            fmt_count(row["white_headcount"]),
            fmt_pct(row["white_likelihood"], published),
            fmt_count(row["bme_accessed"]),
            fmt_count(row["bme_headcount"]),
            fmt_pct(row["bme_likelihood"], published),
            fmt_count(row["unknown_headcount"]),
            ratio_cell(row, bme, published),
            p_cell(row, "p_value", published, confidence),
        ]
        cells += [_optional_cell(column, row[column], published) for column, _ in optional]
        lines.append(cells)
    return head, lines


def _optional_cell(column: str, value: Any, published: bool) -> str:
    from wres4.output.terminal import fmt_p, fmt_ratio, is_missing

    if is_missing(value):
        return ""
    if column == "in_band":
        return "yes" if value else "no"
    return fmt_p(value) if column.startswith("p_") else fmt_ratio(value, published)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


TEXT_WRITERS: dict[str, Callable[[Result, IO[str]], None]] = {
    "csv": lambda r, o: write_delimited(r, o, ","),
    "tsv": lambda r, o: write_delimited(r, o, "\t"),
    "json": write_json,
    "jsonl": write_jsonl,
    "markdown": write_markdown,
}


def write_text(result: Result, out: IO[str], fmt: str) -> None:
    """Write ``result`` to ``out`` in the text format ``fmt`` (looked up when called)."""
    TEXT_WRITERS[fmt](result, out)


def render_text(result: Result, fmt: str) -> str:
    buffer = io.StringIO()
    write_text(result, buffer, fmt)
    return buffer.getvalue()
