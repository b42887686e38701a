"""Small reports of plain rows, for commands that must start fast (``wres4 ethnicity``):
the terminal table and csv/tsv/json/jsonl/markdown, without pandas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from wres4.output.cells import safe_text

if TYPE_CHECKING:
    from rich.console import Console

    from wres4.indicator.ethnicity import LabelMapping

TITLE = "Ethnicity mapping"


def print_rows(report: LabelMapping, console: Console, section: str | None = None) -> None:
    from rich.table import Table

    from wres4.indicator.ethnicity import LABEL_COLUMNS

    table = Table(title=TITLE)
    for name in LABEL_COLUMNS:
        table.add_column(name, justify="right" if name == "count" else "left")
    for row in report.rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def write_delimited(report: LabelMapping, out: IO[str], delimiter: str) -> None:
    from wres4.indicator.ethnicity import LABEL_COLUMNS

    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(LABEL_COLUMNS)
    for row in report.rows:
        writer.writerow([safe_text(str(v)) if isinstance(v, str) else v for v in row.values()])


def write_csv(report: LabelMapping, out: IO[str]) -> None:
    write_delimited(report, out, ",")


def write_tsv(report: LabelMapping, out: IO[str]) -> None:
    write_delimited(report, out, "\t")


def write_json(report: LabelMapping, out: IO[str]) -> None:
    json.dump({"results": list(report.rows)}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_jsonl(report: LabelMapping, out: IO[str]) -> None:
    for row in report.rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_markdown(report: LabelMapping, out: IO[str]) -> None:
    out.write("| label | code | category | group | count |\n|---|---|---|---|---:|\n")
    for row in report.rows:
        out.write("| " + " | ".join(str(v).replace("|", "\\|") for v in row.values()) + " |\n")


ROW_WRITERS: dict[str, Callable[[LabelMapping, IO[str]], None]] = {
    "csv": write_csv,
    "tsv": write_tsv,
    "json": write_json,
    "jsonl": write_jsonl,
    "markdown": write_markdown,
}


def render(report: LabelMapping, fmt: str) -> str:
    buffer = io.StringIO()
    ROW_WRITERS[fmt](report, buffer)
    return buffer.getvalue()
