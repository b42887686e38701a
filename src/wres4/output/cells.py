"""Cells for spreadsheets and JSON: plain values, and text that is never run as a formula.

A leaf: every writer uses it; it imports nothing of the package."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# Text from the input that a spreadsheet would run as a formula (method.md: Formula safety).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise text a spreadsheet would treat as a formula by prefixing an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def plain(value: Any) -> Any:
    """A cell as a JSON-ready value: None for missing, ISO dates, Python numbers."""
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def cell_text(value: Any) -> str:
    """A CSV/TSV cell: plain numbers, empty for missing, text neutralised for spreadsheets."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


def input_name(item: Mapping[str, Any]) -> str:
    """What an entry of ``meta["inputs"]`` is called: its file, or the in-memory table's
    name (``staff[0]``) when the input was a DataFrame or a pyarrow Table."""
    return str(item.get("file", item.get("table", "")))


def plain_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as plain Python values (None for missing numbers)."""
    import pandas as pd

    return [
        {str(k): None if v is pd.NA else plain(v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]
