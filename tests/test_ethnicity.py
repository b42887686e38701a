"""Ethnicity normalisation: method.md: Ethnicity by hand, and its invariants with Hypothesis."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wres4.indicator.ethnicity as ethnicity
from wres4.errors import ConfigError
from wres4.indicator.ethnicity import (
    GROUPS,
    Ethnicity,
    OverrideError,
    classify,
    classify_many,
    normalise_key,
)

# Appendix A, one row per code, written out by hand: code, an ESR-style label, group.
APPENDIX_A = [
    ("A", "White British", "White"),
    ("B", "White Irish", "White"),
    ("C", "White - Any other White background", "White"),
    ("C2", "White Northern Irish", "White"),
    ("C3", "White Unspecified", "White"),
    ("CA", "White English", "White"),
    ("CB", "White Scottish", "White"),
    ("CC", "White Welsh", "White"),
    ("CD", "White Cornish", "White"),
    ("CE", "White Cypriot (part not stated)", "White"),
    ("CF", "White Greek", "White"),
    ("CG", "White Greek Cypriot", "White"),
    ("CH", "White Turkish", "White"),
    ("CJ", "White Turkish Cypriot", "White"),
    ("CK", "White Italian", "White"),
    ("CL", "White Irish Traveller", "White"),
    ("CM", "White Traveller", "White"),
    ("CN", "White Gypsy/Romany", "White"),
    ("CP", "White Polish", "White"),
    ("CQ", "White ex-USSR", "White"),
    ("CR", "White Kosovan", "White"),
    ("CS", "White Albanian", "White"),
    ("CT", "White Bosnian", "White"),
    ("CU", "White Croatian", "White"),
    ("CV", "White Serbian", "White"),
    ("CW", "White Ex-Yugoslav", "White"),
    ("CX", "White Mixed White", "White"),
    ("CY", "White Other European", "White"),
    ("D", "Mixed - White and Black Caribbean", "BME"),
    ("E", "Mixed - White and Black African", "BME"),
    ("F", "Mixed - White and Asian", "BME"),
    ("G", "Mixed - Any other mixed background", "BME"),
    ("GA", "Mixed - Black and Asian", "BME"),
    ("GB", "Mixed - Black and Chinese", "BME"),
    ("GC", "Mixed - Black and White", "BME"),
    ("GD", "Mixed - Chinese and White", "BME"),
    ("GE", "Mixed - Asian and Chinese", "BME"),
    ("GF", "Mixed - Other/Unspecified", "BME"),
    ("H", "Asian or Asian British - Indian", "BME"),
    ("J", "Asian or Asian British - Pakistani", "BME"),
    ("K", "Asian or Asian British - Bangladeshi", "BME"),
    ("L", "Asian or Asian British - Any other Asian background", "BME"),
    ("LA", "Asian Mixed Asian", "BME"),
    ("LB", "Asian Punjabi", "BME"),
    ("LC", "Asian Kashmiri", "BME"),
    ("LD", "Asian East African Asian", "BME"),
    ("LE", "Asian Sri Lankan", "BME"),
    ("LF", "Asian Tamil", "BME"),
    ("LG", "Asian Sinhalese", "BME"),
    ("LH", "Asian British Asian", "BME"),
    ("LJ", "Asian Caribbean Asian", "BME"),
    ("LK", "Asian Unspecified", "BME"),
    ("M", "Black or Black British - Caribbean", "BME"),
    ("N", "Black or Black British - African", "BME"),
    ("P", "Black or Black British - Any other Black background", "BME"),
    ("PA", "Black Somali", "BME"),
    ("PB", "Black Mixed Black", "BME"),
    ("PC", "Black Nigerian", "BME"),
    ("PD", "Black British", "BME"),
    ("PE", "Black Unspecified", "BME"),
    ("R", "Chinese", "BME"),
    ("S", "Any other ethnic group", "BME"),
    ("SA", "Vietnamese", "BME"),
    ("SB", "Japanese", "BME"),
    ("SC", "Filipino", "BME"),
    ("SD", "Malaysian", "BME"),
    ("SE", "Any Other Group", "BME"),
    ("Z", "Not Stated", "Unknown"),
    ("99", "Not known", "Unknown"),
    ("9", "Not known", "Unknown"),
    ("X", "Not known", "Unknown"),
]


def test_appendix_a_is_covered_exactly() -> None:
    codes = [result.code for result, _ in ethnicity._tables().by_code.values()]
    assert sorted(code for code, _, _ in APPENDIX_A) == sorted(codes)


@pytest.mark.parametrize(("code", "label", "group"), APPENDIX_A)
@pytest.mark.parametrize(
    "template", ["{code}", "{code} {label}", "{code} - {label}", "{code}: {label}"]
)
@pytest.mark.parametrize("case", [str, str.lower, str.upper])
def test_every_appendix_a_code(
    code: str, label: str, group: str, template: str, case: Callable[[str], str]
) -> None:
    result = classify(case(template.format(code=code, label=label)))
    assert (result.code, result.group, result.source) == (code, group, "code")


@pytest.mark.parametrize(("code", "label", "group"), APPENDIX_A)
def test_every_appendix_a_label_without_its_code(code: str, label: str, group: str) -> None:
    result = classify(label)
    assert (result.group, result.source) == (group, "label")
    # 9 and X are spellings of 99; "Not known" on its own is 99.
    assert result.code == ("99" if code in {"9", "X"} else code)


@pytest.mark.parametrize(
    ("value", "code", "category", "group"),
    [
        ("A White - British", "A", "White - British", "White"),
        ("A - White British", "A", "White - British", "White"),
        ("A-White British", "A", "White - British", "White"),
        ("A. White British", "A", "White - British", "White"),
        ("C2 White Northern Irish", "C2", "White - Northern Irish", "White"),
        ("CP White Polish", "CP", "White - Polish", "White"),
        ("cp white polish", "CP", "White - Polish", "White"),
        ("GA Mixed - Black and Asian", "GA", "Mixed - Black and Asian", "BME"),
        ("LE Asian Sri Lankan", "LE", "Asian or Asian British - Sri Lankan", "BME"),
        ("PC Black Nigerian", "PC", "Black or Black British - Nigerian", "BME"),
        ("SC Filipino", "SC", "Other Ethnic Groups - Filipino", "BME"),
        ("Z Not Stated", "Z", "Not stated", "Unknown"),
        ("99 Not known", "99", "Not known", "Unknown"),
        ("C3 White Unspecified", "C3", "White - Unspecified", "White"),
        ("S Arab", "S", "Other Ethnic Groups - Arab", "BME"),
        ("CN Roma", "CN", "White - Roma", "White"),
        # The code decides: a sub-code with a label of the same group keeps its own category.
        ("CP White British", "CP", "White - Polish", "White"),
        # Two-character codes are distinctive, so unfamiliar wording after them is fine.
        ("PA Somalian", "PA", "Black or Black British - Somali", "BME"),
        # A one-character code with its family's word after it, in wording not in the table.
        ("A White British (English)", "A", "White - British", "White"),
        ("9 Not known to us", "9", "Not known", "Unknown"),
    ],
)
def test_code_followed_by_label(value: str, code: str, category: str, group: str) -> None:
    assert classify(value) == Ethnicity(code, category, group, "code")


@pytest.mark.parametrize(
    ("value", "group"),
    [
        ("Mixed - White and Asian", "BME"),
        ("Mixed White and Black Caribbean", "BME"),
        ("White and Black African", "BME"),
        ("C3 White Unspecified", "White"),
        ("Not stated", "Unknown"),
        ("Not Stated", "Unknown"),
        ("Not known", "Unknown"),
        ("No response", "Unknown"),
        ("White British", "White"),
        ("Black African", "BME"),
        ("Roma", "White"),
        ("Gypsy or Irish Traveller", "White"),
        ("Arab", "BME"),
        ("I do not wish to disclose my ethnic origin", "Unknown"),
        ("Any other ethnic group", "BME"),
        ("Black British", "BME"),
        ("British", "White"),
        ("Asian British", "BME"),
        ("N/A", "Unknown"),
        ("N.K.", "Unknown"),
        ("N.S.", "Unknown"),
    ],
)
def test_tricky_values(value: str, group: str) -> None:
    assert classify(value).group == group


def test_not_stated_is_a_label_not_the_code_n() -> None:
    assert classify("Not stated") == Ethnicity("Z", "Not stated", "Unknown", "label")
    assert classify("N").group == "BME"  # the bare code N is Black African


@pytest.mark.parametrize(
    ("value", "code", "group"),
    [
        # NHS Data Dictionary
        ("White - British", "A", "White"),
        ("White - Irish", "B", "White"),
        ("White - Any other White background", "C", "White"),
        ("Mixed - White and Black Caribbean", "D", "BME"),
        ("Mixed - White and Black African", "E", "BME"),
        ("Mixed - White and Asian", "F", "BME"),
        ("Mixed - Any other mixed background", "G", "BME"),
        ("Asian or Asian British - Indian", "H", "BME"),
        ("Asian or Asian British - Pakistani", "J", "BME"),
        ("Asian or Asian British - Bangladeshi", "K", "BME"),
        ("Asian or Asian British - Any other Asian background", "L", "BME"),
        ("Black or Black British - Caribbean", "M", "BME"),
        ("Black or Black British - African", "N", "BME"),
        ("Black or Black British - Any other Black background", "P", "BME"),
        ("Other Ethnic Groups - Chinese", "R", "BME"),
        ("Other Ethnic Groups - Any other ethnic group", "S", "BME"),
        ("Not stated", "Z", "Unknown"),
        # 2021 census
        ("White: English, Welsh, Scottish, Northern Irish or British", "A", "White"),
        ("White: Irish", "B", "White"),
        ("White: Gypsy or Irish Traveller", "C", "White"),
        ("White: Roma", "CN", "White"),
        ("White: Other White", "C", "White"),
        ("Mixed or Multiple ethnic groups: White and Black Caribbean", "D", "BME"),
        ("Mixed or Multiple ethnic groups: White and Black African", "E", "BME"),
        ("Mixed or Multiple ethnic groups: White and Asian", "F", "BME"),
        ("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", "G", "BME"),
        ("Asian or Asian British: Indian", "H", "BME"),
        ("Asian or Asian British: Pakistani", "J", "BME"),
        ("Asian or Asian British: Bangladeshi", "K", "BME"),
        ("Asian or Asian British: Chinese", "R", "BME"),
        ("Asian or Asian British: Other Asian", "L", "BME"),
        ("Black, Black British, Caribbean or African: Caribbean", "M", "BME"),
        ("Black, Black British, Caribbean or African: African", "N", "BME"),
        ("Black, Black British, Caribbean or African: Other Black", "P", "BME"),
        ("Other ethnic group: Arab", "S", "BME"),
        ("Other ethnic group: Any other ethnic group", "S", "BME"),
        # 2011 census
        ("White: English/Welsh/Scottish/Northern Irish/British", "A", "White"),
        ("Mixed/multiple ethnic groups: Any other Mixed/multiple ethnic background", "G", "BME"),
        ("Asian/Asian British: Chinese", "R", "BME"),
        ("Black/African/Caribbean/Black British: African", "N", "BME"),
        (
            "Black/African/Caribbean/Black British: Any other Black/African/Caribbean background",
            "P",
            "BME",
        ),
        # common free text
        ("White British", "A", "White"),
        ("British", "A", "White"),
        ("English", "CA", "White"),
        ("Scottish", "CB", "White"),
        ("Welsh", "CC", "White"),
        ("Irish", "B", "White"),
        ("White Irish", "B", "White"),
        ("White Other", "C", "White"),
        ("Other White", "C", "White"),
        ("Any other White background", "C", "White"),
        ("White", "C3", "White"),
        ("Black African", "N", "BME"),
        ("African", "N", "BME"),
        ("Black Caribbean", "M", "BME"),
        ("Caribbean", "M", "BME"),
        ("Asian - Indian", "H", "BME"),
        ("Indian", "H", "BME"),
        ("Pakistani", "J", "BME"),
        ("Bangladeshi", "K", "BME"),
        ("Chinese", "R", "BME"),
        ("Mixed White and Asian", "F", "BME"),
        ("Mixed White and Black African", "E", "BME"),
        ("Mixed White and Black Caribbean", "D", "BME"),
        ("Mixed Other", "G", "BME"),
        ("Any other mixed background", "G", "BME"),
        ("Mixed", "GF", "BME"),
        ("Gypsy or Irish Traveller", "C", "White"),
        ("Irish Traveller", "CL", "White"),
        ("Roma", "CN", "White"),
        ("Arab", "S", "BME"),
        ("Other", "S", "BME"),
        ("Any other ethnic group", "S", "BME"),
        ("Prefer not to say", "Z", "Unknown"),
        ("I do not wish to disclose my ethnic origin", "Z", "Unknown"),
        ("Not declared", "Z", "Unknown"),
        ("Declined", "Z", "Unknown"),
        ("Refused", "Z", "Unknown"),
        ("Not disclosed", "Z", "Unknown"),
        ("Not known", "99", "Unknown"),
        ("Unknown", "99", "Unknown"),
        ("Undefined", "99", "Unknown"),
        ("Unspecified", "99", "Unknown"),
    ],
)
def test_labels_without_codes(value: str, code: str, group: str) -> None:
    result = classify(value)
    assert (result.code, result.group, result.source) == (code, group, "label")


@pytest.mark.parametrize(
    "value",
    ["White - British", "White: British", "White/British", "White British", "  WHITE   british "],
)
def test_separators_and_case_do_not_matter(value: str) -> None:
    assert classify(value) == Ethnicity("A", "White - British", "White", "label")


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", "-", " . ", float("nan")])
def test_blank_is_unknown(value: object) -> None:
    assert classify(value) == Ethnicity(None, "Blank", "Unknown", "blank")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        "Martian",
        "ZZ",  # not a real code
        "W",  # not a code
        "No Irish",  # "No" is a word, not a code to skip
        "F Female",  # a sex column mapped as ethnicity: a bare letter needs its family word
        "M Male",
        "A mix of backgrounds",
        "A Mixed - White and Asian",  # code and label disagree: for the analyst to settle
        "Z White British",
        "GA White British",
    ],
)
def test_unrecognised(value: str) -> None:
    assert classify(value) == Ethnicity(None, "Unrecognised", "Unknown", "unrecognised")


@pytest.mark.parametrize(
    ("value", "code"), [("1. White British", "A"), ("W - White British", "A"), ("01 Indian", "H")]
)
def test_other_systems_prefixes_fall_back_to_the_label(value: str, code: str) -> None:
    result = classify(value)
    assert (result.code, result.source) == (code, "label")


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("White - British", "white british"),
        ("  Black &  White ", "black and white"),
        ("B&W", "b and w"),
        ("Don't know", "dont know"),
        ("Gypsy/Romany", "gypsy romany"),
        ("N/A", "n a"),
        ("Straße", "strasse"),
        ("Roman\u0301i", "romani"),  # a decomposed accent does not split the word
        ("A – White", "a white"),
        ("", ""),
    ],
)
def test_normalise_key_examples(label: str, key: str) -> None:
    assert normalise_key(label) == key


def test_overrides_win_over_the_built_in_table() -> None:
    result = classify("white british", {"White - British": "bme"})
    assert result == Ethnicity(None, "White - British", "BME", "override")
    assert classify("White British") == Ethnicity("A", "White - British", "White", "label")


def test_overrides_rescue_unrecognised_labels() -> None:
    overrides = {"Romanian": " White ", "Kurdish": "BME", "Other / not said": "unknown"}
    assert classify("ROMANIAN", overrides).group == "White"
    assert classify("kurdish", overrides).group == "BME"
    assert classify("Other - not said", overrides).source == "override"
    assert classify("Indian", overrides).source == "label"  # untouched labels still resolve
    assert classify("", overrides).source == "blank"


@pytest.mark.parametrize(
    "overrides",
    [
        {"Romanian": "Ethnic minority"},
        {"Romanian": ""},
        {"Romanian": 1},
        {" - ": "White"},  # nothing to match
        {"Romanian": "White", "ROMANIAN ": "BME"},  # same label, two groups
    ],
)
def test_bad_overrides_raise(overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="override") as info:
        classify("Indian", overrides)
    assert isinstance(info.value, ConfigError)  # the CLI reports it as a config error
    with pytest.raises(OverrideError):
        classify_many([], overrides)


def test_classify_many_returns_each_distinct_value() -> None:
    nan: Any = float("nan")  # pandas hands over NaN for empty cells
    labels: list[str | None] = [
        "A",
        "White British",
        "A",
        None,
        "Kurdish",
        "Kurdish",
        nan,
        "",
        "Martian",
    ]
    result = classify_many(labels, {"kurdish": "BME"})
    assert list(result) == ["A", "White British", None, "Kurdish", nan, "", "Martian"]
    assert [r.source for r in result.values()] == [
        "code",
        "label",
        "blank",
        "override",
        "blank",
        "blank",
        "unrecognised",
    ]
    assert classify_many(iter(["CP White Polish"]))["CP White Polish"].code == "CP"


def test_conflicting_built_in_labels_are_refused() -> None:
    def row(code: str, family: str, group: str, category: str, label: str, match: str) -> Any:
        return dict(
            code=code,
            family=family,
            group=group,
            category=category,
            label=label,
            match=match,
            note="",
        )

    rows = [
        row("A", "white", "White", "White - British", "", "code"),
        row("A", "white", "White", "White - British", "Other", "name"),
        row("S", "other", "BME", "Other", "", "code"),
    ]
    with pytest.raises(RuntimeError, match="Other"):
        ethnicity._build(rows)


def test_import_stays_light() -> None:
    """``wres4 ethnicity LABEL`` must start fast: no pandas, numpy or pyarrow."""
    src = Path(ethnicity.__file__).resolve().parents[1]
    heavy = "{'pandas', 'numpy', 'pyarrow'}"
    code = f"import sys, wres4.indicator.ethnicity; print(sorted({heavy} & set(sys.modules)))"
    path = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        check=True,
    )
    assert out.stdout.strip() == "[]"


# ---- invariants -------------------------------------------------------------------------------

BUILT_IN_KEYS = sorted(ethnicity._tables().labels)
SEPARATORS = st.sampled_from([" ", "  ", " - ", ": ", "/", "\t", ", ", " – "])


@st.composite
def written_labels(draw: st.DrawFn) -> tuple[str, str]:
    """A built-in label's key, and the label as a person might type it."""
    key = draw(st.sampled_from(BUILT_IN_KEYS))
    words = key.split()
    text = words[0]
    for word in words[1:]:
        text += draw(SEPARATORS) + word
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))
    return key, draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", "  "]))


@given(st.text())
def test_normalise_key_is_idempotent(text: str) -> None:
    key = normalise_key(text)
    assert normalise_key(key) == key
    assert key == key.strip() and "  " not in key
    assert all(c.isalnum() or c == " " for c in key)


@given(written_labels())
def test_built_in_labels_ignore_case_space_and_punctuation(pair: tuple[str, str]) -> None:
    key, text = pair
    assert classify(text) == classify(key)
    assert classify(text).source == "label"


@given(
    st.one_of(
        written_labels().map(lambda pair: pair[1]),
        st.text(alphabet=st.characters(max_codepoint=127)),
    )
)
def test_group_ignores_case_and_surrounding_space(text: str) -> None:
    group = classify(text).group
    assert classify(text.upper()).group == group
    assert classify(text.lower()).group == group
    assert classify("  " + text + "  ").group == group
    assert classify(" ".join(text.split())).group == group


@given(st.text())
def test_classify_never_raises_and_returns_a_group(text: str) -> None:
    result = classify(text)
    assert result.group in GROUPS
    assert result.source in {"code", "label", "blank", "unrecognised"}


@given(st.sampled_from(APPENDIX_A), st.sampled_from(BUILT_IN_KEYS), SEPARATORS)
def test_a_code_is_never_outvoted_by_its_label(
    row: tuple[str, str, str], key: str, separator: str
) -> None:
    code, _, group = row
    result = classify(code + separator + key)
    if ethnicity._tables().labels[key].group == group:
        assert (result.code, result.group, result.source) == (code, group, "code")
    else:
        assert result.source == "unrecognised"


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("Gypsy/Traveller", "White"),
        ("Gypsy Traveller", "White"),
        ("Declined to specify", "Unknown"),
        ("Information refused", "Unknown"),
        ("BME", "BME"),
        ("BAME", "BME"),
        ("Ethnic minority", "BME"),
        ("Global majority", "BME"),
    ],
)
def test_more_free_text_spellings(label: str, group: str) -> None:
    result = classify(label)
    assert result.group == group
    assert result.source != "unrecognised"


def test_code_table_ships_with_the_package() -> None:
    """The CSV is read through importlib.resources, so pyproject must list it as package data."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["wres4"]
    package = root / "src" / "wres4"
    data = [p.relative_to(package).as_posix() for p in package.rglob("*.csv")]
    assert "indicator/ethnicity_codes.csv" in data
    assert all(any(fnmatch.fnmatch(name, g) for g in globs) for name in data)


def test_code_table_rows_are_well_formed() -> None:
    import csv

    text = (Path(ethnicity.__file__).parent / ethnicity.TABLE_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    defined = [r["code"] for r in rows if r["match"] == "code"]
    assert len(defined) == len(set(defined)) == len(APPENDIX_A)
    assert {r["match"] for r in rows} == {"code", "name", "whole"}
    assert all(r["code"] in defined for r in rows if r["code"])
    assert all(r["group"] in GROUPS for r in rows)
    assert all(r["label"] for r in rows if r["match"] != "code")


def test_a_table_row_with_an_unknown_match_is_refused() -> None:
    row = dict(code="A", family="white", group="White", category="White", label="x", match="?")
    with pytest.raises(RuntimeError, match="unknown match"):
        ethnicity._build([row])


def test_classifying_stays_light() -> None:
    """Reading the code table on first use brings in no pandas, numpy or pyarrow either."""
    src = Path(ethnicity.__file__).resolve().parents[1]
    heavy = "{'pandas', 'numpy', 'pyarrow'}"
    code = (
        "import sys; from wres4.indicator.ethnicity import classify; "
        "assert classify('CP White Polish').group == 'White'; "
        f"print(sorted({heavy} & set(sys.modules)))"
    )
    path = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        check=True,
    )
    assert out.stdout.strip() == "[]"
