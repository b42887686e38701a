"""Machine and file outputs: csv, tsv, json, jsonl, markdown (and the workbook and Parquet).

Writers only format the :class:`~wres4.indicator.result.Result`; they compute nothing. Files are
written atomically: a temporary file in the target's folder, then a rename, so a failed run
never leaves half a file and an existing file survives.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from wres4.errors import InputError
from wres4.indicator.result import Result, row_dicts
from wres4.output.cells import cell_text, plain, safe_text

TEXT_FORMATS = ("csv", "tsv", "json", "jsonl", "markdown")
BINARY_FORMATS = ("xlsx", "parquet")
FORMATS = ("table", *TEXT_FORMATS, *BINARY_FORMATS)
SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}


def format_for_path(path: Path) -> str | None:
    return SUFFIX_FORMATS.get(path.suffix.lower())


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
    from wres4.output.terminal import (
        breakdown_cells,
        fmt_count,
        fmt_p,
        fmt_pct,
        footnotes,
        ratio_cell,
    )

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
        "Relative likelihood (95% CI)".replace(
            "95%", f"{round(result.meta['settings']['confidence'] * 100):g}%"
        ),
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
    ]
    head += [title for _, title in optional]
    out.write("| " + " | ".join(head) + " |\n")
    out.write(
        "|"
        + "|".join("---" if i < len(result.by) + 1 else "---:" for i in range(len(head)))
        + "|\n"
    )
    for row in row_dicts(result.table):
        cells = [_md(c) for c in breakdown_cells(row, result.by)]
        cells += [
            str(row["period"]),
            fmt_count(row["white_accessed"]),
            fmt_count(row["white_headcount"]),
            fmt_pct(row["white_likelihood"]),
            fmt_count(row["bme_accessed"]),
            fmt_count(row["bme_headcount"]),
            fmt_pct(row["bme_likelihood"]),
            fmt_count(row["unknown_headcount"]),
            ratio_cell(row, bme),
            fmt_p(row["p_value"]),
        ]
        cells += [_optional_cell(column, row[column]) for column, _ in optional]
        out.write("| " + " | ".join(cells) + " |\n")
    out.write("\n")
    for note in footnotes(result):
        out.write(note + "\n\n")


def _optional_cell(column: str, value: Any) -> str:
    from wres4.output.terminal import fmt_p, fmt_ratio, is_missing

    if is_missing(value):
        return ""
    if column == "in_band":
        return "yes" if value else "no"
    return fmt_p(value) if column.startswith("p_") else fmt_ratio(value)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


TEXT_WRITERS: dict[str, Callable[[Result, IO[str]], None]] = {
    "csv": lambda r, o: write_delimited(r, o, ","),
    "tsv": lambda r, o: write_delimited(r, o, "\t"),
    "json": write_json,
    "jsonl": write_jsonl,
    "markdown": write_markdown,
}


def render_text(result: Result, fmt: str) -> str:
    buffer = io.StringIO()
    TEXT_WRITERS[fmt](result, buffer)
    return buffer.getvalue()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{target}: the folder {folder} does not exist. Create it first.")
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name, e.g. {target / 'wres4.csv'}.")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(
            f"{target}: cannot write in {folder} ({exc.strerror}); choose another folder."
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _settle(tmp, target)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _settle(tmp: Path, target: Path) -> None:
    """Give the new file the permissions a plain open() would (mkstemp makes it private to
    the owner) or those of the file it replaces, and flush it to disk before the rename."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())


def write_file(result: Result, fmt: str, target: Path) -> None:
    """Write ``result`` to ``target`` in ``fmt``, atomically."""
    with atomic_path(target) as tmp:
        if fmt in TEXT_WRITERS:
            with tmp.open("w", encoding="utf-8", newline="") as out:
                TEXT_WRITERS[fmt](result, out)
        elif fmt == "xlsx":
            from wres4.output.workbook import write_workbook

            write_workbook(result, tmp)
        elif fmt == "parquet":
            write_parquet(result, tmp)
        else:  # pragma: no cover - the CLI validates formats
            raise ValueError(fmt)


def write_parquet(result: Result, target: Path) -> None:
    """The result table with proper types: integer counts, float rates, dates as dates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    arrays = []
    for name in result.table.columns:
        values = [plain(v) for v in result.table[name]]
        if name == "snapshot_date":
            typ: pa.DataType = pa.date32()
            values = [dt.date.fromisoformat(v) if v else None for v in values]
        elif name == "year" or name.endswith(("_headcount", "_accessed")):
            # Counts stay integers whatever the run: a count hidden by disclosure control
            # ("*") is null here, and the row's flags say "suppressed".
            typ = pa.int64()
            values = [None if isinstance(v, str) else v for v in values]
        elif name in ("period", "flags") or name in result.by:
            typ = pa.string()
            values = [None if v is None else str(v) for v in values]
        elif name == "in_band":
            typ = pa.bool_()
        else:
            typ = pa.float64()
        fields.append(pa.field(name, typ))
        arrays.append(pa.array(values, type=typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, target)
