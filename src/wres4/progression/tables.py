"""Progression tables from the cohort counts: rates, the White/BME relative likelihoods of
retention and progression, the CPD effect, and senior representation (method.md:
Progression).

The tables have a handful of rows (snapshots x groups x cpd levels x breakdown values), so
the statistics are worked out row by row with the indicator's own functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wres4.indicator import stats
from wres4.progression.cohorts import ACCESSED, NOT_ACCESSED
from wres4.progression.model import RESULT_COLUMNS, SENIOR_COLUMNS, STAT_SUFFIXES
from wres4.settings import GROUP_CODES, GROUPS, Settings

if TYPE_CHECKING:
    import pandas as pd

WHITE, BME = GROUP_CODES["White"], GROUP_CODES["BME"]
# rate -> (events, population)
RATES = {"retention": ("retained", "in_post"), "progression": ("progressed", "banded")}
# comparison -> (events, population) of the rates it compares; the CPD effect compares
# progression rates, within one group
MEASURES = {**RATES, "cpd_effect": RATES["progression"]}
NOT_CALCULABLE = {
    stats.NO_GROUP2_STAFF: "no_{second}_{population}",
    stats.NO_GROUP1_STAFF: "no_{first}_{population}",
    stats.NO_GROUP2_EVENTS: "no_{second}_{events}",
}


def rate(events: int, population: int) -> float | None:
    return events / population if population else None


def comparison(
    name: str,
    counts: tuple[int, int, int, int],
    settings: Settings,
    first: str,
    second: str,
) -> tuple[dict[str, Any], list[str]]:
    """``name``'s ratio columns for counts (a, n1, c, n2), and its flags."""
    st = stats.ratio_stats_for(*counts, settings)
    events, population = MEASURES[name]
    cells = {f"{name}_{suffix}": getattr(st, suffix) for suffix in STAT_SUFFIXES}
    if settings.round_ratios:
        for suffix in ("ratio", "ci_low", "ci_high"):
            value = cells[f"{name}_{suffix}"]
            if value is not None:
                cells[f"{name}_{suffix}"] = stats.round_half_up(value, 2)
    flags = []
    if st.not_calculable:
        words = {"first": first, "second": second, "events": events, "population": population}
        flags.append(f"{name}_not_calculable:" + NOT_CALCULABLE[st.not_calculable].format(**words))
    if st.small_numbers:
        flags.append(f"{name}_small_numbers")
    return cells, flags


def results_table(counts: pd.DataFrame, by: Sequence[str], settings: Settings) -> pd.DataFrame:
    """One row per (breakdown value, from_year, group, cpd) with its rates; the White and BME
    rows carry the White/BME ratios of their cpd level, and every row of a group carries
    that group's CPD effect (accessed over not accessed)."""
    import pandas as pd

    records = counts.to_dict("records")
    strata = ["from_year", *by]
    lookup = {_key(r, strata, r["group"], r["cpd"]): r for r in records}
    out = []
    for rec in records:
        row: dict[str, Any] = {k: rec[k] for k in (*by, *RESULT_COLUMNS[:8])}
        row["group"] = GROUPS[int(rec["group"])]
        row["retention_rate"] = rate(rec["retained"], rec["in_post"])
        row["progression_rate"] = rate(rec["progressed"], rec["banded"])
        flags: list[str] = []
        for name, (events, population) in RATES.items():
            cells: dict[str, Any] = dict.fromkeys(f"{name}_{s}" for s in STAT_SUFFIXES)
            if rec["group"] in (WHITE, BME):
                white = lookup[_key(rec, strata, WHITE, rec["cpd"])]
                bme = lookup[_key(rec, strata, BME, rec["cpd"])]
                pair = (white[events], white[population], bme[events], bme[population])
                cells, more = comparison(name, pair, settings, "white", "bme")
                flags += more
            row.update(cells)
        effect: dict[str, Any] = dict.fromkeys(f"cpd_effect_{s}" for s in STAT_SUFFIXES)
        accessed = lookup.get(_key(rec, strata, rec["group"], ACCESSED))
        if accessed is not None:
            neither = lookup[_key(rec, strata, rec["group"], NOT_ACCESSED)]
            pair = (
                accessed["progressed"],
                accessed["banded"],
                neither["progressed"],
                neither["banded"],
            )
            effect, more = comparison("cpd_effect", pair, settings, "accessed", "not_accessed")
            flags += more
        row.update(effect)
        row["flags"] = ";".join(flags)
        out.append(row)
    return pd.DataFrame(out, columns=[*by, *RESULT_COLUMNS])


def _key(rec: Mapping[Any, Any], strata: Sequence[str], group: int, cpd: str) -> tuple[Any, ...]:
    return (*(rec[k] for k in strata), int(group), cpd)


def senior_table(
    counts: pd.DataFrame, by: Sequence[str], snapshots: dict[int, dt.date]
) -> pd.DataFrame:
    """One row per (breakdown value, year, group): the senior rate (senior / banded), the
    group's share of all senior staff, and both changes since the first year."""
    import pandas as pd

    records = counts.to_dict("records")
    totals: dict[tuple[Any, ...], int] = {}
    for rec in records:
        stratum = (*(rec[k] for k in by), rec["year"])
        totals[stratum] = totals.get(stratum, 0) + int(rec["senior"])
    out = []
    first: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rec in records:
        stratum = (*(rec[k] for k in by), rec["year"])
        row: dict[str, Any] = {k: rec[k] for k in by}
        row |= {
            "year": int(rec["year"]),
            "snapshot_date": snapshots[int(rec["year"])].isoformat(),
            "group": GROUPS[int(rec["group"])],
            **{k: int(rec[k]) for k in ("headcount", "banded", "senior")},
            "senior_rate": rate(rec["senior"], rec["banded"]),
            "share_of_senior": rate(rec["senior"], totals[stratum]),
        }
        base = first.setdefault((*(rec[k] for k in by), rec["group"]), row)
        for name in ("senior_rate", "share_of_senior"):
            now, then = row[name], base[name]
            row[f"{name}_change"] = None if now is None or then is None else now - then
        out.append(row)
    return pd.DataFrame(out, columns=[*by, *SENIOR_COLUMNS])
