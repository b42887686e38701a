"""Header roles: the alias table finds each role's column whatever its case, spacing or
punctuation; an explicit mapping wins; a missing, duplicated or mis-mapped column is one
clear error naming the columns found, with a hint when the file is the other extract."""

from __future__ import annotations

from pathlib import Path

import pytest
from badinput import extracts, fails, invoke, staff, training
from conftest import WHITE, write_rows

from wres4.inputs.columns import resolve_columns
from wres4.inputs.readers import open_source

# ------------------------------------------------------------------------------- aliases


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("EMPLOYEE  NUMBER", "person_id"),
        ("Staff No.", "person_id"),
        ("employee_no", "person_id"),
        ("Person Number", "person_id"),
        ("Staff ID", "person_id"),
        ("ID", "person_id"),
        ("Ethnic Group", "ethnicity"),
        ("ETHNIC ORIGIN", "ethnicity"),
        ("Ethnic Category", "ethnicity"),
        ("As At Date", "snapshot"),
        ("Report Date", "snapshot"),
        ("Effective Date", "snapshot"),
        ("Financial Year", "year"),
        ("Reporting-Year", "year"),
        ("Assignment Category", "bank"),
        ("Employment Category", "bank"),
        ("Contract Type", "bank"),
    ],
)
def test_staff_header_aliases(tmp_path: Path, header: str, role: str) -> None:
    path = write_rows(tmp_path / "f.csv", (header, "Other"), [["x", "y"]])
    source = open_source([path], "staff extract")
    columns = resolve_columns(source, ["person_id", "ethnicity", "snapshot", "year", "bank"])
    assert columns[path].roles == {role: header}


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Course Type", "type"),
        ("Training Type", "type"),
        ("Category", "type"),
        ("Learning Type", "type"),
        ("Mandatory", "mandatory"),
        ("Course Title", "course"),
        ("Competence Name", "course"),
        ("Programme", "course"),
        ("Activity", "course"),
        ("Status", "status"),
        ("Outcome", "status"),
        ("Attendance Status", "status"),
        ("Booking Status", "status"),
        ("Decision", "status"),
        ("Start Date", "date"),
        ("Course Date", "date"),
        ("Event Date", "date"),
        ("Attended Date", "date"),
        ("Completion Date", "date"),
        ("Date", "date"),
    ],
)
def test_training_header_aliases(tmp_path: Path, header: str, role: str) -> None:
    path = write_rows(tmp_path / "f.csv", (header, "Other"), [["x", "y"]])
    source = open_source([path], "training extract")
    wanted = ["person_id", "type", "mandatory", "course", "status", "date"]
    assert resolve_columns(source, wanted)[path].roles == {role: header}


def test_missing_required_column_names_what_was_found(tmp_path: Path) -> None:
    from wres4.errors import ColumnError

    path = write_rows(tmp_path / "f.csv", ("Name", "Ethnicity"), [["Ann", WHITE]])
    source = open_source([path], "staff extract")
    with pytest.raises(ColumnError) as info:
        resolve_columns(source, ["person_id", "ethnicity"], required=["person_id", "ethnicity"])
    message = str(info.value)
    assert "person id" in message
    assert "'Name'" in message and "'Ethnicity'" in message


# -------------------------------------------------------------------- on the command line


def test_missing_required_column(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, "Employee Number,Snapshot Date\n1,31/03/2024\n"),
        f"Error: {tmp_path / 'staff.csv'}: missing column for ethnicity (e.g. 'Ethnic Origin', "
        "'Ethnicity', 'Ethnic Group', 'Ethnic Category', 'Ethnic Origin Description'). Columns "
        "found: 'Employee Number', 'Snapshot Date'. Rename the column, or map it with "
        "--column ROLE=HEADER.",
    )


def test_duplicate_required_column(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin,Ethnic Origin,Snapshot Date\n1,A,A,31/03/2024\n"
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: the header 'Ethnic Origin' appears twice (columns 2 "
        "and 3), so wres4 cannot tell which holds the ethnicity. Rename or remove the extra "
        "column in the file.",
    )


def test_two_different_headers_for_one_role(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin,ETHNIC_ORIGIN,Snapshot Date\n1,A,A,31/03/2024\n"
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: columns 'Ethnic Origin' (column 2), 'ETHNIC_ORIGIN' "
        "(column 3) both look like the ethnicity column. Rename one, or map the role "
        "explicitly with --column.",
    )


def test_mapped_column_not_found(tmp_path: Path) -> None:
    fails(
        tmp_path,
        [*extracts(tmp_path), "--column", "ethnicity=Ethnic Code"],
        f"Error: {tmp_path / 'staff.csv'}: column 'Ethnic Code' (given for ethnicity) not "
        "found; columns found: 'Employee Number', 'Ethnic Origin', 'Snapshot Date'.",
    )


def test_training_file_given_as_staff(tmp_path: Path) -> None:
    t = training(tmp_path)
    fails(
        tmp_path,
        [str(t), "--training", str(t)],
        f"Error: {t}: missing column for ethnicity (e.g. 'Ethnic Origin', 'Ethnicity', "
        "'Ethnic Group', 'Ethnic Category', 'Ethnic Origin Description'). Columns found: "
        "'Employee Number', 'Course Title', 'Course Type', 'Status', 'Start Date'. This looks "
        "like a training extract: give the staff extract first and the training extract after "
        "--training. Rename the column, or map it with --column ROLE=HEADER.",
    )


def test_staff_file_given_as_training(tmp_path: Path) -> None:
    s = staff(tmp_path)
    fails(
        tmp_path,
        [str(s), "--training", str(s)],
        f"Error: {s}: missing column for date (e.g. 'Start Date', 'Course Date', 'Event Date', "
        "'Attended Date', 'Completion Date'). Columns found: 'Employee Number', 'Ethnic "
        "Origin', 'Snapshot Date'. This looks like a staff extract, not a training extract: "
        "check the file given with --training. Rename the column, or map it with --column "
        "ROLE=HEADER.",
    )


def test_duplicated_headers_that_are_not_roles_are_fine(tmp_path: Path) -> None:
    text = (
        "Employee Number,Notes,Ethnic Origin,Notes,Snapshot Date,Notes\n"
        "1,a,A White - British,b,31/03/2024,c\n"
        "3,a,PC Black Nigerian,b,31/03/2024,c\n"
    )
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2024,2023/24,2024-03-31,1,1,1.0,1,1,1.0,")
