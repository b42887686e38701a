"""Disclosure control that holds: nothing published lets a reader recover a true count.

method.md: Disclosure control. Counts are published by the NHS rule (0 stays 0, 1-7 become
``*``, larger counts go to the nearest 5). Every number published beside them is derived
from the *published* counts, never the true ones, and rounded; then the row is attacked as
a reader would attack it: every tuple of true counts the published counts allow (0 -> 0,
``*`` -> 1..7, R -> R-2..R+2) is recomputed, and the tuples whose derived numbers agree with
what is published are kept. If any non-zero count is left with fewer than two possible
values, the row is published coarser (fewer places, then without the interval, then
without the ratio: :data:`LEVELS`), and a row that still gives a count away has its
derived numbers withheld. p-values become a significance flag, shown
only when every allowed tuple agrees on it; the year-on-year change and the trend, which
join two years' hidden counts, are not published.

Statistics on the true counts are computed as always; only what is published changes. The
rows are few (years x breakdown values), so the tuples (at most 7**4 a row) are enumerated.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wres4.indicator import stats
from wres4.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

SUPPRESSED = "*"


@dataclass(frozen=True)
class Level:
    """How much of a row's derived numbers is published, and to how many places."""

    name: str
    decimals: int  # of the likelihoods
    ratio_decimals: int  # of the ratio and its interval (0: whole numbers)
    columns: tuple[str, ...]


DERIVED = ("white_likelihood", "bme_likelihood", "relative_likelihood", "ci_low", "ci_high")
_NO_INTERVAL = DERIVED[:3]
_LIKELIHOODS = DERIVED[:2]
# Tried in turn until the row gives no count away: precision, then the interval, then the
# ratio give way; a row that still gives one away has them all withheld. A large ratio over
# a small count moves a long way with each count, so it is the ratio's places that go first.
_PLACES = ((2, 2), (2, 1), (1, 1), (2, 0), (1, 0))  # (likelihoods, ratio and interval)
LEVELS = (
    *(Level(f"likelihoods {p}dp, ratio {q}dp", p, q, DERIVED) for p, q in _PLACES),
    *(
        Level(f"likelihoods {p}dp, ratio {q}dp, no interval", p, q, _NO_INTERVAL)
        for p, q in _PLACES
    ),
    Level("likelihoods 2dp only", 2, 2, _LIKELIHOODS),
    Level("likelihoods 1dp only", 1, 1, _LIKELIHOODS),
)
# The counts a row's derived numbers are made of, in ratio_stats order (a, n1, c, n2).
PAIR = ("white_accessed", "white_headcount", "bme_accessed", "bme_headcount")
WITHHELD = (  # never published under disclosure control
    "p_value",
    "p_exact",
    "p_holm",
    "change_vs_previous",
    "change_ci_low",
    "change_ci_high",
    "change_p_value",
)
SIGNIFICANT, NOT_SIGNIFICANT = "significant", "not_significant"


def published_count(count: int) -> int | None:
    """The NHS rule: 0 stays 0, 1-7 are hidden (None), larger counts go to the nearest 5."""
    return stats.disclose(count)


def shown_count(count: Any) -> int | str | None:
    """A count as a published table shows it: by the NHS rule, ``*`` when hidden; a missing
    count stays missing."""
    if count is None:
        return None
    value = published_count(int(count))
    return SUPPRESSED if value is None else value


def allowed(published: int | None) -> range:
    """The true counts a published count allows."""
    if published is None:
        return range(1, 8)
    if published == 0:
        return range(0, 1)
    return range(max(published - 2, 0), published + 3)


def rounded(value: float | None, decimals: int) -> float | None:
    """Half up to ``decimals`` places; a whole number (an int) at 0, so that what is
    printed never shows more places than were kept."""
    if value is None or not math.isfinite(value):
        return None
    shown = stats.round_half_up(value, decimals)
    return int(shown) if decimals == 0 else shown


@dataclass(frozen=True)
class Row:
    """One row's published counts (None = ``*``) and the derived numbers published with them."""

    counts: tuple[int | None, int | None, int | None, int | None]
    derived: dict[str, float | None]
    not_calculable: str | None
    small_numbers: bool


def derive(
    counts: tuple[int | None, int | None, int | None, int | None],
    st: stats.RatioStats | None,
    level: Level,
) -> Row:
    """The derived numbers of a row, from its published counts and ``st``, their statistics
    (None when a count is hidden), as ``level`` publishes them."""
    decimals, places = level.decimals, level.ratio_decimals
    a, n1, c, n2 = counts
    derived: dict[str, float | None] = dict.fromkeys(DERIVED)
    if a is not None and n1:
        derived["white_likelihood"] = rounded(a / n1, decimals)
    if c is not None and n2:
        derived["bme_likelihood"] = rounded(c / n2, decimals)
    if st is not None:
        derived["relative_likelihood"] = rounded(st.ratio, places)
        derived["ci_low"] = rounded(st.ci_low, places)
        derived["ci_high"] = rounded(st.ci_high, places)
    shown = {k: (v if k in level.columns else None) for k, v in derived.items()}
    return Row(
        counts,
        shown,
        st.not_calculable if st else None,
        st.small_numbers if st else False,
    )


@functools.lru_cache(maxsize=65536)
def interval(
    a: int, n1: int, c: int, n2: int, method: str, confidence: float
) -> tuple[float | None, float | None]:
    """Each level of the ladder asks again about the same tuples: worked out once."""
    return stats.ratio_interval(a, n1, c, n2, method=method, confidence=confidence)


def candidates(
    counts: tuple[int | None, int | None, int | None, int | None],
) -> list[tuple[int, int, int, int]]:
    """Every tuple of true counts the published counts allow (accessed never above staff)."""
    a, n1, c, n2 = (allowed(v) for v in counts)
    return [t for t in itertools.product(a, n1, c, n2) if t[0] <= t[1] and t[2] <= t[3]]


def agrees(value: float | None, published: float | None, decimals: int) -> bool:
    """Would ``value``, rounded as published, show as ``published``? Borderline values count
    as disagreeing, so the check errs towards coarser publication."""
    if published is None:
        return True  # a blank constrains nothing that the published counts do not
    if value is None or not math.isfinite(value):
        return False
    return abs(value - published) < 0.5 * 10.0**-decimals - 1e-12


def surviving(row: Row, settings: Settings, level: Level) -> list[tuple[int, int, int, int]]:
    """The allowed tuples whose recomputed derived numbers agree with the published ones,
    read to the places ``level`` keeps."""
    d = row.derived
    decimals, places = level.decimals, level.ratio_decimals
    kept = []
    for a, n1, c, n2 in candidates(row.counts):
        if not agrees(a / n1 if n1 else None, d["white_likelihood"], decimals):
            continue
        if not agrees(c / n2 if n2 else None, d["bme_likelihood"], decimals):
            continue
        ratio = a * n2 / (c * n1) if c and n1 else None
        if not agrees(ratio, d["relative_likelihood"], places):
            continue
        if d["ci_low"] is not None or d["ci_high"] is not None:
            low, high = interval(a, n1, c, n2, settings.ci_method, settings.confidence)
            if not (agrees(low, d["ci_low"], places) and agrees(high, d["ci_high"], places)):
                continue
        kept.append((a, n1, c, n2))
    return kept


def pinned(row: Row, settings: Settings, level: Level) -> list[str]:
    """The counts of the row (by column name) that the attack narrows to one value."""
    kept = surviving(row, settings, level)
    out = []
    for i, name in enumerate(PAIR):
        if row.counts[i] == 0:
            continue  # published as 0: the rule itself shows it
        if len({t[i] for t in kept}) < 2:
            out.append(name)
    return out


def significance(
    counts: tuple[int | None, int | None, int | None, int | None], settings: Settings
) -> str | None:
    """``significant`` or ``not_significant`` at the run's level (score test) when every
    tuple the published ``counts`` (a, n1, c, n2) allow agrees; else None."""
    if None in counts:
        return None  # a hidden count: the ratio's test is not published either
    import numpy as np

    stats.load_statistics()
    from statsmodels.stats.proportion import test_proportions_2indep

    tuples = candidates(counts)
    if not tuples:
        return None
    a, n1, c, n2 = (np.array(column, dtype=float) for column in zip(*tuples, strict=True))
    with np.errstate(all="ignore"):
        p = test_proportions_2indep(
            a, n1, c, n2, compare="ratio", method="score", correction=False
        ).pvalue
    p = np.atleast_1d(np.asarray(p, dtype=float))
    if not np.all(np.isfinite(p)):
        return None
    below = p < 1.0 - settings.confidence
    if below.all():
        return SIGNIFICANT
    if not below.any():
        return NOT_SIGNIFICANT
    return None


def _published_counts(rec: dict[str, Any]) -> tuple[int | None, int | None, int | None, int | None]:
    a, n1, c, n2 = (published_count(int(rec[name])) for name in PAIR)
    return a, n1, c, n2


def publishable(
    counts: tuple[int | None, int | None, int | None, int | None], settings: Settings
) -> tuple[Row, Level | None]:
    """The row at the first level of :data:`LEVELS` that gives no count away, and that
    level; None when none does (its derived numbers are then all withheld)."""
    a, n1, c, n2 = counts
    st = None
    if a is not None and n1 is not None and c is not None and n2 is not None:
        st = stats.ratio_stats_for(a, n1, c, n2, settings)
    for level in LEVELS:
        row = derive(counts, st, level)
        if not pinned(row, settings, level):
            return row, level
    return Row(counts, dict.fromkeys(DERIVED), row.not_calculable, row.small_numbers), None


def publish(table: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table as published under disclosure control, and what the meta should say."""
    from wres4.indicator.result import COUNT_COLUMNS, row_dicts

    records = row_dicts(table)
    out = table.copy()
    for column in (*COUNT_COLUMNS, *DERIVED, *WITHHELD, "flags"):
        if column in out.columns:
            out[column] = out[column].astype(object)
    precision: dict[str, int] = {}
    for i, rec in enumerate(records):
        row, level = publishable(_published_counts(rec), settings)
        hide = level is None
        key = "withheld" if level is None else level.name
        precision[key] = precision.get(key, 0) + 1
        where = out.index[i]
        for column in COUNT_COLUMNS:
            out.at[where, column] = shown_count(rec[column])
        for column in DERIVED:
            out.at[where, column] = row.derived[column]
        for column in WITHHELD:
            if column in out.columns:
                out.at[where, column] = None
        if "in_band" in out.columns:
            ratio = row.derived["relative_likelihood"]
            low, high = settings.band or (0.0, math.inf)
            out.at[where, "in_band"] = None if ratio is None else bool(low <= ratio <= high)
        out.at[where, "flags"] = ";".join(_flags(rec, row, hide, settings))
    meta = {
        "rule": "nhs",
        # how many rows were published at each level of LEVELS, and withheld
        "rows": {level.name: precision[level.name] for level in LEVELS if level.name in precision}
        | ({"withheld": precision["withheld"]} if "withheld" in precision else {}),
        "withheld_columns": [c for c in WITHHELD if c in table.columns],
    }
    return out, meta


def _flags(rec: dict[str, Any], row: Row, hide: bool, settings: Settings) -> list[str]:
    """The row's flags, each decided from what is published."""
    from wres4.indicator.result import COUNT_COLUMNS, unknown_over_limit

    flags = []
    if row.not_calculable:
        flags.append(f"not_calculable:{row.not_calculable}")
    if row.small_numbers or None in row.counts:
        flags.append("small_numbers")
    white, bme, unknown = (
        published_count(int(rec[f"{g}_headcount"])) for g in ("white", "bme", "unknown")
    )
    if (
        white is not None
        and bme is not None
        and unknown is not None
        and unknown_over_limit(white, bme, unknown)
    ):
        flags.append("unknown_over_10pct")
    if any(published_count(int(rec[c])) is None for c in COUNT_COLUMNS):
        flags.append("suppressed")
    if hide:
        flags.append("withheld")
    if (verdict := significance(row.counts, settings)) is not None:
        flags.append(verdict)
    return flags
