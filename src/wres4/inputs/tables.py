"""In-memory tables -> a Source: pandas DataFrames and pyarrow Tables, read like files.

A table is named where a file would be (``staff table``, or ``staff table 2`` in a list), its
column names are its header, and its first row is numbered 2, as the first data row of a
spreadsheet is. Typed cells become the text a CSV export of them would hold (whole numbers
without '.0', dates in ISO form, TRUE/FALSE, a missing value as an empty cell), so the same
rules give the same result as the file. pandas is never imported to recognise a DataFrame:
the type is known by its name (as frictionless does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wres4.errors import InputError
from wres4.inputs.source import UNIQUE_ROLES, Source, cell_text

if TYPE_CHECKING:
    import pyarrow as pa

    from wres4.inputs.columns import Columns

# What a table given for each input is called in messages and in the run's meta.
TABLE_NAMES: dict[str, str] = {
    "staff extract": "staff table",
    "training extract": "training table",
    "history file": "history table",
    "application log": "applications table",
}
# The in-memory types read as tables, by (top-level module, class name).
TABLE_TYPES = frozenset({("pandas", "DataFrame"), ("pyarrow", "Table"), ("pyarrow", "RecordBatch")})
BATCH_ROWS = 1 << 18
# Floats up to this are whole numbers exactly (2**53): ids and counts stored as float64.
EXACT_FLOAT = 2.0**53


def is_table(value: object) -> bool:
    """A pandas DataFrame or a pyarrow Table (or a subclass), known without importing pandas."""
    return any(
        (cls.__module__.split(".")[0], cls.__name__) in TABLE_TYPES for cls in type(value).__mro__
    )


def open_tables(items: Sequence[Any], label: str) -> Source:
    """A source of in-memory tables: each converted to Arrow once, its headers read."""
    base = TABLE_NAMES.get(label, f"{label} table")
    names = [base] if len(items) == 1 else [f"{base} {i}" for i in range(1, len(items) + 1)]
    source = Source(label=label, paths=[Path(name) for name in names], fmt="table")
    for path, item in zip(source.paths, items, strict=True):
        table = _arrow(item, path)
        if table.num_columns == 0:
            raise InputError(f"{path}: the table has no columns. Give the extract's columns.")
        source.tables[path] = table
        source.headers[path] = tuple(table.column_names)
    return source


def header(source: Source, path: Path) -> tuple[str, ...]:
    return source.headers[path]


def batches(
    source: Source, path: Path, cols: Columns, *, batch_bytes: int, dictionary: bool = False
) -> Iterator[pa.Table]:
    """The role columns of one table as text, ``BATCH_ROWS`` rows at a time, numbered from 2
    (``batch_bytes`` is for text files)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table = source.tables[path]
    file_index = source.paths.index(path)
    for index in cols.index.values():
        typ = table.schema.field(index).type
        if pa.types.is_nested(typ):
            raise InputError(
                f"{path}: column '{table.column_names[index]}' holds {typ}, not plain values. "
                "Give it as text, numbers or dates."
            )
    start = 0
    while True:  # one batch at least, as a file with a header and no rows gives
        part = table.slice(start, BATCH_ROWS)
        arrays: dict[str, pa.Array] = {}
        for role, index in cols.index.items():
            text = text_array(part.column(index).combine_chunks(), path, part.column_names[index])
            encode = dictionary and role not in UNIQUE_ROLES
            arrays[role] = pc.dictionary_encode(text) if encode else text
        # The first row is numbered 2, as in a spreadsheet under its header row.
        arrays["_row"] = pa.array(np.arange(start + 2, start + 2 + part.num_rows))
        arrays["_file"] = pa.array(np.full(part.num_rows, file_index, dtype=np.int32))
        yield pa.table(arrays)
        start += BATCH_ROWS
        if start >= table.num_rows:
            return


def describe(source: Source, path: Path) -> dict[str, Any]:
    """A table in the run's meta: its name, its rows and the SHA-256 of its Arrow IPC stream
    (the table as read, in fixed-size record batches, without schema metadata), so the same
    table gives the same digest however it is chunked."""
    table = source.tables[path]
    return {"table": str(path), "rows": table.num_rows, "sha256": table_sha256(table)}


def table_sha256(table: pa.Table) -> str:
    import hashlib

    import pyarrow as pa

    digest = hashlib.sha256()

    class Sink:
        closed = False

        def write(self, data: Any) -> int:
            view = memoryview(data)
            digest.update(view)
            return len(view)

        def flush(self) -> None:
            pass

    table = table.replace_schema_metadata(None)
    with pa.ipc.new_stream(Sink(), table.schema) as writer:
        for start in range(0, table.num_rows, BATCH_ROWS):
            writer.write_table(table.slice(start, BATCH_ROWS).combine_chunks())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- to Arrow


def _arrow(item: Any, path: Path) -> pa.Table:
    """The item as a pyarrow Table with text header names (values keep their types)."""
    import pyarrow as pa

    if isinstance(item, pa.RecordBatch):
        item = pa.Table.from_batches([item])
    if isinstance(item, pa.Table):
        names = [str(n) for n in item.column_names]
        return pa.Table.from_arrays(item.columns, names=names)
    frame = item
    # Named index levels are columns the analyst set aside (set_index): read them too.
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    names = [str(n) for n in frame.columns]
    arrays = [_series_array(frame.iloc[:, i], path, names[i]) for i in range(frame.shape[1])]
    return pa.Table.from_arrays(arrays, names=names)


def _series_array(series: Any, path: Path, name: str) -> pa.Array:
    """One DataFrame column as Arrow; a column of mixed Python objects becomes text."""
    import pyarrow as pa

    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return _objects_text(series, path, name)


def _objects_text(series: Any, path: Path, name: str) -> pa.Array:
    """Mixed objects (ids as 123 and '00123', dates beside text) -> text, once per distinct."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists, dicts): rare, and read one by one
        return pa.array([_text(v) for v in series], type=pa.string())
    texts = pa.array([*(_text(v) for v in uniques), ""], type=pa.string())
    return texts.take(pa.array(np.where(codes < 0, len(uniques), codes)))


def _text(value: Any) -> str:
    """One Python or numpy value as a cell's text."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)  # .item() would give nanoseconds as an int
        return "" if value is pd.NaT else cell_text(value)
    if isinstance(value, np.generic):
        value = value.item()  # a numpy scalar -> its Python value
    return cell_text(value)


# ------------------------------------------------------------------------------- to text


def text_array(arr: pa.Array, path: Path, name: str) -> pa.Array:
    """Arrow values -> the text a CSV export would hold; missing values become ''."""
    import pyarrow as pa
    import pyarrow.compute as pc

    typ = arr.type
    if pa.types.is_dictionary(typ):
        words = text_array(arr.dictionary, path, name)
        return pc.fill_null(words.take(arr.indices), "")
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        out = arr
    elif pa.types.is_null(typ):
        out = pa.nulls(len(arr), pa.string())
    elif pa.types.is_boolean(typ):
        out = pc.if_else(arr, "TRUE", "FALSE")
    elif pa.types.is_integer(typ):
        out = pc.cast(arr, pa.string())
    elif pa.types.is_floating(typ):
        out = _float_text(arr)
    elif pa.types.is_timestamp(typ):
        local = pc.local_timestamp(arr) if typ.tz is not None else arr
        out = pc.cast(pc.cast(local, pa.date32()), pa.string())
    elif pa.types.is_date(typ):
        out = pc.cast(arr, pa.string())
    elif pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        try:
            out = pc.cast(arr, pa.string())
        except pa.ArrowInvalid as exc:
            raise InputError(
                f"{path}: column '{name}' holds bytes that are not UTF-8 text. "
                "Decode it to text first."
            ) from exc
    else:  # decimals, times, durations and the rest: once per distinct value
        out = _distinct_text(arr)
    return pc.fill_null(pc.cast(out, pa.string()), "")


def _float_text(arr: pa.Array) -> pa.Array:
    """Floats: whole numbers as integers (a float64 id or count from a column with gaps),
    others as Python writes them, NaN as missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.cast(arr, pa.float64())
    exact = pc.less_equal(pc.abs(values), EXACT_FLOAT)
    whole = pc.fill_null(pc.and_(pc.equal(pc.floor(values), values), exact), False)
    ints = pc.cast(pc.cast(pc.if_else(whole, values, 0.0), pa.int64()), pa.string())
    rest = pc.if_else(whole, pa.scalar(None, pa.float64()), values)
    return pc.if_else(whole, ints, _distinct_text(rest))


def _distinct_text(arr: pa.Array) -> pa.Array:
    """Any Arrow values as text through Python, once per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(arr)
    words = pa.array(
        [None if v is None else _text(v) or None for v in encoded.dictionary.to_pylist()],
        type=pa.string(),
    )
    return words.take(encoded.indices)
