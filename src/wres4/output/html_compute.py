"""The compute report's page: headline, trend, both groups, the table, breakdowns as forest
plots, data quality and method.

Every number is formatted by the helpers the terminal and markdown use
(:mod:`wres4.output.terminal`, :func:`wres4.output.text.human_table`), so the page shows
what the other views show, disclosure control included; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

from wres4.indicator.result import Result, row_dicts
from wres4.output import charts
from wres4.output.html import Table, about_table, common, number
from wres4.output.terminal import (
    DISCLOSURE_NOTE,
    fmt_count,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    footnotes,
    is_missing,
    is_published,
    ratio_cell,
    reason_text,
)
from wres4.output.text import human_table

TITLE = "WRES indicator 4: relative likelihood of accessing non-mandatory training and CPD"


def context(result: Result) -> dict[str, Any]:
    """What compute.html.j2 draws."""
    meta = result.meta
    bme = meta["groups"]["bme"]
    published = is_published(result)
    level = f"{round(meta['settings']['confidence'] * 100):g}%"
    overall = row_dicts(result.overall)
    head, rows = human_table(result, overall)
    by = result.by
    # Columns only breakdown rows fill (p Holm) are left out of the whole-organisation table.
    shown = [i for i in range(len(by), len(head)) if i < len(by) + 2 or any(r[i] for r in rows)]
    overall_table = Table(
        "Indicator 4 by reporting year",
        [head[i] for i in shown],
        [[cells[i] for i in shown] for cells in rows],
    )
    direction = meta["direction"]
    notes = [n for n in footnotes(result) if n != direction]  # the headline has it
    points = [_point(row, bme, published) for row in overall]
    periods = [str(row["period"]) for row in overall]
    return {
        "title": TITLE,
        "subtitle": _span(periods),
        **common(result),
        "headline": headline(result, overall, level),
        "direction": direction,
        "trend_chart": charts.ratio_trend(
            points,
            prefix="trend",
            title="Relative likelihood by reporting year",
            level=level,
            ylabel=f"Relative likelihood (White ÷ {bme})",
        ),
        "groups_chart": charts.group_lines(
            periods,
            [
                charts.Series(
                    name,
                    [number(row[f"{prefix}_likelihood"]) for row in overall],
                    [fmt_pct(row[f"{prefix}_likelihood"], published) for row in overall],
                )
                for prefix, name in (("white", "White"), ("bme", bme))
            ],
            prefix="groups",
            title="Likelihood of accessing non-mandatory training and CPD",
            ylabel="Share of the group's staff",
        ),
        "results": overall_table,
        "notes": notes,
        "breakdowns": breakdowns(result, level),
        "unknown": unknown_table(result, overall),
        "method": method(result),
    }


def headline(result: Result, overall: list[dict[str, Any]], level: str) -> dict[str, Any]:
    """The latest year's ratio with its interval, both groups, and the change on the year
    before."""
    bme = result.meta["groups"]["bme"]
    published = is_published(result)
    row = overall[-1]
    value = row.get("relative_likelihood")
    if is_missing(value):
        ratio = ratio_cell(row, bme, published) or "not calculable"
        reason = reason_text(str(row.get("flags") or ""), bme) or ""
        interval = reason.removeprefix("not calculable: ")
    else:
        ratio = fmt_ratio(value, published)
        low, high = (fmt_ratio(row.get(k), published) for k in ("ci_low", "ci_high"))
        interval = f"{level} CI {low or '…'}–{high or '∞'}" if low or high else ""
    groups = [
        (name, fmt_pct(row[f"{prefix}_likelihood"], published) or "–", _of(row, prefix))
        for prefix, name in (("white", "White"), ("bme", bme))
    ]
    return {
        "period": row["period"],
        "ratio": ratio,
        "interval": interval,
        "groups": groups,
        "change": change_sentence(result, overall, level),
    }


def change_sentence(result: Result, overall: list[dict[str, Any]], level: str) -> str:
    bme = result.meta["groups"]["bme"]
    published = is_published(result)
    if len(overall) < 2:
        return "There is no earlier year in this report to compare with."
    row, before = overall[-1], overall[-2]
    earlier = (
        f"Compared with {before['period']}, when it was "
        f"{ratio_cell(before, bme, published).removesuffix(' *') or 'not calculable'}"
    )
    change = row.get("change_vs_previous")
    if published:
        return f"{earlier}: the year-on-year change is not published under disclosure control."
    if is_missing(change):
        return f"{earlier}: the change cannot be worked out (a ratio is not calculable)."
    low, high = fmt_ratio(row.get("change_ci_low")), fmt_ratio(row.get("change_ci_high"))
    return (
        f"{earlier}, the ratio changed by × {fmt_ratio(change)} ({level} CI {low}–{high}, "
        f"p = {fmt_p(row.get('change_p_value'))})."
    )


def breakdowns(result: Result, level: str) -> list[dict[str, Any]]:
    """One forest plot a breakdown column, for the latest year, and the table of every
    breakdown row."""
    if not result.by:
        return []
    bme = result.meta["groups"]["bme"]
    published = is_published(result)
    rows = row_dicts(result.table)
    overall = row_dicts(result.overall)
    latest = overall[-1]["year"] if overall else None
    out = []
    head, cells = human_table(result, rows)
    for index, name in enumerate(result.by):
        mine = [r for r in rows if not is_missing(r[name]) and r["year"] == latest]
        if not mine:
            continue
        all_staff = [r for r in overall if r["year"] == latest]
        points = [
            *(_point(row, bme, published, "All staff") for row in all_staff),
            *(_point(row, bme, published, str(row[name])) for row in mine),
        ]
        period = mine[0]["period"]
        keep = [i for i, r in enumerate(rows) if not is_missing(r[name])]
        columns = [index, *range(len(result.by), len(head))]
        table = Table(
            f"By {name}, every year",
            [head[i] for i in columns],
            [[cells[k][i] for i in columns] for k in keep],
            keys=2,
        )
        out.append(
            {
                "name": name,
                "period": period,
                "chart": charts.forest(
                    points,
                    prefix=f"by{index}",
                    title=f"Relative likelihood by {name}, {period}",
                    xlabel=f"Relative likelihood (White ÷ {bme}) with {level} CI, log scale",
                ),
                "table": table,
            }
        )
    return out


def unknown_table(result: Result, overall: list[dict[str, Any]]) -> Table:
    """Staff of unknown ethnicity by year; their share only of true counts (a share of
    rounded ones, read as true, would pin the count: method.md, Disclosure control)."""
    published = is_published(result)
    heads = ["Year", "Unknown staff"] + ([] if published else ["Share of all staff"])
    rows = []
    for row in overall:
        counts = [row[f"{g}_headcount"] for g in ("white", "bme", "unknown")]
        line = [str(row["period"]), fmt_count(row["unknown_headcount"])]
        if not published:
            total = sum(int(n) for n in counts)
            line.append(fmt_pct(int(counts[2]) / total) if total else "")
        rows.append(line)
    return Table("Staff with unknown ethnicity (left out of both likelihoods)", heads, rows)


def method(result: Result) -> Table:
    meta = result.meta
    items: list[tuple[str, Any]] = [
        ("Definition and formula", meta["definition"]),
        ("Direction", meta["direction"]),
        ("Input form", meta["form"]),
        ("Snapshot dates", "; ".join(f"{y}: {d}" for y, d in meta["snapshots"].items())),
        ("Breakdown by", ", ".join(meta["by"])),
        ("Trend method", (result.trend or {}).get("method")),
    ]
    if "disclosure" in meta:
        from wres4.output.workbook import setting_text

        items += [
            ("Disclosure control", DISCLOSURE_NOTE),
            ("Disclosure: rows published at each level", setting_text(meta["disclosure"]["rows"])),
            ("Disclosure: columns withheld", ", ".join(meta["disclosure"]["withheld_columns"])),
        ]
    return about_table("Method", items)


def _point(
    row: dict[str, Any], bme: str, published: bool, label: str | None = None
) -> charts.Point:
    """A ratio to draw: on the trend (no ``label``) printed bare, its band drawn; in a
    forest plot (``label``) printed with its interval, as the table prints it."""
    value = row.get("relative_likelihood")
    return charts.Point(
        label=str(row["period"]) if label is None else label,
        value=number(value),
        low=number(row.get("ci_low")),
        high=number(row.get("ci_high")),
        text=(
            fmt_ratio(value, published)
            if not is_missing(value) and label is None
            else ratio_cell(row, bme, published).removesuffix(" *")
        ),
    )


def _span(periods: list[str]) -> str:
    if not periods:
        return ""
    if len(periods) == 1:
        return f"Reporting year {periods[0]}."
    return f"Reporting years {periods[0]} to {periods[-1]}."


def _of(row: dict[str, Any], prefix: str) -> str:
    return f"{fmt_count(row[f'{prefix}_accessed'])} of {fmt_count(row[f'{prefix}_headcount'])}"
