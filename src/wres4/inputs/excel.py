"""Excel workbooks -> tables of text, through python-calamine.

The chosen sheet (the first unless ``--sheet`` names one) is read once, from its first
non-empty row, which is the header. Cells become the text a CSV export would hold, and rows
keep the numbers Excel shows beside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wres4.errors import InputError
from wres4.inputs.filecheck import short_error
from wres4.inputs.source import Source, cell_text

if TYPE_CHECKING:
    import pyarrow as pa

    from wres4.inputs.columns import Columns


def header(source: Source, path: Path) -> tuple[str, ...]:
    rows, _ = _sheet(source, path)
    if not rows:
        which = f"sheet '{source.sheet}'" if source.sheet else "first sheet"
        raise InputError(
            f"{path}: the {which} is empty. Choose the sheet that holds the data with --sheet."
        )
    return tuple(cell_text(v) for v in rows[0])


def batches(
    source: Source, path: Path, cols: Columns, *, batch_bytes: int, dictionary: bool = False
) -> Iterator[pa.Table]:
    """The sheet as one table (a workbook is read whole anyway)."""
    yield _table(source, path, cols)


def _sheet(source: Source, path: Path) -> tuple[list[list[Any]], int]:
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
            f"{path}: the workbook cannot be read ({short_error(exc)}). "
            "Open it in Excel and save it again."
        ) from exc
    skipped = 0
    while skipped < len(rows) and all(cell_text(v).strip() == "" for v in rows[skipped]):
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


def _table(source: Source, path: Path, cols: Columns) -> pa.Table:
    import pyarrow as pa

    rows, header_row = _sheet(source, path)
    # The sheet is read once; let it go once its table is built.
    source.sheets[path] = (rows[:1], header_row)
    # Rows left empty inside the used area (formatting, deleted data) are not records.
    numbered = [
        (header_row + 1 + i, r) for i, r in enumerate(rows[1:]) if any(cell_text(v) for v in r)
    ]
    arrays = {
        role: pa.array(
            [cell_text(r[index]) if index < len(r) else "" for _, r in numbered],
            type=pa.string(),
        )
        for role, index in cols.index.items()
    }
    arrays["_row"] = pa.array([n for n, _ in numbered], type=pa.int64())
    arrays["_file"] = pa.array([source.paths.index(path)] * len(numbered), type=pa.int32())
    return pa.table(arrays)
