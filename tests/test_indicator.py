"""The indicator end to end through ``compute``: the vectors of method.md: Statistics, the input
forms, ``--history``, and Hypothesis invariants checked against an independent pandas count."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import (
    BME,
    CANONICAL_COLUMNS,
    COUNT_KEYS,
    UNKNOWN,
    WHITE,
    counts,
    missing,
    only_row,
    run,
    scenario,
    write_rows,
)
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

from wres4.errors import ColumnError, DataError
from wres4.indicator.compute import compute
from wres4.output.terminal import fmt_ratio
from wres4.settings import Settings

AGG_HEADER = ("year", "group", "headcount", "accessed")


def aggregate(tmp_path: Path, rows: list[list[Any]], name: str = "agg.csv") -> Path:
    return write_rows(tmp_path / name, AGG_HEADER, rows)


# ---------------------------------------------------------------- method.md: Statistics vectors


def test_plain_vector_from_raw_labels_summed(tmp_path: Path) -> None:
    # Raw labels are normalised and summed (method.md: Input forms, aggregate):
    # White 3000 + 1000 = 4000 headcount, 700 + 300 = 1000 accessed;
    # BME (Indian, African) 1000 + 500 = 1500 headcount, 200 + 100 = 300 accessed.
    # 1000/4000 = 0.25, 300/1500 = 0.20, 0.25 / 0.20 = 1.25.
    path = aggregate(
        tmp_path,
        [
            ["2023/24", "White British", 3000, 700],
            ["2023/24", "C White - Any other White background", 1000, 300],
            ["2023/24", "H Asian Indian", 1000, 200],
            ["2023/24", "Black African", 500, 100],
        ],
    )
    row = only_row(compute([path]))
    assert counts(row) == (4000, 1000, 1500, 300, 0, 0)
    assert row["white_likelihood"] == pytest.approx(0.25, rel=1e-12)
    assert row["bme_likelihood"] == pytest.approx(0.20, rel=1e-12)
    assert row["relative_likelihood"] == pytest.approx(1.25, rel=1e-12)
    assert (row["year"], row["period"]) == (2024, "2023/24")
    assert row["snapshot_date"] == dt.date(2024, 3, 31)


def test_plain_vector_from_group_names(tmp_path: Path) -> None:
    # method.md: Input forms, aggregate: group is White/BME/Unknown.
    # 1000/4000 = 0.25; 300/1500 = 0.2 -> 1.25.
    path = aggregate(tmp_path, [[2024, "White", 4000, 1000], [2024, "BME", 1500, 300]])
    row = only_row(compute([path]))
    assert counts(row) == (4000, 1000, 1500, 300, 0, 0)
    assert row["relative_likelihood"] == pytest.approx(1.25, rel=1e-12)


def test_unknowns_excluded_but_shown(tmp_path: Path) -> None:
    # As plain plus 200 Unknown of whom 100 trained: the ratio stays 0.25 / 0.20 = 1.25 and
    # the Unknown counts are shown as they are.
    path = aggregate(
        tmp_path,
        [
            [2024, "White British", 4000, 1000],
            [2024, "Black African", 1500, 300],
            [2024, "Unknown", 200, 100],
        ],
    )
    row = only_row(compute([path]))
    assert counts(row) == (4000, 1000, 1500, 300, 200, 100)
    assert row["relative_likelihood"] == pytest.approx(1.25, rel=1e-12)
    # 200 / 5700 = 3.5% Unknown: under the 10% flag.
    assert "unknown_over_10pct" not in row["flags"]


def test_plain_and_unknowns_through_extracts(tmp_path: Path) -> None:
    # The plain vector scaled down: White 2/8 = 0.25, BME 1/5 = 0.20 -> 1.25; plus
    # 2 Unknown staff of whom 1 trained, excluded from the ratio but shown.
    staff, training = scenario(white=(2, 8), bme=(1, 5), unknown=(1, 2))
    row = only_row(run(tmp_path, staff, training))
    assert counts(row) == (8, 2, 5, 1, 2, 1)
    assert row["relative_likelihood"] == pytest.approx(1.25, rel=1e-12)
    # 2 / 15 = 13% Unknown -> flagged.
    assert "unknown_over_10pct" in row["flags"].split(";")


def test_one_count_per_person(tmp_path: Path) -> None:
    # 10 White, people 1 and 2 trained (person 1 on three courses) -> 2/10 = 0.2;
    # 10 BME, one trained -> 1/10 = 0.1; 0.2 / 0.1 = 2.00.
    staff, training = scenario(white=(2, 10), bme=(1, 10))
    training += [
        [1, "Leadership Foundations", "CPD", "Completed", "2023-09-01"],
        [1, "Mentoring", "Non-Mandatory", "Attended", "2024-01-10"],
    ]
    row = only_row(run(tmp_path, staff, training))
    assert counts(row) == (10, 2, 10, 1, 0, 0)
    assert row["relative_likelihood"] == pytest.approx(2.0, rel=1e-12)


def test_half_up(tmp_path: Path) -> None:
    # 9/40 = 0.225, 1/5 = 0.2, 0.225 / 0.2 = 1.125 exactly; shown 1.13 (Excel ROUND),
    # where Python's round() would give 1.12.
    staff, training = scenario(white=(9, 40), bme=(1, 5))
    row = only_row(run(tmp_path, staff, training))
    assert counts(row) == (40, 9, 5, 1, 0, 0)
    assert row["relative_likelihood"] == 1.125
    assert fmt_ratio(row["relative_likelihood"]) == "1.13"


def test_bme_none_accessed_is_not_calculable(tmp_path: Path) -> None:
    # 10/100 vs 0/50: the ratio divides by a zero BME likelihood -> not calculable.
    staff, training = scenario(white=(10, 100), bme=(0, 50))
    row = only_row(run(tmp_path, staff, training))
    assert counts(row) == (100, 10, 50, 0, 0, 0)
    assert missing(row["relative_likelihood"])
    assert "not_calculable:no_bme_accessed" in row["flags"].split(";")
    assert row["bme_likelihood"] == 0.0


def test_white_none_accessed_is_zero(tmp_path: Path) -> None:
    # 0/100 vs 5/50: 0 / 0.1 = 0.00, a number, not "not calculable".
    staff, training = scenario(white=(0, 100), bme=(5, 50))
    row = only_row(run(tmp_path, staff, training))
    assert counts(row) == (100, 0, 50, 5, 0, 0)
    assert row["relative_likelihood"] == 0.0
    assert not any(f.startswith("not_calculable") for f in row["flags"].split(";"))


@pytest.mark.parametrize(
    ("white", "bme", "reason"),
    [
        ((0, 0), (1, 5), "no_white_staff"),  # no White headcount
        ((1, 5), (0, 0), "no_bme_staff"),  # no BME headcount
    ],
)
def test_zero_headcount_is_not_calculable(
    tmp_path: Path, white: tuple[int, int], bme: tuple[int, int], reason: str
) -> None:
    # R8: a zero headcount makes a likelihood undefined; the ratio is missing, never inf/NaN
    # shown as a number, and the flag says why.
    staff, training = scenario(white=white, bme=bme, unknown=(0, 1))
    row = only_row(run(tmp_path, staff, training))
    assert missing(row["relative_likelihood"])
    flags = row["flags"].split(";")
    assert any(f.startswith("not_calculable:") for f in flags), flags
    assert f"not_calculable:{reason}" in flags


def test_canonical_columns_in_order(tmp_path: Path) -> None:
    staff, training = scenario(white=(1, 3), bme=(1, 3))
    result = run(tmp_path, staff, training)
    assert list(result.table.columns) == CANONICAL_COLUMNS


@pytest.mark.parametrize(
    ("white", "bme"), [("White", "BME"), ("white", "bme"), ("White staff", "Ethnic minority")]
)
def test_aggregate_group_names(tmp_path: Path, white: str, bme: str) -> None:
    # 1000/4000 = 0.25 vs 300/1500 = 0.2 -> 1.25, with groups named rather than labelled.
    path = aggregate(
        tmp_path, [[2024, white, 4000, 1000], [2024, bme, 1500, 300], [2024, "Unknown", 200, 100]]
    )
    row = only_row(compute([path]))
    assert counts(row) == (4000, 1000, 1500, 300, 200, 100)
    assert row["relative_likelihood"] == pytest.approx(1.25, rel=1e-12)


def test_aggregate_configured_bme_label(tmp_path: Path) -> None:
    path = aggregate(tmp_path, [[2024, "White", 10, 2], [2024, "Minoritised", 10, 1]])
    row = only_row(compute([path], settings=Settings(bme_label="Minoritised")))
    # (2/10) / (1/10) = 2.
    assert counts(row) == (10, 2, 10, 1, 0, 0)
    assert row["relative_likelihood"] == pytest.approx(2.0, rel=1e-12)


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        ([2024, "White", -5, 0], ["row 2", "'-5'"]),
        ([2024, "White", "n/a", 0], ["row 2", "'n/a'"]),
        ([2024, "White", 10, 11], ["row 2", "more than headcount"]),
        (["next", "White", 10, 1], ["row 2", "'next'"]),
    ],
)
def test_aggregate_bad_counts_are_errors(
    tmp_path: Path, cells: list[Any], words: list[str]
) -> None:
    path = aggregate(tmp_path, [cells, [2024, "BME", 10, 1]])
    with pytest.raises(DataError) as info:
        compute([path])
    for word in words:
        assert word in str(info.value)


def test_unrecognised_form_names_the_columns_found(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "x.csv", ("Name", "Colour"), [["Ann", "Blue"]])
    with pytest.raises(ColumnError) as info:
        compute([path])
    assert "'Name', 'Colour'" in str(info.value)


# ------------------------------------------------------------------ the three input forms


def test_three_forms_give_the_same_numbers(tmp_path: Path) -> None:
    # One scenario, 2024 (snapshot 31 March 2024):
    #   White 1-6: 1, 2 accessed           -> 2/6
    #   BME 7-10: 7 accessed               -> 1/4
    #   Unknown 11-12: 11 accessed         -> 1/2
    # ratio = (2/6) / (1/4) = 4/3.
    labels = {i: WHITE for i in range(1, 7)} | {i: BME for i in range(7, 11)}
    labels |= {11: UNKNOWN, 12: UNKNOWN}
    accessed = {1, 2, 7, 11}

    staff = [[i, labels[i], "31/03/2024"] for i in labels]
    training = [
        [1, "Coaching Skills", "CPD", "Attended", "2023-05-02"],
        [2, "Leadership", "Non-Mandatory", "Completed", "2024-03-31"],
        [7, "Mentoring", "Optional", "Passed", "2023-04-01"],
        [11, "Coaching Skills", "CPD", "Attended", "2023-10-10"],
        # None of these count: mandatory, declined, outside the window.
        [3, "Fire Safety", "Mandatory", "Completed", "2023-06-01"],
        [4, "Coaching Skills", "CPD", "Declined", "2023-06-01"],
        [8, "Coaching Skills", "CPD", "Attended", "2023-03-31"],
    ]
    extracts = run(tmp_path, staff, training)

    person_rows = [
        [i, labels[i], "2023/24", "Yes" if i in accessed else "No"] for i in sorted(labels)
    ]
    person = write_rows(
        tmp_path / "person.csv", ("Staff ID", "Ethnicity", "Year", "Accessed"), person_rows
    )
    by_person = compute([person])

    agg = aggregate(
        tmp_path,
        [
            ["2023/24", "White British", 6, 2],
            ["2023/24", "Black African", 4, 1],
            ["2023/24", "Not stated", 2, 1],
        ],
    )
    by_aggregate = compute([agg])

    for result in (extracts, by_person, by_aggregate):
        row = only_row(result)
        assert counts(row) == (6, 2, 4, 1, 2, 1)
        assert row["year"] == 2024
        assert row["relative_likelihood"] == pytest.approx(4 / 3, rel=1e-12)


def test_person_level_accessed_counts_and_words(tmp_path: Path) -> None:
    # The accessed column may be a count of activities or a truth word:
    # White 1 ("3"), 2 ("0"), 3 ("true") -> 2/3; BME 4 ("1"), 5 ("false") -> 1/2.
    # ratio = (2/3) / (1/2) = 4/3.
    rows = [
        [1, WHITE, "31/03/2024", "3"],
        [2, WHITE, "31/03/2024", "0"],
        [3, WHITE, "31/03/2024", "true"],
        [4, BME, "31/03/2024", "1"],
        [5, BME, "31/03/2024", "false"],
    ]
    path = write_rows(
        tmp_path / "person.csv", ("Employee Number", "Ethnicity", "Snapshot Date", "CPD"), rows
    )
    row = only_row(compute([path]))
    assert counts(row) == (3, 2, 2, 1, 0, 0)
    assert row["relative_likelihood"] == pytest.approx(4 / 3, rel=1e-12)


# ------------------------------------------------------------------------------ --history


def test_history_years_go_in_front_oldest_first(tmp_path: Path) -> None:
    # History lists 2022 before 2021 on purpose; the computed year is 2024.
    hist = aggregate(
        tmp_path,
        [
            ["2021/22", "White British", 100, 30],
            ["2021/22", "Black African", 50, 10],
            ["2020/21", "White British", 90, 20],
            ["2020/21", "Black African", 40, 8],
        ],
        name="history.csv",
    )
    staff, training = scenario(white=(2, 8), bme=(1, 5))
    result = run(tmp_path, staff, training, history=hist)
    table = result.table
    assert table["year"].tolist() == [2021, 2022, 2024]
    assert table["period"].tolist() == ["2020/21", "2021/22", "2023/24"]
    assert [counts(r) for r in table.to_dict("records")] == [
        (90, 20, 40, 8, 0, 0),
        (100, 30, 50, 10, 0, 0),
        (8, 2, 5, 1, 0, 0),
    ]
    # 2021: (20/90) / (8/40) = 10/9; 2022: (30/100) / (10/50) = 1.5; 2024: 0.25 / 0.2 = 1.25.
    assert table["relative_likelihood"].tolist() == pytest.approx([10 / 9, 1.5, 1.25])


def test_history_year_also_computed_uses_the_computed_figures(tmp_path: Path) -> None:
    hist = aggregate(
        tmp_path,
        [
            ["2023/24", "White British", 999, 9],
            ["2023/24", "Black African", 99, 9],
            ["2022/23", "White British", 100, 30],
            ["2022/23", "Black African", 50, 10],
        ],
        name="history.csv",
    )
    staff, training = scenario(white=(2, 8), bme=(1, 5))
    result = run(tmp_path, staff, training, history=hist)
    assert result.table["year"].tolist() == [2023, 2024]
    assert counts(result.table.to_dict("records")[1]) == (8, 2, 5, 1, 0, 0)
    assert any(f.code == "history_overlap" for f in result.findings)


# ------------------------------------------------------------------ Hypothesis invariants

# Each example writes files and runs compute; shrinking such examples takes minutes, so a
# failure is reported as generated (reproduce it with the @seed Hypothesis prints).
FAST = settings(
    max_examples=30, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate)
)

LABELS = {
    "A White - British": "White",
    "White Irish": "White",
    "N Black African": "BME",
    "H Asian Indian": "BME",
    "Mixed - White and Asian": "BME",
    "Z Not Stated": "Unknown",
    "Prefer not to say": "Unknown",
}
CATEGORIES = {"Permanent": False, "Fixed Term": False, "Bank": True, "BANK": True}
TYPES = {
    "CPD": True,
    "Non-Mandatory": True,
    "Optional": True,
    "Mandatory": False,
    "Statutory/Mandatory": False,
    "Core Skills": False,
}
STATUSES = {
    "Attended": True,
    "Completed": True,
    "In Progress": True,
    "Failed": True,
    "Declined": False,
    "Cancelled": False,
    "Did Not Attend": False,
    "Waiting List": False,
    "Maybe Later": False,  # unrecognised: reported, never counted
}
SNAPSHOTS = {2023: dt.date(2023, 3, 31), 2024: dt.date(2024, 3, 31)}
FIRST_DAY = dt.date(2022, 2, 1)  # two months before the 2023 window
LAST_DAY = dt.date(2024, 5, 31)  # two months after the 2024 window
EDGES = [dt.date(y, m, d) for y in (2022, 2023, 2024) for m, d in ((3, 31), (4, 1))]

staff_row = st.tuples(
    st.integers(1, 30),  # person
    st.sampled_from(sorted(SNAPSHOTS)),  # reporting year of the snapshot row
    st.sampled_from(sorted(CATEGORIES)),  # assignment category
)
training_row = st.tuples(
    st.integers(1, 33),  # person (31-33 are in no snapshot)
    st.sampled_from(sorted(TYPES)),
    st.sampled_from(sorted(STATUSES)),
    st.one_of(  # day offset: the window edges often, any day otherwise
        st.sampled_from([(d - FIRST_DAY).days for d in EDGES]),
        st.integers(0, (LAST_DAY - FIRST_DAY).days),
    ),
    st.booleans(),  # write the date day-first rather than ISO
    st.booleans(),  # zero-pad the id
)
tables = st.tuples(
    st.lists(staff_row, min_size=10, max_size=60),
    st.lists(training_row, min_size=10, max_size=60),
    # the ethnicity label of persons 1..30
    st.lists(st.sampled_from(sorted(LABELS)), min_size=30, max_size=30),
)


def _well_formed(staff: list[Any]) -> bool:
    """Every snapshot has someone who is not bank-only (a year of bank staff alone is an
    input error, tested elsewhere, not an invariant)."""
    years = {y for _, y, _ in staff}
    return all(any(y == year and not CATEGORIES[c] for _, y, c in staff) for year in years)


def _written(
    staff: list[Any], training: list[Any], labels: list[str]
) -> tuple[list[list[Any]], list[list[Any]]]:
    s: list[list[Any]] = [[p, labels[p - 1], SNAPSHOTS[y].isoformat(), c] for p, y, c in staff]
    t: list[list[Any]] = []
    for p, kind, status, offset, day_first, pad in training:
        day = FIRST_DAY + dt.timedelta(days=offset)
        text = day.strftime("%d/%m/%Y") if day_first else day.isoformat()
        t.append([f"{p:06d}" if pad else str(p), "Course", kind, status, text])
    return s, t


def _compute(staff: list[list[Any]], training: list[list[Any]]) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        s = write_rows(
            Path(tmp) / "staff.csv",
            ("Employee Number", "Ethnic Origin", "Snapshot Date", "Assignment Category"),
            staff,
        )
        t = write_rows(
            Path(tmp) / "training.csv",
            ("Employee Number", "Course Title", "Course Type", "Status", "Start Date"),
            training,
        )
        return compute([s], training=[t]).table


def _expected(staff: list[Any], training: list[Any], labels: list[str]) -> pd.DataFrame:
    """The rules of method.md written out plainly: R1 groups, R2 people once and bank-only out,
    R3 the 12 months to 31 March, R4 non-mandatory types, R5 accessed statuses."""
    sf = pd.DataFrame(staff, columns=["person", "year", "category"])
    sf["bank"] = sf["category"].map(CATEGORIES)
    # bank-only: Bank on every row of that snapshot
    people = sf.groupby(["year", "person"], as_index=False).agg(bank=("bank", "all"))
    people = people[~people["bank"]]
    people = people.assign(group=[LABELS[labels[p - 1]] for p in people["person"]])
    tf = pd.DataFrame(training, columns=["person", "kind", "status", "offset", "df", "pad"])
    counted = [TYPES[k] and STATUSES[s] for k, s in zip(tf["kind"], tf["status"], strict=True)]
    tf = tf[counted]
    tf = tf.assign(date=[FIRST_DAY + dt.timedelta(days=int(o)) for o in tf["offset"]])
    rows = []
    for year in sorted(set(sf["year"])):
        end = SNAPSHOTS[year]
        start = dt.date(year - 1, 4, 1)
        took = set(tf.loc[(tf["date"] >= start) & (tf["date"] <= end), "person"])
        here = people[people["year"] == year]
        row: dict[str, Any] = {"year": year}
        for group in ("White", "BME", "Unknown"):
            ids = set(here.loc[here["group"] == group, "person"])
            row[f"{group.lower()}_headcount"] = len(ids)
            row[f"{group.lower()}_accessed"] = len(ids & took)
        rows.append(row)
    return pd.DataFrame(rows)


def _assert_matches(table: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert table["year"].tolist() == expected["year"].tolist()
    for key in COUNT_KEYS:
        assert table[key].tolist() == expected[key].tolist(), key
    for got, (_, exp) in zip(table["relative_likelihood"], expected.iterrows(), strict=True):
        a, n1, c, n2 = (
            exp["white_accessed"],
            exp["white_headcount"],
            exp["bme_accessed"],
            exp["bme_headcount"],
        )
        if n1 == 0 or n2 == 0 or c == 0:
            assert missing(got)
        else:
            assert got == pytest.approx((a / n1) / (c / n2), rel=1e-12)


@FAST
@given(tables, st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(data: Any, rnd: random.Random) -> None:
    staff, training, labels = data
    assume(_well_formed(staff))
    s, t = _written(staff, training, labels)
    expected = _expected(staff, training, labels)
    _assert_matches(_compute(s, t), expected)
    rnd.shuffle(s)
    rnd.shuffle(t)
    _assert_matches(_compute(s, t), expected)


@FAST
@given(tables, st.integers(1, 33), st.integers(1, 3))
def test_duplicating_training_rows_changes_nothing(data: Any, person: int, copies: int) -> None:
    staff, training, labels = data
    assume(_well_formed(staff))
    s, t = _written(staff, training, labels)
    before = _compute(s, t)
    mine = [r for r in t if int(r[0]) == person]
    after = _compute(s, t + mine * copies)
    _assert_matches(before, _expected(staff, training, labels))
    pd.testing.assert_frame_equal(before, after)


@FAST
@given(tables)
def test_likelihoods_lie_between_zero_and_one(data: Any) -> None:
    staff, training, labels = data
    assume(_well_formed(staff))
    table = _compute(*_written(staff, training, labels))
    for col in ("white_likelihood", "bme_likelihood"):
        for value in table[col]:
            assert missing(value) or 0.0 <= value <= 1.0
    for value in table["relative_likelihood"]:
        assert missing(value) or value >= 0.0


@given(
    st.lists(
        st.tuples(
            st.sampled_from([2021, 2022, 2024]),
            st.integers(0, 2),
            st.booleans(),
            st.booleans(),
            st.sampled_from(["Band 5", " Band 6", "", None]),
        ),
        max_size=60,
    )
)
@settings(max_examples=150, deadline=None)
def test_count_groups_agree_with_a_plain_groupby(
    rows: list[tuple[int, int, bool, bool, str | None]],
) -> None:
    """The year x group bincounts give what a groupby of the counted people gives."""
    from wres4.indicator.compute import count_groups
    from wres4.indicator.result import COUNT_COLUMNS

    people = pd.DataFrame(rows, columns=["year", "group", "accessed", "bank_only", "band"]).astype(
        {"year": "int64", "group": "int8", "accessed": bool, "bank_only": bool}
    )
    counts = count_groups(people, ("band",))
    counted = people[~people["bank_only"]]
    overall = counts[counts["band"].isna()]
    assert overall["year"].tolist() == sorted(set(counted["year"]))
    for row in overall.itertuples():
        year = counted[counted["year"] == row.year]
        for code, name in enumerate(("white", "bme", "unknown")):
            group = year[year["group"] == code]
            assert getattr(row, f"{name}_headcount") == len(group)
            assert getattr(row, f"{name}_accessed") == int(group["accessed"].sum())
    assert all(counts[c].dtype == "int64" for c in COUNT_COLUMNS)
    by_band = counts[counts["band"].notna()]
    assert by_band[[c for c in COUNT_COLUMNS if "headcount" in c]].sum().sum() == len(counted)
