"""The funnel report's page: each group through the stages, the relative likelihood at each
stage, decline reasons by group, representation against the workforce and programme targets.

Cells come from the funnel's own formatter (:func:`wres4.output.funnel.human`), so the page
shows what the terminal, markdown and workbook show, disclosure control included; charts
draw the same values. Nothing is computed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wres4.output import charts
from wres4.output import funnel as view
from wres4.output.html import Table, about_table, common, group_name, number
from wres4.output.terminal import DISCLOSURE_NOTE, fmt_pct

if TYPE_CHECKING:
    from wres4.funnel.model import FunnelResult

TITLE = "CPD applications by ethnic group: who applies, who is approved, who takes part"
# The stage chart's bars: rate column, stage, what the rate is a share of.
STAGE_RATES = (
    ("application_rate", "Applied", "of staff"),
    ("approval_rate", "Approved", "of applicants"),
    ("access_rate", "Accessed", "of applicants"),
)


def context(result: FunnelResult) -> dict[str, Any]:
    """What sections.html.j2 draws."""
    meta = result.meta
    sections = result.sections()
    absent = meta.get("absent_sections", {})
    parts = []
    for name in view.SHEETS:  # the sections in their fixed order
        title = view.TITLES[name].format(bme=_bme(result))
        if name not in sections:
            parts.append({"name": name, "title": title, "absent": absent.get(name, "")})
            continue
        rows = sections[name]  # an empty section (no declines) has its table but no chart
        parts.append(
            {
                "name": name,
                "title": title,
                "absent": None,
                "chart": CHARTS[name](result, rows) if name in CHARTS and rows else None,
                "table": section_table(result, name),
                "notes": _notes(result, name),
            }
        )
    periods = list(meta["periods"])
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    per = "quarter" if meta["per"] == "quarter" else "financial year"
    return {
        "title": TITLE,
        "subtitle": f"Periods {span}, by {per}." if periods else "",
        **common(result),
        "direction": meta["direction"],
        "parts": parts,
        "method": method(result),
    }


def section_table(result: FunnelResult, name: str) -> Table:
    """A section as the terminal shows it: its visible columns, each cell from ``human``."""
    rows = view.section_table(result, name)
    columns = [c for c in result.tables()[name].columns if c not in view.HIDDEN]
    text = frozenset(i for i, c in enumerate(columns) if view.VIEW[c][1] not in view.NUMERIC)
    return Table(
        view.TITLES[name].format(bme=_bme(result)),
        [view.header(result, c, name) for c in columns],
        [[view.human(result, c, row) for c in columns] for row in rows],
        keys=1,
        text=text,
    )


def stages_chart(result: FunnelResult, rows: list[dict[str, Any]]) -> Any:
    """Per period: each group's rate at each stage (applied per head, then per applicant)."""
    published = "disclosure" in result.meta
    rates = [r for r in STAGE_RATES if r[0] in result.tables()["results"].columns]
    panels = []
    for period in _periods(rows):
        mine = [r for r in rows if r["period"] == period]
        panels.append(
            charts.Panel(
                period,
                [f"{label}\n{of}" for _, label, of in rates],
                [
                    charts.Series(
                        group_name(result, row["group"]),
                        [number(row[rate]) for rate, _, _ in rates],
                        [fmt_pct(row[rate], published) for rate, _, _ in rates],
                    )
                    for row in mine
                ],
            )
        )
    return charts.bars(
        panels, prefix="stages", title="Each group through the stages", ylabel="Share"
    )


def likelihood_chart(result: FunnelResult, rows: list[dict[str, Any]]) -> Any:
    points = [
        charts.Point(
            f"{row['period']} {row['stage']}",
            number(row["relative_likelihood"]),
            number(row.get("ci_low")),
            number(row.get("ci_high")),
            view.human(result, "relative_likelihood", row) or "not calculable",
        )
        for row in rows
    ]
    level = f"{round(float(result.meta['settings']['confidence']) * 100):g}%"
    return charts.forest(
        points,
        prefix="stagerl",
        title="Relative likelihood at each stage",
        xlabel=f"Relative likelihood (White ÷ {_bme(result)}) with {level} CI, log scale",
    )


def declines_chart(result: FunnelResult, rows: list[dict[str, Any]]) -> Any:
    """Per period: each reason's share of each group's declines."""
    published = "disclosure" in result.meta
    panels = []
    for period in _periods(rows):
        mine = [r for r in rows if r["period"] == period]
        reasons = list(dict.fromkeys(str(r["reason"]) for r in mine))
        groups = list(dict.fromkeys(str(r["group"]) for r in mine))
        share = {(str(r["group"]), str(r["reason"])): r["share"] for r in mine}
        series = [
            charts.Series(
                group_name(result, group),
                [number(share.get((group, reason))) for reason in reasons],
                [fmt_pct(share.get((group, reason)), published) for reason in reasons],
            )
            for group in groups
        ]
        panels.append(charts.Panel(period, reasons, series))
    return charts.bars(
        panels,
        prefix="declines",
        title="Decline reasons: share of each group's declines",
        ylabel="Share of the group's declines",
        horizontal=True,
    )


def representation_chart(result: FunnelResult, rows: list[dict[str, Any]]) -> Any:
    published = "disclosure" in result.meta
    panels = []
    for period in _periods(rows):
        mine = [r for r in rows if r["period"] == period]
        series = [
            charts.Series(
                label,
                [number(r[column]) for r in mine],
                [fmt_pct(r[column], published) for r in mine],
            )
            for column, label in (
                ("share_of_accessed", "Share of those who accessed"),
                ("share_of_workforce", "Share of the workforce"),
            )
        ]
        panels.append(charts.Panel(period, [group_name(result, r["group"]) for r in mine], series))
    return charts.bars(
        panels,
        prefix="represent",
        title="Who accessed training against who works here",
        ylabel="Share",
    )


CHARTS = {
    "results": stages_chart,
    "relative_likelihoods": likelihood_chart,
    "decline_reasons": declines_chart,
    "representation": representation_chart,
}


def method(result: FunnelResult) -> Table:
    from wres4.output.workbook import setting_text

    meta = result.meta
    items: list[tuple[str, Any]] = [
        ("Definition", meta["definition"]),
        ("Direction", meta["direction"]),
        ("Periods", f"{meta['per']}: {', '.join(meta['periods'])}"),
        *((f"Snapshot for {p}", d) for p, d in meta["snapshots"].items()),
        *((f"Column: {role}", head) for role, head in meta["columns"].items()),
        ("Targets", setting_text(meta.get("targets") or {})),
    ]
    if "disclosure" in meta:
        items += [
            ("Disclosure control", DISCLOSURE_NOTE),
            (
                "Disclosure: periods published at each level",
                setting_text(meta["disclosure"]["periods"]),
            ),
            ("Disclosure: columns withheld", ", ".join(meta["disclosure"]["withheld_columns"])),
        ]
    return about_table("Method", items)


def _notes(result: FunnelResult, name: str) -> list[str]:
    if name == "results":
        return [view.RESULTS_NOTE]
    if name == "relative_likelihoods":
        return [result.meta["direction"]]
    if name == "targets":
        rows = view.section_table(result, name)
        met = sum(1 for r in rows if r["met"] is True)
        unclear = sum(1 for r in rows if r["met"] is None)
        return [
            f"Targets met: {met} of {len(rows)}"
            + (f" ({unclear} unclear under disclosure control)" if unclear else "")
            + "."
        ]
    return []


def _bme(result: FunnelResult) -> str:
    return str(result.meta["groups"]["bme"])


def _periods(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(str(r["period"]) for r in rows))
