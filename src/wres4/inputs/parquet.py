"""Parquet files -> tables of text: the schema's names are the header; typed columns are cast
to the text a CSV export would hold (timestamps to their date), missing values to empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from wres4.errors import InputError
from wres4.inputs.filecheck import short_error
from wres4.inputs.source import UNIQUE_ROLES, Source, rename_roles, with_rows

if TYPE_CHECKING:
    import pyarrow as pa

    from wres4.inputs.columns import Columns

BATCH_ROWS = 1 << 20


def header(source: Source, path: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    try:
        return tuple(pq.ParquetFile(path).schema_arrow.names)
    except Exception as exc:
        raise InputError(
            f"{path}: the Parquet file cannot be read ({short_error(exc)}). Export it again."
        ) from exc


def batches(
    source: Source, path: Path, cols: Columns, *, batch_bytes: int, dictionary: bool = False
) -> Iterator[pa.Table]:
    """Batches of one Parquet file, only the columns a role needs (``batch_bytes`` is for
    text files; Parquet is read a row group's worth at a time)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    file_index = source.paths.index(path)
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
        for batch in pf.iter_batches(columns=wanted, batch_size=BATCH_ROWS):
            arrays = []
            for name in batch.schema.names:
                arr = batch.column(name)
                if pa.types.is_timestamp(arr.type):
                    arr = pc.cast(arr, pa.date32())
                arr = pc.fill_null(pc.cast(arr, pa.string()), "")
                encode = dictionary and by_header.get(name) not in UNIQUE_ROLES
                arrays.append(pc.dictionary_encode(arr) if encode else arr)
            table = pa.Table.from_arrays(arrays, names=batch.schema.names)
            table = with_rows(rename_roles(table, cols), row, file_index)
            row += batch.num_rows
            yield table
    except InputError:
        raise
    except (pa.ArrowException, OSError, KeyError, ValueError) as exc:
        raise InputError(
            f"{path}: the Parquet file cannot be read ({short_error(exc)}). Export it again."
        ) from exc
