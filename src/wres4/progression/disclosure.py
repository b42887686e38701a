"""Progression under disclosure control (method.md: Disclosure control).

The indicator's rule, applied to each comparison: counts by the NHS rule; the White and BME
rates, the ratio and its interval worked out from the *published* counts of the pair and
published at the first level of the indicator's ladder at which a reader recovers no count;
p-values replaced by a significance flag. Rates and shares that stand alone (the Unknown
group's, the senior rate, the share of senior staff) are attacked the same way over their
own counts. The changes since the first year join two snapshots' hidden counts and are not
published. As with the indicator, rows are attacked one comparison at a time; differences
between rows (all = accessed + not accessed) are not.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wres4.indicator.disclosure import (
    LEVELS,
    SUPPRESSED,
    agrees,
    allowed,
    publishable,
    published_count,
    rounded,
    shown_count,
    significance,
)
from wres4.progression.cohorts import ACCESSED, NOT_ACCESSED
from wres4.progression.model import COMPARISONS
from wres4.progression.tables import RATES
from wres4.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

RESULT_COUNTS = ("in_post", "retained", "banded", "progressed")
SENIOR_COUNTS = ("headcount", "banded", "senior")
WITHHELD = (
    *(f"{name}_{p}" for name in COMPARISONS for p in ("p_value", "p_exact")),
    "senior_rate_change",
    "share_of_senior_change",
)
PLACES = (2, 1)

Counts = tuple[int | None, ...]


def safe_value(
    published: Counts,
    value: Callable[[tuple[int, ...]], float | None],
    possible: Callable[[tuple[int, ...]], bool] = lambda t: True,
) -> float | None:
    """``value`` of the published counts, at the most places (of :data:`PLACES`) at which no
    non-zero count is narrowed to one value by the counts it allows; else None."""
    if any(p is None for p in published):
        return None
    counts = tuple(int(p) for p in published if p is not None)
    shown = value(counts)
    if shown is None:
        return None
    tuples = [t for t in itertools.product(*(allowed(p) for p in counts)) if possible(t)]
    for places in PLACES:
        kept = [t for t in tuples if agrees(value(t), rounded(shown, places), places)]
        if all(len({t[i] for t in kept}) > 1 for i, p in enumerate(counts) if p):
            return rounded(shown, places)
    return None


def _rate(t: tuple[int, ...]) -> float | None:
    return t[0] / t[1] if t[1] else None


def _fits(t: tuple[int, ...]) -> bool:
    return t[0] <= t[1]


def publish(
    results: pd.DataFrame, senior: pd.DataFrame, by: Sequence[str], settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Both tables as published, and what the meta says of it."""
    levels: dict[str, int] = {}
    out = _results(results, by, settings, levels)
    return (
        out,
        _senior(senior, by),
        {
            "rule": "nhs",
            # comparisons published at each level of the indicator's ladder, and withheld
            "comparisons": {lv.name: levels[lv.name] for lv in LEVELS if lv.name in levels}
            | ({"withheld": levels["withheld"]} if "withheld" in levels else {}),
            "withheld_columns": list(WITHHELD),
        },
    )


def _shown(rec: dict[str, Any], names: Sequence[str]) -> Counts:
    return tuple(published_count(int(rec[n])) for n in names)


def _results(
    results: pd.DataFrame, by: Sequence[str], settings: Settings, levels: dict[str, int]
) -> pd.DataFrame:
    import pandas as pd

    from wres4.output.cells import plain_rows

    records = plain_rows(results)
    strata = ["from_year", *by]
    lookup = {(*(r[k] for k in strata), r["group"], r["cpd"]): r for r in records}
    published = []
    for rec in records:
        row = dict(rec) | {name: shown_count(rec[name]) for name in RESULT_COUNTS}
        for name in WITHHELD:
            if name in row:
                row[name] = None
        # small numbers are judged again from the published counts, below
        flags = [f for f in str(rec["flags"] or "").split(";") if f and "small" not in f]
        for name, (events, population) in RATES.items():
            rate = f"{name}_rate"
            if rec["group"] == "Unknown":
                row[rate] = safe_value(_shown(rec, (events, population)), _rate, _fits)
                continue
            white = lookup[(*(rec[k] for k in strata), "White", rec["cpd"])]
            bme = lookup[(*(rec[k] for k in strata), "BME", rec["cpd"])]
            pair = (*_shown(white, (events, population)), *_shown(bme, (events, population)))
            flags += _pair(row, name, pair, settings, levels, rec["group"] == "White")
            row[rate] = row.pop("_likelihood")
        if _has_effect(rec):
            acc = lookup[(*(rec[k] for k in strata), rec["group"], ACCESSED)]
            not_acc = lookup[(*(rec[k] for k in strata), rec["group"], NOT_ACCESSED)]
            pair = (
                *_shown(acc, ("progressed", "banded")),
                *_shown(not_acc, ("progressed", "banded")),
            )
            flags += _pair(row, "cpd_effect", pair, settings, levels, True)
            row.pop("_likelihood")
        if any(row[name] == SUPPRESSED for name in RESULT_COUNTS):
            flags.append("suppressed")
        row["flags"] = ";".join(dict.fromkeys(flags))
        published.append(row)
    return pd.DataFrame(published, columns=results.columns).astype(object)


def _has_effect(rec: dict[str, Any]) -> bool:
    return rec.get("cpd_effect_ratio") is not None or rec.get("cpd_effect_ci_low") is not None


def _pair(
    row: dict[str, Any],
    name: str,
    pair: Counts,
    settings: Settings,
    levels: dict[str, int],
    first: bool,
) -> list[str]:
    """Publish one comparison's ratio and interval on ``row`` (and in ``_likelihood`` the
    row's own rate: the first group's when ``first``); return its significance flag."""
    counts = (pair[0], pair[1], pair[2], pair[3])
    shown, level = publishable(counts, settings)
    key = "withheld" if level is None else level.name
    levels[key] = levels.get(key, 0) + 1
    derived = shown.derived
    row["_likelihood"] = derived["white_likelihood" if first else "bme_likelihood"]
    row[f"{name}_ratio"] = derived["relative_likelihood"]
    row[f"{name}_ci_low"] = derived["ci_low"]
    row[f"{name}_ci_high"] = derived["ci_high"]
    flags = [f"{name}_small_numbers"] if shown.small_numbers or None in counts else []
    if level is None:
        flags.append(f"{name}_withheld")  # the ladder found no safe level
    verdict = significance(counts, settings)
    return [*flags, f"{name}_{verdict}"] if verdict else flags


def _senior(senior: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    from wres4.output.cells import plain_rows

    records = plain_rows(senior)
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault((*(rec[k] for k in by), rec["year"]), []).append(rec)
    published = []
    for rec in records:
        row = dict(rec) | {name: shown_count(rec[name]) for name in SENIOR_COUNTS}
        row["senior_rate"] = safe_value(_shown(rec, ("senior", "banded")), _rate, _fits)
        stratum = groups[(*(rec[k] for k in by), rec["year"])]
        i = stratum.index(rec)
        counts = tuple(published_count(int(r["senior"])) for r in stratum)
        row["share_of_senior"] = safe_value(counts, functools.partial(_share, i=i))
        row["senior_rate_change"] = row["share_of_senior_change"] = None
        published.append(row)
    return pd.DataFrame(published, columns=senior.columns).astype(object)


def _share(t: tuple[int, ...], i: int) -> float | None:
    total = sum(t)
    return t[i] / total if total else None
