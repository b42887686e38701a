"""The Source type: one logical input (files of one kind, or in-memory tables) with its
headers, and the shape every reader hands back.

Every reader yields pyarrow tables whose columns are named by *role* (``person_id``,
``ethnicity``, ...) and hold the cell text as a file would have it, plus ``_row`` (the
spreadsheet row number, header = 1) and ``_file`` (the position of the file or table in the
source). A leaf of the inputs stage: columns and every reader use it, so it lives apart."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from wres4.errors import InputError
from wres4.findings import Code, Finding

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from wres4.inputs.columns import Columns


# What a library call takes for each input: a file path or an in-memory table, or a list.
# (Annotations only: pandas and pyarrow are not imported to define them.)
Input: TypeAlias = "str | os.PathLike[str] | pd.DataFrame | pa.Table | pa.RecordBatch"
Inputs: TypeAlias = "Input | Sequence[Input]"

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


# Columns whose values are nearly all distinct: dictionary-encoding them costs more than it saves.
UNIQUE_ROLES = frozenset({"person_id"})


@dataclass
class Source:
    """One logical input: one or more files of one kind, or in-memory tables, with their
    headers resolved. A table is keyed by its name (``staff table``) where a file is keyed by
    its path, so messages name it where they would name a file."""

    label: str
    paths: list[Path]
    fmt: str
    sheet: str | None = None
    encoding: str | None = None
    delimiters: dict[Path, str] = field(default_factory=dict)
    encodings: dict[Path, str] = field(default_factory=dict)
    headers: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    # Physical lines up to and including the header row of each text file.
    skips: dict[Path, int] = field(default_factory=dict)
    # Data rows handed out so far, per file (for the data-quality audit).
    rows_read: dict[Path, int] = field(default_factory=dict)
    # Each workbook's chosen sheet, read once: (rows from the header on, header's row number).
    sheets: dict[Path, tuple[list[list[Any]], int]] = field(default_factory=dict)
    # In-memory inputs (``fmt == "table"``): each table's columns as text, by its name.
    tables: dict[Path, pa.Table] = field(default_factory=dict)
    # Cells longer than a spreadsheet cell can hold, per (file, role): first row, longest
    # value and how many such cells (method.md: Data quality).
    long_fields: dict[tuple[Path, str], tuple[int, int, int]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [str(p) for p in self.paths]

    @property
    def in_memory(self) -> bool:
        return self.fmt == "table"

    @property
    def where(self) -> str:
        """What messages name: the one file (or table), or the input's label for several."""
        return self.names[0] if len(self.paths) == 1 else self.label


def data_files(directory: Path) -> list[Path]:
    """The data files in a directory, by name; not Office lock files (~$) or hidden ones."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file()
        and p.suffix.lower() in FORMATS_BY_SUFFIX
        and not p.name.startswith(("~$", "."))
    )


def expand_paths(paths: Sequence[Path], label: str) -> list[Path]:
    """Files named directly, and the data files inside any directory named."""
    out: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: file not found. Check the path given for the {label}.")
        if path.is_dir():
            found = data_files(path)
            if not found:
                raise InputError(
                    f"{path}: the directory holds no CSV, TSV, Excel or Parquet files."
                )
            out.extend(found)
        elif not path.is_file():
            raise InputError(f"{path}: not a regular file. Give a data file or a directory.")
        else:
            out.append(path)
    return out


def rows_read_finding(source: Source) -> Finding:
    """How many data rows each file of a source gave (a fact for the audit, not a problem)."""
    counts = [(str(p), int(source.rows_read.get(p, 0))) for p in source.paths]
    total = sum(n for _, n in counts)
    if len(counts) == 1:
        message = f"{source.label}: {total:,} rows read from {counts[0][0]}"
    else:
        listing = ", ".join(f"{Path(name).name} {n:,}" for name, n in counts)
        message = f"{source.label}: {total:,} rows read from {len(counts)} files ({listing})"
    return Code.ROWS_READ.finding(
        message,
        total,
        file=counts[0][0] if len(counts) == 1 else source.label,
        values=tuple(counts),
    )


def with_rows(table: pa.Table, start: int, file_index: int) -> pa.Table:
    """Append ``_row`` (spreadsheet row numbers from ``start``) and ``_file``."""
    import numpy as np

    rows = np.arange(start, start + table.num_rows, dtype=np.int64)
    table = table.append_column("_row", numeric_array(rows))
    return table.append_column(
        "_file", numeric_array(np.full(table.num_rows, file_index, dtype=np.int32))
    )


def numeric_array(values: np.ndarray) -> pa.Array:
    """A numpy array of numbers or booleans as a pyarrow array, built from its buffer.

    ``pa.array`` would first import pandas to check for a pandas object, on whichever
    thread calls it first: while the staff file is parsed, that import is better left to
    the thread that needs pandas next (method.md: Performance).
    """
    import numpy as np
    import pyarrow as pa

    if values.ndim != 1:
        raise ValueError(f"one column of numbers is a 1-d array, not {values.ndim}-d")
    # Contiguous, aligned and in this machine's byte order, as pyarrow's buffers are.
    native = values.astype(values.dtype.newbyteorder("="), copy=False)
    values = np.require(native, requirements=["C", "A"])
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def rename_roles(table: pa.Table, cols: Columns) -> pa.Table:
    """Keep the columns that play a role (read by position ``c0``.. or by header) and name
    them by role; a column may play two (a breakdown by the pay band role's column)."""
    import pyarrow as pa

    names = table.column_names
    arrays, roles = [], []
    for role, index in cols.index.items():
        for name in (f"c{index}", cols.roles.get(role)):
            if name in names:
                arrays.append(table.column(names.index(name)))
                roles.append(role)
                break
    # With no role to read, pyarrow reads every column: keep none of them, only the rows.
    if not roles:
        return table.select([])
    return pa.Table.from_arrays(arrays, names=roles)


def cell_text(value: Any) -> str:
    """A typed cell (Excel, a DataFrame) as the text a CSV export would hold: whole numbers
    without '.0', dates in ISO form, TRUE/FALSE, and an empty cell for a missing value."""
    import datetime as dt
    from decimal import Decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(float(value)) if value == value else ""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "" if value.is_nan() else str(value)
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Excel's limit on one cell; a longer value is almost always several rows run together by an
# unclosed quote, so it is read but reported.
LONG_FIELD = 32_767


def note_long_fields(source: Source, path: Path, table: pa.Table) -> None:
    """Record cells of ``table`` (one batch of ``path``) longer than :data:`LONG_FIELD`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    for role in table.column_names:
        if role == "_row":
            continue
        column = table.column(role)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            if not pa.types.is_dictionary(column.type):
                continue
            # Distinct values first: the decoded column is built only when one is long. (One
            # call over every chunk's values: a staff file parsed whole has hundreds.)
            value_type = column.type.value_type
            values = pa.chunked_array([c.dictionary for c in column.chunks], value_type)
            longest = pc.max(pc.binary_length(values)).as_py() or 0
            if longest <= LONG_FIELD:
                continue
            column = column.cast(pa.large_string())
        lengths = pc.fill_null(pc.binary_length(column), 0).to_numpy()
        over = np.flatnonzero(lengths > LONG_FIELD)
        if not len(over):
            continue
        rows = table.column("_row").to_numpy()
        first_row, longest_now = int(rows[over[0]]), int(lengths[over].max())
        row, longest, count = source.long_fields.get((path, role), (first_row, 0, 0))
        source.long_fields[(path, role)] = (row, max(longest, longest_now), count + len(over))


def long_field_findings(source: Source, columns: Mapping[Path, Columns]) -> list[Finding]:
    """One problem per (file, column) holding a cell longer than a spreadsheet cell."""
    out: list[Finding] = []
    for (path, role), (row, longest, count) in source.long_fields.items():
        header = columns[path].roles.get(role, role) if path in columns else role
        cells = "a value" if count == 1 else f"{count:,} values"
        out.append(
            Code.LONG_FIELD.finding(
                f"{path}: column '{header}' holds {cells} longer than a spreadsheet cell can "
                f"hold (first row {row}: {longest:,} characters); read as it is, but check the "
                "export: an unclosed quote can run many rows into one field",
                count,
                file=str(path),
                column=header,
                rows=(row,),
            )
        )
    return out
