"""Progression's model: its sections, their columns, and the result every writer reads.

A leaf of the progression stage, so that the counting, the tables and the run all import it
and not each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wres4.findings import Finding

if TYPE_CHECKING:
    import pandas as pd

SECTIONS = ("results", "senior")

# The statistics of one comparison, as column suffixes: retention_ratio, retention_ci_low...
STAT_SUFFIXES = ("ratio", "ci_low", "ci_high", "p_value", "p_exact")
COMPARISONS = ("retention", "progression", "cpd_effect")

RESULT_COLUMNS: tuple[str, ...] = (
    "from_year",
    "to_year",
    "group",
    "cpd",
    "in_post",
    "retained",
    "banded",
    "progressed",
    "retention_rate",
    "progression_rate",
    *(f"{name}_{suffix}" for name in COMPARISONS for suffix in STAT_SUFFIXES),
    "flags",
)
SENIOR_COLUMNS: tuple[str, ...] = (
    "year",
    "snapshot_date",
    "group",
    "headcount",
    "banded",
    "senior",
    "senior_rate",
    "senior_rate_change",
    "share_of_senior",
    "share_of_senior_change",
)

DEFINITION = (
    "Progression: the people counted in the headcount at a snapshot (bank-only excluded), in "
    "their group at that snapshot, followed to the next snapshot. retained = counted in the "
    "headcount again; banded = retained and on an Agenda for Change band at both; progressed "
    "= banded and on a higher band. retention_rate = retained / in_post; progression_rate = "
    "progressed / banded. cpd: accessed = counted in the indicator's numerator for the first "
    "year (non-mandatory training in its window), not_accessed = not, all = both. senior = "
    "banded at {senior} or above."
)

DIRECTION = (
    "A relative likelihood above 1.00 means White staff are more likely than {bme} staff to "
    "stay (retention: in post again at the next snapshot) or to move up (progression: on a "
    "higher band at the next snapshot, among staff banded at both); 1.00 means equal; below "
    "1.00 means {bme} staff are more likely."
)
EFFECT_NOTE = (
    "A CPD effect above 1.00 means that, within the group, those who accessed CPD were more "
    "likely to move up a band than those who did not; 1.00 means equal."
)


@dataclass(frozen=True)
class ProgressionResult:
    """Cohort results and senior representation, with what was found on the way."""

    results: pd.DataFrame
    senior: pd.DataFrame
    meta: dict[str, Any]
    findings: tuple[Finding, ...] = ()
    by: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Both sections, in their fixed order."""
        return {"results": self.results, "senior": self.senior}

    def sections(self) -> dict[str, list[dict[str, Any]]]:
        """Each section's rows as plain Python values (None for missing numbers)."""
        from wres4.output.cells import plain_rows

        return {name: plain_rows(table) for name, table in self.tables().items()}
