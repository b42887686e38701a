"""The progression report's page: who stays and who moves up, the White/BME relative
likelihoods of each, the CPD effect, and each group's share of senior staff over the years.

Every cell comes from the progression views the terminal and markdown use
(:func:`wres4.output.progression.views`), so the page shows what they show, disclosure
control included; the charts draw the same values. Nothing is computed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wres4.output import charts
from wres4.output import progression as view
from wres4.output.html import Table, about_table, common, group_name, number
from wres4.output.terminal import DISCLOSURE_NOTE, fmt_pct, is_missing
from wres4.periods import period_name

if TYPE_CHECKING:
    from wres4.progression.model import ProgressionResult

TITLE = "Does CPD lead anywhere? Retention, progression and senior staff by ethnic group"


def context(result: ProgressionResult) -> dict[str, Any]:
    """What sections.html.j2 draws."""
    meta = result.meta
    parts: list[dict[str, Any]] = []
    charts_of = {
        "results": _progression_chart,
        "ratios": _ratio_chart,
        "senior": _senior_chart,
    }
    for table in view.views(result, list(view.SECTIONS)):
        draw = charts_of.get(table.name)
        parts.append(
            {
                "name": table.name,
                "title": table.title,
                "absent": None,
                "chart": draw(result) if draw else None,
                "table": Table(table.title, table.heads, table.cells, keys=table.lead),
                "notes": [table.note] if table.note else [],
            }
        )
    years = list(meta["snapshots"])
    return {
        "title": TITLE,
        "subtitle": (
            f"Staff snapshots {', '.join(meta['snapshots'].values())}; each snapshot's "
            "headcount followed to the next."
            if years
            else ""
        ),
        **common(result),
        "direction": meta["direction"],
        "parts": parts,
        "method": method(result),
    }


def _overall(result: ProgressionResult, section: str) -> list[dict[str, Any]]:
    rows = result.sections()[section]
    return [r for r in rows if all(is_missing(r.get(name)) for name in result.by)]


def _lines(
    result: ProgressionResult, rows: list[dict[str, Any]], year: str, column: str
) -> tuple[list[str], list[charts.Series]]:
    """Periods (from ``year``) and each group's ``column`` over them, as the tables print it."""
    published = "disclosure" in result.meta
    years = list(dict.fromkeys(int(r[year]) for r in rows))
    series = []
    for group in dict.fromkeys(r["group"] for r in rows):
        mine = {int(r[year]): r[column] for r in rows if r["group"] == group}
        values = [mine.get(y) for y in years]
        series.append(
            charts.Series(
                group_name(result, group),
                [number(v) for v in values],
                [fmt_pct(v, published) for v in values],
            )
        )
    return [period_name(y) for y in years], series


def _progression_chart(result: ProgressionResult) -> Any:
    """Each group's progression rate (cohorts of all staff) by cohort year."""
    rows = [r for r in _overall(result, "results") if r["cpd"] == "all"]
    labels, series = _lines(result, rows, "from_year", "progression_rate")
    return charts.group_lines(
        labels,
        series,
        prefix="progress",
        title="Progression: share of staff banded at both snapshots who moved up a band",
        ylabel="Progressed ÷ banded",
    )


def _ratio_chart(result: ProgressionResult) -> Any:
    """The White/BME ratio of retention and of progression for each cohort and CPD level."""
    rows = [r for r in _overall(result, "results") if r["group"] == "White"]
    published = "disclosure" in result.meta
    points = []
    for row in rows:
        for name in ("retention", "progression"):
            label = f"{period_name(int(row['from_year']))} {view.CPD_NAMES[row['cpd']]} {name}"
            points.append(
                charts.Point(
                    label,
                    number(row[f"{name}_ratio"]),
                    number(row[f"{name}_ci_low"]),
                    number(row[f"{name}_ci_high"]),
                    view.ratio_text(row, name, published),
                )
            )
    level = f"{round(float(result.meta['settings']['confidence']) * 100):g}%"
    return charts.forest(
        points,
        prefix="progrl",
        title="Relative likelihood of retention and progression",
        xlabel=f"Relative likelihood (White ÷ {group_name(result, 'BME')}) with {level} CI, "
        "log scale",
    )


def _senior_chart(result: ProgressionResult) -> Any:
    """Each group's share of senior staff at each snapshot."""
    labels, series = _lines(result, _overall(result, "senior"), "year", "share_of_senior")
    return charts.group_lines(
        labels,
        series,
        prefix="senior",
        title=f"Share of senior staff ({result.meta['senior_band']} and above) by group",
        ylabel="Share of senior staff",
    )


def method(result: ProgressionResult) -> Table:
    from wres4.output.workbook import setting_text

    meta = result.meta
    items: list[tuple[str, Any]] = [
        ("Definition", meta["definition"]),
        ("Direction", meta["direction"]),
        ("Input form", meta["form"]),
        *((f"Snapshot {period_name(int(y))}", d) for y, d in meta["snapshots"].items()),
        ("Bands, lowest first", ", ".join(meta["bands"])),
        ("Senior band", meta["senior_band"]),
        ("Breakdown by", ", ".join(meta["by"])),
    ]
    if "disclosure" in meta:
        items += [
            ("Disclosure control", DISCLOSURE_NOTE),
            (
                "Disclosure: comparisons published at each level",
                setting_text(meta["disclosure"]["comparisons"]),
            ),
            ("Disclosure: columns withheld", ", ".join(meta["disclosure"]["withheld_columns"])),
        ]
    return about_table("Method", items)
