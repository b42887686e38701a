"""Staff rows -> one row per person per year: the group rule, bank-only people and the
findings of the reduction, on hand-built rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wres4.findings import EXAMPLES
from wres4.indicator.person_years import (
    CONFLICT_RULE,
    IdNames,
    changed_across_years,
    collapse,
    in_post_findings,
    mixed_breakdowns,
    one_row_per_person,
)
from wres4.indicator.values import PersonKeys
from wres4.settings import Settings

WHITE, BME, UNKNOWN = 0, 1, 2
SNAPSHOTS = {2023: dt.date(2023, 3, 31), 2024: dt.date(2024, 3, 31)}
ROLES = {"person_id": "Staff No", "ethnicity": "Ethnic Origin"}
LABELS = ["White British", "Black African", "Not stated"]


def rows(*people: tuple[int, int, int, bool]) -> pd.DataFrame:
    """(year, pos, group, bank) per staff row, in file order; the label follows the group."""
    return pd.DataFrame(
        {
            "year": [p[0] for p in people],
            "pos": [p[1] for p in people],
            "group": [p[2] for p in people],
            "_label": [p[2] for p in people],
            "bank": [p[3] for p in people],
            "_order": range(len(people)),
        }
    )


FRAME = rows(
    (2024, 0, WHITE, False),
    (2024, 0, UNKNOWN, False),  # a known group wins over Unknown: no conflict
    (2024, 1, WHITE, False),
    (2024, 1, BME, False),
    (2024, 1, BME, False),  # the most frequent known group wins
    (2024, 2, BME, False),
    (2024, 2, WHITE, False),  # a tie: the later row wins
    (2024, 3, BME, True),  # bank on every row: bank-only
    (2024, 4, WHITE, False),
    (2023, 1, WHITE, False),  # White in 2023, BME in 2024
)


def names() -> IdNames:
    maker = PersonKeys()
    return IdNames(maker.of(pa.array(["E1", "E2", "E3", "E4", "E5"])), maker)


def test_one_row_per_person_applies_the_group_rule() -> None:
    people, dupes, conflicts, examples, repeated = one_row_per_person(FRAME, ())
    got = {(int(y), int(p)): int(g) for y, p, g in people[["year", "pos", "group"]].to_numpy()}
    assert got == {
        (2024, 0): WHITE,
        (2024, 1): BME,
        (2024, 2): WHITE,
        (2024, 3): BME,
        (2024, 4): WHITE,
        (2023, 1): WHITE,
    }
    assert (dupes, conflicts) == (3, 2)
    assert people.loc[people["pos"] == 3, "bank_only"].tolist() == [True]
    assert not people.loc[people["pos"] != 3, "bank_only"].any()
    assert sorted(repeated["rows"].tolist()) == [2, 2, 3]
    assert sorted(set(examples["pos"].tolist())) == [1, 2]


def test_bank_only_needs_bank_on_every_row() -> None:
    people, *_ = one_row_per_person(rows((2024, 0, WHITE, True), (2024, 0, WHITE, False)), ())
    assert people["bank_only"].tolist() == [False]


@given(st.permutations(range(len(FRAME))))
def test_the_choice_follows_file_order_not_the_order_rows_arrive_in(order: list[int]) -> None:
    """Rows keep their file position (_order), so shuffling them changes no one's group."""
    columns = ["year", "pos", "group", "bank_only"]
    key = ["year", "pos"]
    expected, *_ = one_row_per_person(FRAME, ())
    people, dupes, conflicts, *_ = one_row_per_person(FRAME.iloc[order], ())
    assert (dupes, conflicts) == (3, 2)
    got = people.sort_values(key).reset_index(drop=True)[columns]
    assert got.equals(expected.sort_values(key).reset_index(drop=True)[columns])


def test_collapse_findings_hide_ids_unless_asked() -> None:
    _, findings = collapse(FRAME, (), names(), LABELS, SNAPSHOTS, Settings(), "staff.csv", ROLES)
    assert [f.code for f in findings] == [
        "duplicate_person",
        "conflicting_ethnicity",
        "ethnicity_changed",
    ]
    dupes, conflict, changed = findings
    assert dupes.message == (
        "3 people appear on more than one row of a snapshot (several assignments or repeated "
        "rows); each is counted once"
    )
    assert (dupes.count, dupes.column, dupes.values, dupes.problem) == (3, "Staff No", (), False)
    assert conflict.message == (
        "2 people have rows with different ethnic groups in one snapshot (e.g. a person in "
        f"2023/24: 'Black African' ×2, 'White British' ×1; BME used); rule used: {CONFLICT_RULE}"
    )
    assert conflict.values == (
        ("a person in 2023/24: 'Black African' ×2, 'White British' ×1; BME used", 3),
        ("a person in 2023/24: 'Black African' ×1, 'White British' ×1; White used", 2),
    )
    assert conflict.problem and conflict.column == "Ethnic Origin"
    assert changed.message == (
        "1 person has a different ethnic group in different snapshots (e.g. a person: White "
        "in 2023, BME in 2024); each year uses the value in its own snapshot"
    )
    assert not changed.problem


def test_collapse_names_people_with_show_ids() -> None:
    settings = Settings(show_ids=True)
    _, findings = collapse(FRAME, (), names(), LABELS, SNAPSHOTS, settings, "staff.csv", ROLES)
    dupes, conflict, changed = findings
    assert dupes.values == (
        ("id E1 in 2023/24", 2),
        ("id E2 in 2023/24", 3),
        ("id E3 in 2023/24", 2),
    )
    assert conflict.values[0][0].startswith("id E2 in 2023/24: ")
    assert changed.values == (("id E2: White in 2023, BME in 2024", 2),)


def test_changed_across_years_needs_two_snapshots_and_known_groups() -> None:
    people = pd.DataFrame({"year": [2023, 2024], "pos": [0, 0], "group": [WHITE, UNKNOWN]})
    assert changed_across_years(people, names(), SNAPSHOTS, False) is None
    people["group"] = [WHITE, BME]
    assert changed_across_years(people, names(), {2024: SNAPSHOTS[2024]}, False) is None
    assert changed_across_years(people, names(), SNAPSHOTS, False) == (
        1,
        (("a person: White in 2023, BME in 2024", 2),),
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from([2022, 2023, 2024]), st.integers(0, 30), st.sampled_from([0, 1, 2])
        ),
        min_size=1,
        max_size=60,
        unique_by=lambda person_year: person_year[:2],
    )
)
def test_changed_across_years_counts_the_people_a_groupby_finds(
    people_years: list[tuple[int, int, int]],
) -> None:
    """Against the plain definition: a person whose known groups (Unknown left out) over
    the snapshots are not all one; the examples are the lowest positions among them."""
    people = pd.DataFrame(people_years, columns=["year", "pos", "group"])
    snapshots = {y: dt.date(y, 3, 31) for y in (2022, 2023, 2024)}
    known = people[people["group"] != UNKNOWN]
    spread = known.groupby("pos")["group"].nunique()
    moved = sorted(int(p) for p in spread.index[spread > 1])
    maker = PersonKeys()
    ids = IdNames(maker.of(pa.array([f"E{i}" for i in range(31)])), maker)
    found = changed_across_years(people, ids, snapshots, True)
    if not moved:
        assert found is None
        return
    assert found is not None
    assert found[0] == len(moved)
    shown = [text.split(":")[0] for text, _ in found[1]]
    assert shown == [f"id E{p}" for p in moved[: len(shown)]]
    assert len(shown) == min(len(moved), EXAMPLES)


def test_mixed_breakdowns_count_people_in_two_values() -> None:
    frame = FRAME.assign(band=["5", "6", "5", "5", "5", "7", "7", "8", "8", "5"])
    (finding,) = mixed_breakdowns(frame, ["band"], "staff.csv")
    assert finding.code == "mixed_breakdown" and finding.count == 1 and finding.column == "band"
    assert finding.message == (
        "1 person has rows with different 'band' values in one snapshot (several assignments); "
        "each is counted once, under the value on their first row"
    )
    assert mixed_breakdowns(FRAME, (), "staff.csv") == []
    people, *_ = one_row_per_person(frame, ["band"])
    assert people.loc[(people["pos"] == 0) & (people["year"] == 2024), "band"].tolist() == ["5"]


def test_in_post_findings_name_years_with_no_group() -> None:
    people, *_ = one_row_per_person(FRAME, ())
    settings = Settings(bme_label="Global majority")
    in_post, empty = in_post_findings(people, SNAPSHOTS, "staff.csv", settings)
    assert in_post.message == "people in post: 1 at 2023-03-31, 5 at 2024-03-31"
    assert (in_post.count, in_post.values) == (6, (("2023-03-31", 1), ("2024-03-31", 5)))
    assert empty.code == "no_group_staff" and empty.problem
    assert empty.message == (
        "no Global majority staff in 2022/23: the relative likelihood is not calculable for "
        "that year. Check the ethnicity column and any --as-at or snapshot filter"
    )
    assert empty.values == (("2023 Global majority", 0),)


def test_bank_only_people_do_not_fill_a_group() -> None:
    people, *_ = one_row_per_person(rows((2024, 0, WHITE, False), (2024, 1, BME, True)), ())
    findings = in_post_findings(people, {2024: SNAPSHOTS[2024]}, "staff.csv", Settings())
    assert [f.code for f in findings] == ["people_in_post", "no_group_staff"]
    assert findings[1].values == (("2024 BME", 0),)


@pytest.mark.parametrize("text", ["E12345", "00123", "a long id that is not packed"])
def test_id_names_give_the_canonical_id(text: str) -> None:
    maker = PersonKeys()
    keys = maker.of(pa.array([text]))
    assert IdNames(np.asarray(keys), maker)[0] == (text.lstrip("0") if text.isdigit() else text)
