"""Staff extract -> one row per person per reporting year (R1, R2).

A person with several assignments counts once; bank-only people are excluded and counted;
each person gets one group per snapshot by a stated rule when their records disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wres4.errors import ColumnError, DataError
from wres4.findings import Code, Finding
from wres4.inputs.source import rows_read_finding
from wres4.periods import Windows, period_name
from wres4.settings import Settings
from wres4.text import clip, count_people, normalise_word

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from wres4.indicator.values import PersonKeys
    from wres4.inputs.columns import Columns
    from wres4.inputs.source import Source

GROUP_CODES: dict[str, int] = {"White": 0, "BME": 1, "Unknown": 2}
GROUP_NAMES: tuple[str, ...] = ("White", "BME", "Unknown")
CONFLICT_RULE = (
    "a known group (White or BME) wins over Unknown; among known values the most frequent "
    "in that snapshot, then the one on the later row"
)
# How many examples a finding lists (people, labels); messages show the first few.
EXAMPLES = 20


@dataclass
class Staff:
    """People in post per reporting year, after de-duplication and bank exclusion."""

    people: pd.DataFrame  # year, pos, group (0/1/2), bank_only, [accessed], [by columns]
    keys: pd.Index  # int64 person key (values.PersonKeys) of each position
    maker: PersonKeys
    windows: Windows
    snapshots: dict[int, dt.date]
    findings: list[Finding] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    bank_excluded: dict[int, int] = field(default_factory=dict)

    def positions(self, raw: pa.Array | pa.ChunkedArray, *, assignment: bool = False) -> np.ndarray:
        """Position of each row's person in ``keys`` (-1 when in no snapshot)."""
        import pandas as pd

        keys = pd.Index(self.maker.of(raw, assignment=assignment, grow=False))
        per_row: np.ndarray = self.keys.get_indexer(keys)
        return per_row


class IdNames:
    """The id text of a person position, computed only for the few people a message names."""

    def __init__(self, keys: np.ndarray, maker: PersonKeys) -> None:
        self.keys = keys
        self.maker = maker

    def __getitem__(self, pos: int) -> str:
        return self.maker.text(int(self.keys[pos]))


def load_staff(
    source: Source,
    columns: Mapping[Path, Columns],
    settings: Settings,
    *,
    as_at: dt.date | None = None,
    by: Sequence[str] = (),
    today: dt.date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Staff:
    """Read a staff extract (or a person-level table) and reduce it to person-years."""
    import numpy as np
    import pyarrow as pa

    from wres4.indicator.values import NO_PERSON, PersonKeys, encode
    from wres4.inputs.readers import STAFF_BATCH_BYTES, iter_tables

    findings: list[Finding] = []
    parts = []
    key_parts = []
    maker = PersonKeys()
    for table in iter_tables(source, columns, dictionary=True, batch_bytes=STAFF_BATCH_BYTES):
        cols = columns[source.paths[int(table.column("_file")[0].as_py())]] if len(table) else None
        if cols is None:
            continue
        key_parts.append(maker.of(table.column("person_id"), assignment=cols.assignment_ids))
        parts.append(table)
        if progress is not None:
            progress(source.label, table.num_rows)
    if not parts:
        raise DataError(f"{source.names[0]}: the {source.label} has a header but no rows.")
    # pandas is imported here, after the parse, while a background thread may be loading it.
    import pandas as pd

    first = next(iter(columns.values()))
    _same_roles(source, columns)
    table = pa.concat_tables(parts)
    where = f"{source.names[0]}" if len(source.paths) == 1 else f"{source.label}"
    findings.append(rows_read_finding(source))
    findings.extend(first.choice_notes(source.label, ("person_id", "ethnicity", "snapshot")))

    keys = np.concatenate(key_parts)
    blank = keys == NO_PERSON
    if blank.all():
        raise DataError(
            f"{where}: column '{first.roles['person_id']}' is empty on every row; "
            "wres4 needs a person id to count people once."
        )
    if blank.any():
        rows = table.column("_row").to_numpy()[blank][:5]
        findings.append(
            Code.BLANK_PERSON_ID.finding(
                f"{int(blank.sum()):,} staff rows have no person id (first rows "
                f"{', '.join(map(str, rows))}); they are left out",
                int(blank.sum()),
                file=where,
                column=first.roles["person_id"],
                rows=tuple(int(r) for r in rows),
            )
        )
        table = table.filter(pa.array(~blank))
        keys = keys[~blank]

    snapshot = _snapshots(table, first, settings, as_at, where, findings, today)
    frame = pd.DataFrame({"snapshot": snapshot})
    # A handful of distinct snapshot dates: work out their years and the latest of each
    # year once, then map back to the rows.
    snap_codes, distinct = pd.factorize(snapshot.view("int64"))
    distinct_days = distinct.astype("int64").view("datetime64[D]")
    distinct_years = _years(distinct_days, settings)
    frame["year"] = distinct_years[snap_codes]
    # Each reporting year is computed on its own snapshot: the latest one inside that year.
    frame["_older"] = _superseded(distinct_days, distinct_years)[snap_codes]
    frame["_row"] = table.column("_row").to_numpy()
    frame["_order"] = np.arange(len(frame))
    keep = ~np.isnat(snapshot)
    labels, unmapped, groups, label_idx, label_texts = _groups(table, settings)
    frame["group"] = groups
    frame["_label"] = label_idx
    frame["bank"] = _bank(table, settings)
    if "accessed" in table.column_names:
        frame["accessed"] = _accessed(table, first, where)
    for name in by:
        idx, values = encode(table.column(name))
        frame[name] = np.asarray(values.to_pylist(), dtype=object)[idx]
    codes, uniques = pd.factorize(keys)
    names = IdNames(uniques, maker)
    frame["pos"] = codes
    frame = frame[keep]
    if frame.empty:
        raise DataError(f"{where}: no row has a readable snapshot date.")

    older = frame["_older"]
    if older.any():
        dropped = sorted({d.date().isoformat() for d in frame.loc[older, "snapshot"].unique()})
        findings.append(
            Code.EXTRA_SNAPSHOTS.finding(
                f"several snapshots fall in one reporting year; the latest of each year is used "
                f"and {len(dropped)} earlier ones are ignored ({', '.join(dropped[:4])}"
                f"{', ...' if len(dropped) > 4 else ''})",
                int(older.sum()),
                file=where,
            )
        )
        frame = frame[~older]
    latest_by_year = frame.groupby("year")["snapshot"].max().sort_index()
    snapshots = {int(str(y)): pd.Timestamp(d).date() for y, d in latest_by_year.items()}
    people, dupes, conflicts, examples, repeated = _one_row_per_person(frame, by)
    findings.extend(_mixed_breakdowns(frame, by, where))
    if dupes:
        findings.append(
            Code.DUPLICATE_PERSON.finding(
                f"{count_people(dupes, 'appear')} on more than one row of a snapshot (several "
                "assignments or repeated rows); each is counted once",
                dupes,
                file=where,
                column=first.roles["person_id"],
                values=tuple(
                    (f"id {names[int(pos)]} in {period_name(int(year))}", int(n))
                    for year, pos, n in repeated.itertuples(index=False)
                )
                if settings.show_ids
                else (),
            )
        )
    if conflicts:
        shown = _conflict_examples(examples, names, label_texts, settings.show_ids)
        findings.append(
            Code.CONFLICTING_ETHNICITY.finding(
                f"{count_people(conflicts, 'have')} rows with different ethnic groups in one "
                "snapshot "
                f"(e.g. {shown[0][0]}); rule used: {CONFLICT_RULE}",
                conflicts,
                file=where,
                column=first.roles["ethnicity"],
                values=tuple(shown),
            )
        )
    changed = _changed_across_years(people, names, snapshots, settings.show_ids)
    if changed:
        findings.append(
            Code.ETHNICITY_CHANGED.finding(
                f"{count_people(changed[0], 'have')} a different ethnic group in different "
                "snapshots "
                f"(e.g. {changed[1][0][0]}); each year uses the value in its own snapshot",
                changed[0],
                file=where,
                column=first.roles["ethnicity"],
                values=changed[1],
            )
        )
    bank_excluded: dict[int, int] = {}
    if "bank" in first.roles:
        counts = people.loc[people["bank_only"]].groupby("year").size()
        bank_excluded = {int(str(y)): int(n) for y, n in counts.items()}
        total = sum(bank_excluded.values())
        if total:
            findings.append(
                Code.BANK_EXCLUDED.finding(
                    f"{total:,} bank-only {'person is' if total == 1 else 'people are'} excluded "
                    "from the headcount "
                    f"({first.roles['bank']} is Bank on all their rows)",
                    total,
                    file=where,
                    column=first.roles["bank"],
                )
            )
    if unmapped:
        total = sum(unmapped.values())
        findings.append(
            Code.UNMAPPED_LABEL.finding(
                f"{total:,} staff rows have an ethnicity wres4 does not recognise "
                f"({', '.join(repr(clip(k)) for k, _ in unmapped.most_common(3))}"
                f"{', ...' if len(unmapped) > 3 else ''}); they count as Unknown. "
                "Add an override under [ethnicity] in wres4.toml",
                total,
                file=where,
                column=first.roles["ethnicity"],
                values=tuple((clip(k, 200), n) for k, n in unmapped.most_common()),
            )
        )
    findings.extend(_in_post_findings(people, snapshots, where, settings))
    years = tuple(sorted(snapshots))
    windows = Windows(
        years=years,
        starts=tuple(_window_start(snapshots[y], settings) for y in years),
        ends=tuple(snapshots[y] for y in years),
    )
    return Staff(
        people=people,
        keys=pd.Index(uniques),
        maker=maker,
        windows=windows,
        snapshots=snapshots,
        findings=findings,
        unmapped=unmapped,
        labels=labels,
        bank_excluded=bank_excluded,
    )


def _window_start(snapshot: dt.date, settings: Settings) -> dt.date:
    from wres4.periods import window_start

    return window_start(snapshot, settings.window_months)


def default_as_at(settings: Settings, today: dt.date) -> dt.date:
    """The latest snapshot day (31 March by default) on or before today."""
    day = dt.date(today.year, settings.snapshot_month, settings.snapshot_day)
    return day if day <= today else dt.date(today.year - 1, day.month, day.day)


def _snapshots(
    table: pa.Table,
    cols: Columns,
    settings: Settings,
    as_at: dt.date | None,
    where: str,
    findings: list[Finding],
    today: dt.date | None,
) -> np.ndarray:
    """Snapshot date of each row, from a date column, a year column, or --as-at."""
    import numpy as np
    import pandas as pd

    from wres4.indicator.values import FIRST_YEAR, LAST_YEAR, encode, parse_dates, parse_year

    today = today or dt.date.today()
    n = table.num_rows
    if "snapshot" in table.column_names:
        idx, values = encode(table.column("snapshot"))
        texts = values.to_pylist()
        parsed = parse_dates(texts, day_first=settings.day_first).to_numpy("datetime64[D]")
        dates = parsed[idx]
        column = cols.roles["snapshot"]
    elif "year" in table.column_names:
        idx, values = encode(table.column("year"))
        texts = values.to_pylist()
        years = [parse_year(t) for t in texts]
        parsed = np.array(
            [
                np.datetime64(dt.date(y, settings.snapshot_month, settings.snapshot_day), "D")
                if y
                else np.datetime64("NaT", "D")
                for y in years
            ],
            dtype="datetime64[D]",
        )
        dates = parsed[idx]
        column = cols.roles["year"]
    else:
        day = as_at or default_as_at(settings, today)
        if as_at is None:
            findings.append(
                Code.ASSUMED_SNAPSHOT.finding(
                    f"the staff extract has no snapshot date or year column; it is taken as the "
                    f"staff in post on {day.isoformat()}, the latest snapshot day before today, "
                    "so the result depends on the day it is run; give the date with --as-at",
                    n,
                    file=where,
                )
            )
        return np.full(n, np.datetime64(day, "D"), dtype="datetime64[D]")
    bad = np.isnat(dates)
    if bad.all():
        sample = ", ".join(repr(clip(t, 30)) for t in texts[:3])
        raise DataError(
            f"{where}: column '{column}' holds no readable date or year between "
            f"{FIRST_YEAR} and {LAST_YEAR} (e.g. {sample}). "
            "Use dates like 31/03/2024 or 2024-03-31, or years like 2023/24."
        )
    row_numbers = table.column("_row").to_numpy()
    future = ~bad & (dates > np.datetime64(today, "D"))
    for code, mask, text, values in (
        (
            Code.UNPARSEABLE_DATE,
            bad,
            "have a snapshot that cannot be read (first rows {rows}); they are left out",
            _bad_values(idx, texts, bad) if bad.any() else (),
        ),
        (
            Code.FUTURE_SNAPSHOT,
            future,
            "have a snapshot date after today (first rows {rows}); check the extract's dates",
            (),
        ),
    ):
        if mask.any():
            rows = tuple(int(r) for r in row_numbers[mask][:5])
            findings.append(
                code.finding(
                    f"{int(mask.sum()):,} staff rows "
                    + text.format(rows=", ".join(map(str, rows))),
                    int(mask.sum()),
                    file=where,
                    column=column,
                    rows=rows,
                    values=values,
                )
            )
    if as_at is not None:
        chosen = dates == np.datetime64(as_at, "D")
        if not chosen.any():
            found = sorted({str(d) for d in pd.unique(dates[~bad])})
            raise DataError(
                f"{where}: no rows have snapshot {as_at.isoformat()} (--as-at); snapshots "
                f"found: {', '.join(found[:6])}."
            )
        dates = np.where(chosen, dates, np.datetime64("NaT", "D"))
    result: np.ndarray = dates
    return result


def _superseded(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """For distinct snapshot dates: is a later snapshot in the same reporting year?"""
    import numpy as np

    latest: dict[int, np.datetime64] = {}
    for day, year in zip(days, years, strict=True):
        if not np.isnat(day) and (int(year) not in latest or day > latest[int(year)]):
            latest[int(year)] = day
    flags = [not np.isnat(d) and d != latest[int(y)] for d, y in zip(days, years, strict=True)]
    return np.array(flags, dtype=bool)


def _years(snapshot: np.ndarray, settings: Settings) -> np.ndarray:
    """Reporting year of each snapshot date (R2): its own year up to the snapshot day, else next."""
    import numpy as np

    months = snapshot.astype("datetime64[M]")
    month_index = months.astype(np.int64)
    year = month_index // 12 + 1970
    month = month_index % 12 + 1
    day = (snapshot - months).astype(np.int64) + 1
    after = (month > settings.snapshot_month) | (
        (month == settings.snapshot_month) & (day > settings.snapshot_day)
    )
    result: np.ndarray = year + after
    return result


def _groups(
    table: pa.Table, settings: Settings
) -> tuple[Counter[str], Counter[str], np.ndarray, np.ndarray, list[str]]:
    """Ethnic group code per row (0 White, 1 BME, 2 Unknown), classifying each label once.

    Also returns each row's index into the distinct labels, and those labels.
    """
    import numpy as np

    from wres4.indicator.ethnicity import classify_many
    from wres4.indicator.values import encode

    idx, values = encode(table.column("ethnicity"))
    texts = values.to_pylist()
    mapped = classify_many(texts, settings.label_overrides())
    codes = np.array([GROUP_CODES[mapped[t].group] for t in texts], dtype=np.int8)
    counts = np.bincount(idx, minlength=len(texts))
    labels: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    for text, count in zip(texts, counts, strict=True):
        labels[text] += int(count)
        if mapped[text].source == "unrecognised":
            unmapped[text] += int(count)
    per_row = codes[idx] if len(texts) else np.full(len(idx), 2, np.int8)
    return labels, unmapped, per_row, idx, texts


def is_bank(value: str, bank_words: Sequence[str]) -> bool:
    """A bank category: "Bank", "Bank Staff", "Bank - Nursing"; not "Non-Bank" (R2)."""
    word = f" {normalise_word(value)} "
    if " non bank " in word or " not bank " in word:
        return False
    return any(f" {bank} " in word for bank in bank_words if bank)


def _bank(table: pa.Table, settings: Settings) -> np.ndarray:
    import numpy as np

    from wres4.indicator.values import encode

    if "bank" not in table.column_names:
        return np.zeros(table.num_rows, dtype=bool)
    bank_words = [normalise_word(v) for v in settings.bank_values]
    idx, values = encode(table.column("bank"))
    flags = np.array([is_bank(t, bank_words) for t in values.to_pylist()], dtype=bool)
    per_row: np.ndarray = flags[idx]
    return per_row


def _accessed(table: pa.Table, cols: Columns, where: str) -> np.ndarray:
    import numpy as np

    from wres4.indicator.values import encode, truth_values

    idx, values = encode(table.column("accessed"))
    answers, unknown = truth_values(values.to_pylist())
    if unknown:
        bad = np.array([a is None for a in answers], dtype=bool)[idx]
        row = int(table.column("_row").to_numpy()[bad][0])
        raise DataError(
            f"{where}: column '{cols.roles['accessed']}', row {row}: values that are not "
            f"yes/no, true/false, 1/0 or a count "
            f"({', '.join(repr(clip(u, 30)) for u in unknown[:3])}). "
            "Use yes/no or a count of activities."
        )
    per_row: np.ndarray = np.array([bool(a) for a in answers], dtype=bool)[idx]
    return per_row


def _mixed_breakdowns(frame: pd.DataFrame, by: Sequence[str], where: str) -> list[Finding]:
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


def _one_row_per_person(
    frame: pd.DataFrame, by: Sequence[str]
) -> tuple[pd.DataFrame, int, int, pd.DataFrame, pd.DataFrame]:
    """Collapse to one row per (year, person).

    Returns the people, how many were duplicated and how many had conflicting groups, the
    rows of a few conflicting people (year, pos, label, group, chosen group) and a few
    duplicated people (year, pos, rows).
    """
    import numpy as np

    key = frame["year"].to_numpy(np.int64) * (1 << 40) + frame["pos"].to_numpy(np.int64)
    frame = frame.assign(_key=key)
    grouped = frame.groupby("_key", sort=False)
    agg: dict[str, tuple[str, str]] = {
        "year": ("year", "first"),
        "pos": ("pos", "first"),
        "rows": ("_order", "size"),
        "gmin": ("group", "min"),
        "gmax": ("group", "max"),
        "bank_only": ("bank", "min"),
    }
    if "accessed" in frame.columns:
        agg["accessed"] = ("accessed", "max")
    for name in by:
        agg[name] = (name, "first")
    people = grouped.agg(**agg)
    people["group"] = people["gmin"]
    dupes = int((people["rows"] > 1).sum())
    repeated = people.loc[people["rows"] > 1, ["year", "pos", "rows"]].head(EXAMPLES)
    conflicts = 0
    examples = frame.iloc[:0][["year", "pos", "_label", "group"]].assign(chosen=0)
    # Only people whose rows disagree need the slower rule.
    mixed = people["gmin"] != people["gmax"]
    if mixed.any():
        sub = frame[frame["_key"].isin(people.index[mixed])]
        sub = sub[sub["group"] != GROUP_CODES["Unknown"]]
        tally = (
            sub.groupby(["_key", "group"], sort=False)
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
        examples = frame.loc[frame["_key"].isin(keys), ["_key", "year", "pos", "_label", "group"]]
        examples = examples.assign(chosen=chosen.reindex(examples["_key"]).to_numpy())
    people = people.drop(columns=["gmin", "gmax", "rows"]).reset_index(drop=True)
    people["bank_only"] = people["bank_only"].astype(bool)
    return people, dupes, conflicts, examples, repeated


def _same_roles(source: Source, columns: Mapping[Path, Columns]) -> None:
    """Files of one extract must carry the same columns, or their rows cannot be stacked."""
    first_path = source.paths[0]
    first = set(columns[first_path].roles)
    for path in source.paths[1:]:
        roles = set(columns[path].roles)
        if roles != first:
            odd = sorted(first ^ roles)[0]
            has, lacks = (first_path, path) if odd in first else (path, first_path)
            raise ColumnError(
                f"{lacks}: no {odd.replace('_', ' ')} column, but {has} has one "
                f"('{columns[has].roles[odd]}'). Files of one extract need the same columns; "
                "export them from the same report."
            )


def _in_post_findings(
    people: pd.DataFrame, snapshots: dict[int, dt.date], where: str, settings: Settings
) -> list[Finding]:
    """People in post per snapshot, and years where White or BME has nobody (R8)."""
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
        for code, name in ((0, "White"), (1, settings.bme_label)):
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


def _conflict_examples(
    examples: pd.DataFrame, keys: IdNames, labels: list[str], show_ids: bool
) -> list[tuple[str, int]]:
    """'id 123 in 2023/24: 'A White' x2, 'PC Black Nigerian' x1 -> White used', with rows.

    Without ``show_ids`` the person is "a person" rather than their id.
    """
    out: list[tuple[str, int]] = []
    for (year, pos), rows in examples.groupby(["year", "pos"], sort=True):
        tally = Counter(labels[int(i)] for i in rows["_label"])
        seen = ", ".join(f"'{clip(label, 40)}' ×{n}" for label, n in tally.most_common())
        used = GROUP_NAMES[int(rows["chosen"].iloc[0])]
        person = f"id {keys[int(str(pos))]}" if show_ids else "a person"
        period = period_name(int(str(year)))
        out.append((f"{person} in {period}: {seen}; {used} used", len(rows)))
    return out


def _changed_across_years(
    people: pd.DataFrame, keys: IdNames, snapshots: dict[int, dt.date], show_ids: bool
) -> tuple[int, tuple[tuple[str, int], ...]] | None:
    """People whose known group (White or BME) differs between snapshots, with examples."""
    known = people[people["group"] != GROUP_CODES["Unknown"]]
    if len(snapshots) < 2 or known.empty:
        return None
    spread = known.groupby("pos")["group"].agg(["min", "max"])
    moved = spread.index[spread["min"] != spread["max"]]
    if not len(moved):
        return None
    sample = known[known["pos"].isin(moved[:EXAMPLES])].sort_values(["pos", "year"])
    values = []
    for pos, rows in sample.groupby("pos", sort=True):
        path = ", ".join(
            f"{GROUP_NAMES[int(g)]} in {int(y)}"
            for y, g in zip(rows["year"], rows["group"], strict=True)
        )
        person = f"id {keys[int(str(pos))]}" if show_ids else "a person"
        values.append((f"{person}: {path}", len(rows)))
    return len(moved), tuple(values)


def _bad_values(idx: np.ndarray, texts: list[str], bad: np.ndarray) -> tuple[tuple[str, int], ...]:
    """The distinct unreadable values of a column with their row counts, most frequent first."""
    found: Counter[str] = Counter()
    for i in idx[bad]:
        found[texts[int(i)]] += 1
    return tuple((clip(text, 200), n) for text, n in found.most_common(EXAMPLES))
