"""CPD application monitoring (method.md: Funnel): applied -> approved -> accessed, by ethnic group.

``funnel`` reads an application log (and optionally the staff extract), counts distinct
people at each stage per group and period, and returns one :class:`FunnelResult` that the
terminal view and every writer only format. Stages: ``applied`` (an application dated in the
period), ``approved`` (an approval decision, or attendance, which implies one), ``declined``
and ``accessed`` (attended/completed, method.md: Accessed). The relative likelihood at each stage is
White over BME, with the indicator's statistics, so under-application can be told apart from unequal
decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wres4 import __version__
from wres4.errors import ColumnError, ConfigError
from wres4.findings import Finding
from wres4.funnel.model import DEFINITION, DIRECTION, NO_TARGETS, OUTCOME_STAGES, PERS, FunnelResult
from wres4.inputs.readers import check_sheet, describe_inputs, input_items, open_source
from wres4.settings import Settings

if TYPE_CHECKING:
    from wres4.funnel.log import Log
    from wres4.indicator.staff import Staff
    from wres4.inputs.source import Input, Inputs, Source

__all__ = ["funnel"]


def funnel(
    applications: Inputs,
    *,
    staff: Inputs = (),
    per: str = "year",
    targets: Mapping[str, int] = NO_TARGETS,
    settings: Settings | None = None,
    as_at: dt.date | None = None,
) -> FunnelResult:
    """Monitor CPD applications by ethnic group: stages, rates, relative likelihoods,
    decline reasons, representation and programme targets. ``applications`` and ``staff``
    each take file paths or in-memory tables (a pandas DataFrame or a pyarrow Table, or a
    list of them), read by the same rules.

    >>> result = funnel(["applications.csv"], staff=["staff.csv"], per="quarter")  # doctest: +SKIP
    >>> result.sections()["relative_likelihoods"]  # doctest: +SKIP
    """
    from wres4.funnel import tables
    from wres4.funnel.log import period_range, read_log

    settings = settings or Settings()
    if per not in PERS:
        raise ConfigError(f"per={per!r}: periods are 'year' or 'quarter'.")
    goals = _goals({**settings.targets, **targets})
    source = open_source(
        applications, "application log", sheet=settings.sheet, encoding=settings.encoding
    )
    staff_items = input_items(staff)
    people, staff_source = (
        _load_staff(staff_items, settings, as_at) if staff_items else (None, None)
    )
    check_sheet([source, *([staff_source] if staff_source else [])], settings.sheet, "--sheet")
    log = read_log(source, per, settings, people)
    findings = [*(people.findings if people else ()), *log.findings]
    where = source.names[0]
    if goals and not (log.has_course and log.has_outcomes):
        raise ColumnError(
            f"{where}: --target needs a course or programme column (e.g. 'Programme') and a "
            "decision or attendance column (e.g. 'Outcome'); columns used: "
            f"{', '.join(repr(h) for h in log.roles.values())}."
        )
    periods = period_range(sorted(set(log.frame["period"].tolist())))
    stages = OUTCOME_STAGES if log.has_outcomes else ()
    counts = tables.counts(log, periods, stages)
    snapshots: dict[int, str] = {}
    if people is not None:
        counts, snapshots, notes = tables.with_headcount(counts, people, periods)
        findings.extend(notes)
    results = tables.results(counts, stages)
    absent: dict[str, str] = {}
    rl = tables.relative(counts, settings)
    if rl is None:
        absent["relative_likelihoods"] = "needs --staff or a decision/attendance column"
    reasons = None
    if log.has_reasons:
        reasons = tables.decline_reasons(log, counts)
    else:
        absent["decline_reasons"] = "needs a decline reason and a decision/status column"
    representation = None
    if people is not None and log.has_outcomes:
        representation = tables.representation(counts)
    else:
        absent["representation"] = "needs --staff and a decision/attendance column"
    target_table = None
    if goals:
        target_table, problems = tables.targets(log, periods, goals, where)
        findings.extend(problems)
    else:
        absent["targets"] = "needs --target NAME=N"
    inputs = describe_inputs([source, *([staff_source] if staff_source else [])])
    meta = _meta(settings, per, goals, log, inputs, snapshots, periods, findings, absent)
    result = FunnelResult(
        results=results,
        meta=meta,
        relative_likelihoods=rl,
        decline_reasons=reasons,
        representation=representation,
        targets=target_table,
        findings=tuple(findings),
    )
    if settings.disclosure == "nhs":
        from wres4.funnel.disclosure import publish

        result = publish(result, settings)
    return result


def _goals(targets: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, value in targets.items():
        if not str(name).strip():
            raise ConfigError("a programme target needs a programme name, e.g. 'Ready Now=5'.")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"target for '{name}': {value!r} is not a whole number >= 0.")
        out[str(name).strip()] = value
    return out


def _load_staff(
    staff: Sequence[Input], settings: Settings, as_at: dt.date | None = None
) -> tuple[Staff, Source]:
    from wres4.indicator.compute import STAFF_ROLES
    from wres4.indicator.staff import load_staff
    from wres4.inputs.columns import resolve_columns

    source = open_source(staff, "staff extract", sheet=settings.sheet, encoding=settings.encoding)
    columns = resolve_columns(
        source,
        STAFF_ROLES,
        required=("person_id", "ethnicity"),
        explicit=dict(settings.columns.get("staff", {})),
    )
    return load_staff(source, columns, settings, as_at=as_at), source


def _meta(
    settings: Settings,
    per: str,
    goals: Mapping[str, int],
    log: Log,
    inputs: list[dict[str, Any]],
    snapshots: Mapping[int, str],
    periods: Sequence[int],
    findings: Sequence[Finding],
    absent: Mapping[str, str],
) -> dict[str, Any]:
    from wres4.funnel.log import period_label

    stages = ["applied", *(OUTCOME_STAGES if log.has_outcomes else ())]
    return {
        "tool": "wres4",
        "version": __version__,
        "command": "funnel",
        "definition": DEFINITION,
        "direction": DIRECTION.format(bme=settings.bme_label),
        "per": per,
        "periods": [period_label(k) for k in periods],
        "groups": {"white": "White", "bme": settings.bme_label, "unknown": "Unknown"},
        "stages": stages,
        "columns": dict(log.roles),
        "snapshots": {period_label(k): d for k, d in snapshots.items()},
        "targets": dict(goals),
        "absent_sections": dict(absent),
        "settings": settings.as_meta(),
        "inputs": inputs,
        "findings": [f.as_dict() for f in findings],
    }
