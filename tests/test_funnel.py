"""wres4 funnel: CPD applications by ethnic group (method.md: Funnel),
pinned by hand-counted examples.

The log below has 15 applications from 10 people. Its dates sit on the financial-year and
quarter boundaries (31 March / 1 April, 30 June / 1 July, 30 September / 1 October), one
person applies three times in one quarter, and one is declined then approved later in the
same quarter. Every expected number is worked out in a comment beside it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from wres4.cli import FUNNEL_SECTIONS, cli
from wres4.errors import ColumnError
from wres4.funnel.compute import funnel
from wres4.funnel.model import COLUMNS, SECTIONS, FunnelResult
from wres4.funnel.status import ACCESSED, APPROVED, DECLINED, NEUTRAL, UNRECOGNISED, outcome
from wres4.indicator.training import Rules
from wres4.output.funnel import document, render_text
from wres4.settings import Settings as WresSettings

LOG_HEADER = (
    "Staff ID",
    "Ethnic Origin",
    "Programme",
    "Application Date",
    "Decision",
    "Decline Reason",
    "Attendance",
)
INDIAN = "H Asian or Asian British - Indian"
AFRICAN = "N Black or Black British - African"
OTHER_WHITE = "C White - Any other White background"
# person, ethnicity, programme, date, decision, reason, attendance   -> year / quarter
LOG = [
    (1, "A White - British", "Ready Now", "31/03/2024", "Approved", "", "Attended"),  # 23/24 Q4
    (1, "A White - British", "Coaching", "01/04/2024", "Approved", "", "Completed"),  # 24/25 Q1
    (2, "White British", "Stepping Up", "30/06/2024", "Declined", "No funding", ""),  # Q1
    (2, "White British", "Stepping Up", "01/07/2024", "Approved", "", "DNA"),  # Q2
    (3, INDIAN, "Ready Now", "15/04/2024", "Declined", "No  Funding", ""),
    (3, INDIAN, "Ready Now", "20/05/2024", "Approved", "", "Attended"),
    (4, AFRICAN, "Ready Now", "2024-05-01", "Approved", "", "Completed"),
    (5, "Indian", "Mary Seacole", "2024-08-01", "Pending", "", ""),  # Q2
    (6, "Z Not Stated", "Ready Now", "2024-09-30", "Approved", "", "Attended"),  # Q2
    (4, AFRICAN, "Stepping Up", "2024-10-01", "Approved", "", "Attended"),
    (7, "PC Black Nigerian", "Ready Now", "2025-03-31", "Declined", "Not relevant to role", ""),
    (1, "A White - British", "Mary Seacole", "2024-06-10", "Approved", "", "Attended"),  # Q1
    (8, OTHER_WHITE, "ILM", "2024-12-01", "Rejected", "not relevant to ROLE", ""),
    (9, "Black African", "ready  now", "2025-01-15", "Approved", "", "In progress"),  # Q4
    (10, "Asian - Pakistani", "Stepping Up", "2024-11-11", "Declined", "No funding", ""),  # Q3
]  # fmt: skip

STAFF_HEADER = ("Employee Number", "Ethnic Origin", "Snapshot Date", "Assignment Category")
# 31 March 2024: White 1, 2, 8, 11 (12 is bank-only); BME 3, 4, 5, 13; Unknown 6.
# 31 March 2025: White 1, 2, 8, 11, 14, 15; BME 3, 4, 5, 7, 9, 13; Unknown 6.
S24 = [
    *[(p, "A White - British", "31/03/2024", "Permanent") for p in (1, 2, 8, 11)],
    (12, "A White - British", "31/03/2024", "Bank"),
    *[(p, INDIAN, "31/03/2024", "Permanent") for p in (3, 4, 5, 13)],
    (6, "Z Not Stated", "31/03/2024", "Permanent"),
]
S25 = [
    *[(p, "A White - British", "31/03/2025", "Permanent") for p in (1, 2, 8, 11, 14, 15)],
    *[(p, "N Black African", "31/03/2025", "Permanent") for p in (3, 4, 5, 7, 9, 13)],
    (6, "Z Not Stated", "31/03/2025", "Permanent"),
]
TARGETS = {"Ready Now": 2, "Stepping Up": 1, "Mary Seacole": 1}


def write_log(tmp_path: Path, rows: list[tuple[Any, ...]] = LOG, header: Any = LOG_HEADER) -> Path:
    return write_rows(tmp_path / "applications.csv", header, rows)


def write_staff(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "staff.csv", STAFF_HEADER, [*S24, *S25])


def without_ethnicity(tmp_path: Path) -> Path:
    """The same log with only person ids, so ethnicity must come from the staff extract."""
    header = [h for h in LOG_HEADER if h != "Ethnic Origin"]
    return write_log(tmp_path, [(r[0], *r[2:]) for r in LOG], header)


def rows(result: FunnelResult, section: str) -> list[dict[str, Any]]:
    return result.sections()[section]


def by_group(result: FunnelResult, period: str) -> dict[str, dict[str, Any]]:
    return {r["group"]: r for r in rows(result, "results") if r["period"] == period}


def stage_counts(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[k] for k in ("applied", "approved", "declined", "accessed"))


def rl(result: FunnelResult, period: str, stage: str) -> dict[str, Any]:
    [row] = [
        r
        for r in rows(result, "relative_likelihoods")
        if r["period"] == period and r["stage"] == stage
    ]
    return row


# ------------------------------------------------------------------------------- stages by year


def test_stage_counts_per_year(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)])
    assert result.meta["periods"] == ["2023/24", "2024/25"]
    # 2023/24 holds only row 1 (31 March 2024): person 1, White, approved and attended.
    first = by_group(result, "2023/24")
    assert stage_counts(first["White"]) == (1, 1, 0, 1)
    assert stage_counts(first["BME"]) == (0, 0, 0, 0)
    assert stage_counts(first["Unknown"]) == (0, 0, 0, 0)
    year = by_group(result, "2024/25")
    # White people 1, 2, 8. Applied {1, 2, 8} = 3; approved {1 (rows 2, 12), 2 (row 4)} = 2;
    # declined {2 (row 3), 8 (row 13, "Rejected")} = 2; accessed {1} = 1 (2 did not attend).
    assert stage_counts(year["White"]) == (3, 2, 2, 1)
    # BME people 3, 4, 5, 7, 9, 10. Applied 6; approved {3, 4, 9} = 3; declined {3, 7, 10} = 3;
    # accessed {3 (attended), 4 (completed, attended), 9 (in progress)} = 3; 5 is pending.
    assert stage_counts(year["BME"]) == (6, 3, 3, 3)
    # Unknown: person 6 ("Z Not Stated"), approved and attended.
    assert stage_counts(year["Unknown"]) == (1, 1, 0, 1)
    # Rates: White approved 2/3 and accessed 1/3; BME 3/6 = 0.5 both.
    assert year["White"]["approval_rate"] == pytest.approx(2 / 3)
    assert year["White"]["access_rate"] == pytest.approx(1 / 3)
    assert year["BME"]["approval_rate"] == year["BME"]["access_rate"] == 0.5


def test_relative_likelihoods_per_year(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)])
    # No staff: no application stage. Approval (2/3) / (3/6) = 4/3; access (1/3) / (3/6) = 2/3.
    assert {r["stage"] for r in rows(result, "relative_likelihoods")} == {"approval", "access"}
    approval = rl(result, "2024/25", "approval")
    assert approval["relative_likelihood"] == pytest.approx(4 / 3)
    assert approval["ci_low"] < 4 / 3 < approval["ci_high"]
    assert 0 < approval["p_value"] <= 1 and 0 < approval["p_exact"] <= 1
    assert approval["flags"] == "small_numbers"
    assert rl(result, "2024/25", "access")["relative_likelihood"] == pytest.approx(2 / 3)
    # 2023/24 has no BME applicant, so neither ratio is defined (method.md: Not calculable):
    # no inf, no NaN.
    empty = rl(result, "2023/24", "approval")
    assert empty["relative_likelihood"] is None
    assert empty["flags"].startswith("not_calculable:no_bme_applicants")


def test_decline_then_later_approval_counts_in_both(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], per="quarter")
    # Person 3 (BME): declined 15 April, approved and attended 20 May, both in 2024/25 Q1.
    # Q1 BME: people 3 and 4 applied; approved {3, 4}; declined {3}; accessed {3, 4}.
    assert stage_counts(by_group(result, "2024/25 Q1")["BME"]) == (2, 2, 1, 2)


def test_person_with_several_applications_counts_once(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], per="quarter")
    # Person 1 applied on 1 April and 10 June (both Q1, both attended) and person 2 on
    # 30 June (declined): White Q1 applied {1, 2} = 2, approved {1} = 1, declined {2} = 1,
    # accessed {1} = 1 -- person 1's two courses count once.
    assert stage_counts(by_group(result, "2024/25 Q1")["White"]) == (2, 1, 1, 1)


def test_quarter_boundaries(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], per="quarter")
    # Five quarters from 2023/24 Q4 (31 March 2024) to 2024/25 Q4 (31 March 2025).
    assert result.meta["periods"] == [
        "2023/24 Q4",
        "2024/25 Q1",
        "2024/25 Q2",
        "2024/25 Q3",
        "2024/25 Q4",
    ]
    applied = {
        (r["period"], r["group"]): r["applied"] for r in rows(result, "results") if r["applied"]
    }
    assert applied == {
        ("2023/24 Q4", "White"): 1,  # 31 March 2024 is the last day of 2023/24
        ("2024/25 Q1", "White"): 2,  # 1 April (person 1) and 30 June (person 2)
        ("2024/25 Q1", "BME"): 2,  # people 3 and 4
        ("2024/25 Q2", "White"): 1,  # 1 July (person 2) opens Q2
        ("2024/25 Q2", "BME"): 1,  # person 5
        ("2024/25 Q2", "Unknown"): 1,  # 30 September (person 6) closes Q2
        ("2024/25 Q3", "White"): 1,  # person 8
        ("2024/25 Q3", "BME"): 2,  # 1 October (person 4) and person 10
        ("2024/25 Q4", "BME"): 2,  # person 9 and 31 March 2025 (person 7)
    }


# ------------------------------------------------------------------------------ decline reasons


def test_decline_reasons_by_group(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)])
    reasons = [
        (r["group"], r["reason"], r["count"], r["share"])
        for r in rows(result, "decline_reasons")
        if r["period"] == "2024/25"
    ]
    # Case and spacing only: "No funding" (rows 3, 15) and "No  Funding" (row 5) are one
    # reason, shown in its most common spelling; "not relevant to ROLE" joins
    # "Not relevant to role" (a tie: the first in sort order is shown).
    # White declined {2: No funding, 8: Not relevant} -> 1/2 each.
    # BME declined {3: No funding, 7: Not relevant, 10: No funding} -> 2/3 and 1/3.
    assert reasons == [
        ("White", "No funding", 1, 0.5),
        ("White", "Not relevant to role", 1, 0.5),
        ("BME", "No funding", 2, pytest.approx(2 / 3)),
        ("BME", "Not relevant to role", 1, pytest.approx(1 / 3)),
    ]


# -------------------------------------------------------------------------------------- targets


def test_targets_met_and_missed(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], targets=TARGETS)
    got = {
        (r["period"], r["programme"]): (r["bme_participants"], r["met"])
        for r in rows(result, "targets")
    }
    assert got == {
        # 2023/24: only person 1 (White) on Ready Now -> 0 BME participants.
        ("2023/24", "Ready Now"): (0, False),
        ("2023/24", "Stepping Up"): (0, False),
        ("2023/24", "Mary Seacole"): (0, False),
        # Ready Now: 3 (attended), 4 (completed), 9 ("ready  now", in progress) = 3 >= 2;
        # person 7 was declined.
        ("2024/25", "Ready Now"): (3, True),
        # Stepping Up: 4 attended = 1 >= 1; person 10 was declined.
        ("2024/25", "Stepping Up"): (1, True),
        # Mary Seacole: person 5 is still pending = 0 < 1.
        ("2024/25", "Mary Seacole"): (0, False),
    }  # fmt: skip


def test_quarterly_targets_count_the_year_to_date(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], per="quarter", targets=TARGETS)
    got = {
        (r["period"], r["programme"]): (r["bme_participants"], r["met"])
        for r in rows(result, "targets")
        if r["period"].startswith("2024/25")
    }
    # Ready Now, BME who accessed: 3 (May, Q1), 4 (May, Q1), 9 (January, Q4). A yearly
    # target of 2 is met from Q1 on, and Q4 holds the year's total, as the yearly view does.
    assert [got[(f"2024/25 Q{q}", "Ready Now")] for q in (1, 2, 3, 4)] == [
        (2, True),
        (2, True),
        (2, True),
        (3, True),
    ]
    # Stepping Up: person 4 attended in October (Q3); met from Q3 on.
    assert [got[(f"2024/25 Q{q}", "Stepping Up")][0] for q in (1, 2, 3, 4)] == [0, 0, 1, 1]
    yearly = funnel([write_log(tmp_path)], targets=TARGETS)
    year_end = {
        (r["period"], r["programme"]): r["bme_participants"] for r in rows(yearly, "targets")
    }
    for name in TARGETS:
        assert got[("2024/25 Q4", name)][0] == year_end[("2024/25", name)]


def test_target_names_match_case_and_space_insensitively(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], targets={"READY NOW": 5, "Nonexistent": 1})
    ready = [r for r in rows(result, "targets") if r["programme"] == "READY NOW"]
    # 3 BME participants in 2024/25 (as above) < 5.
    assert [(r["bme_participants"], r["met"]) for r in ready] == [(0, False), (3, False)]
    # The log mixes ISO and slashed dates on purpose; that is noted too.
    assert [f.code for f in result.findings] == [
        "mixed_date_formats",
        "target_programme_not_found",
    ]


def test_targets_need_a_course_column(tmp_path: Path) -> None:
    header = [h for h in LOG_HEADER if h != "Programme"]
    log = write_log(tmp_path, [(*r[:2], *r[3:]) for r in LOG], header)
    with pytest.raises(ColumnError, match="--target needs a course or programme column"):
        funnel([log], targets={"Ready Now": 1})


# ------------------------------------------------------------------------------ with staff


def test_with_staff_ethnicity_headcount_and_application_stage(tmp_path: Path) -> None:
    result = funnel([without_ethnicity(tmp_path)], staff=[write_staff(tmp_path)])
    # Headcount: 2023/24 uses the 31 March 2024 snapshot, 2024/25 the 31 March 2025 one.
    assert result.meta["snapshots"] == {"2023/24": "2024-03-31", "2024/25": "2025-03-31"}
    year = by_group(result, "2024/25")
    # Groups from the snapshot on or before each application: people 1, 2, 8 White; 3, 4, 5
    # BME (2024 snapshot) and 7 BME (31 March 2025 counts, as it is not after the date).
    # Person 9 applied on 15 January 2025, before the 2025 snapshot that lists them, and
    # person 10 is in no snapshot: both count as Unknown, with person 6.
    assert stage_counts(year["White"]) == (3, 2, 2, 1)
    # BME {3, 4, 5, 7}: approved {3, 4}; declined {3, 7}; accessed {3, 4}.
    assert stage_counts(year["BME"]) == (4, 2, 2, 2)
    # Unknown {6, 9, 10}: approved {6, 9}; declined {10}; accessed {6, 9}.
    assert stage_counts(year["Unknown"]) == (3, 2, 1, 2)
    # 2025 headcount: White 6, BME 6, Unknown 1. Application rates 3/6, 4/6 and 3/1.
    assert [year[g]["headcount"] for g in ("White", "BME", "Unknown")] == [6, 6, 1]
    assert year["White"]["application_rate"] == 0.5
    assert year["BME"]["application_rate"] == pytest.approx(4 / 6)
    # 2024 headcount leaves out bank-only person 12: White 4, BME 4, Unknown 1.
    first = by_group(result, "2023/24")
    assert [first[g]["headcount"] for g in ("White", "BME", "Unknown")] == [4, 4, 1]
    # Application stage: (3/6) / (4/6) = 0.75; approval (2/3) / (2/4) = 4/3;
    # access (1/3) / (2/4) = 2/3. In 2023/24 no BME person applied: not calculable.
    assert rl(result, "2024/25", "application")["relative_likelihood"] == pytest.approx(0.75)
    assert rl(result, "2024/25", "approval")["relative_likelihood"] == pytest.approx(4 / 3)
    assert rl(result, "2024/25", "access")["relative_likelihood"] == pytest.approx(2 / 3)
    assert rl(result, "2023/24", "application")["flags"].startswith("not_calculable:no_bme_applied")
    [unmatched] = [f for f in result.findings if f.code == "unmatched_application"]
    assert unmatched.count == 2 and unmatched.problem  # person 9's and person 10's rows
    assert unmatched.rows == (15, 16)  # spreadsheet rows (header = 1)


def test_representation_shares(tmp_path: Path) -> None:
    result = funnel([without_ethnicity(tmp_path)], staff=[write_staff(tmp_path)])
    shares = {
        (r["period"], r["group"]): (r["share_of_accessed"], r["share_of_workforce"])
        for r in rows(result, "representation")
    }
    # 2024/25 accessed: White 1, BME 2, Unknown 2 (of 5); workforce 6, 6, 1 (of 13).
    assert shares[("2024/25", "White")] == (pytest.approx(1 / 5), pytest.approx(6 / 13))
    assert shares[("2024/25", "BME")] == (pytest.approx(2 / 5), pytest.approx(6 / 13))
    assert shares[("2024/25", "Unknown")] == (pytest.approx(2 / 5), pytest.approx(1 / 13))
    # 2023/24: only person 1 (White) accessed; workforce 4, 4, 1 (of 9).
    assert shares[("2023/24", "White")] == (1.0, pytest.approx(4 / 9))
    assert shares[("2023/24", "BME")] == (0.0, pytest.approx(4 / 9))


def test_quarter_headcount_uses_latest_snapshot_before_quarter_end(tmp_path: Path) -> None:
    result = funnel([write_log(tmp_path)], staff=[write_staff(tmp_path)], per="quarter")
    # Q1-Q3 of 2024/25 end before 31 March 2025: the 2024 snapshot (BME 4); Q4 the 2025 one (6).
    bme = {r["period"]: r["headcount"] for r in rows(result, "results") if r["group"] == "BME"}
    assert bme == {
        "2023/24 Q4": 4,
        "2024/25 Q1": 4,
        "2024/25 Q2": 4,
        "2024/25 Q3": 4,
        "2024/25 Q4": 6,
    }


def test_absent_inputs_give_absent_columns_and_sections(tmp_path: Path) -> None:
    without = funnel([write_log(tmp_path)])
    assert list(without.sections()) == ["results", "relative_likelihoods", "decline_reasons"]
    assert "headcount" not in without.results.columns
    assert "application_rate" not in without.results.columns
    assert without.meta["absent_sections"]["representation"].startswith("needs --staff")
    # A log with only dates and ethnicity: applied only; nothing to compare without staff.
    bare = write_log(tmp_path, [r[1:2] + r[3:4] for r in LOG], ["Ethnicity", "Date"])
    result = funnel([bare])
    assert list(result.sections()) == ["results"]
    assert list(result.results.columns) == ["period", "group", "applied"]
    # Without person ids each application is a person: 2024/25 White rows 2-4, 12, 13 = 5.
    assert by_group(result, "2024/25")["White"]["applied"] == 5
    assert [f.code for f in result.findings] == ["mixed_date_formats", "no_person_id"]


def test_no_ethnicity_and_no_staff_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ColumnError, match="no ethnicity column"):
        funnel([without_ethnicity(tmp_path)])


@settings(max_examples=15, deadline=None)
@given(
    order=st.permutations(range(len(LOG))),
    extra=st.lists(st.integers(0, len(LOG) - 1), max_size=6),
)
def test_shuffled_or_repeated_rows_change_nothing(order: list[int], extra: list[int]) -> None:
    # People, not applications: the order of the log and repeated rows make no difference.
    with tempfile.TemporaryDirectory() as folder:
        base = funnel([write_log(Path(folder))], per="quarter", targets=TARGETS)
        log = write_log(Path(folder), [LOG[i] for i in [*order, *extra]])
        other = funnel([log], per="quarter", targets=TARGETS)
    assert other.sections() == base.sections()


# ------------------------------------------------------------------------------ status values


@pytest.mark.parametrize(
    ("value", "role", "expected"),
    [
        ("Approved", "decision", APPROVED),
        ("approved - awaiting start date", "status", APPROVED),
        ("Pending approval", "decision", NEUTRAL),
        ("Not approved", "decision", DECLINED),
        ("Unsuccessful", "decision", DECLINED),
        ("Declined", "status", DECLINED),
        ("Attended", "status", ACCESSED),
        ("Completed", "status", ACCESSED),
        ("DNA", "status", NEUTRAL),
        ("Withdrawn", "status", NEUTRAL),
        ("", "decision", NEUTRAL),
        ("Yes", "decision", APPROVED),
        ("No", "decision", DECLINED),
        ("Yes", "status", ACCESSED),
        ("Maybe later", "decision", UNRECOGNISED),
    ],
)
def test_outcome_of_each_value(value: str, role: str, expected: int) -> None:
    assert outcome(value, role, Rules.from_settings(WresSettings())) == expected


def test_single_status_column(tmp_path: Path) -> None:
    header = ("ID", "Ethnicity", "Date Applied", "Status")
    log = [
        (1, "White British", "2024-05-01", "Applied"),
        (2, "White British", "2024-05-01", "Approved"),
        (3, "White British", "2024-05-01", "Attended"),
        (4, "Indian", "2024-05-01", "Declined"),
        (5, "Indian", "2024-05-01", "Completed"),
        (6, "Indian", "2024-05-01", "On the moon"),
    ]
    result = funnel([write_log(tmp_path, log, header)])
    year = by_group(result, "2024/25")
    # White: applied 3; approved {2, 3 (attended implies approval)}; accessed {3}.
    assert stage_counts(year["White"]) == (3, 2, 0, 1)
    # BME: applied 3; approved {5}; declined {4}; accessed {5}; "On the moon" is reported.
    assert stage_counts(year["BME"]) == (3, 1, 1, 1)
    [finding] = result.findings
    assert finding.code == "unclassified_status" and finding.values == (("On the moon", 1),)


def test_bad_dates_are_reported_and_left_out(tmp_path: Path) -> None:
    log = [
        *LOG[:2],
        (11, "A", "Coaching", "31/02/2024", "Approved", "", ""),
        (12, "A", "X", "", "", "", ""),
    ]
    result = funnel([write_log(tmp_path, log)])
    codes = {f.code: f for f in result.findings}
    assert codes["unparseable_date"].rows == (4,) and codes["blank_date"].rows == (5,)
    assert sum(r["applied"] for r in rows(result, "results")) == 2  # rows 2 and 3 only


# ------------------------------------------------------------------------------------- the CLI


@pytest.fixture
def wres4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``wres4 funnel ARGS...`` in-process, away from any wres4.toml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WRES4_CONFIG", raising=False)

    def run(*args: Any) -> Any:
        return CliRunner().invoke(cli, ["funnel", *map(str, args)])

    return run


def test_cli_json_equals_library(tmp_path: Path, wres4: Any) -> None:
    log, staff = without_ethnicity(tmp_path), write_staff(tmp_path)
    targets = ["--target", "Ready Now=2", "--target", "Stepping Up=1", "--target", "Mary Seacole=1"]
    out = wres4(log, "--staff", staff, *targets, "-f", "json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    library = funnel([log], staff=[staff], targets=TARGETS)
    assert doc == json.loads(json.dumps(document(library)))
    # The keys and columns, exactly as documented.
    assert list(doc) == ["meta", *SECTIONS]
    for name in SECTIONS:
        assert list(doc[name][0]) == list(COLUMNS[name]), name
    assert FUNNEL_SECTIONS == SECTIONS
    assert "1 applications" not in out.stdout  # findings go to stderr, not into the data
    assert "have no staff record" in out.stderr


def test_cli_csv_section(tmp_path: Path, wres4: Any) -> None:
    formula = (20, "White British", "X", "2024-06-01", "Declined", "=HYPERLINK(1)", "")
    log = write_log(tmp_path, [*LOG, formula])
    out = wres4(log, "-f", "csv", "--section", "decline_reasons")
    assert out.exit_code == 0, out.output
    # White 2024/25 now has 3 declined people: 2, 8 and 20 -> a third each.
    # Text from the input that a spreadsheet would run is written as text ('=...).
    assert out.stdout.splitlines() == [
        "period,group,reason,count,share",
        "2024/25,White,'=HYPERLINK(1),1,0.3333333333333333",
        "2024/25,White,No funding,1,0.3333333333333333",
        "2024/25,White,Not relevant to role,1,0.3333333333333333",
        "2024/25,BME,No funding,2,0.6666666666666666",
        "2024/25,BME,Not relevant to role,1,0.3333333333333333",
    ]  # fmt: skip


def test_cli_csv_results_and_missing_section(tmp_path: Path, wres4: Any) -> None:
    log = write_log(tmp_path)
    out = wres4(log, "-f", "csv")
    assert out.stdout.splitlines()[:2] == [
        "period,group,applied,approved,declined,accessed,approval_rate,access_rate",
        "2023/24,White,1,1,0,1,1.0,1.0",
    ]
    out = wres4(log, "-f", "csv", "--section", "representation")
    assert out.exit_code == 1
    assert out.stderr.splitlines()[-1] == (
        "Error: this run has no representation section: it needs --staff and a "
        "decision/attendance column."
    )
    assert "Traceback" not in out.stderr


def test_cli_output_file_strict_and_terminal(tmp_path: Path, wres4: Any) -> None:
    log, staff = without_ethnicity(tmp_path), write_staff(tmp_path)
    target = tmp_path / "funnel.json"
    out = wres4(log, "--staff", staff, "-o", target)
    assert out.exit_code == 0 and out.stdout == ""
    assert json.loads(target.read_text()) == json.loads(
        render_text(funnel([log], staff=[staff]), "json")
    )
    # --strict: the unmatched applications are a problem, so exit 3 and write nothing.
    strict = tmp_path / "strict.csv"
    out = wres4(log, "--staff", staff, "--strict", "-o", strict)
    assert out.exit_code == 3 and not strict.exists()
    out = wres4(write_log(tmp_path), "-f", "table")
    assert out.exit_code == 0
    assert "Applications by group" in out.stdout and "Decline reasons by group" in out.stdout
    assert "A relative likelihood above 1.00 means White staff are more likely" in out.stdout


def test_cli_xlsx_and_usage_errors(tmp_path: Path, wres4: Any) -> None:
    from openpyxl import load_workbook

    log = write_log(tmp_path)
    book = tmp_path / "funnel.xlsx"
    out = wres4(log, "--target", "Ready Now=2", "-o", book)
    assert out.exit_code == 0, out.output
    assert load_workbook(book).sheetnames == [
        "Funnel",
        "Funnel relative likelihood",
        "Decline reasons",
        "Programme targets",
        "Data quality",
        "Method",
    ]
    for args, message in [
        (["--target", "Ready Now"], "'Ready Now' is not NAME=N"),
        (["-f", "json", "--section", "targets"], "-f json holds every section"),
        (["-f", "parquet", "-o", "x.parquet"], "-f parquet is not available for funnel"),
    ]:
        out = wres4(log, *args)
        assert out.exit_code == 2 and message in out.stderr, out.stderr
    out = wres4(without_ethnicity(tmp_path), "-f", "csv")
    assert out.exit_code == 1 and out.stderr.startswith("Error: ") and "no ethnicity" in out.stderr


def test_cli_help_has_examples() -> None:
    out = CliRunner().invoke(cli, ["funnel", "--help"])
    assert out.exit_code == 0
    assert "Monitor CPD applications by ethnic group" in out.stdout
    assert 'wres4 funnel applications.csv --staff staff.csv --target "Ready Now=5"' in out.stdout


def test_staff_without_snapshot_column_takes_as_at(tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnic Origin\n"
        "1,A White - British\n2,A White - British\n3,PC Black Nigerian\n",
        encoding="utf-8",
    )
    log = tmp_path / "applications.csv"
    log.write_text(
        "Employee Number,Programme,Date Applied,Decision\n"
        "1,Ready Now,2024-05-01,Approved\n"
        "3,Ready Now,2024-06-01,Declined\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["funnel", str(log), "--staff", str(staff), "--as-at", "2024-03-31", "-f", "json", "-q"],
    )
    assert result.exit_code == 0, result.output
    rows = {r["group"]: r for r in json.loads(result.stdout)["results"]}
    # The 31 March 2024 snapshot is the headcount of 2024/25: White 2 (1 applied), BME 1.
    assert rows["White"]["headcount"] == 2 and rows["White"]["applied"] == 1
    assert rows["BME"]["headcount"] == 1 and rows["BME"]["declined"] == 1


def test_applicants_in_no_staff_snapshot_are_reported(tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnic Origin,Snapshot Date\n1,A White - British,31/03/2024\n",
        encoding="utf-8",
    )
    log = tmp_path / "applications.csv"
    log.write_text(
        "Employee Number,Ethnic Origin,Date Applied,Decision\n"
        "1,A White - British,2024-05-01,Approved\n"
        "7,A White - British,2024-05-02,Approved\n"
        "7,A White - British,2024-06-02,Declined\n",
        encoding="utf-8",
    )
    result = funnel([log], staff=[staff])
    found = [f for f in result.findings if f.code == "applicant_not_in_staff"]
    # Person 7 made two applications and is in no snapshot.
    assert len(found) == 1 and found[0].count == 2
    assert "(1 person)" in found[0].message
