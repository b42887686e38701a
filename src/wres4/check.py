"""``wres4 check``: a data-quality audit of the inputs, run on the same pipeline as compute.

The audit reads the files once, through :func:`wres4.indicator.compute`, and reports what the
pipeline found on the way (the :class:`~wres4.findings.Finding` list) plus the Unknown-ethnicity
share of every year. A *problem* is anything that changes who is counted or could make the
figure wrong; notes are facts worth knowing. Nothing here prints: the command line renders
:func:`render_text` or :func:`render_json`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wres4.findings import Code, Finding, finding_records
from wres4.indicator.result import UNKNOWN_SHARE_LIMIT
from wres4.output.cells import input_name
from wres4.settings import Settings

if TYPE_CHECKING:
    from wres4.inputs.source import Inputs

# Facts for the audit that compute need not repeat on stderr.
AUDIT_FACTS = frozenset({"rows_read", "people_in_post"})
# How many example values a text report lists under a finding.
SHOWN_VALUES = 10


@dataclass(frozen=True)
class YearSummary:
    """Who is in post in one reporting year, by group."""

    year: int
    period: str
    snapshot_date: str
    white: int
    bme: int
    unknown: int
    bank_excluded: int
    in_post: int | None = None  # distinct people in the snapshot, bank-only staff included

    @property
    def people(self) -> int:
        """People counted: White, BME and Unknown (bank-only staff excluded)."""
        return self.white + self.bme + self.unknown

    @property
    def unknown_share(self) -> float | None:
        return self.unknown / self.people if self.people else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "period": self.period,
            "snapshot_date": self.snapshot_date,
            "white_headcount": self.white,
            "bme_headcount": self.bme,
            "unknown_headcount": self.unknown,
            "unknown_share": self.unknown_share,
            "bank_excluded": self.bank_excluded,
            "people_in_snapshot": self.in_post,
        }


@dataclass(frozen=True)
class Audit:
    """What ``wres4 check`` found: per-year headcounts and every finding, problems first."""

    years: tuple[YearSummary, ...]
    findings: tuple[Finding, ...]
    meta: dict[str, Any]

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.problem)

    @property
    def notes(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.problem)

    @property
    def clean(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "summary": {"clean": self.clean, "problems": len(self.problems)},
            "years": [y.as_dict() for y in self.years],
            # The findings table (the same rows as wres4.findings_table), then the full
            # detail of each finding, problems and notes apart.
            "findings": finding_records(self.findings),
            "problems": [f.as_dict() for f in self.problems],
            "notes": [f.as_dict() for f in self.notes],
        }


def audit(
    data: Inputs,
    *,
    training: Inputs = (),
    as_at: dt.date | None = None,
    settings: Settings | None = None,
    today: dt.date | None = None,
) -> Audit:
    """Audit the inputs of ``wres4 compute`` without computing anything new. ``data`` and
    ``training`` take file paths or in-memory tables, as :func:`wres4.compute` does.

    >>> report = audit(["staff.csv"], training=["training.csv"])  # doctest: +SKIP
    >>> report.clean, [f.code for f in report.problems]  # doctest: +SKIP
    """
    from wres4.indicator.compute import compute

    settings = settings or Settings()
    result = compute(data, training=training, as_at=as_at, settings=settings, today=today)
    bank = {int(y): int(n) for y, n in (result.meta.get("bank_excluded") or {}).items()}
    in_post = {day: n for f in result.findings if f.code == "people_in_post" for day, n in f.values}
    years = tuple(
        YearSummary(
            year=int(row["year"]),
            period=str(row["period"]),
            snapshot_date=_iso(row["snapshot_date"]),
            white=int(row["white_headcount"]),
            bme=int(row["bme_headcount"]),
            unknown=int(row["unknown_headcount"]),
            bank_excluded=bank.get(int(row["year"]), 0),
            in_post=in_post.get(_iso(row["snapshot_date"])),
        )
        for row in result.overall.to_dict("records")
    )
    findings = list(result.findings)
    findings.extend(_unknown_share(years))
    if not any(f.code == "no_group_staff" for f in findings):
        findings.extend(_empty_groups(years, settings.bme_label))
    rows = {file: n for f in result.findings if f.code == "rows_read" for file, n in f.values}
    meta = {
        "tool": result.meta.get("tool", "wres4"),
        "version": result.meta.get("version"),
        "form": result.meta.get("form"),
        # A table's entry already counts its rows; a file's gets them from the reader.
        "inputs": [
            {**item, "rows": rows.get(str(item["file"]))} if "file" in item else dict(item)
            for item in result.meta.get("inputs", [])
        ],
        "conflict_rule": _conflict_rule(),
        "unknown_share_limit": UNKNOWN_SHARE_LIMIT,
        "settings": result.meta.get("settings", settings.as_meta()),
    }
    ordered = sorted(findings, key=lambda f: not f.problem)  # stable: problems first
    return Audit(years=years, findings=tuple(ordered), meta=meta)


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _conflict_rule() -> str:
    from wres4.indicator.staff import CONFLICT_RULE

    return CONFLICT_RULE


def _unknown_share(years: Sequence[YearSummary]) -> list[Finding]:
    over = [
        y for y in years if y.unknown_share is not None and y.unknown_share > UNKNOWN_SHARE_LIMIT
    ]
    if not over:
        return []
    shown = ", ".join(f"{y.period} {_pct(y.unknown_share)}" for y in over)
    return [
        Code.UNKNOWN_OVER_10PCT.finding(
            f"more than {UNKNOWN_SHARE_LIMIT:.0%} of staff have Unknown ethnicity ({shown}); "
            "they are left out of both likelihoods, so the comparison may not be "
            "representative. Map unrecognised labels in wres4.toml, or improve recording",
            sum(y.unknown for y in over),
            values=tuple((y.period, y.unknown) for y in over),
        )
    ]


def _empty_groups(years: Sequence[YearSummary], bme_label: str) -> list[Finding]:
    """Years with no White or no BME staff (aggregate input, where no staff file says so)."""
    empty = [
        (f"{y.year} {name}", 0)
        for y in years
        for name, n in (("White", y.white), (bme_label, y.bme))
        if n == 0
    ]
    if not empty:
        return []
    return [
        Code.NO_GROUP_STAFF.finding(
            "no staff in "
            + ", ".join(f"{v.split(' ', 1)[1]} in {v.split(' ', 1)[0]}" for v, _ in empty)
            + ": the relative likelihood is not calculable there",
            len(empty),
            values=tuple(empty),
        )
    ]


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


# ------------------------------------------------------------------------------------ renderers


def render_json(report: Audit, section: str | None = None) -> str:
    """The audit as a JSON document (the same facts as the text report)."""
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_text(report: Audit, section: str | None = None) -> str:
    """The audit for people: inputs, who is in post each year, problems, then notes."""
    lines = ["wres4 check: data-quality audit", ""]
    inputs = report.meta.get("inputs") or []
    if inputs:
        lines.append("Inputs")
        width = max(len(input_name(item)) for item in inputs)
        for item in inputs:
            rows = item.get("rows")
            counted = f"{rows:,} rows" if rows is not None else ""
            lines.append(f"  {_printable(input_name(item)).ljust(width)}  {counted}".rstrip())
        lines.append("")
    if report.years:
        lines += _years_table(report.years, str(report.meta["settings"].get("bme_label", "BME")))
        lines.append("")
    notes = tuple(f for f in report.notes if f.code not in AUDIT_FACTS)  # shown above
    for title, items in (("Problems", report.problems), ("Notes", notes)):
        if not items:
            continue
        lines.append(f"{title} ({len(items)})")
        for finding in items:
            lines += _finding_lines(finding)
        lines.append("")
    n = len(report.problems)
    if n:
        lines.append(
            f"{n} problem{'s' if n != 1 else ''} found (exit code 3). Fix them in the extracts "
            "or in wres4.toml, then run wres4 check again."
        )
    else:
        lines.append("No problems found.")
    return "\n".join(lines) + "\n"


def _years_table(years: Sequence[YearSummary], bme: str) -> list[str]:
    head = (
        "Year",
        "Snapshot",
        "People",
        "Bank-only",
        "Counted",
        "White",
        bme,
        "Unknown",
        "Unknown %",
    )
    rows = [
        (
            y.period,
            y.snapshot_date,
            "" if y.in_post is None else f"{y.in_post:,}",
            f"{y.bank_excluded:,}",
            f"{y.people:,}",
            f"{y.white:,}",
            f"{y.bme:,}",
            f"{y.unknown:,}",
            _pct(y.unknown_share) + (" !" if (y.unknown_share or 0) > UNKNOWN_SHARE_LIMIT else ""),
        )
        for y in years
    ]
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        out = [
            str(c).ljust(w) if i < 2 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + "  ".join(out).rstrip()

    return [
        f"Staff in post (people in each snapshot; bank-only staff are not counted; "
        f"Unknown over {UNKNOWN_SHARE_LIMIT:.0%} is marked !)",
        line(head),
        *(line(r) for r in rows),
    ]


def _finding_lines(finding: Finding) -> list[str]:
    lines = [f"  - [{finding.code}] {finding.message}."]
    where = []
    if finding.file:
        where.append(f"file {finding.file}")
    if finding.column:
        where.append(f"column '{finding.column}'")
    if finding.rows:
        where.append("rows " + ", ".join(map(str, finding.rows)))
    if where:
        lines.append("      " + "; ".join(where))
    if finding.values and finding.code not in AUDIT_FACTS:
        shown = finding.values[:SHOWN_VALUES]
        for value, count in shown:
            lines.append(f"      {_printable(value)}" + (f"  ({count:,})" if count else ""))
        if len(finding.values) > SHOWN_VALUES:
            lines.append(f"      ... (-f json lists {len(finding.values):,})")
    return lines


def _printable(text: str) -> str:
    """Input text made safe for a terminal: control characters shown, never obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
