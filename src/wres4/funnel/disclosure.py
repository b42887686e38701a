"""Disclosure control for the funnel: the indicator's rule across every section of a period.

method.md: Disclosure control. Counts are published by the NHS rule; rates, relative
likelihoods with their intervals, representation shares and decline-reason shares are
derived from the *published* counts and rounded. The sections of one period share their
counts (applied is a rate's numerator in one place and its denominator in another, and the
shares add the three groups together), so a period is attacked as a whole: a search looks,
for every non-zero count, for a set of true counts the published ones allow that agrees with
every number published for the period and differs on that count. A period where some count
has no such second value is published coarser (:data:`LEVELS`), and one that still gives a
count away has its derived numbers withheld. A search that runs past its budget counts as
giving the count away, so the check errs towards coarser publication.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from wres4.funnel.model import STAGES, FunnelResult, section_rows
from wres4.indicator import stats
from wres4.indicator.disclosure import (
    agrees,
    allowed,
    interval,
    published_count,
    rounded,
    shown_count,
    significance,
)
from wres4.settings import Settings

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Level:
    """Places of the rates and shares, of the ratios (None: no ratio), and the interval."""

    name: str
    rates: int
    ratio: int | None
    interval: bool


LEVELS = (
    Level("rates 2dp, ratios 2dp", 2, 2, True),
    Level("rates 2dp, ratios 1dp", 2, 1, True),
    Level("rates 1dp, ratios 1dp", 1, 1, True),
    Level("rates 1dp, ratios 0dp", 1, 0, True),
    Level("rates 1dp, ratios 1dp, no interval", 1, 1, False),
    Level("rates 1dp, ratios 0dp, no interval", 1, 0, False),
    Level("rates 1dp, no ratios", 1, None, False),
)
COUNTS = ("headcount", "applied", "approved", "declined", "accessed")
RATES = {
    "application_rate": ("applied", "headcount"),
    "approval_rate": ("approved", "applied"),
    "access_rate": ("accessed", "applied"),
}
# What every reader knows of the counts: approved, declined and accessed people applied,
# and attendance implies approval.
ORDER = (
    ("approved", "applied"),
    ("declined", "applied"),
    ("accessed", "applied"),
    ("accessed", "approved"),
)
SHARES = {"share_of_accessed": "accessed", "share_of_workforce": "headcount"}
WITHHELD = ("p_value", "p_exact")
BUDGET = 200_000  # search steps per question before the count counts as given away

Key = tuple[str, ...]


class _OverBudget(Exception):
    pass


@dataclass(frozen=True)
class _Check:
    """A test on some of the counts (by their place in the search), given their values."""

    at: tuple[int, ...]
    ok: Callable[[Sequence[int]], bool]

    def holds(self, values: Sequence[int]) -> bool:
        return self.ok([values[i] for i in self.at])


@dataclass
class Period:
    """One period's counts: the results rows by group and the decline-reason rows."""

    groups: dict[str, dict[str, Any]]  # group -> results row
    reasons: list[dict[str, Any]]

    def counts(self) -> dict[Key, int]:
        out: dict[Key, int] = {}
        for group, row in self.groups.items():
            for name in COUNTS:
                if row.get(name) is not None:
                    out[(group, name)] = int(row[name])
        for row in self.reasons:
            out[(row["group"], "reason", row["reason"])] = int(row["count"])
        return out


def _ratio(a: int, n1: int, c: int, n2: int) -> float | None:
    return a * n2 / (c * n1) if n1 and n2 and c else None


def derived(
    period: Period, shown: dict[Key, int | None], level: Level, settings: Settings
) -> dict[Key, Any]:
    """Every number the period publishes at ``level``, from its published counts."""
    out: dict[Key, Any] = {}
    dp = level.rates
    for group, row in period.groups.items():
        for column, (events, population) in RATES.items():
            e, p = shown.get((group, events)), shown.get((group, population))
            if column in row and e is not None and p:
                out[(group, column)] = rounded(e / p, dp)
    for column, name in SHARES.items():
        parts = [shown.get((g, name)) for g in period.groups]
        known = [v for v in parts if v is not None]
        if known and len(known) == len(parts) and sum(known):  # no share beside a hidden part
            for group, value in zip(period.groups, known, strict=True):
                out[(group, column)] = rounded(value / sum(known), dp)
    for row in period.reasons:
        r, d = shown[(row["group"], "reason", row["reason"])], shown.get((row["group"], "declined"))
        if r is not None and d:
            out[(row["group"], "reason_share", row["reason"])] = rounded(r / d, dp)
    if level.ratio is not None and {"White", "BME"} <= set(period.groups):
        for stage, (events, population, _, _) in STAGES.items():
            four = [shown.get((g, n)) for g in ("White", "BME") for n in (events, population)]
            known = [v for v in four if v is not None]
            if len(known) < 4 or known[0] > known[1] or known[2] > known[3]:
                continue
            a, n1, c, n2 = known
            ratio = _ratio(a, n1, c, n2)
            if ratio is None:
                continue
            low, high = interval(a, n1, c, n2, settings.ci_method, settings.confidence)
            out[("ratio", stage)] = (
                rounded(ratio, level.ratio),
                rounded(low, level.ratio) if level.interval else None,
                rounded(high, level.ratio) if level.interval else None,
            )
    return out


def _ordered(v: Sequence[int]) -> bool:
    return v[0] <= v[1]


def _fraction(v: Sequence[int], value: float, dp: int) -> bool:
    return agrees(v[0] / v[1] if v[1] else None, value, dp)


def _share(v: Sequence[int], i: int, value: float, dp: int) -> bool:
    return agrees(v[i] / sum(v) if sum(v) else None, value, dp)


def _checks(
    period: Period, keys: list[Key], published: dict[Key, Any], level: Level, settings: Settings
) -> list[_Check]:
    at = {k: i for i, k in enumerate(keys)}
    checks: list[_Check] = []

    def add(names: tuple[Key, ...], ok: Callable[[Sequence[int]], bool]) -> None:
        if all(k in at for k in names):
            checks.append(_Check(tuple(at[k] for k in names), ok))

    dp = level.rates
    for group in period.groups:
        for low, high in ORDER:
            add(((group, low), (group, high)), _ordered)
        for column, (events, population) in RATES.items():
            if (value := published.get((group, column))) is not None:
                add(((group, events), (group, population)), partial(_fraction, value=value, dp=dp))
    for column, name in SHARES.items():
        names = tuple((g, name) for g in period.groups)
        for i, group in enumerate(period.groups):
            if (value := published.get((group, column))) is not None:
                add(names, partial(_share, i=i, value=value, dp=dp))
    for row in period.reasons:
        key = (row["group"], "reason", row["reason"])
        declined = (row["group"], "declined")
        add((key, declined), _ordered)
        if (value := published.get((row["group"], "reason_share", row["reason"]))) is not None:
            add((key, declined), partial(_fraction, value=value, dp=dp))
    for stage, (events, population, _, _) in STAGES.items():
        if (shown := published.get(("ratio", stage))) is None:
            continue
        names = tuple((g, n) for g in ("White", "BME") for n in (events, population))
        add(names, partial(_ratio_agrees, shown=shown, level=level, settings=settings))
    return checks


def _ratio_agrees(
    v: Sequence[int], shown: tuple[Any, Any, Any], level: Level, settings: Settings
) -> bool:
    a, n1, c, n2 = v
    if a > n1 or c > n2:
        return False
    places = level.ratio if level.ratio is not None else 0
    if not agrees(_ratio(a, n1, c, n2), shown[0], places):
        return False
    if shown[1] is None and shown[2] is None:
        return True
    low, high = interval(a, n1, c, n2, settings.ci_method, settings.confidence)
    return agrees(low, shown[1], places) and agrees(high, shown[2], places)


def pinned(period: Period, level: Level, settings: Settings) -> list[Key]:
    """The period's non-zero counts that the attack narrows to one value at ``level``."""
    true = period.counts()
    shown = {k: published_count(v) for k, v in true.items()}
    published = derived(period, shown, level, settings)
    keys = list(true)
    domains = [_around(shown[k]) for k in keys]
    checks = _checks(period, keys, published, level, settings)
    last: list[list[_Check]] = [[] for _ in keys]
    for check in checks:
        last[max(check.at)].append(check)
    try:
        first = _solve(domains, last)
    except _OverBudget:
        first = None
    if first is None:
        return [k for k in keys if shown[k] != 0]
    out = []
    for i, key in enumerate(keys):
        if shown[key] == 0:
            continue
        others = [*domains[:i], [v for v in domains[i] if v != first[i]], *domains[i + 1 :]]
        try:
            witness = _solve(others, last)
        except _OverBudget:
            witness = None
        if witness is None:
            out.append(key)
    return out


def _around(shown: int | None) -> list[int]:
    """The true counts ``shown`` allows, nearest first (the search tries likely ones first)."""
    centre = 4 if shown is None else shown
    return sorted(allowed(shown), key=lambda v: (abs(v - centre), v))


def _solve(domains: list[list[int]], last: list[list[_Check]]) -> list[int] | None:
    values = [0] * len(domains)
    steps = 0

    def go(i: int) -> bool:
        nonlocal steps
        if i == len(domains):
            return True
        for value in domains[i]:
            steps += 1
            if steps > BUDGET:
                raise _OverBudget
            values[i] = value
            if all(check.holds(values) for check in last[i]) and go(i + 1):
                return True
        return False

    return list(values) if go(0) else None


def publish(result: FunnelResult, settings: Settings) -> FunnelResult:
    """The funnel as published under disclosure control; meta says what was done."""

    results = section_rows(result.results)
    reasons = section_rows(result.decline_reasons) if result.decline_reasons is not None else []
    periods: dict[str, Period] = {}
    for row in results:
        periods.setdefault(row["period"], Period({}, [])).groups[row["group"]] = row
    for row in reasons:
        periods[row["period"]].reasons.append(row)
    chosen: dict[str, tuple[Level | None, dict[Key, Any], dict[Key, int | None]]] = {}
    tally: dict[str, int] = {}
    for label, period in periods.items():
        shown = {k: published_count(v) for k, v in period.counts().items()}
        level = next((lv for lv in LEVELS if not pinned(period, lv, settings)), None)
        numbers = derived(period, shown, level, settings) if level else {}
        chosen[label] = (level, numbers, shown)
        name = level.name if level else "withheld"
        tally[name] = tally.get(name, 0) + 1

    out_results = []
    for row in results:
        numbers = chosen[row["period"]][1]
        new = {k: shown_count(v) if k in COUNTS else v for k, v in row.items()}
        for column in RATES:
            if column in new:
                new[column] = numbers.get((row["group"], column))
        out_results.append(new)
    out_reasons = [
        {
            **row,
            "count": shown_count(row["count"]),
            "share": chosen[row["period"]][1].get((row["group"], "reason_share", row["reason"])),
        }
        for row in reasons
    ]
    changes: dict[str, Any] = {"results": _frame(out_results, result.results)}
    if result.decline_reasons is not None:
        changes["decline_reasons"] = _frame(out_reasons, result.decline_reasons)
    if result.representation is not None:
        rows = [
            {
                **row,
                **{c: chosen[row["period"]][1].get((row["group"], c)) for c in SHARES},
            }
            for row in section_rows(result.representation)
        ]
        changes["representation"] = _frame(rows, result.representation)
    if result.relative_likelihoods is not None:
        rows = [
            _relative(row, chosen[row["period"]], settings)
            for row in section_rows(result.relative_likelihoods)
        ]
        changes["relative_likelihoods"] = _frame(rows, result.relative_likelihoods)
    if result.targets is not None:
        rows = [_target(row) for row in section_rows(result.targets)]
        changes["targets"] = _frame(rows, result.targets)
    meta = {
        **result.meta,
        "disclosure": {
            "rule": "nhs",
            "periods": {lv.name: tally[lv.name] for lv in LEVELS if lv.name in tally}
            | ({"withheld": tally["withheld"]} if "withheld" in tally else {}),
            "withheld_columns": list(WITHHELD),
        },
    }
    return replace(result, meta=meta, **changes)


def _frame(rows: list[dict[str, Any]], like: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(like.columns)).astype(object)


def _relative(
    row: dict[str, Any],
    chosen: tuple[Level | None, dict[Key, Any], dict[Key, int | None]],
    settings: Settings,
) -> dict[str, Any]:
    from wres4.funnel.tables import not_calculable

    level, numbers, shown = chosen
    new = {**row, **dict.fromkeys(("relative_likelihood", "ci_low", "ci_high", *WITHHELD))}
    events, population, _, _ = STAGES[row["stage"]]
    four = tuple(shown.get((g, n)) for g in ("White", "BME") for n in (events, population))
    kept = [f for f in str(row.get("flags") or "").split(";") if f.startswith("not_calculable:")]
    flags: list[str] = []
    if any("_exceeds_" in f or "no_staff_snapshot" in f for f in kept):
        flags = kept  # nothing is calculated from these counts, true or published
    elif any(v is None for v in four):
        flags = ["small_numbers", "suppressed"]
    else:
        a, n1, c, n2 = (int(v) for v in four if v is not None)
        st = stats.ratio_stats_for(a, n1, c, n2, settings)
        if st.not_calculable:
            flags.append(not_calculable(st.not_calculable, row["stage"]))
        if st.small_numbers:
            flags.append("small_numbers")
        if level is None:
            flags.append("withheld")
        if (verdict := significance((a, n1, c, n2), settings)) is not None:
            flags.append(verdict)
    ratio = numbers.get(("ratio", row["stage"]))
    if ratio is not None:
        new["relative_likelihood"], new["ci_low"], new["ci_high"] = ratio
    new["flags"] = ";".join(flags)
    return new


def _target(row: dict[str, Any]) -> dict[str, Any]:
    """The participants by the NHS rule; met only when every count they allow agrees."""
    shown = published_count(int(row["bme_participants"]))
    verdicts = {value >= int(row["target"]) for value in allowed(shown)}
    return {
        **row,
        "bme_participants": shown_count(row["bme_participants"]),
        "met": verdicts.pop() if len(verdicts) == 1 else None,
    }
