"""The one result every renderer and writer reads, and the names of its columns.

Compute once, render many: the indicator returns a :class:`Result`; the terminal table, CSV,
JSON, markdown and the workbook only format it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wres4.findings import Finding

if TYPE_CHECKING:
    import pandas as pd

COUNT_COLUMNS: tuple[str, ...] = (
    "white_headcount",
    "white_accessed",
    "bme_headcount",
    "bme_accessed",
    "unknown_headcount",
    "unknown_accessed",
)

BASE_COLUMNS: tuple[str, ...] = (
    "year",
    "period",
    "snapshot_date",
    "white_headcount",
    "white_accessed",
    "white_likelihood",
    "bme_headcount",
    "bme_accessed",
    "bme_likelihood",
    "unknown_headcount",
    "unknown_accessed",
    "relative_likelihood",
)
STATS_COLUMNS: tuple[str, ...] = ("ci_low", "ci_high", "p_value", "p_exact")
TREND_COLUMNS: tuple[str, ...] = (
    "change_vs_previous",
    "change_ci_low",
    "change_ci_high",
    "change_p_value",
)
RESULT_COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, *STATS_COLUMNS, "flags")

LIKELIHOOD_COLUMNS: tuple[str, ...] = ("white_likelihood", "bme_likelihood")
RATIO_COLUMNS: tuple[str, ...] = (
    "relative_likelihood",
    "ci_low",
    "ci_high",
    "change_vs_previous",
    "change_ci_low",
    "change_ci_high",
)
P_COLUMNS: tuple[str, ...] = ("p_value", "p_exact", "p_holm", "change_p_value")

# WRES reports the Unknown share; above this it undermines the comparison: the flag
# unknown_over_10pct and check's warning.
UNKNOWN_SHARE_LIMIT = 0.10


def unknown_over_limit(white: int, bme: int, unknown: int) -> bool:
    """Do more than a tenth of a row's staff have Unknown ethnicity (``unknown_over_10pct``)?"""
    total = white + bme + unknown
    return bool(total) and unknown / total > UNKNOWN_SHARE_LIMIT


DIRECTION_SENTENCE = (
    "A relative likelihood above 1.00 means White staff are more likely than {bme} staff to "
    "access non-mandatory training and CPD; 1.00 means equal; below 1.00 means {bme} staff "
    "are more likely."
)


@dataclass(frozen=True)
class Result:
    """Indicator 4 for every reporting year, with what was found on the way."""

    table: pd.DataFrame
    meta: dict[str, Any]
    findings: tuple[Finding, ...] = ()
    trend: dict[str, Any] | None = None
    by: tuple[str, ...] = field(default=())

    @property
    def overall(self) -> pd.DataFrame:
        """The rows for the whole organisation (no breakdown)."""
        if not self.by:
            return self.table
        mask = self.table[list(self.by)].isna().all(axis=1)
        return self.table[mask]


def row_dicts(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a result table as plain dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]
