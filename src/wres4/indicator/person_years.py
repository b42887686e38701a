"""Staff rows -> one row per person per reporting year, and what that reduction found.

A person with several assignments counts once (method.md: Denominator); when their rows in
one snapshot disagree on the group, one is chosen by :data:`CONFLICT_RULE` (method.md:
Groups). A group that differs between snapshots is noted, never merged: each year uses its
own snapshot (method.md: Trends).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from wres4.findings import EXAMPLES, Code, Finding
from wres4.periods import period_name
from wres4.settings import GROUP_CODES, GROUPS, Settings
from wres4.text import clip, count_people

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from wres4.indicator.values import PersonKeys

CONFLICT_RULE = (
    "a known group (White or BME) wins over Unknown; among known values the most frequent "
    "in that snapshot, then the one on the later row"
)


class IdNames:
    """The id text of a person position, computed only for the few people a message names."""

    def __init__(self, keys: np.ndarray, maker: PersonKeys) -> None:
        self.keys = keys
        self.maker = maker

    def __getitem__(self, pos: int) -> str:
        return self.maker.text(int(self.keys[pos]))


def collapse(
    frame: pd.DataFrame,
    by: Sequence[str],
    names: IdNames,
    labels: list[str],
    snapshots: dict[int, dt.date],
    settings: Settings,
    where: str,
    roles: Mapping[str, str],
) -> tuple[pd.DataFrame, list[Finding]]:
    """One row per (year, person) from rows with year, pos, group, _label (index into
    ``labels``), bank, _order and any ``by`` columns; with notes of people on several rows
    or in several breakdown values, and problems where a person's groups disagree."""
    people, dupes, conflicts, examples, repeated = one_row_per_person(frame, by)
    findings = mixed_breakdowns(frame, by, where)
    if dupes:
        findings.append(
            Code.DUPLICATE_PERSON.finding(
                f"{count_people(dupes, 'appear')} on more than one row of a snapshot (several "
                "assignments or repeated rows); each is counted once",
                dupes,
                file=where,
                column=roles["person_id"],
                values=tuple(
                    (f"id {names[int(pos)]} in {period_name(int(year))}", int(n))
                    for year, pos, n in repeated.itertuples(index=False)
                )
                if settings.show_ids
                else (),
            )
        )
    if conflicts:
        shown = conflict_examples(examples, names, labels, settings.show_ids)
        findings.append(
            Code.CONFLICTING_ETHNICITY.finding(
                f"{count_people(conflicts, 'have')} rows with different ethnic groups in one "
                "snapshot "
                f"(e.g. {shown[0][0]}); rule used: {CONFLICT_RULE}",
                conflicts,
                file=where,
                column=roles["ethnicity"],
                values=tuple(shown),
            )
        )
    changed = changed_across_years(people, names, snapshots, settings.show_ids)
    if changed:
        findings.append(
            Code.ETHNICITY_CHANGED.finding(
                f"{count_people(changed[0], 'have')} a different ethnic group in different "
                "snapshots "
                f"(e.g. {changed[1][0][0]}); each year uses the value in its own snapshot",
                changed[0],
                file=where,
                column=roles["ethnicity"],
                values=changed[1],
            )
        )
    return people, findings


def one_row_per_person(
    frame: pd.DataFrame, by: Sequence[str]
) -> tuple[pd.DataFrame, int, int, pd.DataFrame, pd.DataFrame]:
    """Collapse to one row per (year, person), in the order each first appears.

    Returns the people, how many were duplicated and how many had conflicting groups, the
    rows of a few conflicting people (year, pos, label, group, chosen group) and a few
    duplicated people (year, pos, rows).
    """
    import numpy as np

    key = frame["year"].to_numpy(np.int64) * (1 << 40) + frame["pos"].to_numpy(np.int64)
    people, codes = _per_key(frame, key, by)
    people["group"] = people["gmin"]
    dupes = int((people["rows"] > 1).sum())
    repeated = people.loc[people["rows"] > 1, ["year", "pos", "rows"]].head(EXAMPLES)
    conflicts = 0
    examples = frame.iloc[:0][["year", "pos", "_label", "group"]].assign(chosen=0)
    # Only people whose rows disagree need the slower rule.
    mixed = (people["gmin"] != people["gmax"]).to_numpy()
    if mixed.any():
        rows = mixed[codes]
        sub = frame.loc[rows, ["year", "pos", "_label", "group", "_order"]].assign(_key=key[rows])
        known = sub[sub["group"] != GROUP_CODES["Unknown"]]
        tally = (
            known.groupby(["_key", "group"], sort=False)
            .agg(n=("_order", "size"), last=("_order", "max"))
            .reset_index()
        )
        conflicts = int((tally.groupby("_key").size() > 1).sum())
        chosen = (
            tally.sort_values(["_key", "n", "last"], ascending=[True, False, False])
            .drop_duplicates("_key")
            .set_index("_key")["group"]
        )
        people.loc[chosen.index, "group"] = chosen.to_numpy()
        several = tally.groupby("_key").size()
        keys = several.index[several > 1][:EXAMPLES]
        examples = sub.loc[sub["_key"].isin(keys), ["_key", "year", "pos", "_label", "group"]]
        examples = examples.assign(chosen=chosen.reindex(examples["_key"]).to_numpy())
    people = people.drop(columns=["gmin", "gmax", "rows"]).reset_index(drop=True)
    people["bank_only"] = people["bank_only"].astype(bool)
    return people, dupes, conflicts, examples, repeated


def _per_key(
    frame: pd.DataFrame, key: np.ndarray, by: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per distinct ``key`` (first appearance order, indexed by key): year, pos, rows,
    the least and greatest group code, bank_only (every row bank), accessed (any row), band
    (the highest) and the first row's ``by`` values; with each row's position among the keys.

    Counted with bincount over the keys' codes rather than a pandas groupby, which copies
    the frame and sorts per column.
    """
    import numpy as np
    import pandas as pd

    first, codes = _first_rows(frame)
    uniques = key[first]
    n = len(uniques)
    group = frame["group"].to_numpy()

    def present(mask: np.ndarray) -> np.ndarray:
        found = np.zeros(n, dtype=bool)
        found[codes[mask]] = True
        return found

    # has[k, g]: some row of key k has group g (every row has one of the groups).
    has = np.zeros((n, len(GROUPS)), dtype=bool)
    has[codes, group] = True
    gmin = has.argmax(axis=1).astype(group.dtype)
    gmax = (len(GROUPS) - 1 - has[:, ::-1].argmax(axis=1)).astype(group.dtype)
    columns: dict[str, object] = {
        "year": frame["year"].to_numpy()[first].astype(np.int64),
        "pos": frame["pos"].to_numpy()[first].astype(np.int64),
        "rows": np.bincount(codes, minlength=n).astype(np.int64),
        "gmin": gmin,
        "gmax": gmax,
        "bank_only": ~present(~frame["bank"].to_numpy(bool)),
    }
    if "accessed" in frame.columns:
        columns["accessed"] = present(frame["accessed"].to_numpy(bool))
    if "band" in frame.columns:  # the highest band over the non-bank rows (-1 on the others)
        band = np.full(n, -1, dtype=np.int16)
        np.maximum.at(band, codes, frame["band"].to_numpy(np.int16))
        columns["band"] = band
    for name in by:
        columns[name] = frame[name].to_numpy()[first]
    people = pd.DataFrame(columns, index=pd.Index(uniques, name="_key"), copy=False)
    return people, codes


def _first_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each (year, person), in row order, and each row's number among them.

    Positions are dense (0 to people - 1) and years few, so each pair has a cell of a
    years x people grid: no hash table over the rows.
    """
    import numpy as np
    import pandas as pd

    year_idx, years = pd.factorize(frame["year"].to_numpy())
    pos = frame["pos"].to_numpy()
    people = int(pos.max()) + 1 if len(pos) else 0
    # int32 where it fits: half the memory of the grid and the per-row arrays.
    small = max(len(years) * people, len(pos)) < (1 << 31)
    kind = np.int32 if small else np.int64
    cell = year_idx.astype(kind) * people + pos.astype(kind)
    del year_idx
    rows = np.arange(len(cell), dtype=kind)
    earliest = np.full(len(years) * people, len(cell), dtype=kind)
    np.minimum.at(earliest, cell, rows)
    first = np.flatnonzero(earliest[cell] == rows)
    del earliest, rows
    number = np.empty(len(years) * people, dtype=kind)
    number[cell[first]] = np.arange(len(first), dtype=kind)
    codes: np.ndarray = number[cell]
    return first, codes


def mixed_breakdowns(frame: pd.DataFrame, by: Sequence[str], where: str) -> list[Finding]:
    """People whose rows in one snapshot disagree on a breakdown column (two pay bands)."""
    import numpy as np

    if not by:
        return []
    key = frame["year"].to_numpy(np.int64) * (1 << 40) + frame["pos"].to_numpy(np.int64)
    several = frame.assign(_key=key).groupby("_key")[list(by)].nunique(dropna=False) > 1
    out = []
    for name in by:
        count = int(several[name].sum())
        if count:
            out.append(
                Code.MIXED_BREAKDOWN.finding(
                    f"{count_people(count, 'have')} rows with different '{name}' values in "
                    "one snapshot (several assignments); each is counted once, under the "
                    "value on their first row",
                    count,
                    file=where,
                    column=name,
                )
            )
    return out


def conflict_examples(
    examples: pd.DataFrame, keys: IdNames, labels: list[str], show_ids: bool
) -> list[tuple[str, int]]:
    """'id 123 in 2023/24: 'A White' x2, 'PC Black Nigerian' x1 -> White used', with rows.

    Without ``show_ids`` the person is "a person" rather than their id.
    """
    out: list[tuple[str, int]] = []
    for (year, pos), rows in examples.groupby(["year", "pos"], sort=True):
        tally = Counter(labels[int(i)] for i in rows["_label"])
        seen = ", ".join(f"'{clip(label, 40)}' ×{n}" for label, n in tally.most_common())
        used = GROUPS[int(rows["chosen"].iloc[0])]
        person = f"id {keys[int(str(pos))]}" if show_ids else "a person"
        period = period_name(int(str(year)))
        out.append((f"{person} in {period}: {seen}; {used} used", len(rows)))
    return out


def changed_across_years(
    people: pd.DataFrame, keys: IdNames, snapshots: dict[int, dt.date], show_ids: bool
) -> tuple[int, tuple[tuple[str, int], ...]] | None:
    """People whose known group (White or BME) differs between snapshots, with examples."""
    import numpy as np

    known = people[people["group"] != GROUP_CODES["Unknown"]]
    if len(snapshots) < 2 or known.empty:
        return None
    # Positions are dense: count each person's known groups with one bincount per group.
    positions = known["pos"].to_numpy(np.int64)
    group = known["group"].to_numpy()
    size = int(positions.max()) + 1
    seen = sum(
        (np.bincount(positions[group == GROUP_CODES[name]], minlength=size) > 0).astype(np.int8)
        for name in ("White", "BME")
    )
    moved = np.flatnonzero(seen > 1)
    if not len(moved):
        return None
    sample = known[known["pos"].isin(moved[:EXAMPLES])].sort_values(["pos", "year"])
    values = []
    for pos, rows in sample.groupby("pos", sort=True):
        path = ", ".join(
            f"{GROUPS[int(g)]} in {int(y)}"
            for y, g in zip(rows["year"], rows["group"], strict=True)
        )
        person = f"id {keys[int(str(pos))]}" if show_ids else "a person"
        values.append((f"{person}: {path}", len(rows)))
    return len(moved), tuple(values)


def in_post_findings(
    people: pd.DataFrame, snapshots: dict[int, dt.date], where: str, settings: Settings
) -> list[Finding]:
    """People in post per snapshot, and years where White or BME has nobody (method.md:
    Not calculable)."""
    import numpy as np

    out: list[Finding] = []
    per_year: list[tuple[str, int]] = []
    empty: list[tuple[str, int]] = []
    years = people["year"].to_numpy(np.int64)
    groups = people["group"].to_numpy()
    counted = ~people["bank_only"].to_numpy(bool)
    for year in sorted(snapshots):
        in_year = years == year
        per_year.append((snapshots[year].isoformat(), int(in_year.sum())))
        for code, name in (
            (GROUP_CODES["White"], "White"),
            (GROUP_CODES["BME"], settings.bme_label),
        ):
            if not (in_year & counted & (groups == code)).any():
                empty.append((f"{year} {name}", 0))
    listing = ", ".join(f"{n:,} at {day}" for day, n in per_year)
    out.append(
        Code.PEOPLE_IN_POST.finding(
            f"people in post: {listing}",
            sum(n for _, n in per_year),
            file=where,
            values=tuple(per_year),
        )
    )
    if empty:
        shown = "; ".join(
            f"no {v.split(' ', 1)[1]} staff in {period_name(int(v.split(' ', 1)[0]))}"
            for v, _ in empty
        )
        out.append(
            Code.NO_GROUP_STAFF.finding(
                f"{shown}: the relative likelihood is not calculable for "
                f"{'that year' if len(empty) == 1 else 'those years'}. Check the ethnicity "
                "column and any --as-at or snapshot filter",
                len(empty),
                file=where,
                values=tuple(empty),
            )
        )
    return out
