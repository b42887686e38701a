"""Training records -> the people who accessed non-mandatory training in each reporting year.

R3-R5: a record counts when it is non-mandatory, its status means the person took part, and
its date falls inside a reporting window. The training extract is read batch by batch and
reduced to distinct (person, year) pairs, so memory follows the number of people, not the
length of the file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wres4.findings import EXAMPLES, Code, Finding
from wres4.indicator.values import mixed_dates_finding
from wres4.periods import Windows
from wres4.settings import Settings
from wres4.text import NO_WORDS, YES_WORDS, clip, count_people, normalise_word

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from wres4.indicator.staff import Staff
    from wres4.inputs.columns import Columns
    from wres4.inputs.source import Source

# Words that make a type or title non-mandatory although they may contain "mandatory" (R4).
NON_MANDATORY_MARKERS = (
    "non mandatory",
    "nonmandatory",
    "not mandatory",
    "non statutory",
    "optional",
    "cpd",
    "elective",
    "discretionary",
)
MANDATORY_MARKERS = (
    "mandatory",
    "statutory",
    "essential",
    "core skill",
    "core skills",
    "cstf",
    "compulsory",
    "statmand",
)
# Status stems, negative first: "not attended" contains "attended".
NOT_ACCESSED_MARKERS = (
    "not ",
    "did not",
    "failed to attend",
    "fail to attend",
    "non attend",
    "nonattend",
    "absent",
    "dna",
    "cancel",
    "withdr",
    "declin",
    "reject",
    "refus",
    "no show",
    "incomplete",
    "await",
    "pending",
    "waiting",
    "wait list",
    "deferr",
)
ACCESSED_MARKERS = ("attend", "complet", "pass", "fail", "in progress", "started", "achiev")
# A "mandatory?" column's answers: the shared yes/no words, and the words themselves.
YES = YES_WORDS | {"mandatory"}
NO = NO_WORDS | {"non mandatory", "optional"}


def _contains(word: str, phrases: Iterable[str]) -> bool:
    padded = f" {word} "
    return any(f" {p} " in padded for p in phrases)


@dataclass(frozen=True)
class Rules:
    """The classification rules of one run, built from the settings."""

    accessed: frozenset[str]
    not_accessed: frozenset[str]
    mandatory_types: frozenset[str]
    non_mandatory_types: frozenset[str]
    mandatory_titles: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        def norm(values: Iterable[str]) -> frozenset[str]:
            return frozenset(normalise_word(v) for v in values)

        return cls(
            accessed=norm(settings.accessed_statuses),
            not_accessed=norm(settings.not_accessed_statuses),
            mandatory_types=norm(settings.mandatory_types),
            non_mandatory_types=norm(settings.non_mandatory_types),
            mandatory_titles=tuple(normalise_word(t) for t in settings.mandatory_titles),
        )

    def status(self, text: str) -> bool | None:
        """True when the status means the person took part (R5); None when unrecognised."""
        word = normalise_word(text)
        if word in self.not_accessed:
            return False
        if word in self.accessed:
            return True
        if not word:
            return None
        padded = f" {word}"
        if any(m in padded for m in NOT_ACCESSED_MARKERS):
            return False
        if any(m in word for m in ACCESSED_MARKERS):
            return True
        return None

    def course_type(self, text: str) -> bool | None:
        """True for non-mandatory, False for mandatory, None when the type does not say."""
        word = normalise_word(text)
        if word in self.non_mandatory_types:
            return True
        if word in self.mandatory_types:
            return False
        if not word:
            return None
        if _contains(word, NON_MANDATORY_MARKERS):
            return True
        if _contains(word, MANDATORY_MARKERS) or "mandatory" in word:
            return False
        return None

    def mandatory_flag(self, text: str) -> bool | None:
        """A yes/no "mandatory" column: yes -> mandatory (False); no -> non-mandatory (True)."""
        word = normalise_word(text)
        if word in YES:
            return False
        if word in NO:
            return True
        return None

    def title(self, text: str) -> bool:
        """Course titles: non-mandatory unless they name a Core Skills subject."""
        word = normalise_word(text)
        if _contains(word, NON_MANDATORY_MARKERS):
            return True
        return not _contains(word, self.mandatory_titles)


@dataclass
class Reduction:
    """What the training extract gave: who accessed in which year, and what went wrong."""

    hits: np.ndarray  # people x years: accessed non-mandatory training in that window
    years: tuple[int, ...] = ()
    records: int = 0
    counted: int = 0
    unmatched_records: int = 0
    unmatched_people: int = 0
    unmatched_ids: set[str] = field(default_factory=set)
    blank_dates: int = 0
    bad_dates: int = 0
    bad_date_rows: list[tuple[str, int]] = field(default_factory=list)
    bad_date_values: Counter[str] = field(default_factory=Counter)
    outside: int = 0
    unknown_status: Counter[str] = field(default_factory=Counter)
    unknown_type: Counter[str] = field(default_factory=Counter)
    columns: dict[str, str] = field(default_factory=dict)
    no_classifier: bool = False
    show_ids: bool = False
    choices: list[Finding] = field(default_factory=list)
    where: str | None = None  # the file, or the extract's label when it has several
    rows_read: Finding | None = None
    outside_first: dt.date | None = None
    outside_last: dt.date | None = None
    window_first: dt.date | None = None
    window_last: dt.date | None = None
    day_first: bool = True
    # Every distinct date text read, so a column that mixes date forms can be named.
    date_texts: tuple[str, ...] = ()
    long_fields: tuple[Finding, ...] = ()

    def accessed(self, positions: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Whether each (person position, year) accessed; years must be reporting years."""
        import numpy as np

        column = np.searchsorted(np.array(self.years, dtype=np.int64), years)
        result: np.ndarray = self.hits[positions, column]
        return result

    def findings(self, label: str) -> list[Finding]:
        out: list[Finding] = [self.rows_read] if self.rows_read is not None else []
        out.extend(self.choices)
        if self.unmatched_records:
            ids = sorted(self.unmatched_ids, key=lambda k: (len(k), k))[:EXAMPLES]
            shown = f", e.g. id {', '.join(clip(i, 20) for i in ids[:3])}" if self.show_ids else ""
            out.append(
                Code.UNMATCHED_TRAINING_ID.finding(
                    f"{self.unmatched_records:,} {label} records "
                    f"({count_people(self.unmatched_people)}{shown}) have an id found in no "
                    "staff snapshot; they cannot count",
                    self.unmatched_records,
                    file=self.where,
                    column=self.columns.get("person_id"),
                    values=tuple((clip(i, 60), 0) for i in ids) if self.show_ids else (),
                )
            )
        if self.bad_dates:
            rows = tuple(r for _, r in self.bad_date_rows[:5])
            file = self.bad_date_rows[0][0] if self.bad_date_rows else None
            out.append(
                Code.UNPARSEABLE_DATE.finding(
                    f"{self.bad_dates:,} {label} records have a date that cannot be read "
                    f"(first rows {', '.join(map(str, rows))}); they do not count",
                    self.bad_dates,
                    file=file,
                    column=self.columns.get("date"),
                    rows=rows,
                    values=tuple(
                        (clip(k, 200), n) for k, n in self.bad_date_values.most_common(10)
                    ),
                )
            )
        if self.blank_dates:
            out.append(
                Code.BLANK_DATE.finding(
                    f"{self.blank_dates:,} {label} records have no date; they do not count",
                    self.blank_dates,
                    file=self.where,
                    column=self.columns.get("date"),
                )
            )
        if self.outside:
            span = ""
            if self.outside_first and self.window_first and self.window_last:
                span = (
                    f" (they run from {self.outside_first.isoformat()} to "
                    f"{self.outside_last.isoformat() if self.outside_last else '?'}; the "
                    f"windows cover {self.window_first.isoformat()} to "
                    f"{self.window_last.isoformat()})"
                )
            out.append(
                Code.OUTSIDE_WINDOW.finding(
                    f"{self.outside:,} {label} records are dated outside every reporting "
                    f"window{span}",
                    self.outside,
                    file=self.where,
                    column=self.columns.get("date"),
                )
            )
        if self.unknown_status:
            out.append(
                Code.UNCLASSIFIED_STATUS.finding(
                    f"{sum(self.unknown_status.values()):,} {label} records have a status "
                    f"wres4 does not recognise ({_top(self.unknown_status)}); they do not count. "
                    "Add them to accessed_statuses or not_accessed_statuses in wres4.toml",
                    sum(self.unknown_status.values()),
                    file=self.where,
                    column=self.columns.get("status"),
                    values=tuple((clip(k, 200), n) for k, n in self.unknown_status.most_common()),
                )
            )
        if self.unknown_type:
            out.append(
                Code.UNCLASSIFIED_TYPE.finding(
                    f"{sum(self.unknown_type.values()):,} {label} records have a course type "
                    f"that is neither mandatory nor non-mandatory ({_top(self.unknown_type)}); "
                    "they were classified by course title, else counted as non-mandatory",
                    sum(self.unknown_type.values()),
                    file=self.where,
                    column=self.columns.get("type") or self.columns.get("mandatory"),
                    values=tuple((clip(k, 200), n) for k, n in self.unknown_type.most_common()),
                )
            )
        if self.no_classifier:
            out.append(
                Code.NO_TYPE_COLUMN.finding(
                    f"the {label} has no course type, mandatory or course title column; "
                    "every record is treated as non-mandatory",
                    self.records,
                )
            )
        mixed = mixed_dates_finding(
            self.date_texts,
            what=label,
            column=self.columns.get("date"),
            file=self.where,
            day_first=self.day_first,
        )
        out.extend([mixed] if mixed else [])
        out.extend(self.long_fields)
        return out


def _top(counter: Mapping[str, int], n: int = 3) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    text = ", ".join(f"'{clip(k)}' {v:,}" for k, v in items)
    return text + (", ..." if len(counter) > n else "")


def reduce_training(
    source: Source,
    columns: Mapping[Path, Columns],
    staff: Staff,
    windows: Windows,
    settings: Settings,
    *,
    progress: Callable[[str, int], None] | None = None,
    tables: Iterable[pa.Table] | None = None,
) -> Reduction:
    """Stream the training extract to distinct (person position, year) pairs.

    Each batch marks a people x years bitmap, so memory follows the staff side, not the
    length of the training file. ``tables`` are the extract's tables when already being read
    (:class:`wres4.inputs.readahead.ReadAhead`); by default they are read here.
    """
    import numpy as np

    from wres4.indicator.values import NO_PERSON, encode, parse_dates
    from wres4.inputs.readers import iter_tables

    rules = Rules.from_settings(settings)
    first = next(iter(columns.values()))
    hits = np.zeros((len(staff.keys), max(len(windows.years), 1)), dtype=bool)
    red = Reduction(hits=hits, columns=dict(first.roles), show_ids=settings.show_ids)
    red.where = source.where
    if windows.years:
        red.window_first, red.window_last = min(windows.starts), max(windows.ends)
    red.no_classifier = not ({"type", "mandatory", "course"} & set(first.roles))
    red.choices = first.choice_notes(
        source.label, ("person_id", "type", "status", "date"), "--training-column"
    )
    date_cache: dict[str, np.datetime64] = {}
    nonmand_cache: dict[tuple[str, ...], bool] = {}
    status_cache: dict[str, bool | None] = {}
    starts = np.array(windows.starts, dtype="datetime64[D]")
    ends = np.array(windows.ends, dtype="datetime64[D]")
    unmatched_keys: list[np.ndarray] = []
    if tables is None:
        tables = iter_tables(source, columns, dictionary=True)
    for table in tables:
        n = table.num_rows
        if n == 0:
            continue
        red.records += n
        cols = columns[source.paths[int(table.column("_file")[0].as_py())]]
        # Person positions in the staff index (-1: in no snapshot).
        keys = staff.maker.of(table.column("person_id"), assignment=cols.assignment_ids, grow=False)
        pos = staff.keys.positions(keys)
        keep = pos >= 0
        unmatched = ~keep
        if unmatched.any():
            red.unmatched_records += int(unmatched.sum())
            unmatched_keys.append(np.unique(keys[unmatched & (keys != NO_PERSON)]))
        # R4: non-mandatory, per distinct (type, mandatory flag, title) combination.
        keep &= _non_mandatory(table, rules, nonmand_cache, red.unknown_type)
        # R5: accessed statuses.
        if "status" in table.column_names:
            idx, values = encode(table.column("status"))
            texts = values.to_pylist()
            answers = [status_cache.setdefault(t, rules.status(t)) for t in texts]
            accessed = np.array([a is True for a in answers], dtype=bool)[idx]
            unknown = np.array([a is None for a in answers], dtype=bool)
            if unknown.any():
                counts = np.bincount(idx, minlength=len(texts))
                for i in np.flatnonzero(unknown):
                    if counts[i]:
                        red.unknown_status[texts[i]] += int(counts[i])
            keep &= accessed
        # Dates, parsed and placed in the windows once per distinct text; only the rows
        # still counted after R4 and R5 are looked at one by one.
        idx, values = encode(table.column("date"))
        texts = values.to_pylist()
        new = [t for t in texts if t not in date_cache]
        if new:
            parsed = parse_dates(new, day_first=settings.day_first).to_numpy("datetime64[D]")
            date_cache.update(zip(new, parsed, strict=True))
        dates = np.array([date_cache[t] for t in texts], dtype="datetime64[D]")
        rows_of = np.bincount(idx, minlength=len(texts))
        valid = ~np.isnat(dates)
        blank = np.array([not t.strip() for t in texts], dtype=bool)
        bad = ~valid & ~blank
        red.blank_dates += int(rows_of[blank].sum())
        if bad.any() and rows_of[bad].any():
            red.bad_dates += int(rows_of[bad].sum())
            rows = table.column("_row").to_numpy()[bad[idx]]
            name = str(cols.path)
            red.bad_date_rows.extend((name, int(r)) for r in rows[: 5 - len(red.bad_date_rows)])
            red.bad_date_values.update(
                {texts[i]: int(rows_of[i]) for i in np.flatnonzero(bad & (rows_of > 0))}
            )
        # inside[d, w]: distinct date d falls in window w (windows may overlap).
        inside = valid[:, None] & (dates[:, None] >= starts) & (dates[:, None] <= ends)
        in_any = inside.any(axis=1)
        outside = valid & ~in_any & (rows_of > 0)
        if outside.any():
            red.outside += int(rows_of[outside].sum())
            low, high = dates[outside].min(), dates[outside].max()
            first, last = low.astype(dt.date), high.astype(dt.date)
            red.outside_first = min(first, red.outside_first or first)
            red.outside_last = max(last, red.outside_last or last)
        counted = keep & in_any[idx]
        red.counted += int(counted.sum())
        at, who = idx[counted], pos[counted]
        for w in range(len(windows.years)):  # a handful of years, not rows
            hits[who[inside[at, w]], w] = True
        if progress is not None:
            progress(source.label, n)
    red.hits = hits
    red.date_texts = tuple(date_cache)
    red.day_first = settings.day_first
    red.years = tuple(windows.years)
    if unmatched_keys:
        distinct = np.unique(np.concatenate(unmatched_keys))
        red.unmatched_people = len(distinct)
        red.unmatched_ids = {staff.maker.text(int(k)) for k in distinct[:EXAMPLES]}
    from wres4.inputs.source import long_field_findings, rows_read_finding

    red.rows_read = rows_read_finding(source)
    red.long_fields = tuple(long_field_findings(source, columns))
    return red


def _non_mandatory(
    table: pa.Table,
    rules: Rules,
    cache: dict[tuple[str, ...], bool],
    unknown_type: Counter[str],
) -> np.ndarray:
    """R4 for each row: the type column, else a yes/no mandatory column, else the title."""
    import numpy as np
    import pandas as pd

    from wres4.indicator.values import encode

    present = [r for r in ("type", "mandatory", "course") if r in table.column_names]
    if not present:
        return np.ones(table.num_rows, dtype=bool)
    # Encode each classifying column, fold the codes into one dense code per row (factorizing
    # after each column keeps the numbers below rows x distinct values), then classify each
    # distinct combination once. Joining the texts with a separator would break on a cell
    # that happens to hold the separator.
    encoded = [encode(table.column(r)) for r in present]
    idx = np.zeros(table.num_rows, dtype=np.int64)
    for col_idx, col_values in encoded:
        folded = idx * max(len(col_values), 1) + col_idx.astype(np.int64)
        idx = pd.factorize(folded)[0].astype(np.int64)
    sample_row = np.zeros(int(idx.max()) + 1 if len(idx) else 0, dtype=np.int64)
    sample_row[idx] = np.arange(len(idx))  # any row of a combination will do: all are alike
    column_texts = [col_values.to_pylist() for _, col_values in encoded]
    texts = [
        tuple(t[int(col_idx[row])] for (col_idx, _), t in zip(encoded, column_texts, strict=True))
        for row in sample_row
    ]
    answers = np.empty(len(texts), dtype=bool)
    counts = np.bincount(idx, minlength=len(texts))
    for i, text in enumerate(texts):
        parts = dict(zip(present, text, strict=True))
        key = tuple(parts.get(r, "") for r in ("type", "mandatory", "course"))
        if key not in cache:
            cache[key] = _classify_record(rules, parts)
        answers[i] = cache[key]
        if "type" in parts and parts["type"].strip() and rules.course_type(parts["type"]) is None:
            unknown_type[parts["type"]] += int(counts[i])
        elif (
            "mandatory" in parts
            and "type" not in parts
            and parts["mandatory"].strip()
            and rules.mandatory_flag(parts["mandatory"]) is None
        ):
            unknown_type[parts["mandatory"]] += int(counts[i])
    per_row: np.ndarray = answers[idx]
    return per_row


def _classify_record(rules: Rules, parts: Mapping[str, str]) -> bool:
    if "type" in parts:
        answer = rules.course_type(parts["type"])
        if answer is not None:
            return answer
    if "mandatory" in parts:
        answer = rules.mandatory_flag(parts["mandatory"])
        if answer is not None:
            return answer
    if "course" in parts:
        return rules.title(parts["course"])
    return True
