"""wres4 progression (method.md: Progression), pinned by a hand-worked cohort and by an
independent count of random extracts.

The staff extract below has two snapshots, 31 March 2023 and 31 March 2024. Each person is
one case of the definitions; the expected counts are worked out in the comments beside
them and in ``EXPECTED``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import write_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from wres4.cli import cli
from wres4.errors import DataError
from wres4.indicator.stats import ratio_stats
from wres4.progression.bands import BandOrder, band_key, check_order
from wres4.progression.compute import progression
from wres4.settings import BAND_ORDER, Settings

HEADER = ("Employee Number", "Ethnic Origin", "Snapshot Date", "Assignment Category", "Pay Band")
W, B, U = "A White - British", "H Asian or Asian British - Indian", "Z Not Stated"
Y1, Y2 = "31/03/2023", "2024-03-31"
STAFF = [
    # p1 White: Band 5 -> Band 6, a promotion; accessed CPD in 2022/23
    (1, W, Y1, "Permanent", "Band 5"),
    (1, W, Y2, "Permanent", "Band 6"),
    # p2 BME: Band 6 -> Band 5, a demotion (banded, not progressed); accessed CPD
    (2, B, Y1, "Permanent", "Band 6"),
    (2, B, Y2, "Permanent", "band 5"),
    # p3 White: a leaver (in post, not retained)
    (3, W, Y1, "Fixed Term Temp", "Band 7"),
    # p4 BME: a joiner (in no cohort; senior in 2024)
    (4, B, Y2, "Permanent", "Band 8b"),
    # p5 White: bank only at the next snapshot, so not retained
    (5, W, Y1, "Permanent", "AfC Band 4"),
    (5, W, Y2, "Bank", "Band 4"),
    # p6 BME: Medical, then Band 7: retained, not banded at both
    (6, B, Y1, "Permanent", "Medical"),
    (6, B, Y2, "Permanent", "Band 7"),
    # p7 White: two assignments on different bands; the highest (8a) counts, senior both years
    (7, W, Y1, "Permanent", "Band 3"),
    (7, W, Y1, "Permanent", "Band 8 - Range A"),
    (7, W, Y2, "Permanent", "Band 8A"),
    # p8 BME: a bank row on Band 8a is not their band (Band 5), then Band 6: progressed
    (8, B, Y1, "Permanent", "Band 5"),
    (8, B, Y1, "Bank", "Band 8a"),
    (8, B, Y2, "Permanent", "Band 06"),
    # p9 Unknown: Band 2 -> Band 3
    (9, U, Y1, "Permanent", "Band 2"),
    (9, U, Y2, "Permanent", "Band 3"),
    # p10: White at 2023, BME at 2024 (counted White in the 2023 cohort); Band 5 both
    (10, W, Y1, "Permanent", "Band 5"),
    (10, B, Y2, "Permanent", "Band 5"),
]
TRAINING_HEADER = ("Employee Number", "Course Title", "Course Type", "Status", "Start Date")
TRAINING = [
    (1, "Leadership", "CPD", "Attended", "12/10/2022"),
    (2, "Coaching", "Non-mandatory", "Completed", "01/04/2022"),
    (3, "Fire Safety", "Mandatory", "Attended", "12/10/2022"),  # mandatory: not CPD
    (5, "Coaching", "CPD", "Booked", "12/10/2022"),  # not attended
]
# (group, cpd) -> in_post, retained, banded, progressed for 2023 -> 2024
EXPECTED = {
    ("White", "all"): (5, 3, 3, 1),  # p1 p3 p5 p7 p10; p1 p7 p10 stay; p1 moves up
    ("White", "accessed"): (1, 1, 1, 1),  # p1
    ("White", "not_accessed"): (4, 2, 2, 0),  # p3 p5 p7 p10
    ("BME", "all"): (3, 3, 2, 1),  # p2 p6 p8; p6 unbanded at 2023; p8 moves up
    ("BME", "accessed"): (1, 1, 1, 0),  # p2
    ("BME", "not_accessed"): (2, 2, 1, 1),  # p6 p8
    ("Unknown", "all"): (1, 1, 1, 1),  # p9
    ("Unknown", "accessed"): (0, 0, 0, 0),
    ("Unknown", "not_accessed"): (1, 1, 1, 1),
}
# (year, group) -> headcount, banded, senior
SENIOR = {
    (2023, "White"): (5, 5, 1),  # p7
    (2023, "BME"): (3, 2, 0),  # p6 Medical; p8's bank row does not count
    (2023, "Unknown"): (1, 1, 0),
    (2024, "White"): (2, 2, 1),  # p1 p7 (p5 bank only, p10 now BME)
    (2024, "BME"): (5, 5, 1),  # p2 p4 p6 p8 p10; p4 on Band 8b
    (2024, "Unknown"): (1, 1, 0),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("progression")
    staff = write_rows(folder / "staff.csv", HEADER, STAFF)
    training = write_rows(folder / "training.csv", TRAINING_HEADER, TRAINING)
    return staff, training


@pytest.fixture(scope="module")
def result(files: tuple[Path, Path]) -> Any:
    staff, training = files
    return progression([staff], training=[training])


def _rows(result: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["group"], r["cpd"]): r for r in result.sections()["results"]}


def test_every_cohort_count_is_the_hand_count(result: Any) -> None:
    rows = _rows(result)
    assert set(rows) == set(EXPECTED)
    for key, counts in EXPECTED.items():
        row = rows[key]
        assert (row["from_year"], row["to_year"]) == (2023, 2024)
        assert (row["in_post"], row["retained"], row["banded"], row["progressed"]) == counts


def test_rates_and_ratios_follow_from_the_counts(result: Any) -> None:
    rows = _rows(result)
    white, bme = rows[("White", "all")], rows[("BME", "all")]
    assert white["retention_rate"] == pytest.approx(3 / 5)
    assert white["progression_rate"] == pytest.approx(1 / 3)
    assert bme["progression_rate"] == pytest.approx(1 / 2)
    # retention White/BME: (3/5) / (3/3) = 0.6; progression: (1/3) / (1/2) = 2/3
    for row in (white, bme):
        assert row["retention_ratio"] == pytest.approx(0.6)
        assert row["progression_ratio"] == pytest.approx(2 / 3)
        expected = ratio_stats(3, 5, 3, 3)
        assert row["retention_ci_low"] == pytest.approx(expected.ci_low)
        assert row["retention_ci_high"] == pytest.approx(expected.ci_high)
        assert row["retention_p_value"] == pytest.approx(expected.p_value)
        assert row["retention_p_exact"] == pytest.approx(expected.p_exact)
    assert rows[("Unknown", "all")]["retention_ratio"] is None  # no pair for Unknown


def test_cpd_effect_is_accessed_over_not_accessed_within_a_group(result: Any) -> None:
    rows = _rows(result)
    # BME: 0/1 progressed with CPD against 1/1 without: 0.0
    assert rows[("BME", "all")]["cpd_effect_ratio"] == 0.0
    # White: 1/1 against 0/2: nobody without CPD progressed, so not calculable
    white = rows[("White", "all")]
    assert white["cpd_effect_ratio"] is None
    assert "cpd_effect_not_calculable:no_not_accessed_progressed" in white["flags"]
    expected = ratio_stats(0, 1, 1, 1)
    assert rows[("BME", "accessed")]["cpd_effect_ci_high"] == pytest.approx(expected.ci_high)


def test_senior_counts_shares_and_change(result: Any) -> None:
    rows = {(r["year"], r["group"]): r for r in result.sections()["senior"]}
    for key, counts in SENIOR.items():
        assert (rows[key]["headcount"], rows[key]["banded"], rows[key]["senior"]) == counts
    assert rows[(2023, "White")]["share_of_senior"] == 1.0
    assert rows[(2024, "White")]["share_of_senior"] == 0.5
    assert rows[(2024, "BME")]["share_of_senior_change"] == pytest.approx(0.5)
    assert rows[(2024, "White")]["senior_rate_change"] == pytest.approx(1 / 2 - 1 / 5)
    assert rows[(2024, "BME")]["snapshot_date"] == "2024-03-31"


def test_findings_report_unbanded_demoted_and_changed_group(result: Any) -> None:
    found = {f.code: f for f in result.findings}
    assert found["unbanded"].count == 1  # p6 at 2023
    assert ("Medical", 1) in found["unbanded"].values
    assert found["band_down"].count == 1  # p2
    assert found["group_changed"].count == 1  # p10
    assert found["group_changed"].values == (("White to BME", 1),)
    assert "ethnicity_changed" not in found  # the indicator's note, which leaves Unknown out
    assert "snapshot_gap" not in found


def test_a_move_to_or_from_unknown_is_a_changed_group(tmp_path: Path) -> None:
    staff = write_rows(
        tmp_path / "staff.csv",
        HEADER,
        [
            (1, W, Y1, "Permanent", "Band 5"),
            (1, U, Y2, "Permanent", "Band 5"),
            (2, U, Y1, "Permanent", "Band 5"),
            (2, B, Y2, "Permanent", "Band 5"),
            (3, B, Y1, "Permanent", "Band 5"),
            (3, B, Y2, "Permanent", "Band 5"),
        ],
    )
    found = {f.code: f for f in progression([staff]).findings}
    assert found["group_changed"].count == 2
    assert dict(found["group_changed"].values) == {"White to Unknown": 1, "Unknown to BME": 1}


def test_a_breakdown_by_band_is_by_each_persons_band(tmp_path: Path) -> None:
    staff = write_rows(
        tmp_path / "staff.csv",
        HEADER,
        [
            (1, W, Y1, "Bank", "VSM"),  # a bank row is not their band
            (1, W, Y1, "Permanent", "AfC Band 5"),
            (1, W, Y2, "Permanent", "Band 6"),
            (2, B, Y1, "Permanent", "Band 5"),
            (2, B, Y2, "Permanent", "Band 5"),
            (3, B, Y1, "Permanent", "Medical"),
            (3, B, Y2, "Permanent", "Medical"),
        ],
    )
    for by in ("pay_band", "Pay Band"):
        rows = progression([staff], by=[by]).sections()["results"]
        counts = {(r[by], r["group"]): (r["in_post"], r["progressed"]) for r in rows if r[by]}
        assert counts[("Band 5", "White")] == (1, 1)
        assert counts[("Band 5", "BME")] == (1, 0)
        assert counts[("Unbanded", "BME")] == (1, 0)
        assert {r[by] for r in rows} == {None, "Band 5", "Unbanded"}


def test_without_training_every_cohort_is_all(files: tuple[Path, Path]) -> None:
    result = progression([files[0]])
    assert {r["cpd"] for r in result.sections()["results"]} == {"all"}
    assert result.results["cpd_effect_ratio"].isna().all()
    assert _rows(result)[("White", "all")]["in_post"] == 5


def test_breakdown_rows_follow_the_overall_rows(files: tuple[Path, Path]) -> None:
    result = progression([files[0]], by=["Assignment Category"])  # also the bank role's
    rows = result.sections()["results"]
    overall = [r for r in rows if r["Assignment Category"] is None]
    fixed = [r for r in rows if r["Assignment Category"] == "Fixed Term Temp"]
    assert [r["in_post"] for r in overall] == [5, 3, 1]
    # p3 is the one fixed-term person: White, a leaver
    assert next((r["group"], r["in_post"], r["retained"]) for r in fixed) == ("White", 1, 0)


def test_one_snapshot_is_a_clear_error(tmp_path: Path, files: tuple[Path, Path]) -> None:
    staff = write_rows(tmp_path / "staff.csv", HEADER, [r for r in STAFF if r[2] == Y1])
    with pytest.raises(DataError, match="one snapshot only: 2022/23 \\(2023-03-31\\)"):
        progression([staff])
    with pytest.raises(DataError, match="--as-at picks one snapshot: leave it out"):
        progression([files[0]], as_at=dt.date(2024, 3, 31))
    banks = [(*r[:3], "Bank", r[4]) if r[2] == Y1 else r for r in STAFF]
    staff = write_rows(tmp_path / "bank.csv", HEADER, banks)
    with pytest.raises(
        DataError, match="at one of its snapshots only: 2023/24 \\(2024-03-31\\)\\. "
    ):
        progression([staff])


def test_band_names_are_read_loosely() -> None:
    order = BandOrder.of(Settings())
    values = ["Band 8 - Range A", "8A", "AfC Band 8a", "Band 05", "VSM", "Very Senior Manager"]
    values += ["NHS|AfC|Band 5", "Review Body Band 5", "Band 5 (Nursing)"]
    unbanded = ["Medical", "", None, "Band 8", "Consultant", "Grade 5", "Senior Manager"]
    ranks = order.ranks([*values, *unbanded])
    assert ranks[:3] == [BAND_ORDER.index("Band 8a")] * 3
    assert ranks[3] == BAND_ORDER.index("Band 5")
    assert ranks[4] == ranks[5] == BAND_ORDER.index("VSM")
    assert ranks[6:9] == [BAND_ORDER.index("Band 5")] * 3
    assert ranks[9:] == [-1] * len(unbanded)
    assert band_key("Band 8 - Range B") == "8b"


def test_configured_order_is_checked() -> None:
    assert check_order(["Band 5", "band 5"], (), "Band 5") is not None
    assert check_order(["Grade A", "Grade B"], (), "Grade C") is not None
    assert check_order(["Junior", "Senior"], ["senior"], "Senior") is not None
    assert check_order(["Junior", "Senior"], (), "Senior") is None


def test_local_grades_from_the_config_file(tmp_path: Path) -> None:
    staff = write_rows(
        tmp_path / "staff.csv",
        HEADER,
        [
            (1, W, Y1, "Permanent", "Grade A"),
            (1, W, Y2, "Permanent", "Grade B"),
            (2, B, Y1, "Permanent", "Grade B"),
            (2, B, Y2, "Permanent", "Grade B"),
        ],
    )
    config = tmp_path / "wres4.toml"
    # a local grade is no band until the config says so; then it is matched loosely
    config.write_text(
        '[progression]\nband_order = ["Grade A", "grade b"]\nsenior_band = "Grade B"\n'
    )
    out = CliRunner().invoke(
        cli, ["--config", str(config), "progression", str(staff), "-f", "json", "-q"]
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    progressed = {r["group"]: r["progressed"] for r in doc["results"]}
    assert progressed == {"White": 1, "BME": 0, "Unknown": 0}
    assert {(r["year"], r["group"]): r["senior"] for r in doc["senior"]}[(2024, "White")] == 1


def test_cli_formats_and_direction_sentence(files: tuple[Path, Path], tmp_path: Path) -> None:
    staff, training = files
    runner = CliRunner()
    table = runner.invoke(cli, ["progression", str(staff), "-t", str(training), "-f", "table"])
    assert table.exit_code == 0, table.output
    assert "A relative likelihood above 1.00 means White staff are more likely" in table.stdout
    assert "0.60 (" in table.stdout.replace("\n", " ")  # the retention ratio
    csv_out = runner.invoke(
        cli, ["progression", str(staff), "-f", "csv", "--section", "senior", "-q"]
    )
    assert csv_out.stdout.splitlines()[0].startswith("year,snapshot_date,group,headcount")
    book = tmp_path / "p.xlsx"
    made = runner.invoke(cli, ["progression", str(staff), "-t", str(training), "-o", str(book)])
    assert made.exit_code == 0, made.output
    from openpyxl import load_workbook

    workbook = load_workbook(book)
    assert workbook.sheetnames[:2] == ["Progression", "Senior staff"]
    assert len(workbook["Progression"]._charts) == 1


def test_disclosure_publishes_rounded_counts_and_no_p_values(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = progression([staff], training=[training], settings=Settings(disclosure="nhs"))
    rows = result.sections()["results"]
    assert {r["in_post"] for r in rows} <= {"*", 0}  # every count here is 0 or 1-7
    assert all(r["retention_p_value"] is None for r in rows)
    assert all(r["retention_ratio"] is None for r in rows)  # from hidden counts: none
    assert result.meta["disclosure"]["rule"] == "nhs"
    assert all(r["share_of_senior_change"] is None for r in result.sections()["senior"])


def test_workbook_under_disclosure_counts_comparisons(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Progression's disclosure counts comparisons, not rows: the Method sheet says so."""
    from openpyxl import load_workbook

    staff, training = files
    book = tmp_path / "p.xlsx"
    args = ["progression", str(staff), "-t", str(training), "--disclosure", "nhs", "-o", str(book)]
    made = CliRunner().invoke(cli, args)
    assert made.exit_code == 0, made.output
    cells = [c for row in load_workbook(book)["Method"].iter_rows(values_only=True) for c in row]
    assert "Disclosure: comparisons published at each level" in cells
    assert "Disclosure: rows published at each level" not in cells


# ------------------------------------------------------------------ independent count, Hypothesis

BANDS = ["Band 2", "Band 5", "Band 7", "Band 8a", "Band 8c", "Medical", ""]
GROUP_OF = {W: "White", "White British": "White", B: "BME", "Black African": "BME", U: "Unknown"}
DATES = ["31/03/2022", "31/03/2023", "31/03/2024"]
person_rows = st.lists(
    st.tuples(
        st.integers(1, 25),  # person
        st.sampled_from(sorted(GROUP_OF)),
        st.integers(0, 2),  # snapshot
        st.sampled_from(["Permanent", "Bank"]),
        st.sampled_from(BANDS),
        st.sampled_from(["yes", "no"]),
    ),
    min_size=1,
    max_size=70,
)


def reference(rows: list[tuple[Any, ...]]) -> tuple[dict[Any, list[int]], dict[Any, list[int]]]:
    """The definitions counted directly, one person at a time."""
    rank = {b: i for i, b in enumerate(BAND_ORDER)}
    seen: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        seen[(row[2], row[0])].append(row)
    people: dict[tuple[int, int], dict[str, Any]] = {}
    for (snap, person), mine in seen.items():
        if all(r[3] == "Bank" for r in mine):
            continue  # bank-only: not in the headcount
        groups = [GROUP_OF[r[1]] for r in mine]
        known = [g for g in groups if g != "Unknown"]
        # the group rule: a known group over Unknown, then the most frequent, then the later row
        group = "Unknown"
        if known:
            best = max(known.count(g) for g in known)
            group = [g for g in known if known.count(g) == best][-1]
        bands = [rank.get(r[4], -1) for r in mine if r[3] != "Bank"]
        people[(snap, person)] = {
            "group": group,
            "band": max(bands),
            "accessed": any(r[5] == "yes" for r in mine),
        }
    snaps = sorted({s for s, _ in people})
    cohorts: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for start, end in itertools.pairwise(snaps):
        for (snap, person), now in people.items():
            if snap != start:
                continue
            later = people.get((end, person))
            retained = later is not None
            banded = retained and now["band"] >= 0 and later["band"] >= 0  # type: ignore[index]
            progressed = banded and later["band"] > now["band"]  # type: ignore[index]
            cpd = "accessed" if now["accessed"] else "not_accessed"
            for level in ("all", cpd):
                counts = cohorts[(start, now["group"], level)]
                for i, flag in enumerate((True, retained, banded, progressed)):
                    counts[i] += int(flag)
    senior: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (snap, _), now in people.items():
        counts = senior[(snap, now["group"])]
        counts[0] += 1
        counts[1] += int(now["band"] >= 0)
        counts[2] += int(now["band"] >= rank["Band 8a"])
    return dict(cohorts), dict(senior)


@settings(max_examples=60, deadline=None)
@given(rows=person_rows)
def test_counts_equal_an_independent_count(rows: list[tuple[Any, ...]]) -> None:
    frame = pd.DataFrame(
        [(str(p), eth, DATES[s], cat, band, acc) for p, eth, s, cat, band, acc in rows],
        columns=[*HEADER, "Accessed"],
    )
    cohorts, senior = reference(rows)
    snapshots = {s for s, _ in senior}
    if len(snapshots) < 2:
        with pytest.raises(DataError):
            progression(frame)
        return
    result = progression(frame)
    got: dict[Any, list[int]] = {}
    for r in result.sections()["results"]:
        counts = [r["in_post"], r["retained"], r["banded"], r["progressed"]]
        assert counts[0] >= counts[1] >= counts[2] >= counts[3] >= 0
        start = DATES.index(f"31/03/{r['from_year']}")
        got[(start, r["group"], r["cpd"])] = counts
    for key, counts in got.items():
        assert counts == cohorts.get(key, [0, 0, 0, 0]), key
    for key, counts in cohorts.items():
        assert got[key] == counts, key
    for start, group, _ in got:
        all_ = got[(start, group, "all")]
        parts = [got[(start, group, c)] for c in ("accessed", "not_accessed")]
        assert [a + b for a, b in zip(*parts, strict=True)] == all_
    for r in result.sections()["senior"]:
        key = (DATES.index(f"31/03/{r['year']}"), r["group"])
        assert [r["headcount"], r["banded"], r["senior"]] == senior.get(key, [0, 0, 0])


def test_no_published_comparison_gives_a_count_away() -> None:
    """Each White/BME pair, read back from the CSV as a reader sees it, attacked by the
    indicator's independent attack (tests/test_disclosure.py)."""
    import csv
    import io

    from test_disclosure import pinned

    import wres4

    examples = Path(__file__).resolve().parent.parent / "examples"
    result = progression(
        [examples / "staff.csv"],
        training=[examples / "training.csv"],
        by=["Organisation"],
        settings=Settings(disclosure="nhs"),
    )
    rows = list(csv.DictReader(io.StringIO(wres4.render(result, "csv"))))
    pairs: dict[tuple[str, ...], dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        pairs[(row["Organisation"], row["from_year"], row["cpd"])][row["group"]] = row
    attacked = 0
    for pair in pairs.values():
        white, bme = pair["White"], pair["BME"]
        for name, (events, population) in {
            "retention": ("retained", "in_post"),
            "progression": ("progressed", "banded"),
        }.items():
            assert white[f"{name}_ratio"] == bme[f"{name}_ratio"]
            view = {
                "white_accessed": white[events],
                "white_headcount": white[population],
                "bme_accessed": bme[events],
                "bme_headcount": bme[population],
                "white_likelihood": white[f"{name}_rate"],
                "bme_likelihood": bme[f"{name}_rate"],
                "relative_likelihood": white[f"{name}_ratio"],
                "ci_low": white[f"{name}_ci_low"],
                "ci_high": white[f"{name}_ci_high"],
            }
            if "*" in (view["white_accessed"], view["bme_accessed"]):
                assert view["relative_likelihood"] == ""  # not from a hidden count
                continue
            if "*" in (view["white_headcount"], view["bme_headcount"]):
                continue
            attacked += 1
            assert pinned(view) == [], view
    assert attacked >= 10, attacked  # the example has enough large cohorts to attack


# --------------------------------------------------------------------------------- HTML page


def test_html_page_holds_the_jsons_numbers_escapes_input_and_fetches_nothing(
    tmp_path: Path,
) -> None:
    from test_html import HOSTILE, Page

    hostile = [(*row, HOSTILE if row[0] % 2 else "Nursing") for row in STAFF]
    staff = write_rows(tmp_path / "staff.csv", (*HEADER, "Staff Group"), hostile)
    training = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING)
    args = ["-q", "progression", str(staff), "-t", str(training), "--by", "Staff Group"]
    runner = CliRunner()
    assert runner.invoke(cli, [*args, "-o", str(tmp_path / "p.html")]).exit_code == 0
    doc = json.loads(runner.invoke(cli, [*args, "-f", "json"]).stdout)
    text = (tmp_path / "p.html").read_text(encoding="utf-8")
    page = Page(text)
    assert "<script" not in text and "&lt;script&gt;" in text
    assert re.findall(r"https?:", text) == [] and "default-src 'none'" in text
    assert sum(1 for tag, _ in page.tags if tag == "svg") == 3  # progression, ratios, senior
    ratios = page.table("Relative likelihood, White ÷ BME (95% CI)")
    overall = [r for r in doc["results"] if r["Staff Group"] is None and r["group"] == "White"]
    shown = [r for r in ratios if r["Staff Group"] == "All staff"]
    assert len(shown) == len(overall) == 3
    for cells, row in zip(shown, overall, strict=True):
        expected = (row["retention_ratio"], row["retention_ci_low"], row["retention_ci_high"])
        assert cells["Retention"] == "{} ({}–{})".format(*(half_up(v) for v in expected))
    assert {r["Staff Group"] for r in ratios} == {"All staff", HOSTILE, "Nursing"}
    assert "A CPD effect above 1.00 means that, within the group" in page.all_text


def half_up(value: float) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
