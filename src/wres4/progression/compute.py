"""The progression library call: staff snapshots (and training) -> cohorts -> statistics.

``progression`` reads the staff extract by the indicator's rules (columns, ethnicity, bank,
snapshots, one row per person and snapshot), adds each person's highest pay band, follows
each snapshot's headcount to the next, and returns a
:class:`~wres4.progression.model.ProgressionResult` that every output format renders
(method.md: Progression).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wres4.errors import ColumnError, DataError
from wres4.findings import EXAMPLES, Code, Finding
from wres4.inputs.columns import ROLE_ALIASES, header_key
from wres4.inputs.readers import check_sheet, describe_inputs, input_items, open_source
from wres4.periods import period_name
from wres4.progression.bands import BandOrder
from wres4.progression.model import DEFINITION, DIRECTION, ProgressionResult
from wres4.settings import Settings
from wres4.text import clip, count_people

if TYPE_CHECKING:
    import pandas as pd

    from wres4.inputs.source import Inputs, Source

__all__ = ["progression"]

# A breakdown by any of these is a breakdown by each person's band (method.md: Bands).
BAND_HEADERS = frozenset(header_key(h) for h in ("pay_band", *ROLE_ALIASES["pay_band"]))


def progression(
    staff: Inputs,
    *,
    training: Inputs = (),
    by: Sequence[str] = (),
    as_at: dt.date | None = None,
    settings: Settings | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ProgressionResult:
    """Retention, promotion and senior representation by ethnic group, snapshot to snapshot.

    ``staff`` holds two or more yearly snapshots (one file or several); ``training``, when
    given, splits each cohort by whether they accessed CPD in the year. Both take file paths
    or in-memory tables (a pandas DataFrame or a pyarrow Table, or a list of them).

    >>> result = progression(["staff.csv"], training=["training.csv"])  # doctest: +SKIP
    >>> result.results[["from_year", "group", "cpd", "retained", "progressed"]]  # doctest: +SKIP
    """
    from wres4.indicator.compute import (
        Background,
        person_years,
        preload_then_hash,
        run_meta,
    )
    from wres4.progression import cohorts, tables

    settings = settings or Settings()
    trained = input_items(training)
    source = open_source(staff, "staff extract", sheet=settings.sheet, encoding=settings.encoding)
    check_sheet([source], settings.sheet, "--sheet")
    form = "extracts" if trained else _form(source)
    files: list[str | os.PathLike[str]] = [] if source.in_memory else [*source.paths]
    files += [item for item in trained if isinstance(item, (str, os.PathLike))]
    order = BandOrder.of(settings)
    with Background(lambda stop: preload_then_hash(files, stop)) as hashing:
        roster, people, findings, tsource = person_years(
            source,
            form,
            trained,
            by,
            as_at,
            settings,
            today,
            progress,
            roles=("pay_band",),
            band_rank=order.ranks,
        )
        hashes = hashing.result(stop=True).finish()
        inputs = describe_inputs([source, *([tsource] if tsource else [])], hashes)
    snapshots = roster.snapshots
    counted = people[~people["bank_only"]]
    staffed = sorted(int(y) for y in counted["year"].unique())
    if len(staffed) < 2:
        only = ", ".join(f"{period_name(y)} ({snapshots[y].isoformat()})" for y in staffed)
        which = (
            f"one snapshot only: {only}"
            if len(snapshots) < 2
            else "staff in the headcount (bank-only excluded) at one of its snapshots only: " + only
        )
        hint = (
            " --as-at picks one snapshot: leave it out to follow staff across them."
            if as_at is not None
            else " Give staff extracts for two or more years (several files, or one file with "
            "a snapshot date column)."
        )
        raise DataError(
            f"{source.names[0]}: progression follows staff from one snapshot to the next, and "
            f"the extract has {which}.{hint}"
        )
    # The person's band, not the text of one of their rows, is what a breakdown by band means.
    mapped = settings.columns.get("staff", {}).get("pay_band")
    band_headers = BAND_HEADERS | ({header_key(mapped)} if mapped else set())
    bands = [d for d in by if header_key(d) in band_headers]
    if bands:
        names = order.names(counted["band"].to_numpy())
        counted = counted.assign(**dict.fromkeys(bands, names))
    with_cpd = "accessed" in counted.columns
    followed = cohorts.follow(counted)
    results = tables.results_table(cohorts.cohort_counts(followed, by, with_cpd), by, settings)
    senior = tables.senior_table(
        cohorts.senior_counts(counted, by, order.senior_rank()), by, snapshots
    )
    # The indicator's note of changed groups leaves Unknown out and is not about cohorts.
    findings = [f for f in findings if f.code != Code.ETHNICITY_CHANGED]
    where = source.where
    findings += group_findings(followed, where)
    findings += band_findings(counted, followed, roster.unbanded_values, where)
    findings += gap_findings(snapshots)
    meta = _meta(
        run_meta(form, settings, inputs, by, snapshots, roster.bank_excluded, findings, as_at),
        settings,
    )
    if settings.disclosure == "nhs":
        from wres4.progression.disclosure import publish

        results, senior, meta["disclosure"] = publish(results, senior, by, settings)
    return ProgressionResult(results, senior, meta, tuple(findings), tuple(by))


def _form(source: Source) -> str:
    """ "person" (an accessed column: the CPD split comes with it) or "staff" (none)."""
    from wres4.indicator.compute import detect_form

    try:
        form = detect_form(source, False)
    except ColumnError:
        return "staff"
    if form == "aggregate":
        raise ColumnError(
            f"{source.names[0]}: progression follows people from one snapshot to the next, so "
            "it needs the staff extract (a person id, ethnicity, snapshot and pay band on each "
            "row), not aggregate counts."
        )
    return form


def band_findings(
    counted: pd.DataFrame, followed: pd.DataFrame, unbanded_values: Counter[str], where: str
) -> list[Finding]:
    """People with no band at a snapshot (and the values that are not bands), and people
    whose band went down."""
    out = []
    unbanded = counted[counted["band"] < 0]
    if len(unbanded):
        per_year = unbanded.groupby("year").size()
        years = zip(per_year.index.tolist(), per_year.tolist(), strict=True)
        listing = ", ".join(f"{n:,} in {period_name(int(y))}" for y, n in years)
        top = ", ".join(
            repr(clip(v)) if v.strip() else "(blank)" for v, _ in unbanded_values.most_common(3)
        )
        people = int(unbanded["pos"].nunique())
        out.append(
            Code.UNBANDED.finding(
                f"{count_people(people, 'have')} no Agenda for Change band at one snapshot or "
                f"more ({listing}){f'; values such as {top}' if top else ''}; they count in "
                "retention but "
                "not in progression or the senior shares. A local grade that is a band can be "
                "added to band_order under [progression] in wres4.toml",
                people,
                file=where,
                values=tuple((clip(v, 200), n) for v, n in unbanded_values.most_common(EXAMPLES)),
            )
        )
    down = followed[followed["demoted"]]
    if len(down):
        grouped = down.groupby(["from_year", "to_year"]).size()
        per_move = list(zip(grouped.index.tolist(), grouped.tolist(), strict=True))
        listing = ", ".join(
            f"{n:,} from {period_name(int(a))} to {period_name(int(b))}" for (a, b), n in per_move
        )
        out.append(
            Code.BAND_DOWN.finding(
                f"{count_people(len(down), 'are')} on a lower band at the next snapshot "
                f"({listing}); they count as banded, not progressed",
                len(down),
                file=where,
                values=tuple(
                    (f"{period_name(int(a))} to {period_name(int(b))}", int(n))
                    for (a, b), n in per_move
                ),
            )
        )
    return out


def group_findings(followed: pd.DataFrame, where: str) -> list[Finding]:
    """Cohort members whose group (White, BME or Unknown) is another at the next snapshot."""
    from wres4.settings import GROUPS

    stayed = followed[followed["retained"]]
    moved = stayed[stayed["group"].to_numpy() != stayed["group_next"].to_numpy()]
    if moved.empty:
        return []
    pairs = zip(moved["group"].tolist(), moved["group_next"].tolist(), strict=True)
    tally = Counter(f"{GROUPS[int(a)]} to {GROUPS[int(b)]}" for a, b in pairs)
    shown = ", ".join(f"{n:,} {move}" for move, n in tally.most_common())
    return [
        Code.GROUP_CHANGED.finding(
            f"{count_people(len(moved), 'have')} another ethnic group at the next snapshot "
            f"({shown}); each counts in their group at the cohort's snapshot",
            len(moved),
            file=where,
            values=tuple(tally.most_common()),
        )
    ]


def gap_findings(snapshots: dict[int, dt.date]) -> list[Finding]:
    """Cohorts followed across more than one year, where a year's snapshot is missing."""
    years = sorted(snapshots)
    gaps = [(a, b) for a, b in itertools.pairwise(years) if b - a > 1]
    if not gaps:
        return []
    listing = ", ".join(f"{period_name(a)} and {period_name(b)}" for a, b in gaps)
    return [
        Code.SNAPSHOT_GAP.finding(
            f"no snapshot between {listing}: those cohorts are followed to the next snapshot "
            "there is, over more than one year",
            len(gaps),
            values=tuple((f"{period_name(a)} to {period_name(b)}", b - a) for a, b in gaps),
        )
    ]


def _meta(meta: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The indicator's meta for the same run, saying what progression computed instead."""
    meta = dict(meta)
    del meta["indicator"]
    return {
        "tool": meta.pop("tool"),
        "version": meta.pop("version"),
        "report": "progression",
        **meta,
        "definition": DEFINITION.format(senior=settings.senior_band),
        "direction": DIRECTION.format(bme=settings.bme_label),
        "bands": list(settings.band_order),
        "senior_band": settings.senior_band,
    }
