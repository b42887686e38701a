"""Funnel tables from the tidy application rows: counts per stage, rates, relative
likelihoods, decline reasons, representation and programme targets (method.md: Funnel).

Tables have a handful of rows (periods x groups x stages), so loops over periods are fine;
everything over applications is done with pandas group-bys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wres4.findings import Code, Finding
from wres4.funnel.model import COLUMNS, NO_REASON, STAGES
from wres4.settings import GROUP_CODES, GROUPS, Settings

if TYPE_CHECKING:
    import pandas as pd

    from wres4.funnel.log import Log
    from wres4.indicator.staff import Staff


def counts(log: Log, periods: Sequence[int], stages: Sequence[str]) -> pd.DataFrame:
    """Distinct people per (period, group) at each stage; a person counts once per stage."""
    import pandas as pd

    index = pd.MultiIndex.from_product([list(periods), [0, 1, 2]], names=["period", "group"])
    frame = log.frame
    out = pd.DataFrame(index=index)
    for stage in ("applied", *stages):
        sub = frame if stage == "applied" else frame[frame[stage]]
        # One group per person per period (funnel_log._one_group), so (period, person) is enough.
        people = sub.drop_duplicates(["period", "person"])
        n = people.groupby(["period", "group"]).size()
        out[stage] = n.reindex(index, fill_value=0).astype("int64")
    return out


def with_headcount(
    counts: pd.DataFrame, staff: Staff, periods: Sequence[int]
) -> tuple[pd.DataFrame, dict[int, str], list[Finding]]:
    """Headcount per group at the latest snapshot on or before each period's end (no bank),
    the snapshot used for each period, and a note of periods that have none."""
    import pandas as pd

    from wres4.funnel.log import period_end, period_label

    people = staff.people[~staff.people["bank_only"]]
    snapshot_of: dict[int, str] = {}
    values: list[int | None] = []
    missing: list[str] = []
    for key in periods:  # a handful of periods
        usable = [y for y, day in sorted(staff.snapshots.items()) if day <= period_end(key)]
        if not usable:
            values.extend([None, None, None])
            missing.append(period_label(key))
            continue
        year = usable[-1]
        snapshot_of[key] = staff.snapshots[year].isoformat()
        by_group = people.loc[people["year"] == year].groupby("group").size()
        values.extend(int(by_group.get(g, 0)) for g in range(len(GROUPS)))
    findings: list[Finding] = []
    if missing:
        findings.append(
            Code.NO_SNAPSHOT_FOR_PERIOD.finding(
                f"no staff snapshot on or before the end of {', '.join(missing)}; those periods "
                "have no headcount, application rate or representation",
                len(missing),
            )
        )
    out = counts.copy()
    out.insert(0, "headcount", pd.Series(values, index=out.index, dtype="Int64"))
    return out, snapshot_of, findings


def rate(events: pd.Series, population: pd.Series) -> pd.Series:
    import numpy as np

    pop = population.astype("Float64")
    rate = events.astype("Float64") / pop.where(pop > 0)
    return rate.astype("float64").replace([np.inf, -np.inf], np.nan)


def results(counts: pd.DataFrame, stages: Sequence[str]) -> pd.DataFrame:
    from wres4.funnel.log import period_label

    table = counts.reset_index()
    table["period"] = [period_label(k) for k in table["period"]]
    table["group"] = [GROUPS[g] for g in table["group"]]
    if "headcount" in table.columns:
        table["application_rate"] = rate(table["applied"], table["headcount"])
    if stages:
        table["approval_rate"] = rate(table["approved"], table["applied"])
        table["access_rate"] = rate(table["accessed"], table["applied"])
    return table[[c for c in COLUMNS["results"] if c in table.columns]]


def relative(counts: pd.DataFrame, settings: Settings) -> pd.DataFrame | None:
    """White over BME at each stage the inputs allow, per period, with the indicator's
    statistics."""
    import pandas as pd

    from wres4.funnel.log import period_label
    from wres4.indicator.stats import ratio_stats_for

    stages = [s for s, (ev, pop, _, _) in STAGES.items() if {ev, pop} <= set(counts.columns)]
    if not stages:
        return None
    rows: list[dict[str, Any]] = []
    for key in counts.index.get_level_values("period").unique():  # periods x stages: small
        white, bme = counts.loc[(key, 0)], counts.loc[(key, 1)]
        for stage in stages:
            events, population, event_noun, pop_noun = STAGES[stage]
            row: dict[str, Any] = {"period": period_label(key), "stage": stage}
            a, n1, c, n2 = white[events], white[population], bme[events], bme[population]
            if pd.isna(n1) or pd.isna(n2):
                row["flags"] = "not_calculable:no_staff_snapshot"
            elif a > n1 or c > n2:
                row["flags"] = f"not_calculable:{event_noun}_exceeds_{pop_noun}"
            else:
                st = ratio_stats_for(int(a), int(n1), int(c), int(n2), settings)
                flags = [not_calculable(st.not_calculable, stage)] if st.not_calculable else []
                flags += ["small_numbers"] if st.small_numbers else []
                row.update(
                    relative_likelihood=st.ratio,
                    ci_low=st.ci_low,
                    ci_high=st.ci_high,
                    p_value=st.p_value,
                    p_exact=st.p_exact,
                    flags=";".join(flags),
                )
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(COLUMNS["relative_likelihoods"]))
    for name in ("relative_likelihood", "ci_low", "ci_high", "p_value", "p_exact"):
        table[name] = table[name].astype("float64")
    return table


def not_calculable(reason: str, stage: str) -> str:
    """The flag of a stage's ratio that cannot be calculated, in the stage's own words."""
    from wres4.indicator.stats import NO_GROUP1_STAFF, NO_GROUP2_EVENTS, NO_GROUP2_STAFF

    _, _, event_noun, pop_noun = STAGES[stage]
    words = {
        NO_GROUP2_STAFF: f"no_bme_{pop_noun}",
        NO_GROUP1_STAFF: f"no_white_{pop_noun}",
        NO_GROUP2_EVENTS: f"no_bme_{event_noun}",
    }
    return f"not_calculable:{words[reason]}"


def decline_reasons(log: Log, counts: pd.DataFrame) -> pd.DataFrame:
    """Distinct declined people per reason, and their share of the group's declined people."""
    import pandas as pd

    from wres4.funnel.log import period_label

    declined = log.frame.loc[log.frame["declined"], ["period", "group", "person", "reason"]]
    spelling = declined["reason"].astype("string").replace("", NO_REASON)
    declined = declined.assign(reason=spelling, key=spelling.str.casefold())
    # Reasons equal but for case are one; shown in the spelling most people's rows have
    # (ties: the first in sort order), the same in every period.
    shown = (
        declined.drop_duplicates(["person", "reason"])
        .groupby(["key", "reason"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["key", "n", "reason"], ascending=[True, False, True])
        .drop_duplicates("key")
        .set_index("key")["reason"]
    )
    tally = (
        declined.drop_duplicates(["period", "person", "key"])
        .groupby(["period", "group", "key"])
        .size()
        .rename("count")
        .reset_index()
    )
    tally["reason"] = tally["key"].map(shown)
    totals = counts["declined"].rename("total").reset_index()
    tally = tally.merge(totals, on=["period", "group"], how="left")
    tally["share"] = tally["count"] / tally["total"]
    tally = tally.sort_values(
        ["period", "group", "count", "reason"], ascending=[True, True, False, True]
    )
    table = pd.DataFrame(
        {
            "period": [period_label(k) for k in tally["period"]],
            "group": [GROUPS[g] for g in tally["group"]],
            "reason": tally["reason"].astype("object").to_numpy(),
            "count": tally["count"].astype("int64").to_numpy(),
            "share": tally["share"].astype("float64").to_numpy(),
        }
    )
    return table


def representation(counts: pd.DataFrame) -> pd.DataFrame:
    """Each group's share of the people who accessed, against its share of the workforce."""
    from wres4.funnel.log import period_label

    table = counts.reset_index()
    totals = table.groupby("period")[["accessed", "headcount"]].transform("sum", min_count=1)
    table["share_of_accessed"] = rate(table["accessed"], totals["accessed"])
    table["share_of_workforce"] = rate(table["headcount"], totals["headcount"])
    table["period"] = [period_label(k) for k in table["period"]]
    table["group"] = [GROUPS[g] for g in table["group"]]
    return table[list(COLUMNS["representation"])]


def targets(
    log: Log, periods: Sequence[int], goals: Mapping[str, int], where: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """Distinct BME people who accessed each target programme, per period, against its target,
    and a problem naming any programme no application mentions."""
    import pandas as pd

    from wres4.funnel.log import period_label
    from wres4.funnel.status import course_key

    frame = log.frame
    keys = {name: course_key(name) for name in goals}
    bme = frame[
        frame["accessed"]
        & (frame["group"] == GROUP_CODES["BME"])
        & frame["course"].isin(keys.values())
    ]
    bme = bme.drop_duplicates(["period", "course", "person"])
    if any(key % 10 for key in periods):
        # A target is set for the year (method.md: Funnel): a quarter is measured against it
        # on the year to date, people counted once however many quarters they attended.
        tally = _year_to_date(bme, periods)
    else:
        tally = bme.groupby(["period", "course"]).size()
    seen = set(frame["course"].unique().tolist())
    unseen = [name for name, key in keys.items() if key not in seen]
    out: list[Finding] = []
    if unseen:
        out.append(
            Code.TARGET_PROGRAMME_NOT_FOUND.finding(
                f"no application names the programme {', '.join(repr(u) for u in unseen)} "
                f"(--target); check the spelling against column '{log.roles['course']}'",
                len(unseen),
                file=where,
                column=log.roles["course"],
            )
        )
    rows = [
        {
            "period": period_label(key),
            "programme": name,
            "target": goal,
            "bme_participants": int(tally.get((key, keys[name]), 0)),
        }
        for key in periods
        for name, goal in goals.items()
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS["targets"][:-1]))
    table["met"] = table["bme_participants"] >= table["target"]
    return table.astype({"target": "int64", "bme_participants": "int64", "met": "bool"}), out


def _year_to_date(bme: pd.DataFrame, periods: Sequence[int]) -> pd.Series:
    """Distinct people per (quarter, course) from the year's first quarter to that quarter."""
    import pandas as pd

    year = bme["period"] // 10
    quarter = bme["period"] % 10
    counts: dict[tuple[int, object], int] = {}
    for key in periods:
        upto = bme[(year == key // 10) & (quarter <= key % 10)]
        for course, n in (
            upto.drop_duplicates(["course", "person"]).groupby("course").size().items()
        ):
            counts[(key, course)] = int(n)
    index = pd.MultiIndex.from_tuples(list(counts), names=["period", "course"])
    return pd.Series(list(counts.values()), index=index, dtype="int64")
