"""Generate synthetic ESR-style staff and training extracts, plus their ground truth.

The files are deliberately messy in the ways real extracts are (method.md: Inputs): coded and bare
ethnicity labels, ids with and without leading zeros, several assignments per person, bank
staff, mixed date formats, mandatory/non-mandatory noise, statuses that do and do not mean the
person took part, duplicates, orphans and dates outside every reporting window.

``truth.json`` is computed from the generator's own arrays (who is in post, which records
qualify), never by re-reading the files, so it is an independent check on any reader.

Everything is vectorised numpy/pyarrow: there is no Python loop over rows, only over years and
small vocabularies. ``--people`` is the headcount in post at each 31 March snapshot.

    python benchmarks/generate.py --people 300000 --years 5 --out benchmarks/data/300k_5y
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

GROUPS = ("white", "bme", "unknown")
WHITE, BME, UNKNOWN = 0, 1, 2
GROUP_SHARE = (0.70, 0.22, 0.08)

# (label as written, weight) per group. Code first, then bare Data Dictionary / census labels,
# free text, odd spacing and case. Traps: "Mixed - White and Asian" contains "White" but is
# BME; "Not stated" and "N/A?" must not be read as the code "N"; "I do not wish..." starts
# with a one-letter word that is not a code; Roma and Gypsy or Irish Traveller are White.
ETHNICITY_LABELS: tuple[tuple[tuple[str, float], ...], ...] = (
    (
        ("A White - British", 30),
        ("White - British", 12),
        ("White British", 8),
        ("  white british ", 2),
        ("WHITE - BRITISH", 2),
        ("B White - Irish", 2),
        ("White - Irish", 1),
        ("C White - Any other White background", 4),
        ("White - Any other White background", 2),
        ("C2 White Northern Irish", 1),
        ("C3 White Unspecified", 1),
        ("CA White English", 2),
        ("CP White Polish", 2),
        ("CN White Gypsy/Romany", 0.3),
        ("White: English, Welsh, Scottish, Northern Irish or British", 2),
        ("Roma", 0.5),
        ("Gypsy or Irish Traveller", 0.5),
    ),
    (
        ("H Asian or Asian British - Indian", 10),
        ("Asian or Asian British - Indian", 5),
        ("Indian", 3),
        ("J Asian or Asian British - Pakistani", 3),
        ("LE Asian Sri Lankan", 1),
        ("N Black or Black British - African", 8),
        ("Black or Black British - African", 4),
        ("Black African", 3),
        ("M Black or Black British - Caribbean", 3),
        ("PC Black Nigerian", 2),
        ("D Mixed - White and Black Caribbean", 2),
        ("F Mixed - White and Asian", 1),
        ("Mixed - White and Asian", 2),
        ("MIXED - WHITE AND ASIAN", 1),
        ("GA Mixed - Black and Asian", 1),
        ("R Chinese", 2),
        ("SC Filipino", 3),
        ("S Any other ethnic group", 2),
        ("Arab", 1),
    ),
    (
        ("Z Not Stated", 30),
        ("99 Not known", 10),
        ("", 25),
        ("Not stated", 8),
        ("Prefer not to say", 10),
        ("I do not wish to disclose my ethnic origin", 5),
        ("Martian", 1),
        ("N/A?", 1),
    ),
)

NON_BANK_CATEGORIES = (
    ("Permanent", 70),
    ("Fixed Term Temp", 15),
    ("Locum", 3),
    ("Secondment", 2),
    ("Honorary", 1),
)
BANK_CATEGORIES = (("Bank", 6), ("BANK", 2), ("bank", 2))
PAY_BANDS = (
    *((b, 1.0) for b in ("Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Band 8a")),
    ("Band 8b", 0.5),
    ("Band 9", 0.1),
    ("Medical", 1.0),
)
STAFF_GROUPS = (
    ("Nursing and Midwifery Registered", 25),
    ("Additional Clinical Services", 20),
    ("Administrative and Clerical", 20),
    ("Allied Health Professionals", 8),
    ("Medical and Dental", 10),
    ("Estates and Ancillary", 7),
    ("Healthcare Scientists", 3),
    ("Add Prof Scientific and Technic", 4),
)
ORGANISATIONS = (
    ("Surgery Division", 25),
    ("Medicine Division", 30),
    ("Women and Children", 15),
    ("Community Services", 15),
    ("Corporate Services", 15),
)

# UK Core Skills Training Framework subjects: mandatory whatever the (blank) type says.
MANDATORY_TITLES = (
    "Fire Safety",
    "Information Governance",
    "Safeguarding Adults Level 2",
    "Safeguarding Children Level 3",
    "Infection Prevention and Control",
    "Moving and Handling",
    "Conflict Resolution",
    "Equality, Diversity and Human Rights",
    "Health, Safety and Welfare",
    "Resuscitation Level 2",
    "Preventing Radicalisation",
)
# "Leadership Essentials" only ever comes with an explicit non-mandatory type: "Essential" in
# a title is not a type.
NON_MANDATORY_TITLES = (
    "Ready Now Leadership Programme",
    "Stepping Up Programme",
    "Mary Seacole Programme",
    "Coaching Skills",
    "MSc Advanced Practice",
    "Quality Improvement Foundations",
    "Clinical Audit Workshop",
    "Advanced Communication Skills",
    "Leadership Essentials",
)
BLANK_TYPE_SAFE_NON_MANDATORY = NON_MANDATORY_TITLES[:-1]
MANDATORY_TYPES = (
    ("Mandatory", 30),
    ("Statutory/Mandatory", 25),
    ("Essential", 10),
    ("Core Skills", 10),
    ("MANDATORY", 3),
    ("", 12),
)
NON_MANDATORY_TYPES = (
    ("Non-Mandatory", 30),
    ("CPD", 30),
    ("non mandatory", 8),
    ("Optional", 8),
    ("Elective", 5),
    ("", 12),
)
ACCESSED_STATUSES = (
    ("Attended", 25),
    ("Completed", 30),
    ("completed", 5),
    ("Passed", 10),
    ("Failed", 2),
    ("In Progress", 5),
    ("Started", 3),
    ("Achieved", 5),
)
NOT_ACCESSED_STATUSES = (
    ("Applied", 15),
    ("Pending", 10),
    ("Approved", 15),
    ("Declined", 10),
    ("Rejected", 5),
    ("Withdrawn", 8),
    ("Cancelled", 10),
    ("Did Not Attend", 10),
    ("DNA", 5),
    ("Waiting List", 6),
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")
SNAPSHOT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y")
# An ESR code: a leading 1-2 character token, then a space (method.md: Ethnicity).
ESR_CODE = re.compile(r"^([A-Z][A-Z0-9]?|99) ")


@dataclass(frozen=True)
class Vocabulary:
    """What the labels and dates may look like: everything (messy) or the clean subset an
    analyst's plain query assumes (--clean): ESR-coded ethnicity labels and ISO dates only."""

    labels: tuple[tuple[tuple[str, float], ...], ...] = ETHNICITY_LABELS
    date_formats: tuple[str, ...] = DATE_FORMATS
    snapshot_formats: tuple[str, ...] = SNAPSHOT_FORMATS

    @classmethod
    def clean(cls) -> Vocabulary:
        coded = tuple(
            tuple(item for item in group if ESR_CODE.match(item[0])) for group in ETHNICITY_LABELS
        )
        return cls(coded, ("%Y-%m-%d",), ("%Y-%m-%d",))


# role -> header aliases (method.md: Inputs); the first is the default ESR-style header.
STAFF_HEADERS: dict[str, tuple[str, ...]] = {
    "person_id": (
        "Employee Number",
        "Employee No",
        "Staff Number",
        "Person Number",
        "Staff ID",
        "ID",
    ),
    "assignment": ("Assignment Number",),
    "ethnicity": ("Ethnic Origin", "Ethnicity", "Ethnic Group", "Ethnic Category"),
    "snapshot_date": ("Snapshot Date", "As At Date", "Report Date", "Effective Date"),
    "category": (
        "Assignment Category",
        "Employee Category",
        "Employment Category",
        "Contract Type",
    ),
    "band": ("Pay Band", "Band", "Grade"),
    "staff_group": ("Staff Group",),
    "organisation": ("Organisation", "Directorate", "Division", "Department"),
}
TRAINING_HEADERS: dict[str, tuple[str, ...]] = {
    "person_id": STAFF_HEADERS["person_id"],
    "course": ("Course Title", "Course Name", "Competence Name", "Programme", "Activity"),
    "course_type": ("Course Type", "Training Type", "Category", "Learning Type"),
    "status": ("Status", "Outcome", "Attendance Status", "Booking Status", "Decision"),
    "date": (
        "Start Date",
        "Course Date",
        "Event Date",
        "Attended Date",
        "Completion Date",
        "Date",
    ),
}

TURNOVER = 0.10  # share of staff leaving (and replaced) each year
SECOND_ASSIGNMENT = 0.08  # people with a second assignment row in a snapshot
BANK_ONLY = 0.03  # people whose every assignment is Bank
SECOND_IS_BANK = 0.5  # of second assignments of other people: substantive + bank
LABEL_CHANGERS = 0.01  # people whose label spelling changes between years (same group)
LOW_IDS = 0.25  # ids below 10,000,000: written with leading zeros in at least one file
ID_SPACES = 0.01  # training ids with a stray space
NON_MANDATORY = 0.40
ACCESSED = 0.65
PROPENSITY = (1.0, 0.8, 0.9)  # training volume by group: a realistic ratio above 1
BOUNDARY = 0.015  # records dated exactly 1 April, and again exactly 31 March
NOT_IN_POST = 0.30  # leavers (joiners) with a record in the year after (before) their tenure
ORPHANS = 0.01  # records for ids in no snapshot
OUTSIDE = 0.005  # records before the first window or after the last snapshot
BAD_DATES = 0.002
DUPLICATES = 0.02

CHUNK_ROWS = 500_000
EXCEL_MAX_ROWS = 1_048_575


def _weights(items: Sequence[tuple[str, float]]) -> npt.NDArray[np.float64]:
    w = np.array([x[1] for x in items], dtype=np.float64)
    return np.asarray(w / w.sum(), dtype=np.float64)


def _choice(rng: np.random.Generator, items: Sequence[tuple[str, float]], n: int) -> IntArray:
    return rng.choice(len(items), size=n, p=_weights(items)).astype(np.int64)


def _at_least_one(rate: float, n: int) -> int:
    """Rare cases still appear at tiny scale, so the tests see every kind of mess."""
    return max(1, round(rate * n))


def _strings(values: Sequence[str], idx: IntArray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(idx))


def _day(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def _unique_ids(rng: np.random.Generator, n: int, low: int, high: int) -> IntArray:
    """n distinct integers in [low, high), drawn without a Python loop over ids."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        draw = rng.integers(low, high, size=int((n - out.size) * 1.1) + 16, dtype=np.int64)
        out = np.unique(np.concatenate([out, draw]))
    return rng.permutation(out)[:n]


def _tenures(rng: np.random.Generator, n: int, years: int) -> tuple[IntArray, IntArray]:
    """Start and end (exclusive) year index of everyone in post at some snapshot.

    Headcount stays at n: each year about 10% leave and the same number join.
    """
    start = np.zeros(n, dtype=np.int64)
    end = np.full(n, years, dtype=np.int64)
    present = np.arange(n, dtype=np.int64)
    for y in range(1, years):
        leave = rng.random(present.size) < TURNOVER
        leavers = present[leave]
        end[leavers] = y
        new = np.arange(start.size, start.size + leavers.size, dtype=np.int64)
        start = np.concatenate([start, np.full(leavers.size, y, dtype=np.int64)])
        end = np.concatenate([end, np.full(leavers.size, years, dtype=np.int64)])
        present = np.concatenate([present[~leave], new])
    return start, end


def _expand(start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """(person, year index) for every year each person is in post."""
    length = end - start
    person = np.repeat(np.arange(start.size, dtype=np.int64), length)
    first_row = np.repeat(np.cumsum(length) - length, length)
    year = np.repeat(start, length) + (np.arange(person.size, dtype=np.int64) - first_row)
    return person, year


def _vary_header(rng: np.random.Generator, name: str) -> str:
    style = int(rng.integers(0, 6))
    if style == 1:
        return name.upper()
    if style == 2:
        return name.lower()
    if style == 3:
        return name.replace(" ", "  ")
    if style == 4:
        return f" {name} "
    if style == 5:
        return name.upper().replace(" ", "  ")
    return name


def _headers(
    rng: np.random.Generator, roles: dict[str, tuple[str, ...]], vary: bool
) -> dict[str, str]:
    if not vary:
        return {role: aliases[0] for role, aliases in roles.items()}
    return {
        role: _vary_header(rng, aliases[int(rng.integers(0, len(aliases)))])
        for role, aliases in roles.items()
    }


def _id_strings(ids: IntArray, padded: BoolArray) -> pa.Array:
    plain = pc.cast(pa.array(ids), pa.string())
    return pc.if_else(pa.array(padded), pc.utf8_lpad(plain, width=8, padding="0"), plain)


def _date_vocab(lo: int, hi: int, formats: Sequence[str]) -> pa.Array:
    """Every day in [lo, hi] written in each format: a date string is a take() from here."""
    days = pa.array(np.arange(lo, hi + 1, dtype=np.int32), pa.date32())
    stamps = pc.cast(days, pa.timestamp("s"))
    return pa.concat_arrays([pc.strftime(stamps, format=f) for f in formats])


@dataclass(frozen=True)
class Windows:
    """Reporting windows: 1 April to 31 March, named after the 31 March snapshot (R2, R3)."""

    years: list[int]
    start: IntArray  # day numbers (days since 1970-01-01), one per snapshot
    end: IntArray

    @classmethod
    def of(cls, first_year: int, n: int) -> Windows:
        years = [first_year + y for y in range(n)]
        start = np.array([_day(dt.date(y - 1, 4, 1)) for y in years], dtype=np.int64)
        end = np.array([_day(dt.date(y, 3, 31)) for y in years], dtype=np.int64)
        return cls(years, start, end)


@dataclass(frozen=True)
class People:
    """Everyone in post at some snapshot, plus the ids of people in none (orphans)."""

    start: IntArray  # first snapshot index in post
    end: IntArray  # first snapshot index no longer in post
    group: IntArray  # WHITE, BME or UNKNOWN
    label_a: IntArray  # index into the flat label vocabulary
    label_b: IntArray  # another spelling of the same group
    changer: BoolArray
    bank_only: BoolArray
    staff_id: pa.Array  # as written in the staff extract
    training_id: pa.Array  # as written in the training extract
    ghost_id: pa.Array  # ids in no snapshot
    band: IntArray
    staff_group: IntArray
    organisation: IntArray

    @property
    def n(self) -> int:
        return int(self.start.size)


@dataclass(frozen=True)
class Staff:
    table: pa.Table
    person: IntArray  # per row
    year: IntArray  # per row, snapshot index
    bank: BoolArray  # per row


@dataclass(frozen=True)
class Training:
    table: pa.Table
    person: IntArray  # per row; -1 for ids in no snapshot
    day: IntArray
    bad_date: BoolArray
    non_mandatory: BoolArray
    accessed: BoolArray


def _make_people(
    rng: np.random.Generator, headcount: int, years: int, n_ghosts: int, vocab: Vocabulary
) -> People:
    start, end = _tenures(rng, headcount, years)
    n = start.size
    group = rng.choice(3, size=n, p=GROUP_SHARE).astype(np.int64)
    label_offset = np.cumsum([0] + [len(g) for g in vocab.labels])
    label_a = np.empty(n, dtype=np.int64)
    label_b = np.empty(n, dtype=np.int64)
    for g, labels in enumerate(vocab.labels):
        members = np.flatnonzero(group == g)
        first = _choice(rng, labels, members.size)
        other = (first + rng.integers(1, len(labels), size=members.size)) % len(labels)
        label_a[members] = label_offset[g] + first
        label_b[members] = label_offset[g] + other
    changer = rng.random(n) < LABEL_CHANGERS
    bank_only = rng.random(n) < BANK_ONLY

    n_low = round((n + n_ghosts) * LOW_IDS)
    ids = rng.permutation(
        np.concatenate(
            [
                _unique_ids(rng, n_low, 100_000, 10_000_000),
                _unique_ids(rng, n + n_ghosts - n_low, 10_000_000, 100_000_000),
            ]
        )
    )
    ghost_ids, ids = ids[n:], ids[:n]
    # Low ids: staff padded/training plain (60%), the reverse (25%), padded in both (15%).
    low = ids < 10_000_000
    mode = rng.choice(3, size=n, p=(0.60, 0.25, 0.15))
    return People(
        start=start,
        end=end,
        group=group,
        label_a=label_a,
        label_b=label_b,
        changer=changer,
        bank_only=bank_only,
        staff_id=_id_strings(ids, low & (mode != 1)),
        training_id=_id_strings(ids, low & (mode != 0)),
        ghost_id=_ghost_strings(rng, ghost_ids),
        band=_choice(rng, PAY_BANDS, n),
        staff_group=_choice(rng, STAFF_GROUPS, n),
        organisation=_choice(rng, ORGANISATIONS, n),
    )


def _make_staff(
    rng: np.random.Generator,
    p: People,
    w: Windows,
    headers: dict[str, str],
    vocab: Vocabulary,
) -> Staff:
    """One row per assignment per snapshot."""
    py_person, py_year = _expand(p.start, p.end)
    second = rng.random(py_person.size) < SECOND_ASSIGNMENT
    person = np.concatenate([py_person, py_person[second]])
    year = np.concatenate([py_year, py_year[second]])
    assignment = np.concatenate(
        [np.ones(py_person.size, np.int64), np.full(int(second.sum()), 2, np.int64)]
    )
    bank = p.bank_only[person] | ((assignment == 2) & (rng.random(person.size) < SECOND_IS_BANK))
    order = np.lexsort((rng.random(person.size), year))
    person, year, assignment, bank = person[order], year[order], assignment[order], bank[order]
    n = person.size

    categories = [c for c, _ in NON_BANK_CATEGORIES] + [c for c, _ in BANK_CATEGORIES]
    category = np.where(
        bank,
        len(NON_BANK_CATEGORIES) + _choice(rng, BANK_CATEGORIES, n),
        _choice(rng, NON_BANK_CATEGORIES, n),
    )
    # Both assignments of a person in a snapshot carry the same label; changers alternate
    # between two spellings of the same group from one year to the next.
    label = np.where(p.changer[person] & (year % 2 == 1), p.label_b[person], p.label_a[person])
    labels = [label for g in vocab.labels for label, _ in g]
    formats = vocab.snapshot_formats
    snapshots = [dt.date(y, 3, 31).strftime(f) for f in formats for y in w.years]
    snapshot = rng.integers(0, len(formats), size=n) * len(w.years) + year
    emp = p.staff_id.take(pa.array(person))
    table = pa.table(
        {
            headers["person_id"]: emp,
            headers["assignment"]: pc.binary_join_element_wise(
                emp, _strings(["1", "2"], assignment - 1), "-"
            ),
            headers["ethnicity"]: _strings(labels, label),
            headers["snapshot_date"]: _strings(snapshots, snapshot),
            headers["category"]: _strings(categories, category),
            headers["band"]: _strings([b for b, _ in PAY_BANDS], p.band[person]),
            headers["staff_group"]: _strings([s for s, _ in STAFF_GROUPS], p.staff_group[person]),
            headers["organisation"]: _strings(
                [o for o, _ in ORGANISATIONS], p.organisation[person]
            ),
        }
    )
    return Staff(table, person, year, bank)


def _make_training(
    rng: np.random.Generator,
    p: People,
    w: Windows,
    per_person: float,
    headers: dict[str, str],
    vocab: Vocabulary,
) -> Training:
    """One row per booking or record, with every kind of noise the rules
    (method.md: Numerator to Accessed) must survive."""
    years = len(w.years)
    length = w.end - w.start + 1
    # Records in the years people were in post (bank-only people train too; they don't count).
    py_person, py_year = _expand(p.start, p.end)
    n_per = rng.poisson(per_person * np.asarray(PROPENSITY)[p.group[py_person]])
    person = np.repeat(py_person, n_per)
    window = np.repeat(py_year, n_per)
    # Leavers trained in the year after their last snapshot, joiners in the year before their
    # first: those records fall in a window whose snapshot does not list them.
    leaver = np.flatnonzero((p.end < years) & (rng.random(p.n) < NOT_IN_POST))
    joiner = np.flatnonzero((p.start > 0) & (rng.random(p.n) < NOT_IN_POST))
    person = np.concatenate([person, leaver, joiner])
    window = np.concatenate([window, p.end[leaver], p.start[joiner] - 1])
    n_main = person.size
    offset = rng.integers(0, length[window])
    edge = rng.random(n_main)
    offset = np.where(edge < BOUNDARY, 0, offset)
    offset = np.where(edge > 1 - BOUNDARY, length[window] - 1, offset)
    day = w.start[window] + offset

    # Ids in no snapshot (person -1), and records outside every window.
    n_orphans = _at_least_one(ORPHANS, n_main)
    ghost = rng.integers(0, len(p.ghost_id), size=n_orphans)
    orphan_day = w.start[rng.integers(0, years, size=n_orphans)] + rng.integers(
        0, 365, size=n_orphans
    )
    n_outside = _at_least_one(OUTSIDE, n_main)
    outside_day = np.where(
        rng.random(n_outside) < 0.5,
        w.start[0] - rng.integers(1, 400, size=n_outside),
        w.end[-1] + rng.integers(1, 200, size=n_outside),
    )
    person = np.concatenate([person, np.full(n_orphans, -1), rng.integers(0, p.n, size=n_outside)])
    ghost = np.concatenate([np.full(n_main, -1), ghost, np.full(n_outside, -1)])
    day = np.concatenate([day, orphan_day, outside_day])
    n = person.size

    non_mandatory = rng.random(n) < NON_MANDATORY
    accessed = rng.random(n) < ACCESSED
    bad_date = np.zeros(n, dtype=np.bool_)
    bad_date[rng.choice(n, size=_at_least_one(BAD_DATES, n), replace=False)] = True

    # Types and titles are paired so the truth is unambiguous (method.md: Non-mandatory):
    # mandatory records
    # carry a CSTF title, non-mandatory records never do.
    types = [t for t, _ in MANDATORY_TYPES] + [t for t, _ in NON_MANDATORY_TYPES]
    course_type = np.where(
        non_mandatory,
        len(MANDATORY_TYPES) + _choice(rng, NON_MANDATORY_TYPES, n),
        _choice(rng, MANDATORY_TYPES, n),
    )
    blank_type = np.asarray(types, dtype=object)[course_type] == ""
    titles = list(MANDATORY_TITLES) + list(NON_MANDATORY_TITLES)
    title = np.where(
        non_mandatory,
        len(MANDATORY_TITLES)
        + np.where(
            blank_type,
            rng.integers(0, len(BLANK_TYPE_SAFE_NON_MANDATORY), size=n),
            rng.integers(0, len(NON_MANDATORY_TITLES), size=n),
        ),
        rng.integers(0, len(MANDATORY_TITLES), size=n),
    )
    statuses = [s for s, _ in ACCESSED_STATUSES] + [s for s, _ in NOT_ACCESSED_STATUSES]
    status = np.where(
        accessed,
        _choice(rng, ACCESSED_STATUSES, n),
        len(ACCESSED_STATUSES) + _choice(rng, NOT_ACCESSED_STATUSES, n),
    )
    lo, hi = int(w.start[0]) - 400, int(w.end[-1]) + 200
    n_days = hi - lo + 1
    bad_dates = ["not a date", f"31/02/{w.years[-1]}", "TBC", ""]
    formats = vocab.date_formats
    dates = pa.concat_arrays([_date_vocab(lo, hi, formats), pa.array(bad_dates)])
    date = np.where(
        bad_date,
        len(formats) * n_days + rng.integers(0, len(bad_dates), size=n),
        rng.integers(0, len(formats), size=n) * n_days + (day - lo),
    )
    spaced = rng.random(n) < ID_SPACES

    # Duplicate identical rows: every choice above is copied, so the written rows match too.
    dup = rng.choice(n, size=_at_least_one(DUPLICATES, n), replace=False)
    keep = np.concatenate([np.arange(n), dup])
    keep = keep[rng.permutation(keep.size)]
    person, ghost, day, date, spaced = (
        person[keep],
        ghost[keep],
        day[keep],
        date[keep],
        spaced[keep],
    )
    course_type, title, status = course_type[keep], title[keep], status[keep]

    real = person >= 0
    ids = pc.if_else(
        pa.array(real),
        p.training_id.take(pa.array(np.where(real, person, 0))),
        p.ghost_id.take(pa.array(np.where(real, 0, ghost))),
    )
    ids = pc.if_else(pa.array(spaced), pc.binary_join_element_wise(ids, " ", ""), ids)
    table = pa.table(
        {
            headers["person_id"]: ids,
            headers["course"]: _strings(titles, title),
            headers["course_type"]: _strings(types, course_type),
            headers["status"]: _strings(statuses, status),
            headers["date"]: dates.take(pa.array(date)),
        }
    )
    return Training(table, person, day, bad_date[keep], non_mandatory[keep], accessed[keep])


def _truth(p: People, w: Windows, staff: Staff, training: Training, repeat: int) -> dict[str, Any]:
    """The rules (method.md: Groups to Accessed) on the generator's own arrays, never on
    the written files."""
    years = len(w.years)
    cells = p.n * years  # one per (person, snapshot)
    key = staff.person * years + staff.year
    in_snapshot = np.bincount(key, minlength=cells) > 0
    counted = np.bincount(key, weights=~staff.bank, minlength=cells) > 0  # not bank-only
    t = training
    dated = ~t.bad_date & (t.day >= w.start[0]) & (t.day <= w.end[-1])
    window = np.searchsorted(w.start, t.day, side="right") - 1
    qualifies = (t.person >= 0) & dated & t.non_mandatory & t.accessed
    took_part = np.zeros(cells, dtype=np.bool_)
    took_part[t.person[qualifies] * years + window[qualifies]] = True
    took_part &= counted
    group = p.group[np.arange(cells) // years]
    year_of = np.arange(cells) % years

    rows = []
    for y, year in enumerate(w.years):
        row: dict[str, int] = {"year": year}
        for g, name in enumerate(GROUPS):
            here = (year_of == y) & (group == g)
            row[f"{name}_headcount"] = int((counted & here).sum())
            row[f"{name}_accessed"] = int((took_part & here).sum())
        rows.append(row)
    per_year = {
        str(year): {
            "people_in_snapshot": int((in_snapshot & (year_of == y)).sum()),
            "bank_only_excluded": int((in_snapshot & ~counted & (year_of == y)).sum()),
            "staff_rows": int((staff.year == y).sum()),
        }
        for y, year in enumerate(w.years)
    }
    return {
        "years": rows,
        "diagnostics": {
            "per_year": per_year,
            "people": p.n,
            "staff_rows": staff.table.num_rows,
            "training_rows": t.table.num_rows * repeat,
            "training_rows_unknown_person": int((t.person < 0).sum()) * repeat,
            "training_rows_unparseable_date": int(t.bad_date.sum()) * repeat,
            "training_rows_outside_every_window": int((~t.bad_date & ~dated).sum()) * repeat,
        },
    }


def generate(
    out: Path,
    people: int,
    years: int,
    *,
    seed: int = 42,
    first_year: int = 2020,
    training_per_person: float = 2.0,
    training_repeat: int = 1,
    vary_headers: bool = False,
    fmt: str = "csv",
    clean: bool = False,
) -> dict[str, Any]:
    """Write staff, training and truth.json into ``out``; return the truth."""
    rng = np.random.default_rng(seed)
    # Headers draw from their own stream, so --vary-headers changes the headers and nothing else.
    header_rng = np.random.default_rng([seed, 1])
    windows = Windows.of(first_year, years)
    n_ghosts = _at_least_one(ORPHANS * training_per_person * years, people)
    vocab = Vocabulary.clean() if clean else Vocabulary()
    crowd = _make_people(rng, people, years, n_ghosts, vocab)
    staff_headers = _headers(header_rng, STAFF_HEADERS, vary_headers)
    training_headers = _headers(header_rng, TRAINING_HEADERS, vary_headers)
    staff = _make_staff(rng, crowd, windows, staff_headers, vocab)
    training = _make_training(rng, crowd, windows, training_per_person, training_headers, vocab)

    truth = _truth(crowd, windows, staff, training, training_repeat)
    truth["columns"] = {"staff": staff_headers, "training": training_headers}
    truth["params"] = {
        "people": people,
        "years": years,
        "seed": seed,
        "first_year": first_year,
        "training_per_person": training_per_person,
        "training_repeat": training_repeat,
        "vary_headers": vary_headers,
        "format": fmt,
        "clean": clean,
    }
    out.mkdir(parents=True, exist_ok=True)
    write_table(staff.table, out / f"staff.{fmt}", fmt)
    write_table(training.table, out / f"training.{fmt}", fmt, repeat=training_repeat)
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


def _ghost_strings(rng: np.random.Generator, ghost_ids: IntArray) -> pa.Array:
    """Ids of people in no snapshot: leavers, typos, and a few non-numeric agency ids."""
    plain = pc.cast(pa.array(ghost_ids), pa.string())
    text = pc.binary_join_element_wise("T", pc.utf8_lpad(plain, width=8, padding="0"), "")
    return pc.if_else(pa.array(rng.random(ghost_ids.size) < 0.2), text, plain)


def _csv_field(values: pa.Array, delimiter: str) -> pa.Array:
    """Quote only the values that need it, as Excel and ESR do (pyarrow quotes every string)."""
    needs = pc.match_substring_regex(values, pattern=f'[{delimiter}"\\r\\n]|^\\s|\\s$')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def _write_delimited(table: pa.Table, path: Path, delimiter: str, repeat: int) -> None:
    header = delimiter.join(_csv_field(pa.array(table.column_names), delimiter).to_pylist())
    with path.open("wb") as f:
        f.write((header + "\n").encode("utf-8"))
        for _ in range(repeat):
            for chunk in table.to_batches(max_chunksize=CHUNK_ROWS):
                cols = [_csv_field(c, delimiter) for c in chunk.columns]
                lines = pc.binary_join_element_wise(*cols, delimiter)
                lines = pc.binary_join_element_wise(lines, "", "\n")
                # The joined lines sit back to back in one buffer: write it in one go.
                offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
                first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
                f.write(memoryview(lines.buffers()[2])[first:last])


def write_table(table: pa.Table, path: Path, fmt: str, repeat: int = 1) -> None:
    """Write ``table`` ``repeat`` times over, streaming so memory does not grow with repeat."""
    if fmt in ("csv", "tsv"):
        _write_delimited(table, path, "," if fmt == "csv" else "\t", repeat)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetWriter(path, table.schema) as writer:
            for _ in range(repeat):
                writer.write_table(table)
    elif fmt == "xlsx":
        if table.num_rows * repeat > EXCEL_MAX_ROWS:
            raise SystemExit(
                f"error: {path.name} would have {table.num_rows * repeat:,} rows; an Excel "
                f"sheet holds {EXCEL_MAX_ROWS:,}. Use a smaller --people or another --format."
            )
        import pandas as pd

        frame = pd.concat([table.to_pandas()] * repeat, ignore_index=True)
        frame.to_excel(path, index=False, sheet_name="Sheet1", engine="openpyxl")
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write synthetic ESR-style staff and training extracts and truth.json.",
        epilog="example: python benchmarks/generate.py --people 300000 --years 5 "
        "--out benchmarks/data/300k_5y",
    )
    parser.add_argument("--people", type=_positive(int), required=True, help="headcount in post")
    parser.add_argument("--years", type=_positive(int), required=True, help="31 March snapshots")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--first-year", type=int, default=2020, help="first snapshot year")
    parser.add_argument(
        "--training-per-person",
        type=_positive(float),
        default=2.0,
        help="mean training records per person per year in post (default 2.0)",
    )
    parser.add_argument(
        "--training-repeat",
        type=_positive(int),
        default=1,
        help="write the training rows this many times over (same truth)",
    )
    parser.add_argument("--vary-headers", action="store_true", help="alias and mangle headers")
    parser.add_argument("--format", choices=("csv", "tsv", "parquet", "xlsx"), default="csv")
    parser.add_argument(
        "--clean",
        action="store_true",
        help="ESR-coded ethnicity labels and ISO dates only, as a plain analyst query assumes",
    )
    args = parser.parse_args(argv)

    began = time.perf_counter()
    truth = generate(
        args.out,
        args.people,
        args.years,
        seed=args.seed,
        first_year=args.first_year,
        training_per_person=args.training_per_person,
        training_repeat=args.training_repeat,
        vary_headers=args.vary_headers,
        fmt=args.format,
        clean=args.clean,
    )
    info = truth["diagnostics"]
    sizes = ", ".join(
        f"{p.name} {p.stat().st_size / 1e6:.1f} MB"
        for p in sorted(args.out.iterdir())
        if p.name.startswith(("staff.", "training."))
    )
    print(
        f"wrote {args.out}: {info['staff_rows']:,} staff rows, {info['training_rows']:,} "
        f"training rows ({sizes}) in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
