"""``wres4 check``: the data-quality audit, its exit codes, and agreement with the library."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from wres4.check import audit, render_json
from wres4.cli import cli

CLEAN_STAFF = (
    "Employee Number,Ethnic Origin,Snapshot Date\n"
    "1,A White - British,31/03/2024\n"
    "2,A White - British,31/03/2024\n"
    "3,PC Black Nigerian,31/03/2024\n"
    "4,H Indian,31/03/2024\n"
)
CLEAN_TRAINING = (
    "Employee Number,Course Title,Course Type,Status,Start Date\n"
    "1,Coaching Skills,CPD,Attended,15/06/2023\n"
    "3,Coaching Skills,CPD,Attended,15/06/2023\n"
)

# Every kind of trouble the audit reports, each once (row numbers are spreadsheet rows).
MESSY_STAFF = """\
Employee Number,Ethnic Origin,Snapshot Date,Assignment Category
1,A White - British,31/03/2023,Permanent
1,A White - British,31/03/2024,Permanent
2,A White - British,31/03/2024,Permanent
2,PC Black Nigerian,31/03/2024,Permanent
2,PC Black Nigerian,31/03/2024,Permanent
3,PC Black Nigerian,31/03/2023,Permanent
3,A White - British,31/03/2024,Permanent
4,Martian,31/03/2024,Permanent
5,Z Not Stated,31/03/2024,Permanent
6,H Indian,31/03/2024,Bank
7,H Indian,31/03/2023,Permanent
8,A White - British,31/02/2024,Permanent
"""
MESSY_TRAINING = """\
Employee Number,Course Title,Course Type,Status,Start Date
1,Coaching,CPD,Attended,15/06/2023
2,Coaching,CPD,Attended,15/06/2023
7,Coaching,CPD,Attended,15/06/2022
3,Coaching,Optional,Booked-ish,15/06/2023
3,Coaching,Whatever,Attended,15/06/2023
99,Coaching,CPD,Attended,15/06/2023
1,Coaching,CPD,Attended,15/06/2019
1,Coaching,CPD,Attended,sometime
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def files(tmp: Path, staff: str, training: str) -> list[str]:
    s, t = tmp / "staff.csv", tmp / "training.csv"
    s.write_text(staff, encoding="utf-8")
    t.write_text(training, encoding="utf-8")
    return [str(s), "--training", str(t)]


def test_clean_inputs_exit_0(tmp_path: Path) -> None:
    result = invoke("check", *files(tmp_path, CLEAN_STAFF, CLEAN_TRAINING))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.endswith("\nNo problems found.\n")
    assert "Problems" not in result.stdout


def test_messy_inputs_exit_3_with_every_finding(tmp_path: Path) -> None:
    args = files(tmp_path, MESSY_STAFF, MESSY_TRAINING)
    result = invoke("check", *args)
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr == ""
    out = result.stdout
    staff, training = args[0], args[2]
    # rows read per file
    assert f"  {staff}     12 rows\n" in out
    assert f"  {training}  8 rows\n" in out
    # people per snapshot, bank excluded, Unknown share flagged over 10%
    assert (
        "  Year     Snapshot    People  Bank-only  Counted  White  BME  Unknown  Unknown %\n"
        "  2022/23  2023-03-31       3          0        3      1    2        0       0.0%\n"
        "  2023/24  2024-03-31       6          1        5      2    1        2    40.0% !\n"
    ) in out
    problems = out.split("Problems (7)\n", 1)[1].split("\n\nNotes (5)\n", 1)[0]
    notes = out.split("Notes (5)\n", 1)[1]
    for code in (
        "unparseable_date",
        "conflicting_ethnicity",
        "unmapped_label",
        "unmatched_training_id",
        "unclassified_status",
        "unknown_over_10pct",
    ):
        assert f"[{code}]" in problems, code
    for code in (
        "duplicate_person",
        "ethnicity_changed",
        "bank_excluded",
        "outside_window",
        "unclassified_type",
    ):
        assert f"[{code}]" in notes, code
    # conflicting ethnicity: which value was used, by the stated rule
    assert (
        "(e.g. a person in 2023/24: 'PC Black Nigerian' ×2, 'A White - British' ×1; BME used); "
        "rule used: a known group (White or BME) wins over Unknown; among known values the "
        "most frequent in that snapshot, then the one on the later row." in problems
    )
    assert "(e.g. a person: BME in 2023, White in 2024)" in notes
    # unparseable dates: count and first rows, staff and training
    assert "1 staff rows have a snapshot that cannot be read (first rows 13)" in problems
    assert "1 training records have a date that cannot be read (first rows 9)" in problems
    # unmapped labels and unclassified values with counts
    assert "      Martian  (1)\n" in problems
    assert "      Booked-ish  (1)\n" in problems
    assert "      Whatever  (1)\n" in notes
    # Person ids are personal data: never shown unless asked for.
    assert "(1 person) have an id found in no staff snapshot" in problems
    assert "id 99" not in out and "id 2 " not in out and "id 3:" not in out
    assert "dated outside every reporting window (they run from 2019-06-15" in notes
    assert out.endswith(
        "7 problems found (exit code 3). Fix them in the extracts or in wres4.toml, then run "
        "wres4 check again.\n"
    )


def test_person_ids_only_with_show_ids(tmp_path: Path) -> None:
    args = files(tmp_path, MESSY_STAFF, MESSY_TRAINING)
    result = invoke("check", *args, "--show-ids")
    assert result.exit_code == 3
    assert "(e.g. id 2 in 2023/24: 'PC Black Nigerian' ×2" in result.stdout
    assert "(e.g. id 3: BME in 2023, White in 2024)" in result.stdout
    assert "(1 person, e.g. id 99)" in result.stdout


def test_json_is_the_library_audit(tmp_path: Path) -> None:
    args = files(tmp_path, MESSY_STAFF, MESSY_TRAINING)
    result = invoke("check", *args, "-f", "json")
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    library = audit([args[0]], training=[args[2]])
    assert document == json.loads(render_json(library))
    assert document["summary"] == {"clean": False, "problems": 7}
    assert [i["rows"] for i in document["meta"]["inputs"]] == [12, 8]
    assert document["years"][1] == {
        "year": 2024,
        "period": "2023/24",
        "snapshot_date": "2024-03-31",
        "white_headcount": 2,
        "bme_headcount": 1,
        "unknown_headcount": 2,
        "unknown_share": 0.4,
        "bank_excluded": 1,
        "people_in_snapshot": 6,
    }
    unmapped = next(f for f in document["problems"] if f["code"] == "unmapped_label")
    assert unmapped["values"] == [{"value": "Martian", "count": 1}]
    assert unmapped["column"] == "Ethnic Origin"
    assert all(f["problem"] for f in document["problems"])
    assert not any(f["problem"] for f in document["notes"])


def test_output_file_format_from_suffix(tmp_path: Path) -> None:
    target = tmp_path / "audit.json"
    result = invoke("check", *files(tmp_path, MESSY_STAFF, MESSY_TRAINING), "-o", str(target))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == f"Note: wrote {target} (7 problems found)\n"
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["problems"] == 7
    text = tmp_path / "audit.txt"
    assert (
        invoke("check", *files(tmp_path, CLEAN_STAFF, CLEAN_TRAINING), "-o", str(text)).exit_code
        == 0
    )
    assert text.read_text(encoding="utf-8").startswith("wres4 check: data-quality audit\n")


def test_unknown_share_over_ten_percent_alone_is_a_problem(tmp_path: Path) -> None:
    staff = CLEAN_STAFF + "5,Z Not Stated,31/03/2024\n"  # 1 of 5 = 20%
    result = invoke("check", *files(tmp_path, staff, CLEAN_TRAINING), "-f", "json")
    assert result.exit_code == 3
    problems = json.loads(result.stdout)["problems"]
    assert [p["code"] for p in problems] == ["unknown_over_10pct"]
    assert problems[0]["message"].startswith(
        "more than 10% of staff have Unknown ethnicity (2023/24 20.0%)"
    )


def test_unknown_share_of_exactly_ten_percent_is_clean(tmp_path: Path) -> None:
    staff = "Employee Number,Ethnic Origin,Snapshot Date\n" + "".join(
        f"{i},{'A' if i < 6 else 'M' if i < 10 else 'Z'},31/03/2024\n" for i in range(1, 11)
    )
    training = "Employee Number,Course Type,Status,Start Date\n1,CPD,Attended,15/06/2023\n"
    result = invoke("check", *files(tmp_path, staff, training))
    assert result.exit_code == 0, result.stdout
    assert (
        "  2023/24  2024-03-31      10          0       10      5    4        1      10.0%\n"
        in (result.stdout)
    )


def test_check_takes_compute_input_options(tmp_path: Path) -> None:
    from conftest import write_rows

    staff = write_rows(
        tmp_path / "staff.xlsx",
        ("Emp No", "Ethnicity", "As At"),
        [[1, "A", "03/31/2024"], [2, "M", "03/31/2024"]],
        sheet="ESR",
        before={"Cover": [["Staff in post report"]]},
    )
    training = tmp_path / "training.csv"
    training.write_bytes(
        "Emp No,Activity,Outcome,When\n1,Coaching – Café,Done,06/15/2023\n".encode("cp1252")
    )
    result = invoke(
        "check",
        str(staff),
        "--training",
        str(training),
        "--sheet",
        "ESR",
        "--column",
        "person_id=Emp No",
        "--training-column",
        "person_id=Emp No",
        "--training-column",
        "date=When",
        "--month-first",
        "--encoding",
        "cp1252",
        "--as-at",
        "2024-03-31",
        "--window-months",
        "24",
        "-f",
        "json",
    )
    assert result.exit_code == 3, result.output  # 'Done' is not a status wres4 knows
    document = json.loads(result.stdout)
    assert [p["code"] for p in document["problems"]] == ["unclassified_status"]
    assert document["meta"]["settings"]["window_months"] == 24
    assert document["years"][0]["white_headcount"] == 1


def test_aggregate_input_is_audited(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "Year,Group,Headcount,Accessed\n2023,White,50,10\n2023,BME,20,5\n2023,Unknown,2,0\n"
        "2024,White,50,10\n2024,Purple,20,5\n",
        encoding="utf-8",
    )
    result = invoke("check", str(path), "-f", "json")
    assert result.exit_code == 3
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert codes == ["unmapped_label", "unknown_over_10pct", "no_group_staff"]


def test_control_characters_in_labels_are_shown_not_obeyed(tmp_path: Path) -> None:
    staff = CLEAN_STAFF + "5,\x1b[31mRed,31/03/2024\n"
    result = invoke("check", *files(tmp_path, staff, CLEAN_TRAINING))
    assert result.exit_code == 3
    assert "\x1b" not in result.stdout
    assert "\\x1b[31mRed" in result.stdout


def test_report_is_deterministic(tmp_path: Path) -> None:
    args = files(tmp_path, MESSY_STAFF, MESSY_TRAINING)
    assert invoke("check", *args).stdout == invoke("check", *args).stdout


def test_compute_leaves_the_audit_facts_to_check(tmp_path: Path) -> None:
    result = invoke("compute", *files(tmp_path, MESSY_STAFF, MESSY_TRAINING), "-f", "csv")
    assert result.exit_code == 0
    assert "rows read" not in result.stderr
    assert "people in post:" not in result.stderr
    assert "Warning: 1 staff rows have an ethnicity wres4 does not recognise" in result.stderr


def test_check_errors_are_one_line_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = invoke("check", str(missing))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {missing}: file not found. Check the path given for the staff extract.\n"
    )


def test_help_has_a_worked_example() -> None:
    result = invoke("check", "--help")
    assert result.exit_code == 0
    assert "wres4 check staff.csv --training training.csv" in result.stdout
    assert "3  data-quality problems" in result.stdout
