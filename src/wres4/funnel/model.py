"""The funnel's model: sections, their columns, the stages and the result every writer reads.

A leaf of the funnel stage, so that the log, the tables and the run all import it and not
each other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from wres4.findings import Finding

if TYPE_CHECKING:
    import pandas as pd


PERS = ("year", "quarter")


SECTIONS = ("results", "relative_likelihoods", "decline_reasons", "representation", "targets")


COLUMNS: dict[str, tuple[str, ...]] = {
    "results": (
        "period",
        "group",
        "headcount",
        "applied",
        "approved",
        "declined",
        "accessed",
        "application_rate",
        "approval_rate",
        "access_rate",
    ),
    "relative_likelihoods": (
        "period",
        "stage",
        "relative_likelihood",
        "ci_low",
        "ci_high",
        "p_value",
        "p_exact",
        "flags",
    ),
    "decline_reasons": ("period", "group", "reason", "count", "share"),
    "representation": ("period", "group", "share_of_accessed", "share_of_workforce"),
    "targets": ("period", "programme", "target", "bme_participants", "met"),
}


OUTCOME_STAGES = ("approved", "declined", "accessed")


# stage -> (events, population, what the events are called, what the population is called)
STAGES: dict[str, tuple[str, str, str, str]] = {
    "application": ("applied", "headcount", "applied", "staff"),
    "approval": ("approved", "applied", "approved", "applicants"),
    "access": ("accessed", "applied", "accessed", "applicants"),
}


NO_REASON = "(none recorded)"


NO_TARGETS: Mapping[str, int] = MappingProxyType({})


DEFINITION = (
    "CPD application monitoring: distinct people per group and period who applied (an "
    "application dated in the period), were approved (an approval decision, or attendance, "
    "which implies one), were declined, and accessed (attended or completed). "
    "approval_rate = approved / applied; access_rate = accessed / applied; "
    "application_rate = applied / headcount at the latest staff snapshot on or before the "
    "period's end."
)


DIRECTION = (
    "A relative likelihood above 1.00 means White staff are more likely than {bme} staff to "
    "pass that stage (application: to apply, per head of staff; approval: to be approved, per "
    "applicant; access: to attend or complete, per applicant); 1.00 means equal; below 1.00 "
    "means {bme} staff are more likely."
)


@dataclass(frozen=True)
class FunnelResult:
    """Every table of one funnel run; a section that the inputs cannot give is None."""

    results: pd.DataFrame
    meta: dict[str, Any]
    relative_likelihoods: pd.DataFrame | None = None
    decline_reasons: pd.DataFrame | None = None
    representation: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    findings: tuple[Finding, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The sections present, in their fixed order."""
        out: dict[str, pd.DataFrame] = {}
        for name in SECTIONS:
            table = getattr(self, name)
            if table is not None:
                out[name] = table
        return out

    def sections(self) -> dict[str, list[dict[str, Any]]]:
        """Each present section's rows as plain Python values (None for missing numbers)."""
        return {name: section_rows(table) for name, table in self.tables().items()}


def section_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    from wres4.output.cells import plain_rows

    return plain_rows(table)
