"""Files -> tables of text: formats, encodings, header aliases, required columns.

Every reader hands back pyarrow tables whose columns are named by *role* (``person_id``,
``ethnicity``, ...) and hold the cell text exactly as the file has it, plus ``_row`` (the
spreadsheet row number, header = 1). Only the columns a role needs are read. Parsing the
text (dates, ids, labels) is done elsewhere, once per distinct value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wres4.errors import ColumnError, InputError

if TYPE_CHECKING:
    import pyarrow as pa

# Header names each role is recognised by, most specific first (SPEC §4). Matching ignores
# case, spaces and punctuation, so "EMPLOYEE  NUMBER" and "Employee_No." both work.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": (
        "employee number",
        "employee no",
        "employee id",
        "employee ref",
        "staff number",
        "staff no",
        "staff id",
        "person number",
        "person id",
        "personal number",
        "esr number",
        "assignment number",
        "assignment no",
        "id",
    ),
    "ethnicity": (
        "ethnic origin",
        "ethnicity",
        "ethnic group",
        "ethnic category",
        "ethnic origin description",
        "ethnicity code",
        "group",
    ),
    "snapshot": (
        "snapshot date",
        "as at date",
        "as at",
        "report date",
        "reporting date",
        "effective date",
        "census date",
        "snapshot",
    ),
    "year": ("reporting year", "financial year", "year", "fy", "wres year"),
    "bank": (
        "assignment category",
        "employee category",
        "employment category",
        "contract type",
        "assignment type",
    ),
    "type": (
        "course type",
        "training type",
        "learning type",
        "activity type",
        "training category",
        "course category",
        "category",
    ),
    "mandatory": (
        "mandatory",
        "is mandatory",
        "mandatory training",
        "mandatory yn",
        "mandatory flag",
        "statutory mandatory",
    ),
    "course": (
        "course title",
        "course name",
        "competence name",
        "programme",
        "programme name",
        "program",
        "activity",
        "course",
        "learning title",
        "training title",
    ),
    "status": (
        "status",
        "outcome",
        "attendance status",
        "booking status",
        "enrolment status",
        "decision",
        "application status",
    ),
    "date": (
        "start date",
        "course date",
        "event date",
        "attended date",
        "completion date",
        "date attended",
        "date completed",
        "activity date",
        "date",
    ),
    "application_date": ("application date", "date applied", "submitted", "submitted date"),
    "decline_reason": ("decline reason", "reason declined", "rejection reason", "reason"),
    "accessed": (
        "accessed",
        "accessed training",
        "accessed cpd",
        "non mandatory training",
        "accessed non mandatory training",
        "trained",
        "cpd",
        "activities",
    ),
    "headcount": ("headcount", "staff in post", "number of staff", "total staff", "staff"),
    "accessed_count": ("accessed", "accessed count", "number accessed", "trained"),
    "pay_band": ("pay band", "band", "grade", "afc band", "agenda for change band"),
    "staff_group": ("staff group", "occupational group"),
    "organisation": ("organisation", "directorate", "division", "department", "care group"),
    "site": ("site", "location", "base"),
    "gender": ("gender", "sex"),
    "disability": ("disability", "disabled"),
}

# Person id headers whose values carry an assignment suffix ("12345678-2").
ASSIGNMENT_HEADERS = frozenset({"assignmentnumber", "assignmentno"})

FORMATS_BY_SUFFIX: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
}

# Zip bombs: refuse workbooks that would unpack to more than this.
MAX_WORKBOOK_UNCOMPRESSED = 1 << 30
BATCH_BYTES = 16 << 20
SNIFF_BYTES = 64 << 10


def header_key(name: object) -> str:
    """Case-, space- and punctuation-insensitive form of a header name."""
    return re.sub(r"[^0-9a-z]+", "", str(name).casefold())


@dataclass(frozen=True)
class Columns:
    """Which header in one file plays each role."""

    path: Path
    headers: tuple[str, ...]
    roles: dict[str, str]
    index: dict[str, int] = field(default_factory=dict)
    assignment_ids: bool = False


@dataclass
class Source:
    """One logical input: one or more files of one kind, with their headers resolved."""

    label: str
    paths: list[Path]
    fmt: str
    sheet: str | None = None
    encoding: str | None = None
    delimiters: dict[Path, str] = field(default_factory=dict)
    encodings: dict[Path, str] = field(default_factory=dict)
    headers: dict[Path, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [str(p) for p in self.paths]


def expand_paths(paths: Sequence[Path], label: str) -> list[Path]:
    """Files named directly, and the data files inside any directory named."""
    out: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: file not found. Check the path given for the {label}.")
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in FORMATS_BY_SUFFIX
                and not p.name.startswith(("~$", "."))
            )
            if not found:
                raise InputError(
                    f"{path}: the directory holds no CSV, TSV, Excel or Parquet files."
                )
            out.extend(found)
        else:
            out.append(path)
    return out


def open_source(
    paths: Sequence[Path],
    label: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Source:
    """Check the files exist, are of one kind and are what their names say."""
    files = expand_paths(paths, label)
    formats = {}
    for path in files:
        fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
        if fmt is None:
            raise InputError(
                f"{path}: unsupported file type '{path.suffix or '(none)'}'. "
                "Use CSV, TSV, Excel (.xlsx, .xlsm, .xls) or Parquet."
            )
        formats[path] = fmt
    kinds = sorted(set(formats.values()))
    if len(kinds) > 1:
        listing = ", ".join(f"{p.name} ({formats[p]})" for p in files)
        raise InputError(
            f"{files[0].parent}: the {label} mixes kinds of file ({listing}). "
            "Give files of one kind, or convert them to one format."
        )
    source = Source(label=label, paths=files, fmt=kinds[0], sheet=sheet, encoding=encoding)
    for path in files:
        _check_file(path, source.fmt)
        source.headers[path] = _read_header(source, path)
    return source


def _check_file(path: Path, fmt: str) -> None:
    """Refuse empty files and files that are not what their suffix claims."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if not head:
        raise InputError(f"{path}: the file is empty. Export the extract again.")
    if fmt == "excel":
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            if path.suffix.lower() != ".xls" and _is_encrypted(path):
                raise InputError(
                    f"{path}: the workbook is password-protected. "
                    "Remove the password in Excel (File > Info > Protect Workbook) and save again."
                )
            if path.suffix.lower() != ".xls":
                raise InputError(
                    f"{path}: this is an old-style .xls or encrypted workbook, not an .xlsx. "
                    "Open it in Excel and save it as .xlsx."
                )
            return
        if not head.startswith(b"PK"):
            kind = _describe_text(path)
            raise InputError(
                f"{path}: not an Excel workbook (it is {kind}). "
                "Save it as .xlsx from Excel, or rename it to .csv if it is a CSV file."
            )
        _check_workbook_zip(path)
    elif fmt == "parquet":
        if head[:4] != b"PAR1":
            raise InputError(
                f"{path}: not a Parquet file. Check the file, or give it its real suffix."
            )
    elif head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path}: this is an Excel workbook with a text-file name. Rename it to .xlsx."
        )


def _describe_text(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(512).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "an HTML or XML page"
    return "a text file"


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(1 << 16)
    return "EncryptedPackage".encode("utf-16-le") in data


def _check_workbook_zip(path: Path) -> None:
    """Refuse zip bombs and XML with entity declarations before any parser sees them."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_WORKBOOK_UNCOMPRESSED:
                raise InputError(
                    f"{path}: the workbook would unpack to {total / 2**20:,.0f} MB, over the "
                    f"{MAX_WORKBOOK_UNCOMPRESSED / 2**20:,.0f} MB limit. "
                    "Export the sheet as CSV instead."
                )
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise InputError(
                    f"{path}: not an Excel workbook (no xl/workbook.xml inside). "
                    "Save it again as .xlsx from Excel."
                )
            for info in infos:
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with zf.open(info) as member:
                    head = member.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise InputError(
                        f"{path}: the workbook contains XML entity declarations "
                        f"({info.filename}), which wres4 refuses for safety. "
                        "Save it again from Excel."
                    )
            fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"{path}: the workbook is corrupt ({exc}). Open it in Excel and save it again."
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(f"{path}: the workbook's XML is unsafe ({exc}).") from exc
    except Exception as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(
            f"{path}: the workbook is corrupt ({exc}). Open it in Excel and save it again."
        ) from exc


# ---------------------------------------------------------------------------------- text files


def _encoding_for(source: Source, path: Path) -> str:
    if path in source.encodings:
        return source.encodings[path]
    if source.encoding:
        enc = source.encoding
    else:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if head.startswith(b"\xef\xbb\xbf"):
            enc = "utf-8"
        elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
            enc = "utf-16"
        else:
            # A cut may split a character: ignore a broken final byte sequence.
            try:
                head.decode("utf-8")
                enc = "utf-8"
            except UnicodeDecodeError as exc:
                enc = "utf-8" if exc.start >= len(head) - 3 else "cp1252"
    source.encodings[path] = enc
    return enc


def _head_text(source: Source, path: Path) -> str:
    enc = _encoding_for(source, path)
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    text = head.decode("utf-8-sig" if enc == "utf-8" else enc, errors="replace")
    return text


def _sniff_delimiter(source: Source, path: Path, text: str) -> str:
    if source.fmt == "tsv":
        return "\t"
    first = text.splitlines()[0] if text.splitlines() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_header(source: Source, path: Path) -> tuple[str, ...]:
    if source.fmt in ("csv", "tsv"):
        text = _head_text(source, path)
        delimiter = _sniff_delimiter(source, path, text)
        source.delimiters[path] = delimiter
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            raise InputError(f"{path}: the file has no header row. Export it with headers.")
        header = next(csv.reader(io.StringIO(lines[0]), delimiter=delimiter))
        return tuple(header)
    if source.fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return tuple(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:
            raise InputError(f"{path}: the Parquet file cannot be read ({exc}).") from exc
    rows = _excel_rows(source, path)
    if not rows:
        raise InputError(f"{path}: the sheet is empty. Choose another with --sheet.")
    return tuple(_cell_text(v) for v in rows[0])


# ------------------------------------------------------------------------------ header roles


def resolve_columns(
    source: Source,
    wanted: Sequence[str],
    *,
    required: Sequence[str] = (),
    explicit: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
) -> dict[Path, Columns]:
    """Find the header that plays each wanted role in every file of ``source``.

    ``explicit`` maps a role to a header name given by the user (option or config); ``extra``
    names further columns to read by role or raw header (breakdowns).
    """
    return {
        path: _resolve_file(
            path, source.headers[path], wanted, required, dict(explicit or {}), extra
        )
        for path in source.paths
    }


def _resolve_file(
    path: Path,
    headers: tuple[str, ...],
    wanted: Sequence[str],
    required: Sequence[str],
    explicit: dict[str, str],
    extra: Sequence[str],
) -> Columns:
    keys = [header_key(h) for h in headers]
    index_of: dict[str, int] = {}

    def find(names: Sequence[str], role: str) -> int | None:
        taken = set(index_of.values())
        for name in names:
            key = header_key(name)
            hits = [i for i, k in enumerate(keys) if k == key and i not in taken]
            if len(hits) > 1:
                shown = ", ".join(f"'{headers[i]}' (column {i + 1})" for i in hits)
                raise ColumnError(
                    f"{path}: columns {shown} both look like the {role.replace('_', ' ')} "
                    "column. Rename one, or map the role explicitly with --column."
                )
            if hits:
                return hits[0]
        return None

    # Explicit mappings first, so an alias cannot take a header the user assigned elsewhere.
    for role in sorted(wanted, key=lambda r: r not in explicit):
        if role in explicit:
            index = find([explicit[role]], role)
            if index is None:
                raise ColumnError(
                    f"{path}: column '{explicit[role]}' (given for {role}) not found; "
                    f"columns found: {_listing(headers)}."
                )
        else:
            index = find(ROLE_ALIASES.get(role, (role,)), role)
        if index is not None:
            index_of[role] = index
    for name in extra:
        if name in index_of:
            continue
        index = find([name], name)
        if index is None and name in ROLE_ALIASES:
            index = find(ROLE_ALIASES[name], name)
        if index is None:
            raise ColumnError(
                f"{path}: no column '{name}' to break down by; columns found: {_listing(headers)}."
            )
        index_of[name] = index
    missing = [r for r in required if r not in index_of]
    if missing:
        raise ColumnError(missing_message(path, headers, missing))
    roles = {role: headers[i] for role, i in index_of.items()}
    assignment = "person_id" in roles and header_key(roles["person_id"]) in ASSIGNMENT_HEADERS
    return Columns(path, headers, roles, index_of, assignment)


def missing_message(path: Path, headers: Sequence[str], missing: Sequence[str]) -> str:
    parts = []
    for role in missing:
        names = ", ".join(f"'{n.title()}'" for n in ROLE_ALIASES.get(role, (role,))[:5])
        parts.append(f"{role.replace('_', ' ')} (e.g. {names})")
    return (
        f"{path}: missing column for {'; '.join(parts)}. "
        f"Columns found: {_listing(headers)}. "
        "Rename the column, or map it with --column ROLE=HEADER."
    )


def _listing(headers: Sequence[str]) -> str:
    shown = ", ".join(f"'{h}'" for h in headers[:20])
    return shown + (f" and {len(headers) - 20} more" if len(headers) > 20 else "") or "(none)"


# -------------------------------------------------------------------------------- reading data


def iter_tables(
    source: Source, columns: Mapping[Path, Columns], *, batch_bytes: int = BATCH_BYTES
) -> Iterator[pa.Table]:
    """Yield tables of the mapped roles (text), file by file and batch by batch."""
    for path in source.paths:
        cols = columns[path]
        if source.fmt in ("csv", "tsv"):
            yield from _csv_batches(source, path, cols, batch_bytes)
        elif source.fmt == "parquet":
            yield from _parquet_batches(path, cols)
        else:
            yield _excel_table(source, path, cols)


def read_all(source: Source, columns: Mapping[Path, Columns]) -> pa.Table:
    """The whole source as one table (used for the staff side, which must fit in memory)."""
    import pyarrow as pa

    tables = list(iter_tables(source, columns, batch_bytes=BATCH_BYTES * 4))
    if not tables:
        raise InputError(f"{source.names[0]}: no rows to read.")
    return pa.concat_tables(tables, promote_options="default")


def _with_rows(table: pa.Table, start: int, file_index: int) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    rows = np.arange(start, start + table.num_rows, dtype=np.int64)
    table = table.append_column("_row", pa.array(rows))
    return table.append_column(
        "_file", pa.array(np.full(table.num_rows, file_index, dtype=np.int32))
    )


def _rename(table: pa.Table, cols: Columns) -> pa.Table:
    by_name = {f"c{i}": role for role, i in cols.index.items()}
    by_name.update({header: role for role, header in cols.roles.items()})
    return table.rename_columns([by_name[name] for name in table.column_names])


def _csv_batches(source: Source, path: Path, cols: Columns, batch_bytes: int) -> Iterator[pa.Table]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    enc = _encoding_for(source, path)
    delimiter = source.delimiters[path]
    headers = source.headers[path]
    # Positional names: headers may repeat or carry stray spaces; roles are found by index.
    wanted = [f"c{i}" for i in cols.index.values()]
    bad_rows: list[int] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(row.number if row.number is not None else -1)
        return "error"

    read = pacsv.ReadOptions(
        encoding=enc,
        block_size=batch_bytes,
        column_names=[f"c{i}" for i in range(len(headers))],
        skip_rows=1,
    )
    parse = pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid)
    convert = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types={h: pa.string() for h in wanted},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    file_index = source.paths.index(path)
    row = 2
    try:
        reader = pacsv.open_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            table = pa.Table.from_batches([batch])
            table = _with_rows(_rename(table, cols), row, file_index)
            row += batch.num_rows
            yield table
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "UTF8" in message or "utf-8" in message.lower():
            raise InputError(
                f"{path}: bytes that are not valid {enc} text near row {row}. "
                "Save the file as UTF-8, or give its encoding with --encoding (e.g. cp1252)."
            ) from exc
        if bad_rows:
            where = f"row {bad_rows[0]}" if bad_rows[0] > 0 else f"a row after row {row}"
            raise InputError(
                f"{path}: {where} has a different number of fields than the header "
                f"({len(headers)}); check for unbalanced quotes or stray delimiters there."
            ) from exc
        raise InputError(f"{path}: cannot be read as {source.fmt.upper()} ({message}).") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: bytes that are not valid {enc} text near row {row}. "
            "Give the file's encoding with --encoding (e.g. utf-8, cp1252)."
        ) from exc


def _parquet_batches(path: Path, cols: Columns) -> Iterator[pa.Table]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = list(dict.fromkeys(cols.roles.values()))
    try:
        pf = pq.ParquetFile(path)
        row = 2
        for batch in pf.iter_batches(columns=wanted, batch_size=1 << 20):
            arrays = []
            for name in batch.schema.names:
                arr = batch.column(name)
                if pa.types.is_timestamp(arr.type):
                    arr = pc.cast(arr, pa.date32())
                arr = pc.fill_null(pc.cast(arr, pa.string()), "")
                arrays.append(arr)
            table = pa.Table.from_arrays(arrays, names=batch.schema.names)
            table = _with_rows(_rename(table, cols), row, 0)
            row += batch.num_rows
            yield table
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: the Parquet file cannot be read ({exc}).") from exc


def _excel_rows(source: Source, path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if source.sheet is not None:
            if source.sheet not in names:
                raise InputError(
                    f"{path}: no sheet '{source.sheet}'; sheets found: "
                    f"{', '.join(repr(n) for n in names)}. Choose one with --sheet."
                )
            name = source.sheet
        else:
            name = names[0]
        rows: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            f"{path}: the workbook cannot be read ({exc}). Open it in Excel and save it again."
        ) from exc
    while rows and all(_cell_text(v) == "" for v in rows[0]):
        rows.pop(0)
    return rows


def _cell_text(value: Any) -> str:
    """Excel cells as the text a CSV export would hold (ids without '.0', ISO dates)."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _excel_table(source: Source, path: Path, cols: Columns) -> pa.Table:
    import pyarrow as pa

    rows = _excel_rows(source, path)
    data = rows[1:]
    arrays = {}
    for role, index in cols.index.items():
        arrays[role] = pa.array(
            [_cell_text(r[index]) if index < len(r) else "" for r in data], type=pa.string()
        )
    table = pa.table(arrays) if arrays else pa.table({})
    return _with_rows(table, 2, source.paths.index(path))


def label_counts(path: Path, column: str | None, sheet: str | None = None) -> list[tuple[str, int]]:
    """Distinct values of a file's ethnicity column (or ``column``) with their row counts."""
    import pyarrow.compute as pc

    source = open_source([path], "file", sheet=sheet)
    explicit = {"ethnicity": column} if column else None
    columns = resolve_columns(source, ["ethnicity"], required=["ethnicity"], explicit=explicit)
    counts: dict[str, int] = {}
    for table in iter_tables(source, columns):
        tally = pc.value_counts(table.column("ethnicity"))
        for item in tally.to_pylist():
            counts[item["values"]] = counts.get(item["values"], 0) + int(item["counts"])
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
