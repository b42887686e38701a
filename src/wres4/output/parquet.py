"""The indicator as Parquet: the result table with proper column types."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wres4.indicator.result import Result
from wres4.output.cells import plain


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
