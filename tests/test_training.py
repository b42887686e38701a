"""Which training records count (R3 window, R4 non-mandatory, R5 accessed), through ``compute``.

Each case is one White person with one record under test, next to a fixed baseline of
2 White (none trained) and 2 BME (one trained), so white_accessed is 1 when the record
counts and 0 when it does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import (
    BME,
    STAFF_HEADER,
    TRAINING_HEADER,
    WHITE,
    counts,
    cpd,
    only_row,
    run,
    staff_rows,
    write_rows,
)

from wres4.indicator.compute import compute
from wres4.settings import Settings

BASELINE_STAFF = [[1, WHITE, "2024-03-31"], *staff_rows(2, 2, WHITE), *staff_rows(4, 2, BME)]
BASELINE_TRAINING = [cpd(4)]


def white_accessed(tmp_path: Path, records: list[list[Any]], **kwargs: Any) -> int:
    """white_accessed when person 1 (White) has ``records``; the rest is the baseline."""
    row = only_row(run(tmp_path, BASELINE_STAFF, BASELINE_TRAINING + records, **kwargs))
    # The baseline must be untouched: 3 White, 2 BME of whom 1 accessed.
    assert counts(row)[0] == 3
    assert counts(row)[2:] == (2, 1, 0, 0)
    return int(row["white_accessed"])


# ----------------------------------------------------------------------------- R3 window


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        ("2023-04-01", True),  # first day of the 12 months ending 31 March 2024
        ("2024-03-31", True),  # the snapshot day itself
        ("2023-03-31", False),  # the previous year's snapshot day
        ("2024-04-01", False),  # the day after the snapshot
        ("2024-03-31 14:30:00", True),  # a time on the snapshot day is still that day
        ("01/04/2023", True),  # UK day-first: 1 April 2023
        ("04/01/2024", True),  # UK day-first: 4 January 2024
        ("31-Mar-2023", False),
        ("1 April 2023", True),
    ],
)
def test_window_boundaries(tmp_path: Path, day: str, inside: bool) -> None:
    assert white_accessed(tmp_path, [cpd(1, day)]) == int(inside)


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        ("2022-04-01", True),  # 24 months ending 31 March 2024 start on 1 April 2022
        ("2022-03-31", False),
        ("2023-03-31", True),  # outside the default window, inside the wide one
        ("2024-04-01", False),
    ],
)
def test_window_of_24_months(tmp_path: Path, day: str, inside: bool) -> None:
    assert white_accessed(tmp_path, [cpd(1, day)], settings=Settings(window_months=24)) == int(
        inside
    )


def test_overlapping_windows_count_a_record_in_each(tmp_path: Path) -> None:
    """24-month windows of consecutive snapshots overlap: a record in the overlap counts in
    both years, one before it only in the earlier, and one in a gap year in none."""
    staff = [
        *[[i, WHITE, snap] for i in (1, 2, 3) for snap in ("2023-03-31", "2024-03-31")],
        *[[i, BME, snap] for i in (4, 5) for snap in ("2023-03-31", "2024-03-31")],
    ]
    training = [
        cpd(1, "2022-06-01"),  # in 2021-04-01..2023-03-31 and in 2022-04-01..2024-03-31
        cpd(2, "2021-06-01"),  # in the first window only
        cpd(3, "2019-06-01"),  # before both
        cpd(4, "2023-06-01"),  # in the second window only
        cpd(5, "31/02/2023"),  # not a date
    ]
    result = run(tmp_path, staff, training, settings=Settings(window_months=24))
    rows = {int(r["year"]): counts(r) for _, r in result.table.iterrows()}
    assert rows == {2023: (3, 2, 2, 0, 0, 0), 2024: (3, 1, 2, 1, 0, 0)}
    found = {f.code: f.count for f in result.findings}
    assert found["outside_window"] == 1
    assert found["unparseable_date"] == 1


def test_outside_records_are_reported(tmp_path: Path) -> None:
    result = run(tmp_path, BASELINE_STAFF, [*BASELINE_TRAINING, cpd(1, "2022-01-01")])
    outside = [f for f in result.findings if f.code == "outside_window"]
    assert [f.count for f in outside] == [1]


def test_unparseable_date_does_not_count_and_is_reported(tmp_path: Path) -> None:
    result = run(tmp_path, BASELINE_STAFF, [*BASELINE_TRAINING, cpd(1, "31/02/2024")])
    assert only_row(result)["white_accessed"] == 0
    bad = [f for f in result.findings if f.code == "unparseable_date"]
    assert len(bad) == 1
    assert bad[0].count == 1
    # Header is row 1; the baseline record is row 2, the bad one row 3.
    assert bad[0].rows == (3,)


# ------------------------------------------------------------------------ R4 type column


@pytest.mark.parametrize(
    ("kind", "counted"),
    [
        ("Non-Mandatory", True),
        ("non mandatory", True),
        ("NON-MANDATORY", True),
        ("CPD", True),
        ("Optional", True),
        ("Elective", True),
        ("Mandatory", False),
        ("Statutory/Mandatory", False),
        ("Essential", False),
        ("Core Skills", False),
        ("statutory & mandatory", False),
    ],
)
def test_type_column(tmp_path: Path, kind: str, counted: bool) -> None:
    record = [1, "Coaching Skills", kind, "Attended", "2023-06-15"]
    assert white_accessed(tmp_path, [record]) == int(counted)


@pytest.mark.parametrize(
    ("flag", "counted"),
    [("Yes", False), ("No", True), ("Y", False), ("N", True), ("TRUE", False), ("false", True)],
)
def test_yes_no_mandatory_column(tmp_path: Path, flag: str, counted: bool) -> None:
    header = ("Employee Number", "Course Title", "Mandatory", "Status", "Start Date")
    # The title is a Core Skills subject on purpose: the flag decides, not the title.
    records = [
        [4, "Coaching Skills", "No", "Attended", "2023-06-15"],
        [1, "Fire Safety Level 1", flag, "Attended", "2023-06-15"],
    ]
    row = only_row(run(tmp_path, BASELINE_STAFF, records, training_header=header))
    assert counts(row)[2:] == (2, 1, 0, 0)
    assert row["white_accessed"] == int(counted)


@pytest.mark.parametrize(
    ("title", "counted"),
    [
        ("Fire Safety Level 1", False),
        ("Safeguarding Adults L3", False),
        ("Information Governance", False),
        ("Moving and Handling (Patient)", False),
        ("Infection Prevention and Control - Level 2", False),
        ("Conflict Resolution", False),
        ("Equality, Diversity and Human Rights", False),
        ("Resuscitation Level 2 - Adult Basic Life Support", False),
        ("Coaching for Performance", True),
        ("Ready Now Leadership Programme", True),
        ("MSc Advanced Clinical Practice", True),
    ],
)
def test_course_titles_only(tmp_path: Path, title: str, counted: bool) -> None:
    header = ("Employee Number", "Course Title", "Status", "Start Date")
    records = [[4, "Mary Seacole Programme", "Completed", "2023-06-15"]]
    records.append([1, title, "Completed", "2023-06-15"])
    row = only_row(run(tmp_path, BASELINE_STAFF, records, training_header=header))
    assert counts(row)[2:] == (2, 1, 0, 0)
    assert row["white_accessed"] == int(counted)


def test_blank_type_falls_back_to_the_title(tmp_path: Path) -> None:
    # A blank type says nothing: the title decides (Fire Safety is a Core Skills subject).
    records = [
        [1, "Fire Safety Level 1", "", "Attended", "2023-06-15"],
        [2, "Coaching for Performance", "", "Attended", "2023-06-15"],
    ]
    assert white_accessed(tmp_path, records) == 1


def test_core_skills_framework_type_is_mandatory(tmp_path: Path) -> None:
    record = [
        1,
        "Clinical Skills Update",
        "Core Skills Training Framework",
        "Attended",
        "2023-06-15",
    ]
    assert white_accessed(tmp_path, [record]) == 0


@pytest.mark.parametrize(
    "title",
    ["Moving & Handling", "Health, Safety & Welfare", "Moving & Handling Level 2 (Patient)"],
)
def test_core_skills_titles_written_with_ampersand(tmp_path: Path, title: str) -> None:
    header = ("Employee Number", "Course Title", "Status", "Start Date")
    records = [[4, "Mary Seacole Programme", "Completed", "2023-06-15"]]
    records.append([1, title, "Completed", "2023-06-15"])
    row = only_row(run(tmp_path, BASELINE_STAFF, records, training_header=header))
    assert row["white_accessed"] == 0


def test_type_column_wins_over_title(tmp_path: Path) -> None:
    # A CPD-typed record whose title sounds mandatory still counts, and a Mandatory-typed
    # record with a development title does not: the type column is the first source (R4).
    records = [
        [1, "Fire Safety Instructor Course", "CPD", "Attended", "2023-06-15"],
        [2, "Coaching for Performance", "Mandatory", "Attended", "2023-06-15"],
    ]
    assert white_accessed(tmp_path, records) == 1


# ---------------------------------------------------------------------------- R5 statuses


@pytest.mark.parametrize(
    ("status", "counted"),
    [
        ("Attended", True),
        ("Completed", True),
        ("Passed", True),
        ("Failed", True),
        ("In Progress", True),
        ("Started", True),
        ("Achieved", True),
        ("ATTENDED", True),
        (" completed ", True),
        ("Applied", False),
        ("Pending", False),
        ("Approved", False),
        ("Declined", False),
        ("Rejected", False),
        ("Withdrawn", False),
        ("Cancelled", False),
        ("Did Not Attend", False),
        ("DNA", False),
        ("Waiting List", False),
        ("Not Attended", False),
    ],
)
def test_statuses(tmp_path: Path, status: str, counted: bool) -> None:
    record = [1, "Coaching Skills", "CPD", status, "2023-06-15"]
    assert white_accessed(tmp_path, [record]) == int(counted)


@pytest.mark.parametrize("status", ["Failed to attend", "Non-attendance", "Non Attendance"])
def test_did_not_attend_wordings(tmp_path: Path, status: str) -> None:
    # R5: did not attend (DNA) does not count, however it is worded.
    record = [1, "Coaching Skills", "CPD", status, "2023-06-15"]
    assert white_accessed(tmp_path, [record]) == 0


def test_unrecognised_status_does_not_count_and_is_reported(tmp_path: Path) -> None:
    records = [
        [1, "Coaching Skills", "CPD", "Maybe Later", "2023-06-15"],
        [2, "Coaching Skills", "CPD", "Maybe Later", "2023-07-15"],
        [3, "Coaching Skills", "CPD", "Declined", "2023-07-15"],
    ]
    result = run(tmp_path, BASELINE_STAFF, BASELINE_TRAINING + records)
    assert only_row(result)["white_accessed"] == 0
    reported = [f for f in result.findings if ("Maybe Later", 2) in f.values]
    assert len(reported) == 1
    assert reported[0].count == 2
    # A recognised refusal is not reported as unrecognised.
    assert not any(v == "Declined" for f in result.findings for v, _ in f.values)


def test_no_status_column_every_record_counts(tmp_path: Path) -> None:
    header = ("Employee Number", "Course Title", "Course Type", "Start Date")
    records = [
        [1, "Coaching Skills", "CPD", "2023-06-15"],
        [4, "Coaching Skills", "CPD", "2023-06-15"],
        [2, "Fire Safety", "Mandatory", "2023-06-15"],  # still mandatory: R4 applies
    ]
    row = only_row(run(tmp_path, BASELINE_STAFF, records, training_header=header))
    assert counts(row) == (3, 1, 2, 1, 0, 0)


# -------------------------------------------------------------- matching records to people


def test_records_of_people_not_in_the_snapshot_do_not_count(tmp_path: Path) -> None:
    # Person 99 is in no snapshot: the record is counted as unmatched, never as accessed.
    result = run(tmp_path, BASELINE_STAFF, [*BASELINE_TRAINING, cpd(99), cpd(99, "2023-07-01")])
    row = only_row(result)
    assert counts(row) == (3, 0, 2, 1, 0, 0)
    unmatched = [f for f in result.findings if f.code == "unmatched_training_id"]
    assert [f.count for f in unmatched] == [2]


def test_training_ids_with_leading_zeros_match(tmp_path: Path) -> None:
    staff = [["00123456", WHITE, "2024-03-31"], ["123457", BME, "2024-03-31"]]
    training = [cpd("123456"), cpd("000123457")]
    row = only_row(run(tmp_path, staff, training))
    assert counts(row) == (1, 1, 1, 1, 0, 0)


def test_training_split_over_files(tmp_path: Path) -> None:
    # Monthly training extracts given as several files are one log: person 1 trained in
    # April, person 4 (BME) in May -> White 1/3, BME 1/2.
    staff = write_rows(tmp_path / "staff.csv", STAFF_HEADER, BASELINE_STAFF)
    april = write_rows(tmp_path / "t-2023-04.csv", TRAINING_HEADER, [cpd(1, "2023-04-03")])
    may = write_rows(tmp_path / "t-2023-05.csv", TRAINING_HEADER, [cpd(4, "2023-05-03")])
    row = only_row(compute([staff], training=[april, may]))
    assert counts(row) == (3, 1, 2, 1, 0, 0)
