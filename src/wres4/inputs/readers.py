"""Paths or tables -> a Source, and a Source -> tables of text: the one door to every reader.

Each reader (delimited, excel, parquet, tables) offers ``header(source, path)`` and
``batches(source, path, columns, batch_bytes=, dictionary=)``; this module picks one by the
source's format, so callers never ask what kind of input they were given. Every reader hands
back the shape :mod:`wres4.inputs.source` describes: role columns of text, ``_row``, ``_file``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from wres4.errors import ConfigError, InputError
from wres4.inputs import delimited, excel, parquet, tables
from wres4.inputs.columns import Columns, resolve_columns
from wres4.inputs.filecheck import check_file, short_error
from wres4.inputs.source import (
    FORMATS_BY_SUFFIX,
    Source,
    data_files,
    expand_paths,
    note_long_fields,
)

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow's streaming reader reads ahead a number of blocks: small blocks keep the memory of
# a long training extract flat (16 MB blocks held ~500 MB in flight on a 2 GB file).
BATCH_BYTES = 4 << 20
# The staff side is held in memory whole anyway; larger blocks parse it a little faster.
STAFF_BATCH_BYTES = 16 << 20
# A CSV file is parsed by pyarrow's multi-threaded reader this many bytes at a time, so memory
# stays flat however long the file; None parses it whole (the staff side).
CHUNK_BYTES = 16 << 20


class Reader(NamedTuple):
    header: Callable[[Source, Path], tuple[str, ...]]
    batches: Callable[..., Iterator[pa.Table]]


READERS: dict[str, Reader] = {
    "csv": Reader(delimited.header, delimited.batches),
    "tsv": Reader(delimited.header, delimited.batches),
    "excel": Reader(excel.header, excel.batches),
    "parquet": Reader(parquet.header, parquet.batches),
    "table": Reader(tables.header, tables.batches),
}


def open_source(
    inputs: Any,
    label: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Source:
    """A source from file paths (checked to exist, be of one kind and be what their names
    say) or from in-memory tables; ``inputs`` is one of these or a list of them."""
    items = input_items(inputs)
    if not items:
        raise InputError(f"no {label} given. Give a file path or a table.")
    if any(tables.is_table(item) for item in items):
        if not all(tables.is_table(item) for item in items):
            raise InputError(
                f"the {label} mixes file paths and in-memory tables. Give one or the other."
            )
        return tables.open_tables(items, label)
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(
                f"{label}: a {_type_name(item)} is not a file path, a pandas DataFrame or a "
                "pyarrow Table. Convert it to a DataFrame or a Table first."
            )
    files = expand_paths([Path(item) for item in items], label)
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
        encoding = delimited.known_encoding(encoding)
    source = Source(label=label, paths=files, fmt=kinds[0], sheet=sheet, encoding=encoding)
    reader = READERS[source.fmt]
    for path in files:
        check_file(path, source.fmt)
        source.headers[path] = reader.header(source, path)
    return source


def check_sheet(sources: Sequence[Source], sheet: str | None, option: str) -> None:
    """A sheet named for inputs none of which is a workbook is a usage error: the option
    would be ignored without a word otherwise."""
    if sheet is None or any(s.fmt in ("excel", "table") for s in sources):
        return
    first = sources[0]
    kind = {"csv": "a CSV file", "tsv": "a TSV file", "parquet": "a Parquet file"}[first.fmt]
    raise ConfigError(
        f"{option} {sheet!r} picks a sheet of an Excel workbook, but {first.names[0]} is "
        f"{kind}, which has no sheets. Leave {option} out, or give the workbook."
    )


def _type_name(value: object) -> str:
    kind = type(value)
    module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
    return module + kind.__qualname__


def input_items(inputs: Any) -> list[Any]:
    """One path or table, or a list of them, as a list (a text path is one path)."""
    if inputs is None:
        return []
    if isinstance(inputs, (str, os.PathLike)) or tables.is_table(inputs):
        return [inputs]
    return list(inputs)


def share_cpus() -> None:
    """Leave one CPU to wres4's own threads: size pyarrow's thread pool to the CPUs this
    process may use, less one (at least one).

    The statistics import and much of the reduction are Python, which holds the GIL; with
    pyarrow parsing on every CPU they wait for a CPU as well as for the GIL (method.md:
    Performance). pyarrow's pool is the whole process's, so the command line calls this and
    the library leaves it as it is; OMP_NUM_THREADS, when set, is left to size it.
    """
    if os.environ.get("OMP_NUM_THREADS"):
        return
    import pyarrow as pa

    affinity = getattr(os, "sched_getaffinity", None)
    usable = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    pa.set_cpu_count(max(1, usable - 1))


def iter_tables(
    source: Source,
    columns: Mapping[Path, Columns],
    *,
    batch_bytes: int = BATCH_BYTES,
    dictionary: bool = False,
    chunk_bytes: int | None = CHUNK_BYTES,
) -> Iterator[pa.Table]:
    """Yield tables of the mapped roles (text), file by file and batch by batch.

    With ``dictionary`` the text columns come dictionary-encoded (distinct values plus
    indices), which the reader does while parsing, so callers can work per distinct value;
    person ids, nearly all distinct, stay plain text.
    """
    reader = READERS[source.fmt]
    chunked = {"chunk": chunk_bytes} if reader.batches is delimited.batches else {}
    for path in source.paths:
        batches = reader.batches(
            source, path, columns[path], batch_bytes=batch_bytes, dictionary=dictionary, **chunked
        )
        for table in batches:
            source.rows_read[path] = source.rows_read.get(path, 0) + table.num_rows
            note_long_fields(source, path, table)
            yield table


def read_all(source: Source, columns: Mapping[Path, Columns]) -> pa.Table:
    """The whole source as one table (used for the staff side, which must fit in memory)."""
    import pyarrow as pa

    parts = list(iter_tables(source, columns, batch_bytes=BATCH_BYTES * 4))
    if not parts:
        raise InputError(f"{source.names[0]}: no rows to read.")
    try:
        return pa.concat_tables(parts, promote_options="default")
    except pa.ArrowException as exc:
        raise InputError(
            f"{source.label}: the files do not have the same columns ({short_error(exc)}). "
            "Give files exported from the same report."
        ) from exc


def describe_inputs(
    sources: Sequence[Source], hashes: Mapping[Path, str] | None = None
) -> list[dict[str, Any]]:
    """The run's inputs for its meta: each file with its SHA-256 (from ``hashes`` when
    already known), each table with its name, rows and digest."""
    out: list[dict[str, Any]] = []
    for source in sources:
        for path in source.paths:
            if source.in_memory:
                out.append(tables.describe(source, path))
            else:
                digest = (hashes or {}).get(path) or file_sha256(path)
                out.append({"file": str(path), "sha256": digest})
    return out


class FileHashes:
    """SHA-256 of every input file that exists (directories are expanded), taken a block
    (1 MB) at a time: what one thread stops part-way through, another can finish from where
    it stopped.

    :meth:`run` hashes until ``stop()`` turns True (a background thread, while the extracts
    are read); :meth:`finish` hashes what is left (the caller, when it needs the digests).
    """

    BLOCK = 1 << 20

    def __init__(self, paths: Sequence[str | os.PathLike[str]]) -> None:
        self.paths = [Path(item) for item in paths]
        self.files: list[Path] | None = None
        self.digests: dict[Path, str] = {}
        self._next = 0  # the file being hashed, in self.files
        self._partial: Any = None  # its hashlib object so far
        self._offset = 0  # and how many of its bytes that has taken
        self._seen: tuple[int, int, int] | None = None  # the file as it was when started

    def run(self, stop: Callable[[], bool] | None = None) -> FileHashes:
        import hashlib

        if self.files is None:  # the files the reading takes (source.expand_paths)
            self.files = []
            for path in self.paths:
                found = data_files(path) if path.is_dir() else [path]
                self.files += [f for f in found if f.is_file()]
        while self._next < len(self.files):
            path = self.files[self._next]
            try:
                with path.open("rb") as fh:
                    now = os.fstat(fh.fileno())
                    seen = (now.st_ino, now.st_size, now.st_mtime_ns)
                    if self._partial is None or seen != self._seen:
                        # A file changed since it was started is hashed again from its start.
                        self._partial, self._offset, self._seen = hashlib.sha256(), 0, seen
                    fh.seek(self._offset)
                    for block in iter(lambda: fh.read(self.BLOCK), b""):
                        if stop is not None and stop():
                            return self  # the block is read again by whoever finishes
                        self._partial.update(block)
                        self._offset += len(block)
                self.digests[path] = self._partial.hexdigest()
            except OSError:
                pass  # left out: describe_inputs reads it again and says what is wrong
            self._next, self._partial, self._offset, self._seen = self._next + 1, None, 0, None
        return self

    def finish(self) -> dict[Path, str]:
        """Every file's digest, hashing in this thread whatever is not yet done."""
        return self.run().digests


def file_sha256(path: Path) -> str:
    """SHA-256 of one file (an OSError when it cannot be read)."""
    import hashlib

    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


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
