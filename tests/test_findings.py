"""The findings catalogue: every code the package reports is in it, with its severity, and
the tidy findings table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from wres4.findings import (
    CODES,
    FINDINGS_COLUMNS,
    Code,
    Finding,
    Severity,
    code_of,
    findings_table,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "wres4"
SOURCES = {
    path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8") for path in SRC.rglob("*.py")
}

# Written out by hand: the findings that can change the figures (exit 3 under check/--strict).
PROBLEMS = {
    "long_field",
    "applicant_not_in_staff",
    "assumed_snapshot",
    "blank_date",
    "blank_person_id",
    "conflicting_ethnicity",
    "declined_but_accessed",
    "future_snapshot",
    "no_group_staff",
    "target_programme_not_found",
    "unclassified_status",
    "unknown_over_10pct",
    "unmapped_label",
    "unmatched_application",
    "unmatched_training_id",
    "unparseable_date",
}
NOTES = {
    "bank_excluded",
    "unbanded",
    "band_down",
    "group_changed",
    "snapshot_gap",
    "mixed_date_formats",
    "column_choice",
    "duplicate_person",
    "ethnicity_changed",
    "extra_snapshots",
    "history_overlap",
    "mixed_breakdown",
    "no_person_id",
    "no_snapshot_for_period",
    "no_type_column",
    "outside_window",
    "people_in_post",
    "rows_read",
    "unclassified_type",
}


def _members_named_in_source() -> dict[str, set[str]]:
    """Catalogue member name -> the modules (other than findings.py) that name it."""
    named: dict[str, set[str]] = {}
    for module, text in SOURCES.items():
        if module == "findings.py":
            continue
        for name in re.findall(r"\bCode\.([A-Z][A-Z0-9_]*)\b", text):
            named.setdefault(name, set()).add(module)
    return named


def _code_texts_in_source() -> set[str]:
    """Codes written as text: compared with a finding's ``code`` or listed as audit facts."""
    found: set[str] = set()
    for text in SOURCES.values():
        found.update(re.findall(r"\.code\s*(?:==|!=)\s*\"([a-z0-9_]+)\"", text))
        for listing in re.findall(r"AUDIT_FACTS\s*=\s*frozenset\(\{([^}]*)\}\)", text):
            found.update(re.findall(r"\"([a-z0-9_]+)\"", listing))
    return found


def test_every_code_the_source_names_is_in_the_catalogue() -> None:
    named = _members_named_in_source()
    assert set(named) <= set(Code.__members__)
    assert _code_texts_in_source() <= set(CODES)


def test_every_catalogue_code_is_reported_somewhere() -> None:
    assert set(Code.__members__) <= set(_members_named_in_source())


def test_findings_are_only_made_through_the_catalogue() -> None:
    made_by_hand = [m for m, text in SOURCES.items() if re.search(r"\bFinding\(", text)]
    assert made_by_hand == ["findings.py"]
    assert not [m for m, text in SOURCES.items() if re.search(r"\bproblem=", text)]


def test_severities() -> None:
    assert PROBLEMS.isdisjoint(NOTES)
    assert {c.value for c in Code if c.severity is Severity.PROBLEM} == PROBLEMS
    assert {c.value for c in Code if c.severity is Severity.NOTE} == NOTES
    assert all(c.problem == (c.value in PROBLEMS) for c in Code)


def test_codes_are_their_text_and_each_says_what_it_means() -> None:
    for code in Code:
        assert code == code.value == code.name.lower()
        assert CODES[code.value] is code_of(code.value) is code
        assert code.meaning and not code.meaning.endswith(".")
    assert json.dumps([Code.ROWS_READ]) == '["rows_read"]'
    assert f"[{Code.BLANK_DATE}]" == "[blank_date]"
    assert "rows_read" in {Code.ROWS_READ} and Code.ROWS_READ in {"rows_read"}


def test_a_finding_takes_its_severity_from_its_code() -> None:
    problem = Code.BLANK_DATE.finding("3 records have no date", 3, file="t.csv", rows=[4, 5])
    note = Code.OUTSIDE_WINDOW.finding("2 records are dated outside every window", 2)
    assert (problem.problem, problem.severity) == (True, Severity.PROBLEM)
    assert (note.problem, note.severity) == (False, Severity.NOTE)
    assert problem.rows == (4, 5) and isinstance(problem.rows, tuple)
    assert type(problem.code) is str and problem.code == "blank_date"
    # Made from the code's text (as a reader of saved findings would), it is the same finding.
    assert Finding("blank_date", "3 records have no date", 3, "t.csv", rows=(4, 5)) == problem


def test_a_code_outside_the_catalogue_is_refused() -> None:
    with pytest.raises(ValueError, match="'no_such_code' is not a finding code"):
        Finding("no_such_code", "message", 1)


def test_as_dict_keeps_its_keys_and_order() -> None:
    finding = Code.UNMAPPED_LABEL.finding(
        "2 staff rows have an ethnicity wres4 does not recognise",
        2,
        file="staff.csv",
        column="Ethnic Origin",
        values=[("Martian", 2)],
    )
    assert finding.as_dict() == {
        "code": "unmapped_label",
        "message": "2 staff rows have an ethnicity wres4 does not recognise",
        "count": 2,
        "file": "staff.csv",
        "column": "Ethnic Origin",
        "rows": [],
        "values": [{"value": "Martian", "count": 2}],
        "problem": True,
    }
    assert list(finding.as_dict()) == [
        "code",
        "message",
        "count",
        "file",
        "column",
        "rows",
        "values",
        "problem",
    ]


def test_findings_table_by_hand() -> None:
    findings = [
        Code.UNPARSEABLE_DATE.finding(
            "2 training records have a date that cannot be read (first rows 4, 9)",
            2,
            file="training.csv",
            column="Start Date",
            rows=(4, 9),
        ),
        Code.ROWS_READ.finding("staff extract: 10 rows read from staff.csv", 10, file="staff.csv"),
    ]
    table = findings_table(findings)
    assert tuple(table.columns) == FINDINGS_COLUMNS
    assert FINDINGS_COLUMNS == ("code", "severity", "file", "column", "rows", "count", "message")
    assert str(table["count"].dtype) == "int64"
    assert all(table[c].dtype == object for c in FINDINGS_COLUMNS if c != "count")
    assert table.to_dict("records") == [
        {
            "code": "unparseable_date",
            "severity": "problem",
            "file": "training.csv",
            "column": "Start Date",
            "rows": "4;9",
            "count": 2,
            "message": "2 training records have a date that cannot be read (first rows 4, 9)",
        },
        {
            "code": "rows_read",
            "severity": "note",
            "file": "staff.csv",
            "column": None,
            "rows": "",
            "count": 10,
            "message": "staff extract: 10 rows read from staff.csv",
        },
    ]
    assert all(type(v) is str for v in table["severity"])


def test_an_empty_findings_table_keeps_its_columns() -> None:
    table = findings_table([])
    assert tuple(table.columns) == FINDINGS_COLUMNS
    assert len(table) == 0 and str(table["count"].dtype) == "int64"
    assert isinstance(table, pd.DataFrame)


def test_findings_table_dtypes_do_not_depend_on_the_findings() -> None:
    one = findings_table([Code.ROWS_READ.finding("staff extract: 1 rows read", 1)])
    two = findings_table(
        [Code.BLANK_DATE.finding("1 records have no date", 1, file="t.csv", column="Date")]
    )
    assert dict(one.dtypes) == dict(two.dtypes) == dict(findings_table([]).dtypes)
    assert one.loc[0, "file"] is None and one.loc[0, "column"] is None
