"""Cell text -> values: dates, years, reporting windows and person ids
(method.md: Dates, Person ids)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wres4.indicator.values import parse_dates, parse_year, person_keys, truth_values
from wres4.periods import add_months, period_name, reporting_year, window_start


def one_date(text: str, *, day_first: bool = True) -> dt.date | None:
    value = parse_dates([text], day_first=day_first).iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).date()


# ---------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-31",
        "31/03/2024",
        "31-Mar-2024",
        "31 March 2024",
        "31 Mar 2024",
        "2024-03-31 00:00:00",
        "2024-03-31T00:00:00",
        "  31/03/2024 ",
        # Excel serial: 45292 is 1 Jan 2024 (days since 30 Dec 1899); + 31 (Jan) + 29 (Feb,
        # leap year) + 30 = 45382 -> 31 March 2024.
        "45382",
    ],
)
def test_dates_understood(text: str) -> None:
    assert one_date(text) == dt.date(2024, 3, 31)


@pytest.mark.parametrize("text", ["31/03/2024 00:00:00", "31/03/2024 14:30", "31/03/2024 09:05:00"])
def test_uk_date_times(text: str) -> None:
    assert one_date(text) == dt.date(2024, 3, 31)


@pytest.mark.parametrize(
    "text", ["31/02/2024", "", "   ", "not a date", "2024-13-01", "32/01/2024"]
)
def test_impossible_or_blank_dates_are_missing(text: str) -> None:
    assert one_date(text) is None


def test_day_first_is_the_default_and_can_be_switched() -> None:
    assert one_date("03/04/2024") == dt.date(2024, 4, 3)
    assert one_date("03/04/2024", day_first=False) == dt.date(2024, 3, 4)
    # Unambiguous ones do not depend on the setting.
    assert one_date("2024-04-03", day_first=False) == dt.date(2024, 4, 3)
    assert one_date("3 April 2024", day_first=False) == dt.date(2024, 4, 3)


def test_dates_keep_order_and_length() -> None:
    got = parse_dates(["2024-01-02", "", "05/06/2023", "31/02/2024"])
    assert len(got) == 4
    assert pd.Timestamp(got.iloc[0]).date() == dt.date(2024, 1, 2)
    assert pd.isna(got.iloc[1])
    assert pd.Timestamp(got.iloc[2]).date() == dt.date(2023, 6, 5)
    assert pd.isna(got.iloc[3])


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_written_form_of_a_date_reads_back(day: dt.date) -> None:
    texts = [day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d-%b-%Y")]
    texts.append(day.strftime("%d %B %Y"))
    assert [pd.Timestamp(v).date() for v in parse_dates(texts)] == [day] * 4


# ---------------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2023/24", 2024),
        ("2023-24", 2024),
        ("2024", 2024),
        ("2023/2024", 2024),
        ("2023 - 2024", 2024),
        ("1999/00", 2000),
        ("2024.0", 2024),
        ("2023/25", None),
        ("2024/23", None),
        ("next year", None),
        ("", None),
    ],
)
def test_parse_year(text: str, year: int | None) -> None:
    assert parse_year(text) == year


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2024, 3, 31), 2024),  # the snapshot day names the year
        (dt.date(2024, 1, 15), 2024),
        (dt.date(2024, 4, 1), 2025),  # the day after starts the next year
        (dt.date(2023, 12, 31), 2024),
    ],
)
def test_reporting_year(day: dt.date, year: int) -> None:
    assert reporting_year(day) == year


def test_period_name() -> None:
    assert period_name(2024) == "2023/24"
    assert period_name(2000) == "1999/00"


# -------------------------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("snapshot", "months", "start"),
    [
        (dt.date(2024, 3, 31), 12, dt.date(2023, 4, 1)),
        (dt.date(2024, 3, 31), 24, dt.date(2022, 4, 1)),
        (dt.date(2024, 3, 31), 3, dt.date(2024, 1, 1)),
        (dt.date(2024, 6, 30), 12, dt.date(2023, 7, 1)),
    ],
)
def test_window_start(snapshot: dt.date, months: int, start: dt.date) -> None:
    assert window_start(snapshot, months) == start


@pytest.mark.parametrize(
    ("snapshot", "months", "start"),
    [
        # The 6 months ending 30 September are April-September.
        (dt.date(2024, 9, 30), 6, dt.date(2024, 4, 1)),
        # The quarter ending 30 June (Q1) is April-June.
        (dt.date(2024, 6, 30), 3, dt.date(2024, 4, 1)),
        # The month ending 28 February 2023 is February.
        (dt.date(2023, 2, 28), 1, dt.date(2023, 2, 1)),
    ],
)
def test_window_start_of_a_month_end_snapshot(
    snapshot: dt.date, months: int, start: dt.date
) -> None:
    assert window_start(snapshot, months) == start


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(dt.date(2024, 5, 31), -3) == dt.date(2024, 2, 29)  # leap year
    assert add_months(dt.date(2023, 5, 31), -3) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 3, 31), -12) == dt.date(2023, 3, 31)


# ---------------------------------------------------------------------------- person ids


def test_person_keys() -> None:
    got = person_keys(pa.array(["00123456", "123456", " 123456 ", "A0012", "0", "000", "7.0"]))
    assert got.to_pylist() == ["123456", "123456", "123456", "A0012", "0", "0", "7"]


def test_person_keys_of_assignment_numbers() -> None:
    got = person_keys(
        pa.array(["12345678-2", "12345678-1", "012345678 - 3", "87654321"]), assignment=True
    )
    assert got.to_pylist() == ["12345678", "12345678", "12345678", "87654321"]


def test_person_keys_keep_dashes_in_plain_ids() -> None:
    # Only assignment-number columns lose the part after the dash.
    assert person_keys(pa.array(["AB-12"])).to_pylist() == ["AB-12"]


# ---------------------------------------------------------------------------- truth words


def test_truth_values() -> None:
    texts = ["Yes", "no", "TRUE", "false", "1", "0", "3", "Y", "N", "", "maybe"]
    answers, unknown = truth_values(texts)
    assert answers == [True, False, True, False, True, False, True, True, False, False, None]
    assert unknown == ["maybe"]


def test_alphanumeric_ids_pack_into_distinct_reversible_keys() -> None:
    import pyarrow as pa

    from wres4.indicator.values import NO_PERSON, PACKED_TEXT, PersonKeys

    ids = ["E12345678", "E012345678", "T0123", "AB-1234", "x" * 11, "a b", "Zoë", "", " E1 "]
    maker = PersonKeys()
    keys = maker.of(pa.array(ids))
    # Every distinct id gets its own key; " E1 " is trimmed; blank is no person.
    assert len(set(keys[:7].tolist())) == 7
    assert keys[7] == NO_PERSON
    assert [maker.text(int(k)) for k in keys[:7]] == ids[:7]
    assert maker.text(int(keys[8])) == "E1"
    # Short alphanumeric ids are packed (no text hashing); others get negative codes.
    assert all(k >= PACKED_TEXT for k in keys[:4]) and all(k < 0 for k in keys[4:7])
    # Digit-only ids keep the rule: leading zeros do not matter.
    assert maker.of(pa.array(["00123456"]))[0] == maker.of(pa.array(["123456"]))[0] == 123456


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.none() | st.text(alphabet="09AZaz-_ é", max_size=12), max_size=40),
    cut=st.tuples(st.integers(0, 40), st.integers(0, 40)),
)
def test_pack_ids_agree_with_the_definition_one_id_at_a_time(
    ids: list[str | None], cut: tuple[int, int]
) -> None:
    """1 to 10 id symbols fit, and their key is the symbols' codes, 6 bits each from the
    top; in any slice of a column (the buffers then start part-way)."""
    from wres4.indicator.values import ID_SYMBOLS, PACKED_LENGTH, PACKED_TEXT, pack_ids

    column = pa.array(ids, pa.string())
    low, high = sorted(cut)
    column = column.slice(min(low, len(ids)), max(0, high - low))
    packed, fits = pack_ids(column)
    for text, key, fit in zip(column.to_pylist(), packed.tolist(), fits.tolist(), strict=True):
        expect = text is not None and 1 <= len(text) <= PACKED_LENGTH
        expect = expect and all(c in ID_SYMBOLS for c in text or "")
        assert fit == expect, text
        if fit:
            value = sum(
                (ID_SYMBOLS.index(c) + 1) << (6 * (PACKED_LENGTH - 1 - i))
                for i, c in enumerate(text or "")
            )
            assert key == PACKED_TEXT | value


def test_a_null_id_never_fits_even_with_bytes_under_it() -> None:
    """Arrow leaves what lies under a null slot to the writer: here "abc" is under it."""
    import numpy as np
    import pyarrow as pa

    from wres4.indicator.values import ID_SYMBOLS, PACKED_TEXT, pack_ids

    valid = pa.py_buffer(np.packbits([0, 1], bitorder="little"))
    offsets = pa.py_buffer(np.array([0, 3, 4], dtype=np.int32))
    column = pa.Array.from_buffers(pa.string(), 2, [valid, offsets, pa.py_buffer(b"abcd")])
    assert column.to_pylist() == [None, "d"]
    packed, fits = pack_ids(column)
    assert fits.tolist() == [False, True]
    assert packed[1] == PACKED_TEXT | (ID_SYMBOLS.index("d") + 1) << 54


@pytest.mark.parametrize(
    "ids",
    [
        ["123", None, "456"],  # digit ids
        ["123", None, "E1", "x y"],  # mixed
        [None, None],  # nothing but missing
        [" E1 ", None, "LONGID-1234-X"],
    ],
)
@pytest.mark.parametrize("dictionary", [False, True])
def test_a_missing_id_is_a_blank_one(ids: list[str | None], dictionary: bool) -> None:
    import pyarrow as pa

    from wres4.indicator.values import NO_PERSON, PersonKeys

    raw = pa.array(ids, pa.string())
    blank = pa.array([i if i is not None else "" for i in ids], pa.string())
    if dictionary:
        raw = raw.dictionary_encode()
    keys = PersonKeys().of(raw)
    assert keys.tolist() == PersonKeys().of(blank).tolist()
    assert [k == NO_PERSON for k in keys.tolist()] == [i is None for i in ids]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[0-9]{1,20}", fullmatch=True),
            st.from_regex(r" ?[A-Za-z0-9-]{1,12} ?", fullmatch=True),
            st.text(max_size=14),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_person_keys_agree_with_the_canonical_text(ids: list[str]) -> None:
    import pyarrow as pa

    from wres4.indicator.values import NO_PERSON, PersonKeys, person_keys

    ids = [i.replace("\x00", "") for i in ids]
    maker = PersonKeys()
    keys = maker.of(pa.array(ids))
    texts = person_keys(pa.array(ids)).to_pylist()
    # Two ids get the same key exactly when their canonical texts are equal (method.md: Inputs), and
    # a blank id is no person.
    for i, a in enumerate(texts):
        assert (keys[i] == NO_PERSON) == (a == "")
        for j, b in enumerate(texts):
            if a and b:
                assert (keys[i] == keys[j]) == (a == b), (ids[i], ids[j])


def test_person_keys_of_a_large_mixed_batch_follow_the_canonical_text() -> None:
    """Above the size where distinct texts are keyed once, packed short ids, long ids, ids
    with spaces and digit ids mixed in one batch still get one key per canonical text, on
    the staff side (grow) and the training side alike."""
    import random

    import pyarrow as pa

    from wres4.indicator.values import DISTINCT_FIRST, NO_PERSON, PersonKeys, person_keys

    rng = random.Random(7)
    kinds = [
        lambda: f"E{rng.randrange(10**6):06d}",  # packed
        lambda: f" E{rng.randrange(10**3)} ",  # spaces: trimmed first
        lambda: f"{rng.randrange(10**4):08d}",  # digits with leading zeros
        lambda: f"LONGID-{rng.randrange(10**4)}-X",  # too long to pack
        lambda: "",
    ]
    ids = [rng.choice(kinds)() for _ in range(2 * DISTINCT_FIRST)]
    maker = PersonKeys()
    staff = maker.of(pa.array(ids))
    training = maker.of(pa.array(ids[::-1]), grow=False)[::-1]
    assert (staff == training).all()
    texts = person_keys(pa.array(ids)).to_pylist()
    by_text: dict[str, set[int]] = {}
    for text, key in zip(texts, staff.tolist(), strict=True):
        by_text.setdefault(text, set()).add(key)
    assert by_text.pop("") == {NO_PERSON}
    assert all(len(keys) == 1 for keys in by_text.values())
    assert len({next(iter(keys)) for keys in by_text.values()}) == len(by_text)


@pytest.mark.parametrize("with_table", [True, False])
@settings(max_examples=150, deadline=None)
@given(
    staff=st.lists(st.integers(-(1 << 63), (1 << 63) - 1) | st.integers(0, 30), max_size=60),
    training=st.lists(st.integers(-(1 << 63), (1 << 63) - 1) | st.integers(0, 40), max_size=60),
    expected=st.none() | st.integers(0, 80),
)
def test_key_index_numbers_and_finds_keys_as_factorize_and_an_index_do(
    staff: list[int], training: list[int], with_table: bool, expected: int | None
) -> None:
    """However the table is sized (too small, too large or from the rows)."""
    import numpy as np

    from wres4.indicator import values

    if with_table:
        assert values.hash_table() is not None  # pandas' own table is the one in use
        index, numbers = values.number_keys(np.array(staff, dtype=np.int64), expected)
    else:  # as on a pandas without the table
        real = values.hash_table
        values.hash_table = lambda: None
        try:
            index, numbers = values.number_keys(np.array(staff, dtype=np.int64))
        finally:
            values.hash_table = real
    codes, uniques = pd.factorize(np.array(staff, dtype=np.int64))
    assert numbers.tolist() == codes.tolist()
    assert index.uniques.tolist() == uniques.tolist()
    assert len(index) == len(uniques)
    found = pd.Index(uniques).get_indexer(pd.Index(np.array(training, dtype=np.int64)))
    assert index.positions(np.array(training, dtype=np.int64)).tolist() == found.tolist()
