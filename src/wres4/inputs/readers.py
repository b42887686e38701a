"""Files -> tables of text: formats, encodings, safety checks, batches.

Every reader hands back pyarrow tables whose columns are named by *role* (``person_id``,
``ethnicity``, ...) and hold the cell text exactly as the file has it, plus ``_row`` (the
spreadsheet row number, header = 1). Only the columns a role needs are read. Parsing the
text (dates, ids, labels) is done elsewhere, once per distinct value.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wres4.errors import InputError
from wres4.inputs.columns import ASSIGNMENT_HEADERS as ASSIGNMENT_HEADERS
from wres4.inputs.columns import DATA_LIKE as DATA_LIKE
from wres4.inputs.columns import KNOWN_ROLES as KNOWN_ROLES
from wres4.inputs.columns import ROLE_ALIASES as ROLE_ALIASES
from wres4.inputs.columns import Columns as Columns
from wres4.inputs.columns import header_key as header_key
from wres4.inputs.columns import missing_message as missing_message
from wres4.inputs.columns import resolve_columns as resolve_columns
from wres4.inputs.filecheck import CONTROL_BYTES, SNIFF_BYTES, _short, check_file
from wres4.inputs.filecheck import MAX_WORKBOOK_UNCOMPRESSED as MAX_WORKBOOK_UNCOMPRESSED
from wres4.inputs.source import FORMATS_BY_SUFFIX, Source, expand_paths

if TYPE_CHECKING:
    import pyarrow as pa


# pyarrow's streaming reader reads ahead a number of blocks: small blocks keep the memory of
# a long training extract flat (16 MB blocks held ~500 MB in flight on a 2 GB file).
BATCH_BYTES = 4 << 20
# The staff side is held in memory whole anyway; larger blocks parse it a little faster.
STAFF_BATCH_BYTES = 16 << 20
# pyarrow's CSV reader needs a block larger than the longest row; on a longer row the block
# grows, up to this.
MAX_BLOCK_BYTES = 1 << 30
# A header row longer than this is not a header.
MAX_HEADER_BYTES = 16 << 20

LINE_BREAK = re.compile(r"\r\n|\r|\n")


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
    if encoding is not None:
        encoding = _known_encoding(encoding)
    source = Source(label=label, paths=files, fmt=kinds[0], sheet=sheet, encoding=encoding)
    for path in files:
        check_file(path, source.fmt)
        source.headers[path] = _read_header(source, path)
    return source


def _known_encoding(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(
            f"--encoding '{name}' is not a text encoding wres4 knows. "
            "Use utf-8, cp1252, latin-1 or utf-16."
        ) from None


# ---------------------------------------------------------------------------------- text files


def _encoding_for(source: Source, path: Path) -> str:
    """The file's text encoding: --encoding, a byte-order mark, UTF-8 if it decodes, else cp1252.

    Refuses binary files (NUL and control bytes that no text export contains).
    """
    if path in source.encodings:
        return source.encodings[path]
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if source.encoding:
        enc = source.encoding
    elif head.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8"
    elif head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        enc = "utf-32"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif b"\x00" in head and _utf16_without_bom(head):
        enc = _utf16_without_bom(head) or "utf-16"
    else:
        # A stray control byte happens in real exports; many of them mean binary data.
        controls = sum(head.count(b) for b in CONTROL_BYTES)
        if controls > max(8, len(head) // 100):
            raise InputError(
                f"{path}: not a text file (it holds binary data). "
                "Give the CSV or TSV export of the extract."
            )
        # A cut may split a character: ignore a broken final byte sequence.
        try:
            head.decode("utf-8")
            enc = "utf-8"
        except UnicodeDecodeError as exc:
            enc = "utf-8" if exc.start >= len(head) - 3 else "cp1252"
    source.encodings[path] = enc
    return enc


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a byte-order mark has NUL in every other byte of ASCII text."""
    even, odd = head[0::2], head[1::2]
    if not even or not odd:
        return None
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _head_text(source: Source, path: Path, size: int = SNIFF_BYTES) -> str:
    enc = _encoding_for(source, path)
    with path.open("rb") as fh:
        head = fh.read(size)
    if enc.startswith(("utf-16", "utf-32")) and len(head) % 4:
        head = head[: len(head) - len(head) % 4]
    return head.decode("utf-8-sig" if enc == "utf-8" else enc, errors="replace")


def _sniff_delimiter(source: Source, path: Path, text: str) -> str:
    if source.fmt == "tsv":
        return "\t"
    first = LINE_BREAK.split(text, maxsplit=1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _text_header(source: Source, path: Path) -> tuple[str, ...]:
    """The first non-blank line is the header; remember how many lines precede the data."""
    size = SNIFF_BYTES
    file_size = path.stat().st_size
    while True:
        text = _head_text(source, path, size)
        lines = LINE_BREAK.split(text)
        complete = lines if size >= file_size else lines[:-1]
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            delimiter = _sniff_delimiter(source, path, line)
            cells = _split_line(line, delimiter)
            if any(c.strip() for c in cells):  # a line of bare delimiters is blank too
                source.delimiters[path] = delimiter
                source.skips[path] = number
                return tuple(cells)
        if size >= file_size:
            what = "only blank lines" if not text.strip() else "no header row"
            raise InputError(
                f"{path}: the file has {what}. Export the extract again, with its header row."
            )
        if size >= MAX_HEADER_BYTES:
            raise InputError(
                f"{path}: no line break in the first {MAX_HEADER_BYTES >> 20} MB, so no header "
                "row. Check that this is a CSV export."
            )
        size *= 4


def _read_header(source: Source, path: Path) -> tuple[str, ...]:
    if source.fmt in ("csv", "tsv"):
        return _text_header(source, path)
    if source.fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return tuple(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:
            raise InputError(
                f"{path}: the Parquet file cannot be read ({_short(exc)}). Export it again."
            ) from exc
    rows, _ = _excel_sheet(source, path)
    if not rows:
        which = f"sheet '{source.sheet}'" if source.sheet else "first sheet"
        raise InputError(
            f"{path}: the {which} is empty. Choose the sheet that holds the data with --sheet."
        )
    return tuple(_cell_text(v) for v in rows[0])


# -------------------------------------------------------------------------------- reading data


def iter_tables(
    source: Source,
    columns: Mapping[Path, Columns],
    *,
    batch_bytes: int = BATCH_BYTES,
    dictionary: bool = False,
) -> Iterator[pa.Table]:
    """Yield tables of the mapped roles (text), file by file and batch by batch.

    With ``dictionary`` the text columns come dictionary-encoded (distinct values plus
    indices), which the reader does while parsing, so callers can work per distinct value;
    person ids, nearly all distinct, stay plain text.
    """
    for file_index, path in enumerate(source.paths):
        cols = columns[path]
        if source.fmt in ("csv", "tsv"):
            tables = _csv_batches(source, path, cols, batch_bytes, dictionary)
        elif source.fmt == "parquet":
            tables = _parquet_batches(path, cols, file_index, dictionary)
        else:
            tables = iter([_excel_table(source, path, cols)])
        for table in tables:
            source.rows_read[path] = source.rows_read.get(path, 0) + table.num_rows
            yield table


def read_all(source: Source, columns: Mapping[Path, Columns]) -> pa.Table:
    """The whole source as one table (used for the staff side, which must fit in memory)."""
    import pyarrow as pa

    tables = list(iter_tables(source, columns, batch_bytes=BATCH_BYTES * 4))
    if not tables:
        raise InputError(f"{source.names[0]}: no rows to read.")
    try:
        return pa.concat_tables(tables, promote_options="default")
    except pa.ArrowException as exc:
        raise InputError(
            f"{source.label}: the files do not have the same columns ({_short(exc)}). "
            "Give files exported from the same report."
        ) from exc


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
    # With no role to read, pyarrow reads every column: keep none of them, only the rows.
    table = table.select([name for name in table.column_names if name in by_name])
    return table.rename_columns([by_name[name] for name in table.column_names])


# Columns whose values are nearly all distinct: dictionary-encoding them costs more than it saves.
UNIQUE_ROLES = frozenset({"person_id"})


class _BlockTooSmall(Exception):
    """A row is longer than pyarrow's block: read again with a larger block."""


class _QuotedNewline(Exception):
    """A row broke where a quoted value may hold a line break: read again allowing them."""


class _NotUtf8(Exception):
    """A file sniffed as UTF-8 turned out to be Windows-1252 further on: read it as that."""


# A multi-byte UTF-8 sequence; Windows-1252 text essentially never contains one.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _cp1252_after_all(source: Source, path: Path) -> bool:
    """Was a detected UTF-8 file really Windows-1252 (no UTF-8 sequence anywhere in it)?"""
    if source.encoding or source.encodings.get(path) != "utf-8":
        return False
    with path.open("rb") as fh:
        data = fh.read()
    if UTF8_SEQUENCE.search(data[3:] if data.startswith(b"\xef\xbb\xbf") else data):
        return False
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _csv_batches(
    source: Source, path: Path, cols: Columns, batch_bytes: int, dictionary: bool = False
) -> Iterator[pa.Table]:
    """Batches of one CSV/TSV file, growing the block size when a row is longer than it."""
    done = 0
    block = batch_bytes
    enc = _encoding_for(source, path)
    # Transcoding can grow the text (UTF-16 CJK -> UTF-8); the block covers the whole file.
    ceiling = min(MAX_BLOCK_BYTES, path.stat().st_size * (1 if enc == "utf-8" else 2) + 1)
    # Allowing line breaks inside quoted values makes pyarrow's reader much slower; most
    # extracts have none, so read without first and switch on at the first broken row.
    newlines = False
    while True:
        try:
            for table in _csv_attempt(source, path, cols, block, done, dictionary, newlines):
                done += table.num_rows
                yield table
            return
        except _QuotedNewline:
            newlines = True
        except _NotUtf8:
            # Rows handed out so far were ASCII, which reads the same in both encodings.
            source.encodings[path] = "cp1252"
        except _BlockTooSmall:
            if block >= ceiling:
                raise InputError(
                    f"{path}: a row after row {source.skips[path] + done} is longer than "
                    f"{MAX_BLOCK_BYTES >> 20} MB. Check the file for a runaway quoted field."
                ) from None
            block = min(ceiling, block * 8)


def _csv_attempt(
    source: Source,
    path: Path,
    cols: Columns,
    block: int,
    done: int,
    dictionary: bool = False,
    newlines: bool = True,
) -> Iterator[pa.Table]:
    """Read one CSV file with one block size, skipping the ``done`` rows already handed out."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    enc = _encoding_for(source, path)
    delimiter = source.delimiters[path]
    headers = source.headers[path]
    skip = source.skips.get(path, 1)
    # Positional names: headers may repeat or carry stray spaces; roles are found by index.
    # (With no role wanted, read the first column only to count rows: pyarrow reads every
    # column when include_columns is empty.)
    wanted = [f"c{i}" for i in cols.index.values()] or ["c0"]
    bad_rows: list[int] = []

    def on_invalid(row: Any) -> str:
        if not (row.text or "").strip():
            return "skip"  # a line of spaces is a blank line, not a short row
        bad_rows.append(row.number if row.number is not None else -1)
        return "error"

    read = pacsv.ReadOptions(
        encoding="utf8" if enc == "utf-8" else enc,
        block_size=block,
        column_names=[f"c{i}" for i in range(len(headers))],
        skip_rows=skip,
    )
    parse = pacsv.ParseOptions(
        delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=newlines
    )
    convert = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types={
            f"c{i}": pa.dictionary(pa.int32(), pa.string())
            if dictionary and role not in UNIQUE_ROLES
            else pa.string()
            for role, i in cols.index.items()
        }
        or {h: pa.string() for h in wanted},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    file_index = source.paths.index(path)
    seen = 0
    try:
        reader = pacsv.open_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            n = batch.num_rows
            if seen + n <= done:
                seen += n
                continue
            table = pa.Table.from_batches([batch])
            if seen < done:
                table = table.slice(done - seen)
            table = _with_rows(_rename(table, cols), skip + 1 + max(seen, done), file_index)
            seen += n
            yield table
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "UTF8" in message or "utf-8" in message.lower():
            if _cp1252_after_all(source, path):
                raise _NotUtf8 from exc
            raise _encoding_error(path, enc, skip) from exc
        if not newlines:
            raise _QuotedNewline from exc
        if "straddl" in message:
            raise _BlockTooSmall from exc
        if bad_rows or ("Expected" in message and "columns" in message):
            raise _ragged_error(source, path, enc, skip) from exc
        raise InputError(
            f"{path}: cannot be read as {source.fmt.upper()} ({_short(exc)})."
        ) from exc
    except UnicodeError as exc:
        raise _encoding_error(path, enc, skip) from exc
    except pa.ArrowException as exc:
        raise InputError(
            f"{path}: cannot be read as {source.fmt.upper()} ({_short(exc)})."
        ) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or _short(exc)}).") from exc


def _encoding_error(path: Path, enc: str, skip: int) -> InputError:
    line = _first_undecodable_line(path, enc)
    where = f"row {line}" if line else f"a row after row {skip}"
    other = "cp1252" if enc.replace("-", "").lower() == "utf8" else "latin-1"
    return InputError(
        f"{path}: {where} holds bytes that are not valid {enc} text (the file may mix "
        f"encodings). Save the file as UTF-8 from Excel ('CSV UTF-8'), or give its encoding "
        f"with --encoding (e.g. --encoding {other})."
    )


def _first_undecodable_line(path: Path, enc: str) -> int | None:
    """The physical line holding the first byte sequence ``enc`` cannot decode (slow path)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8" if enc == "utf8" else enc)()
    try:
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    decoder.decode(raw)
                except UnicodeDecodeError:
                    return number
    except OSError:
        return None
    return None


def _ragged_error(source: Source, path: Path, enc: str, skip: int) -> InputError:
    width = len(source.headers[path])
    found = _first_ragged_row(path, enc, source.delimiters[path], skip, width)
    if found is None:
        return InputError(
            f"{path}: a row after row {skip} has a different number of fields than the "
            f"header ({width}); check for unbalanced quotes or stray delimiters."
        )
    row, fields = found
    return InputError(
        f"{path}: row {row} has {fields} field{'s' if fields != 1 else ''} but the header has "
        f'{width}. Check that row for an unbalanced quote (") or a stray delimiter, or '
        "export the file again."
    )


def _first_ragged_row(
    path: Path, enc: str, delimiter: str, skip: int, width: int
) -> tuple[int, int] | None:
    """(row, fields) of the first record whose field count differs from the header's."""
    import sys

    limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        codec = "utf-8-sig" if enc in ("utf-8", "utf8") else enc
        with path.open(encoding=codec, errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            start = 1
            for record in reader:
                line = start
                start = reader.line_num + 1
                if line <= skip or not any(cell.strip() for cell in record):
                    continue
                if len(record) != width:
                    return line, len(record)
    except (OSError, csv.Error):
        return None
    finally:
        csv.field_size_limit(limit)
    return None


# ------------------------------------------------------------------------------------ parquet


def _parquet_batches(
    path: Path, cols: Columns, file_index: int = 0, dictionary: bool = False
) -> Iterator[pa.Table]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = list(dict.fromkeys(cols.roles.values()))
    by_header = {header: role for role, header in cols.roles.items()}
    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
        for name in wanted:
            typ = schema.field(name).type
            if pa.types.is_nested(typ):
                raise InputError(
                    f"{path}: column '{name}' holds {typ}, not plain values. "
                    "Write it as text, numbers or dates."
                )
        row = 2
        for batch in pf.iter_batches(columns=wanted, batch_size=1 << 20):
            arrays = []
            for name in batch.schema.names:
                arr = batch.column(name)
                if pa.types.is_timestamp(arr.type):
                    arr = pc.cast(arr, pa.date32())
                arr = pc.fill_null(pc.cast(arr, pa.string()), "")
                encode = dictionary and by_header.get(name) not in UNIQUE_ROLES
                arrays.append(pc.dictionary_encode(arr) if encode else arr)
            table = pa.Table.from_arrays(arrays, names=batch.schema.names)
            table = _with_rows(_rename(table, cols), row, file_index)
            row += batch.num_rows
            yield table
    except InputError:
        raise
    except (pa.ArrowException, OSError, KeyError, ValueError) as exc:
        raise InputError(
            f"{path}: the Parquet file cannot be read ({_short(exc)}). Export it again."
        ) from exc


# -------------------------------------------------------------------------------------- excel


def _excel_sheet(source: Source, path: Path) -> tuple[list[list[Any]], int]:
    """The chosen sheet's rows from its first non-empty row, and that row's number."""
    if path in source.sheets:
        return source.sheets[path]
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if not names:
            raise InputError(f"{path}: the workbook has no sheets. Save it again from Excel.")
        name = names[0] if source.sheet is None else _pick_sheet(path, source.sheet, names)
        sheet = book.get_sheet_by_name(name)
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=True)
        first = (sheet.start[0] + 1) if sheet.start else 1
    except InputError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "PasswordError":
            raise InputError(
                f"{path}: the workbook is password-protected. Remove the password in Excel "
                "and save again."
            ) from exc
        raise InputError(
            f"{path}: the workbook cannot be read ({_short(exc)}). "
            "Open it in Excel and save it again."
        ) from exc
    skipped = 0
    while skipped < len(rows) and all(_cell_text(v).strip() == "" for v in rows[skipped]):
        skipped += 1
    source.sheets[path] = (rows[skipped:], first + skipped)
    return source.sheets[path]


def _pick_sheet(path: Path, wanted: str, names: list[str]) -> str:
    if wanted in names:
        return wanted
    loose = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    raise InputError(
        f"{path}: no sheet '{wanted}'; sheets found: "
        f"{', '.join(repr(n) for n in names)}. Choose one with --sheet."
    )


def _excel_rows(source: Source, path: Path) -> list[list[Any]]:
    """The chosen sheet's rows, from the header row on."""
    return _excel_sheet(source, path)[0]


def _cell_text(value: Any) -> str:
    """Excel cells as the text a CSV export would hold (ids without '.0', ISO dates)."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value) if value == value else ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _excel_table(source: Source, path: Path, cols: Columns) -> pa.Table:
    import pyarrow as pa

    rows, header_row = _excel_sheet(source, path)
    # The sheet is read once; let it go once its table is built.
    source.sheets[path] = (rows[:1], header_row)
    # Rows left empty inside the used area (formatting, deleted data) are not records.
    numbered = [
        (header_row + 1 + i, r) for i, r in enumerate(rows[1:]) if any(_cell_text(v) for v in r)
    ]
    arrays = {
        role: pa.array(
            [_cell_text(r[index]) if index < len(r) else "" for _, r in numbered],
            type=pa.string(),
        )
        for role, index in cols.index.items()
    }
    arrays["_row"] = pa.array([n for n, _ in numbered], type=pa.int64())
    arrays["_file"] = pa.array([source.paths.index(path)] * len(numbered), type=pa.int32())
    return pa.table(arrays)


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
