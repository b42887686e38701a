"""Data-quality findings: observations collected on the way, never raised.

A leaf: it imports nothing of the package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Finding:
    """One data-quality observation, collected rather than raised."""

    code: str
    message: str
    count: int
    file: str | None = None
    column: str | None = None
    rows: tuple[int, ...] = ()
    values: tuple[tuple[str, int], ...] = ()
    problem: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "file": self.file,
            "column": self.column,
            "rows": list(self.rows),
            "values": [{"value": v, "count": n} for v, n in self.values],
            "problem": self.problem,
        }


# The tidy findings table library users get and ``wres4 check -f json`` emits, one row a
# finding, in this column order.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "code",
    "severity",
    "file",
    "column",
    "rows",
    "count",
    "message",
)


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """The findings as a DataFrame with :data:`FINDINGS_COLUMNS`; ``rows`` is a
    ``;``-separated list of example row numbers (empty when none)."""
    import pandas as pd

    records = [
        {
            "code": f.code,
            "severity": "problem" if f.problem else "note",
            "file": f.file,
            "column": f.column,
            "rows": ";".join(str(r) for r in f.rows),
            "count": f.count,
            "message": f.message,
        }
        for f in findings
    ]
    return pd.DataFrame.from_records(records, columns=list(FINDINGS_COLUMNS)).astype(
        {"count": "int64"}
    )
