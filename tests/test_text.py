"""The shared text helpers, by hand and with Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wres4.indicator.values import FALSE_WORDS, TRUE_WORDS, truth_values
from wres4.inputs.columns import header_key
from wres4.text import (
    NO_WORDS,
    YES_WORDS,
    clip,
    count_people,
    normalise_word,
    printable,
    squash,
)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Stat & Mand", "stat and mand"),
        ("  NON-Mandatory ", "non mandatory"),
        ("Did Not Attend (DNA)", "did not attend dna"),
        ("e-Learning/CPD", "e learning cpd"),
        ("", ""),
        (12, "12"),
    ],
)
def test_normalise_word_examples(text: object, word: str) -> None:
    assert normalise_word(text) == word


@pytest.mark.parametrize(
    ("header", "key"),
    [("Staff Number", "staffnumber"), ("Assignment No.", "assignmentno"), ("R&D", "rd")],
)
def test_header_key_drops_every_separator(header: str, key: str) -> None:
    assert header_key(header) == key


@given(st.text())
def test_normalise_word_is_idempotent_and_header_key_its_unspaced_form(text: str) -> None:
    word = normalise_word(text)
    assert normalise_word(word) == word
    assert word == word.strip() and "  " not in word
    if "&" not in text:
        assert header_key(text) == word.replace(" ", "")


@given(st.text(), st.sampled_from([" ", "", "_"]))
def test_squash_leaves_only_lowercase_letters_digits_and_the_separator(text: str, sep: str) -> None:
    assert set(squash(text, sep)) <= set("abcdefghijklmnopqrstuvwxyz0123456789" + sep)


def test_clip_collapses_spaces_escapes_controls_and_cuts() -> None:
    assert clip("  A \t White\n") == "A White"
    assert clip("a\x1b[31mred") == "a\\x1b[31mred"
    assert clip("x" * 61) == "x" * 59 + "…"
    assert clip("x" * 60) == "x" * 60
    assert clip("abcdef", 4) == "abc…"


def test_clip_can_keep_a_headers_own_spaces() -> None:
    assert clip("Staff  Number", keep_spaces=True) == "Staff  Number"
    assert clip("Staff\tNumber", keep_spaces=True) == "Staff\\tNumber"
    assert clip("Staff\tNumber") == "Staff Number"


@given(st.text())
def test_printable_output_is_printable(text: str) -> None:
    assert printable(text).isprintable()
    assert clip(text, 1000).isprintable()


def test_count_people_agrees_with_its_verb() -> None:
    assert count_people(1, "have") == "1 person has"
    assert count_people(2, "have") == "2 people have"
    assert count_people(1_234, "appear") == "1,234 people appear"
    assert count_people(1) == "1 person"


def test_yes_and_no_words_do_not_overlap() -> None:
    assert not YES_WORDS & NO_WORDS
    assert not TRUE_WORDS & FALSE_WORDS
    assert YES_WORDS <= TRUE_WORDS and NO_WORDS <= FALSE_WORDS


def test_truth_values_read_the_shared_words_counts_and_their_own() -> None:
    texts = ["Y", " yes ", "TRUE", "x", "1", "3", "Attended", "N", "0", "", "Nil", "-", "maybe"]
    answers, unknown = truth_values(texts)
    assert answers == [True] * 7 + [False] * 5 + [None]
    assert unknown == ["maybe"]
