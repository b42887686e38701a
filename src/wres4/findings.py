"""Data-quality findings: observations collected on the way, never raised.

A leaf: it imports nothing of the package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
