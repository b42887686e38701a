"""CSV and TSV files -> tables of text: encodings, delimiters, the header line, batches.

The encoding is sniffed (byte-order mark, UTF-8 if it decodes, else Windows-1252), the
delimiter guessed from the header line, and pyarrow's streaming reader reads only the columns
a role needs, in small batches, growing its block for a long row and allowing line breaks in
quoted values only when a row needs them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wres4.errors import InputError
from wres4.inputs.filecheck import CONTROL_BYTES, SNIFF_BYTES, short_error
from wres4.inputs.source import UNIQUE_ROLES, Source, rename_roles, with_rows

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from wres4.inputs.columns import Columns

# pyarrow's CSV reader needs a block larger than the longest row; on a longer row the block
# grows, up to this.
MAX_BLOCK_BYTES = 1 << 30
# A header row longer than this is not a header.
MAX_HEADER_BYTES = 16 << 20

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def known_encoding(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(
            f"--encoding '{name}' is not a text encoding wres4 knows. "
            "Use utf-8, cp1252, latin-1 or utf-16."
        ) from None


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


def header(source: Source, path: Path) -> tuple[str, ...]:
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


def batches(
    source: Source,
    path: Path,
    cols: Columns,
    *,
    batch_bytes: int,
    dictionary: bool = False,
    chunk: int | None = None,
) -> Iterator[pa.Table]:
    """Batches of one CSV/TSV file, growing the block size when a row is longer than it.

    ``chunk`` bounds how much of the file the multi-threaded reader parses at once (None:
    all of it, for a side that is held whole anyway)."""
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
            attempt = _csv_attempt(source, path, cols, block, done, dictionary, newlines, chunk)
            for table in attempt:
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
    chunk: int | None = None,
) -> Iterator[pa.Table]:
    """Read one CSV file with one block size, skipping the ``done`` rows already handed out.

    A UTF-8 file without line breaks in quoted values is parsed by pyarrow's multi-threaded
    reader, ``chunk`` bytes at a time (the whole file when ``chunk`` is None); otherwise by its
    streaming reader, one block at a time.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    enc = _encoding_for(source, path)
    delimiter = source.delimiters[path]
    headers = source.headers[path]
    skip = source.skips.get(path, 1)
    # Positional names: headers may repeat or carry stray spaces; roles are found by index.
    # (With no role wanted, read the first column only to count rows: pyarrow reads every
    # column when include_columns is empty.)
    wanted = list(dict.fromkeys(f"c{i}" for i in cols.index.values())) or ["c0"]
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
        if newlines or done or enc != "utf-8" or not _header_within(path, skip, PARALLEL_BLOCK):
            reader: Iterator[pa.RecordBatch | pa.Table] = pacsv.open_csv(
                path, read_options=read, parse_options=parse, convert_options=convert
            )
        else:
            reader = _parallel(path, read, parse, convert, chunk)
        for batch in reader:
            n = batch.num_rows
            if seen + n <= done:
                seen += n
                continue
            table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
            if seen < done:
                table = table.slice(done - seen)
            table = with_rows(rename_roles(table, cols), skip + 1 + max(seen, done), file_index)
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
            f"{path}: cannot be read as {source.fmt.upper()} ({short_error(exc)})."
        ) from exc
    except UnicodeError as exc:
        raise _encoding_error(path, enc, skip) from exc
    except pa.ArrowException as exc:
        raise InputError(
            f"{path}: cannot be read as {source.fmt.upper()} ({short_error(exc)})."
        ) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or short_error(exc)}).") from exc


# The multi-threaded reader's unit of work: small enough that both CPUs share a chunk.
PARALLEL_BLOCK = 1 << 20


def _header_within(path: Path, skip: int, size: int) -> bool:
    """Do the ``skip`` lines before the data end inside the first ``size`` bytes?"""
    with path.open("rb") as fh:
        return fh.read(size).count(b"\n") >= skip


def _parallel(
    path: Path,
    read: pacsv.ReadOptions,
    parse: pacsv.ParseOptions,
    convert: pacsv.ConvertOptions,
    chunk: int | None,
) -> Iterator[pa.Table]:
    """Tables of ``chunk`` bytes of the file each, cut after a line break, each parsed by
    pyarrow's multi-threaded reader (its streaming reader parses on one thread).

    Only for files read without ``newlines_in_values``: pyarrow then ends a row at every line
    break too, so cutting there changes no row.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read.block_size = PARALLEL_BLOCK
    size = path.stat().st_size
    if chunk is None or chunk >= size:
        yield pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        return
    later = pacsv.ReadOptions(
        encoding=read.encoding,
        block_size=PARALLEL_BLOCK,
        column_names=read.column_names,
        skip_rows=0,
    )
    with pa.OSFile(str(path)) as fh:
        offset, first = 0, True
        while offset < size:
            want = chunk
            while True:
                fh.seek(offset)
                buf = fh.read_buffer(want)
                if offset + buf.size >= size:
                    cut = buf.size
                    break
                tail = max(0, buf.size - (1 << 16))
                found = bytes(memoryview(buf)[tail:]).rfind(b"\n")
                if found >= 0:
                    cut = tail + found + 1
                    break
                want *= 4  # a row longer than the chunk, or no line break near its end
            yield pacsv.read_csv(
                pa.BufferReader(buf.slice(0, cut)),
                read_options=read if first else later,
                parse_options=parse,
                convert_options=convert,
            )
            offset, first = offset + cut, False


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
