"""Tiny fixture helpers shared by the indicator, reader, staff and training tests.

Every table is written at test time from plain Python rows: the same rows can be
written as CSV (any delimiter and encoding), TSV, XLSX (openpyxl) or Parquet (pyarrow), so a
test can check that the format makes no difference.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wres4.indicator.compute import compute
from wres4.indicator.result import Result

# Ethnicity labels as ESR shows them (code then label); their groups are fixed by
# method.md: Ethnicity.
WHITE = "A White - British"
BME = "N Black African"
UNKNOWN = "Z Not Stated"

SNAPSHOT = "2024-03-31"
IN_WINDOW = "2023-06-15"  # inside 1 April 2023 - 31 March 2024

STAFF_HEADER = ("Employee Number", "Ethnic Origin", "Snapshot Date")
TRAINING_HEADER = ("Employee Number", "Course Title", "Course Type", "Status", "Start Date")

COUNT_KEYS = (
    "white_headcount",
    "white_accessed",
    "bme_headcount",
    "bme_accessed",
    "unknown_headcount",
    "unknown_accessed",
)

CANONICAL_COLUMNS = [
    "year",
    "period",
    "snapshot_date",
    "white_headcount",
    "white_accessed",
    "white_likelihood",
    "bme_headcount",
    "bme_accessed",
    "bme_likelihood",
    "unknown_headcount",
    "unknown_accessed",
    "relative_likelihood",
    "ci_low",
    "ci_high",
    "p_value",
    "p_exact",
    "flags",
]

Row = Sequence[Any]


def write_rows(
    path: Path,
    header: Row,
    rows: Iterable[Row],
    *,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    sheet: str = "Sheet1",
    before: Mapping[str, Sequence[Row]] | None = None,
) -> Path:
    """Write ``header`` and ``rows`` to ``path`` in the format its suffix names.

    CSV and TSV cells are written as ``str(value)``; XLSX and Parquet keep Python types
    (int, float, date), as Excel and a Parquet export would. ``before`` adds sheets in
    front of ``sheet`` in a workbook.
    """
    rows = [list(r) for r in rows]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        sep = delimiter or ("\t" if suffix == ".tsv" else ",")
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([["" if v is None else str(v) for v in r] for r in rows])
        path.write_bytes(buffer.getvalue().encode(encoding))
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        first = book.active
        assert first is not None
        book.remove(first)
        for name, extra in (before or {}).items():
            ws = book.create_sheet(name)
            for r in extra:
                ws.append(list(r))
        ws = book.create_sheet(sheet)
        ws.append(list(header))
        for r in rows:
            ws.append(r)
        book.save(path)
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {name: [r[i] for r in rows] for i, name in enumerate(header)}
        pq.write_table(pa.table(columns), path)
    else:
        raise ValueError(f"no writer for {suffix}")
    return path


def staff_rows(start: int, n: int, label: str, snapshot: Any = SNAPSHOT) -> list[list[Any]]:
    """``n`` people with consecutive ids from ``start``, all of one label, in one snapshot."""
    return [[i, label, snapshot] for i in range(start, start + n)]


def cpd(person: Any, date: Any = IN_WINDOW, *, title: str = "Coaching Skills") -> list[Any]:
    """One attended non-mandatory record in the standard training layout."""
    return [person, title, "CPD", "Attended", date]


def run(
    tmp_path: Path,
    staff: Iterable[Row],
    training: Iterable[Row],
    *,
    staff_header: Row = STAFF_HEADER,
    training_header: Row = TRAINING_HEADER,
    suffix: str = ".csv",
    **kwargs: Any,
) -> Result:
    """Write a staff and a training extract into ``tmp_path`` and compute on them."""
    s = write_rows(tmp_path / f"staff{suffix}", staff_header, staff)
    t = write_rows(tmp_path / f"training{suffix}", training_header, training)
    return compute([s], training=[t], **kwargs)


def scenario(
    white: tuple[int, int], bme: tuple[int, int], unknown: tuple[int, int] = (0, 0)
) -> tuple[list[list[Any]], list[list[Any]]]:
    """Staff and training rows for (accessed, headcount) per group, one attended CPD each."""
    staff: list[list[Any]] = []
    training: list[list[Any]] = []
    start = 1
    for (accessed, headcount), label in ((white, WHITE), (bme, BME), (unknown, UNKNOWN)):
        staff += staff_rows(start, headcount, label)
        training += [cpd(i) for i in range(start, start + accessed)]
        start += headcount
    return staff, training


def only_row(result: Result) -> dict[str, Any]:
    """The single row of a one-year result, as a dict."""
    assert len(result.table) == 1, result.table
    return {str(k): v for k, v in result.table.iloc[0].items()}


def counts(row: Mapping[Any, Any]) -> tuple[int, ...]:
    """(white_headcount, white_accessed, bme_headcount, bme_accessed, unknown_...) of a row."""
    return tuple(int(row[k]) for k in COUNT_KEYS)


def missing(value: Any) -> bool:
    """A not-calculable number: None or NaN (never inf)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def fresh_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (imports start from nothing); its stdout."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout
