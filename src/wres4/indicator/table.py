"""Counts per year (and breakdown value) -> the canonical result table.

Adds likelihoods, the relative likelihood with its interval and tests, flags, the
year-on-year change, the trend, Holm-adjusted p-values for breakdowns, the practical band,
disclosure control (see wres4.indicator.disclosure) and publication rounding. The table
has a handful of rows, so a loop over rows is fine here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wres4.indicator import disclosure, stats
from wres4.indicator.result import (
    BASE_COLUMNS,
    RATIO_COLUMNS,
    STATS_COLUMNS,
    TREND_COLUMNS,
    row_dicts,
    unknown_over_limit,
)
from wres4.periods import period_label
from wres4.settings import Settings

if TYPE_CHECKING:
    import pandas as pd


def _likelihood(accessed: int, headcount: int) -> float | None:
    return accessed / headcount if headcount else None


def build_table(
    counts: pd.DataFrame,
    snapshots: dict[int, dt.date],
    by: Sequence[str],
    settings: Settings,
) -> tuple[pd.DataFrame, dict[str, Any] | None, dict[str, Any] | None]:
    """The result table (one row per year, or per year x breakdown value), the trend, and
    what disclosure control did (None without it)."""
    import pandas as pd

    counts = counts.copy()
    for name in by:
        if name not in counts.columns:
            counts[name] = None
    counts["_dim"] = -1
    for i, name in enumerate(by):
        counts.loc[counts[name].notna(), "_dim"] = i
    counts = counts.sort_values(["year", "_dim", *by], kind="stable", na_position="first")
    rows: list[dict[str, Any]] = []
    for rec in row_dicts(counts):
        rows.append(_row(rec, snapshots, by, settings))
    table = pd.DataFrame(rows)
    series_keys = ["_dim", *by]
    multi_year = counts["year"].nunique() >= 2
    if multi_year:
        _add_changes(table, series_keys, settings)
    if by:
        _add_holm(table, by)
    if settings.band is not None:
        low, high = settings.band
        table["in_band"] = [
            None if r is None or pd.isna(r) else bool(low <= r <= high)
            for r in table["relative_likelihood"]
        ]
    trend = _trend(table, settings) if multi_year else None
    published: dict[str, Any] | None = None
    if settings.disclosure == "nhs":
        # Counts by the NHS rule, and nothing beside them that gives one away; the trend
        # joins years of hidden counts and is not published (method.md: Disclosure control).
        table, published = disclosure.publish(table, settings)
        trend = None
    if settings.round_ratios and published is None:  # disclosure has rounded already
        for col in RATIO_COLUMNS:
            if col in table.columns:
                table[col] = [
                    None if v is None or pd.isna(v) else stats.round_half_up(float(v), 2)
                    for v in table[col]
                ]
    order = [
        *by,
        *BASE_COLUMNS,
        *STATS_COLUMNS,
        *(TREND_COLUMNS if multi_year else ()),
        *(("p_holm",) if by else ()),
        *(("in_band",) if settings.band is not None else ()),
        "flags",
    ]
    table = table[order].reset_index(drop=True)
    return table, trend, published


def _row(
    rec: dict[str, Any], snapshots: dict[int, dt.date], by: Sequence[str], settings: Settings
) -> dict[str, Any]:
    year = int(rec["year"])
    a, n1 = int(rec["white_accessed"]), int(rec["white_headcount"])
    c, n2 = int(rec["bme_accessed"]), int(rec["bme_headcount"])
    st = stats.ratio_stats_for(a, n1, c, n2, settings)
    flags: list[str] = []
    if st.not_calculable:
        flags.append(f"not_calculable:{st.not_calculable}")
    if st.small_numbers:
        flags.append("small_numbers")
    unknown = int(rec["unknown_headcount"])
    if unknown_over_limit(n1, n2, unknown):
        flags.append("unknown_over_10pct")
    snapshot = snapshots.get(year) or dt.date(year, settings.snapshot_month, settings.snapshot_day)
    row: dict[str, Any] = {name: rec[name] for name in by}
    row.update(
        {
            "_dim": rec["_dim"],
            "_counts": (a, n1, c, n2),
            "year": year,
            "period": period_label(year, snapshot, settings.window_months),
            "snapshot_date": snapshot,
            "white_headcount": n1,
            "white_accessed": a,
            "white_likelihood": _likelihood(a, n1),
            "bme_headcount": n2,
            "bme_accessed": c,
            "bme_likelihood": _likelihood(c, n2),
            "unknown_headcount": unknown,
            "unknown_accessed": int(rec["unknown_accessed"]),
            "relative_likelihood": st.ratio,
            "ci_low": st.ci_low,
            "ci_high": st.ci_high,
            "p_value": st.p_value,
            "p_exact": st.p_exact,
            "flags": ";".join(flags),
        }
    )
    return row


def _series(table: pd.DataFrame, keys: Sequence[str]) -> list[list[int]]:
    """Row positions of each series (the overall rows, or one breakdown value), by year."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, rec in enumerate(table[list(keys)].itertuples(index=False)):
        groups.setdefault(tuple(rec), []).append(i)
    return [sorted(rows, key=lambda r: int(table["year"].iloc[r])) for rows in groups.values()]


def _add_changes(table: pd.DataFrame, keys: Sequence[str], settings: Settings) -> None:
    values: dict[str, list[float | None]] = {c: [None] * len(table) for c in TREND_COLUMNS}
    for rows in _series(table, keys):
        for prev, cur in itertools.pairwise(rows):
            # The previous year, not the previous row: a gap in the years has no change.
            if int(table["year"].iloc[cur]) - int(table["year"].iloc[prev]) != 1:
                continue
            ch = stats.change_stats(
                table["_counts"].iloc[prev],
                table["_counts"].iloc[cur],
                confidence=settings.confidence,
            )
            values["change_vs_previous"][cur] = ch.change
            values["change_ci_low"][cur] = ch.ci_low
            values["change_ci_high"][cur] = ch.ci_high
            values["change_p_value"][cur] = ch.p_value
    for col, vals in values.items():
        table[col] = vals


def _add_holm(table: pd.DataFrame, by: Sequence[str]) -> None:
    """Holm-adjust p-values within each breakdown (one family per year and column)."""
    adjusted: list[float | None] = [None] * len(table)
    for dim in range(len(by)):
        for year in table["year"].unique():
            rows = [
                i
                for i in range(len(table))
                if table["_dim"].iloc[i] == dim and table["year"].iloc[i] == year
            ]
            raw = [table["p_value"].iloc[i] for i in rows]
            for i, p in zip(rows, stats.holm([_num(p) for p in raw]), strict=True):
                adjusted[i] = p
    table["p_holm"] = adjusted


def _num(value: Any) -> float | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else float(value)


def _trend(table: pd.DataFrame, settings: Settings) -> dict[str, Any] | None:
    overall = table[table["_dim"] == -1].sort_values("year")
    rows = [(int(y), *c) for y, c in zip(overall["year"], overall["_counts"], strict=True)]
    result = stats.trend(rows, confidence=settings.confidence)
    if result is None:
        return None
    return {
        "per_year": result.per_year,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
        "years": list(result.years),
        "method": "weighted least squares of ln(relative likelihood) on year, weights 1/Katz "
        "variance, fixed scale",
    }
