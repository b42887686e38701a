"""The staff side through ``compute``: R1 groups, R2 headcount (people once, bank-only out),
snapshots and years (R9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import BME, UNKNOWN, WHITE, counts, cpd, only_row, run, write_rows

from wres4.indicator.compute import compute

BANK_HEADER = ("Employee Number", "Ethnic Origin", "Snapshot Date", "Assignment Category")


# ------------------------------------------------------------------------------ R1 groups


def test_groups_follow_codes_not_words(tmp_path: Path) -> None:
    # "Mixed - White and Asian" is BME although it says White; "C3 White Unspecified" is
    # White although it says Unspecified; "Not stated" is Unknown, not the code N (Black).
    staff = [
        [1, "Mixed - White and Asian", "2024-03-31"],
        [2, "C3 White Unspecified", "2024-03-31"],
        [3, "Not stated", "2024-03-31"],
        [4, "PC Black Nigerian", "2024-03-31"],
    ]
    row = only_row(run(tmp_path, staff, [cpd(1), cpd(3)]))
    # White: 2 (0 accessed); BME: 1, 4 (1 accessed); Unknown: 3 (1 accessed).
    assert counts(row) == (1, 0, 2, 1, 1, 1)


def test_unrecognised_label_is_unknown_and_reported(tmp_path: Path) -> None:
    staff = [[1, WHITE, "2024-03-31"], [2, BME, "2024-03-31"]]
    staff += [[3, "Martian", "2024-03-31"], [4, "Martian", "2024-03-31"]]
    result = run(tmp_path, staff, [cpd(1), cpd(2), cpd(3)])
    assert counts(only_row(result)) == (1, 1, 1, 1, 2, 1)
    reported = [f for f in result.findings if ("Martian", 2) in f.values]
    assert len(reported) == 1


# -------------------------------------------------------------------------- R2 headcount


def test_several_assignments_count_once(tmp_path: Path) -> None:
    # Person 1 has three assignment rows, person 2 two: 2 White people, not 5 rows.
    staff = [[1, WHITE, "2024-03-31"]] * 3 + [[2, WHITE, "2024-03-31"]] * 2
    staff += [[3, BME, "2024-03-31"]]
    row = only_row(run(tmp_path, staff, [cpd(1), cpd(3)]))
    assert counts(row) == (2, 1, 1, 1, 0, 0)
    # (1/2) / (1/1) = 0.5
    assert row["relative_likelihood"] == pytest.approx(0.5, rel=1e-12)


def test_assignment_numbers_map_to_the_person(tmp_path: Path) -> None:
    # ESR assignment numbers "12345678-2": the person is the part before the dash, so
    # 12345678-1 and 12345678-2 are one person, and training keyed by 12345678 matches.
    staff = [
        ["12345678-1", WHITE, "2024-03-31"],
        ["12345678-2", WHITE, "2024-03-31"],
        ["22222222-1", WHITE, "2024-03-31"],
        ["33333333-1", BME, "2024-03-31"],
    ]
    header = ("Assignment Number", "Ethnic Origin", "Snapshot Date")
    training = [cpd(12345678), cpd(33333333)]
    row = only_row(run(tmp_path, staff, training, staff_header=header))
    assert counts(row) == (2, 1, 1, 1, 0, 0)


def test_bank_only_excluded_but_bank_plus_substantive_counts(tmp_path: Path) -> None:
    # 1: substantive; 2: bank only (trained, still out); 3: bank + substantive (counts);
    # 4: BME substantive. White headcount = {1, 3} = 2, accessed {3} = 1.
    staff = [
        [1, WHITE, "2024-03-31", "Permanent"],
        [2, WHITE, "2024-03-31", "Bank"],
        [3, WHITE, "2024-03-31", "Bank"],
        [3, WHITE, "2024-03-31", "Fixed Term Temp"],
        [4, BME, "2024-03-31", "Permanent"],
    ]
    result = run(tmp_path, staff, [cpd(2), cpd(3), cpd(4)], staff_header=BANK_HEADER)
    assert counts(only_row(result)) == (2, 1, 1, 1, 0, 0)
    assert result.meta["bank_excluded"] == {"2024": 1}
    excluded = [f for f in result.findings if f.code == "bank_excluded"]
    assert [f.count for f in excluded] == [1]


@pytest.mark.parametrize("word", ["BANK", "bank", " Bank "])
def test_bank_in_any_case(tmp_path: Path, word: str) -> None:
    staff = [
        [1, WHITE, "2024-03-31", "Permanent"],
        [2, WHITE, "2024-03-31", word],
        [3, BME, "2024-03-31", "Permanent"],
    ]
    row = only_row(run(tmp_path, staff, [cpd(1), cpd(3)], staff_header=BANK_HEADER))
    assert counts(row) == (1, 1, 1, 1, 0, 0)


def test_bank_only_unknown_is_excluded_too(tmp_path: Path) -> None:
    staff = [
        [1, WHITE, "2024-03-31", "Permanent"],
        [2, UNKNOWN, "2024-03-31", "Bank"],
        [3, BME, "2024-03-31", "Permanent"],
    ]
    row = only_row(run(tmp_path, staff, [cpd(1), cpd(3)], staff_header=BANK_HEADER))
    assert counts(row) == (1, 1, 1, 1, 0, 0)


# ------------------------------------------------------------------- snapshots and years


def test_several_years_each_on_its_own_snapshot_oldest_first(tmp_path: Path) -> None:
    # Rows of the later snapshot come first in the file; the result is oldest first.
    # 2024 (31/03/2024): White 1, 2, 3 | BME 4, 5.   2023 (31/03/2023): White 1, 2 | BME 4, 6.
    # Training: 1 on 2022-06-01 (2023 window), 2 on 2023-06-01 (2024 window),
    #           4 on 2023-01-10 (2023 window), 5 on 2024-02-01 (2024 window).
    # 2023: White {1, 2} accessed {1} -> 1/2; BME {4, 6} accessed {4} -> 1/2; ratio 1.
    # 2024: White {1, 2, 3} accessed {2} -> 1/3; BME {4, 5} accessed {5} -> 1/2; ratio 2/3.
    staff = [
        [1, WHITE, "31/03/2024"],
        [2, WHITE, "31/03/2024"],
        [3, WHITE, "31/03/2024"],
        [4, BME, "31/03/2024"],
        [5, BME, "31/03/2024"],
        [1, WHITE, "31/03/2023"],
        [2, WHITE, "31/03/2023"],
        [4, BME, "31/03/2023"],
        [6, BME, "31/03/2023"],
    ]
    training = [cpd(1, "2022-06-01"), cpd(2, "2023-06-01"), cpd(4, "2023-01-10")]
    training.append(cpd(5, "2024-02-01"))
    table = run(tmp_path, staff, training).table
    assert table["year"].tolist() == [2023, 2024]
    assert table["period"].tolist() == ["2022/23", "2023/24"]
    assert table["snapshot_date"].tolist() == [dt.date(2023, 3, 31), dt.date(2024, 3, 31)]
    rows = table.to_dict("records")
    assert counts(rows[0]) == (2, 1, 2, 1, 0, 0)
    assert counts(rows[1]) == (3, 1, 2, 1, 0, 0)
    assert table["relative_likelihood"].tolist() == pytest.approx([1.0, 2 / 3])


def test_training_of_people_absent_from_a_years_snapshot_does_not_count_there(
    tmp_path: Path,
) -> None:
    # 7 (White) is only in the 2023 snapshot but trained in the 2024 window; 8 (White) is
    # only in 2024 but trained in the 2023 window. Neither counts anywhere.
    staff = [
        [1, WHITE, "2023-03-31"],
        [4, BME, "2023-03-31"],
        [7, WHITE, "2023-03-31"],
        [1, WHITE, "2024-03-31"],
        [4, BME, "2024-03-31"],
        [8, WHITE, "2024-03-31"],
    ]
    training = [cpd(4, "2022-06-01"), cpd(4, "2023-06-01")]
    training += [cpd(7, "2023-06-01"), cpd(8, "2022-06-01")]
    rows = run(tmp_path, staff, training).table.to_dict("records")
    assert [r["year"] for r in rows] == [2023, 2024]
    assert counts(rows[0]) == (2, 0, 1, 1, 0, 0)
    assert counts(rows[1]) == (2, 0, 1, 1, 0, 0)


def test_year_column_names_the_snapshot(tmp_path: Path) -> None:
    header = ("Employee Number", "Ethnic Origin", "Financial Year")
    staff = [[1, WHITE, "2023/24"], [2, BME, "2023-24"], [3, WHITE, "2022/23"]]
    staff += [[4, BME, "2022/23"]]
    training = [cpd(1, "2023-04-01"), cpd(2, "2024-03-31"), cpd(3, "2022-04-01")]
    table = run(tmp_path, staff, training, staff_header=header).table
    assert table["year"].tolist() == [2023, 2024]
    assert table["snapshot_date"].tolist() == [dt.date(2023, 3, 31), dt.date(2024, 3, 31)]
    rows = table.to_dict("records")
    assert counts(rows[0]) == (1, 1, 1, 0, 0, 0)
    assert counts(rows[1]) == (1, 1, 1, 1, 0, 0)


def test_as_at_when_the_extract_has_no_snapshot(tmp_path: Path) -> None:
    # A staff list with no date or year is the staff in post on --as-at.
    staff = [[1, WHITE], [2, WHITE], [3, BME]]
    s = write_rows(tmp_path / "staff.csv", ("Staff ID", "Ethnicity"), staff)
    header = ("Staff ID", "Course Title", "Course Type", "Status", "Start Date")
    t = write_rows(tmp_path / "training.csv", header, [cpd(1, "2022-12-01"), cpd(3, "2022-04-01")])
    row = only_row(compute([s], training=[t], as_at=dt.date(2023, 3, 31)))
    assert (row["year"], row["snapshot_date"]) == (2023, dt.date(2023, 3, 31))
    assert counts(row) == (2, 1, 1, 1, 0, 0)


def test_as_at_picks_one_snapshot_of_several(tmp_path: Path) -> None:
    staff = [[1, WHITE, "2023-03-31"], [2, BME, "2023-03-31"]]
    staff += [[1, WHITE, "2024-03-31"], [2, BME, "2024-03-31"], [3, BME, "2024-03-31"]]
    result = run(tmp_path, staff, [cpd(1), cpd(2)], as_at=dt.date(2024, 3, 31))
    row = only_row(result)
    assert row["year"] == 2024
    assert counts(row) == (1, 1, 2, 1, 0, 0)


def test_duplicate_people_are_reported(tmp_path: Path) -> None:
    staff = [[1, WHITE, "2024-03-31"], [1, WHITE, "2024-03-31"], [2, BME, "2024-03-31"]]
    result = run(tmp_path, staff, [cpd(1), cpd(2)])
    dupes = [f for f in result.findings if f.code == "duplicate_person"]
    assert [f.count for f in dupes] == [1]


@pytest.mark.parametrize(
    ("value", "bank"),
    [
        ("Bank", True),
        ("BANK", True),
        ("Bank Staff", True),
        ("Bank Only", True),
        ("Bank - Nursing", True),
        ("Non-Bank", False),
        ("Permanent", False),
        ("Fixed Term Temp", False),
        ("Banked hours", False),
    ],
)
def test_bank_categories(value: str, bank: bool) -> None:
    from wres4.indicator.staff import is_bank

    assert is_bank(value, ["bank"]) is bank


def test_a_person_in_two_bands_counts_once_and_is_noted(tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnic Origin,Snapshot Date,Pay Band\n"
        "1,A White - British,31/03/2024,Band 5\n"
        "1,A White - British,31/03/2024,Band 6\n"
        "2,PC Black Nigerian,31/03/2024,Band 6\n",
        encoding="utf-8",
    )
    training = tmp_path / "training.csv"
    training.write_text(
        "Employee Number,Course Type,Status,Start Date\n1,CPD,Attended,01/06/2023\n",
        encoding="utf-8",
    )
    result = compute([staff], training=[training], by=["pay_band"])
    notes = [f for f in result.findings if f.code == "mixed_breakdown"]
    assert len(notes) == 1 and notes[0].count == 1
    rows = {r["pay_band"]: r for r in result.table.to_dict("records") if r["pay_band"]}
    # Person 1 counts once, under the band of their first row (Band 5).
    assert rows["Band 5"]["white_headcount"] == 1
    assert rows["Band 6"]["white_headcount"] == 0 and rows["Band 6"]["bme_headcount"] == 1
