"""Ethnicity codes and labels -> White / BME / Unknown (SPEC §3 and Appendix A).

The code decides the group: ESR and clinical systems write ``CP White Polish`` or
``GA Mixed - Black and Asian``, and the first character of the code carries the 2001 census
category whatever the words say. Values without a code are matched against a table of Data
Dictionary, ESR, 2011/2021 census and common free-text labels, compared case-, space- and
punctuation-insensitively. Standard library only, so ``wres4 ethnicity LABEL`` starts fast.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from wres4.errors import ConfigError

__all__ = [
    "GROUPS",
    "Ethnicity",
    "OverrideError",
    "classify",
    "classify_many",
    "normalise_key",
]

GROUPS: tuple[str, ...] = ("White", "BME", "Unknown")


@dataclass(frozen=True, slots=True)
class Ethnicity:
    """What one ethnicity value resolved to, and how."""

    code: str | None  # NHS/ESR code, e.g. "A", "CP", "Z"; None when there is none
    category: str  # human text, e.g. "White - Polish", "Not stated", "Unrecognised"
    group: str  # one of GROUPS
    source: str  # "code", "label", "override", "blank" or "unrecognised"


class OverrideError(ConfigError, ValueError):
    """An ethnicity override in the settings is unusable (bad group, empty or clashing label)."""


class _Family(NamedTuple):
    heading: str  # first half of a category, "White" in "White - Polish"
    group: str
    prefixes: tuple[str, ...]  # how labels name the family before the specific part
    words: frozenset[str]  # words that confirm a one-character code, as in "A White ..."


_FAMILIES: dict[str, _Family] = {
    "white": _Family("White", "White", ("white",), frozenset({"white"})),
    "mixed": _Family(
        "Mixed",
        "BME",
        (
            "mixed",
            "mixed or multiple",
            "mixed or multiple ethnic groups",
            "mixed multiple ethnic groups",
            "mixed ethnic group",
        ),
        frozenset({"mixed", "multiple"}),
    ),
    "asian": _Family(
        "Asian or Asian British",
        "BME",
        ("asian", "asian or asian british", "asian asian british", "asian british"),
        frozenset({"asian"}),
    ),
    "black": _Family(
        "Black or Black British",
        "BME",
        (
            "black",
            "black or black british",
            "black black british",
            "black british",
            "black african caribbean black british",  # 2011 census
            "black african caribbean or black british",
            "black black british caribbean or african",  # 2021 census
        ),
        frozenset({"black"}),
    ),
    "other": _Family(
        "Other Ethnic Groups",
        "BME",
        ("other", "other ethnic group", "other ethnic groups"),
        frozenset({"other", "any"}),
    ),
    "unknown": _Family("", "Unknown", (), frozenset({"not", "stated", "known", "unknown"})),
}

# code -> (family, category, names). A name is matched on its own and after any of the
# family's prefixes ("Polish", "White Polish", "White: Polish"). Appendix A, in its order.
_CODES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "A": (
        "white",
        "White - British",
        (
            "British",
            "English, Welsh, Scottish, Northern Irish or British",  # 2021 census
            "English/Welsh/Scottish/Northern Irish/British",  # 2011 census
        ),
    ),
    "B": ("white", "White - Irish", ("Irish",)),
    "C": (
        "white",
        "White - Any other White background",
        ("Any other White background", "Other White background", "Other White", "Any other White"),
    ),
    "C2": ("white", "White - Northern Irish", ("Northern Irish",)),
    "C3": (
        "white",
        "White - Unspecified",
        ("White unspecified", "Unspecified White", "Other White, White unspecified"),
    ),
    "CA": ("white", "White - English", ("English",)),
    "CB": ("white", "White - Scottish", ("Scottish",)),
    "CC": ("white", "White - Welsh", ("Welsh",)),
    "CD": ("white", "White - Cornish", ("Cornish",)),
    "CE": ("white", "White - Cypriot (part not stated)", ("Cypriot (part not stated)", "Cypriot")),
    "CF": ("white", "White - Greek", ("Greek",)),
    "CG": ("white", "White - Greek Cypriot", ("Greek Cypriot",)),
    "CH": ("white", "White - Turkish", ("Turkish",)),
    "CJ": ("white", "White - Turkish Cypriot", ("Turkish Cypriot",)),
    "CK": ("white", "White - Italian", ("Italian",)),
    "CL": ("white", "White - Irish Traveller", ("Irish Traveller",)),
    "CM": ("white", "White - Traveller", ("Traveller",)),
    "CN": ("white", "White - Gypsy/Romany", ("Gypsy/Romany", "Gypsy or Romany", "Gypsy", "Romany")),
    "CP": ("white", "White - Polish", ("Polish",)),
    "CQ": (
        "white",
        "White - Former USSR",
        (
            "Former USSR",
            "Ex-USSR",
            "Former USSR republics",
            "All republics which made up the former USSR",
        ),
    ),
    "CR": ("white", "White - Kosovan", ("Kosovan",)),
    "CS": ("white", "White - Albanian", ("Albanian",)),
    "CT": ("white", "White - Bosnian", ("Bosnian",)),
    "CU": ("white", "White - Croatian", ("Croatian",)),
    "CV": ("white", "White - Serbian", ("Serbian",)),
    "CW": (
        "white",
        "White - Other former Yugoslavia",
        (
            "Other former Yugoslavia",
            "Former Yugoslavia",
            "Ex-Yugoslav",
            "Ex-Yugoslavia",
            "Other republics which made up the former Yugoslavia",
        ),
    ),
    "CX": ("white", "White - Mixed White", ("Mixed White",)),
    "CY": (
        "white",
        "White - Other White European",
        ("Other White European", "Other European", "European", "European unspecified"),
    ),
    "D": (
        "mixed",
        "Mixed - White and Black Caribbean",
        ("White and Black Caribbean", "Black Caribbean and White"),
    ),
    "E": (
        "mixed",
        "Mixed - White and Black African",
        ("White and Black African", "Black African and White"),
    ),
    "F": ("mixed", "Mixed - White and Asian", ("White and Asian", "Asian and White")),
    "G": (
        "mixed",
        "Mixed - Any other mixed background",
        (
            "Any other mixed background",
            "Other mixed background",
            "Any other mixed",
            "Other mixed",
            "Other Mixed or Multiple ethnic groups",  # 2021 census
            "Any other Mixed/multiple ethnic background",  # 2011 census
        ),
    ),
    "GA": ("mixed", "Mixed - Black and Asian", ("Black and Asian", "Asian and Black")),
    "GB": ("mixed", "Mixed - Black and Chinese", ("Black and Chinese", "Chinese and Black")),
    "GC": ("mixed", "Mixed - Black and White", ("Black and White", "White and Black")),
    "GD": ("mixed", "Mixed - Chinese and White", ("Chinese and White", "White and Chinese")),
    "GE": ("mixed", "Mixed - Asian and Chinese", ("Asian and Chinese", "Chinese and Asian")),
    "GF": (
        "mixed",
        "Mixed - Other / unspecified",
        ("Mixed unspecified", "Unspecified mixed", "Other mixed, mixed unspecified"),
    ),
    "H": ("asian", "Asian or Asian British - Indian", ("Indian",)),
    "J": ("asian", "Asian or Asian British - Pakistani", ("Pakistani",)),
    "K": ("asian", "Asian or Asian British - Bangladeshi", ("Bangladeshi",)),
    "L": (
        "asian",
        "Asian or Asian British - Any other Asian background",
        ("Any other Asian background", "Other Asian background", "Other Asian", "Any other Asian"),
    ),
    "LA": ("asian", "Asian or Asian British - Mixed Asian", ("Mixed Asian",)),
    "LB": ("asian", "Asian or Asian British - Punjabi", ("Punjabi",)),
    "LC": ("asian", "Asian or Asian British - Kashmiri", ("Kashmiri",)),
    "LD": ("asian", "Asian or Asian British - East African Asian", ("East African Asian",)),
    "LE": ("asian", "Asian or Asian British - Sri Lankan", ("Sri Lankan", "Sri Lanka")),
    "LF": ("asian", "Asian or Asian British - Tamil", ("Tamil",)),
    "LG": ("asian", "Asian or Asian British - Sinhalese", ("Sinhalese",)),
    "LH": ("asian", "Asian or Asian British - British Asian", ("British Asian", "Asian British")),
    "LJ": ("asian", "Asian or Asian British - Caribbean Asian", ("Caribbean Asian",)),
    "LK": (
        "asian",
        "Asian or Asian British - Other / unspecified",
        ("Asian unspecified", "Unspecified Asian", "Other Asian, Asian unspecified"),
    ),
    "M": ("black", "Black or Black British - Caribbean", ("Caribbean",)),
    "N": ("black", "Black or Black British - African", ("African",)),
    "P": (
        "black",
        "Black or Black British - Any other Black background",
        (
            "Any other Black background",
            "Other Black background",
            "Other Black",
            "Any other Black",
            "Any other Black/African/Caribbean background",  # 2011 census
        ),
    ),
    "PA": ("black", "Black or Black British - Somali", ("Somali",)),
    "PB": ("black", "Black or Black British - Mixed Black", ("Mixed Black",)),
    "PC": ("black", "Black or Black British - Nigerian", ("Nigerian",)),
    "PD": ("black", "Black or Black British - Black British", ("Black British",)),
    "PE": (
        "black",
        "Black or Black British - Other / unspecified",
        ("Black unspecified", "Unspecified Black", "Other Black, Black unspecified"),
    ),
    "R": ("other", "Other Ethnic Groups - Chinese", ("Chinese",)),
    "S": (
        "other",
        "Other Ethnic Groups - Any other ethnic group",
        (
            "Any other ethnic group",
            "Other ethnic group",
            "Other ethnic groups",
            "Other",
            "Any other",
        ),
    ),
    "SA": ("other", "Other Ethnic Groups - Vietnamese", ("Vietnamese",)),
    "SB": ("other", "Other Ethnic Groups - Japanese", ("Japanese",)),
    "SC": ("other", "Other Ethnic Groups - Filipino", ("Filipino",)),
    "SD": ("other", "Other Ethnic Groups - Malaysian", ("Malaysian",)),
    "SE": ("other", "Other Ethnic Groups - Any other group", ("Any other group", "Other group")),
    "Z": (
        "unknown",
        "Not stated",
        (
            "Prefer not to say",
            "I do not wish to disclose my ethnic origin",
            "Not declared",
            "Not disclosed",
            "Declined",
            "Declined to say",
            "Declined to specify",
            "Declined to disclose",
            "Did not wish to disclose",
            "Do not wish to disclose",
            "Information refused",
            "Not given",
            "Refused",
            "No response",
            "No answer",
            "Not given",
            "Not provided",
            "Withheld",
            "Do not wish to disclose",
            "Do not wish to say",
            "Prefer not to disclose",
            "NS",
            "N/S",
        ),
    ),
    "99": (
        "unknown",
        "Not known",
        (
            "Unknown",
            "Unknown/Null",
            "Null",
            "Don't know",
            "Do not know",
            "Undefined",
            "Unspecified",
            "Not specified",
            "Not recorded",
            "Not applicable",
            "NK",
            "N/K",
            "NA",
            "N/A",
            "None",
            "Null",
            "NaN",
        ),
    ),
    # 9 and X are other systems' spellings of 99; the label "Not known" resolves to 99.
    "9": ("unknown", "Not known", ()),
    "X": ("unknown", "Not known", ()),
}

# Groups that share a code but keep their own category: category -> (family, code, names).
# 2021 census: Roma and Gypsy or Irish Traveller are White, Arab is an "other ethnic group".
_SUBGROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "White - Roma": ("white", "CN", ("Roma",)),
    "White - Gypsy or Irish Traveller": (
        "white",
        "C",
        (
            "Gypsy or Irish Traveller",
            "Gypsy/Irish Traveller",
            "Gypsy, Roma or Traveller",
            "Gypsy/Traveller",
            "Gypsy or Traveller",
            "Gypsy Traveller",
        ),
    ),
    "Other Ethnic Groups - Arab": ("other", "S", ("Arab",)),
}

# Whole labels that fit no family pattern: a family word alone means its "unspecified" code,
# reversed word orders, and the 2011/2021 census placing Chinese under Asian.
_EXTRA_LABELS: dict[str, str] = {
    "White": "C3",
    "Mixed": "GF",
    "Mixed or Multiple ethnic groups": "GF",
    "Mixed/multiple ethnic groups": "GF",
    "Asian": "LK",
    "Asian or Asian British": "LK",
    "Black": "PE",
    "Black or Black British": "PE",
    "Black, Black British, Caribbean or African": "PE",
    "White Other": "C",
    "White Any other": "C",
    "Mixed Other": "G",
    "Asian Other": "L",
    "Black Other": "P",
    "Asian Chinese": "R",
    "Asian or Asian British: Chinese": "R",
    "Asian/Asian British: Chinese": "R",
}

# Two-character words that are not codes, so "No Irish ..." never falls back to "Irish".
_NOT_CODES = frozenset({"no"})

_APOSTROPHES = frozenset("'`\u2018\u2019\u00b4\u02bc")


def _key_char(char: str) -> str:
    """One casefolded character of a label as it appears in its key."""
    if char.isalnum():
        return char
    if char == "&":
        return " and "
    # Apostrophes and accents join a word ("Don't", a decomposed "é"); all else separates.
    if char in _APOSTROPHES or unicodedata.category(char).startswith("M"):
        return ""
    return " "


_ASCII_KEY = str.maketrans({chr(i): _key_char(chr(i).casefold()) for i in range(128)})


def normalise_key(label: str) -> str:
    """Casefold, '&' -> 'and', punctuation -> word breaks, single spaces: the matching key."""
    if label.isascii():
        text = label.translate(_ASCII_KEY)
    else:
        text = "".join(_key_char(char) for char in label.casefold())
    return " ".join(text.split())


_BLANK = Ethnicity(None, "Blank", "Unknown", "blank")
_UNRECOGNISED = Ethnicity(None, "Unrecognised", "Unknown", "unrecognised")


def _build_labels(
    codes: Mapping[str, tuple[str, str, tuple[str, ...]]],
    subgroups: Mapping[str, tuple[str, str, tuple[str, ...]]],
    extra: Mapping[str, str],
) -> dict[str, Ethnicity]:
    """Key -> result for every built-in label; raises if two labels share a key but not a group."""
    labels: dict[str, Ethnicity] = {}

    def add(text: str, result: Ethnicity) -> None:
        existing = labels.setdefault(normalise_key(text), result)
        # The same category under two codes (99, 9 and X are all "Not known") keeps the first.
        if (existing.category, existing.group) != (result.category, result.group):
            raise RuntimeError(f"built-in ethnicity label {text!r}: {existing} or {result}?")

    def add_names(family: _Family, names: tuple[str, ...], result: Ethnicity) -> None:
        for name in names:
            for prefix in ("", *family.prefixes):
                add(f"{prefix} {name}", result)

    for code, (family, category, names) in codes.items():
        result = Ethnicity(code, category, _FAMILIES[family].group, "label")
        add(category, result)
        add_names(_FAMILIES[family], names, result)
    for category, (family, code, names) in subgroups.items():
        result = Ethnicity(code, category, _FAMILIES[family].group, "label")
        add(category, result)
        add_names(_FAMILIES[family], names, result)
    for text, code in extra.items():
        family, category, _ = codes[code]
        add(text, Ethnicity(code, category, _FAMILIES[family].group, "label"))
    return labels


_LABELS = _build_labels(_CODES, _SUBGROUPS, _EXTRA_LABELS)
# Extracts and returns that are already grouped name the group itself (no code applies).
_GROUP_NAMES: dict[str, str] = {
    "BME": "BME",
    "BAME": "BME",
    "BME staff": "BME",
    "Black and minority ethnic": "BME",
    "Black, Asian and minority ethnic": "BME",
    "Ethnic minority": "BME",
    "Ethnic minorities": "BME",
    "Minority ethnic": "BME",
    "Global majority": "BME",
    "White staff": "White",
}
for _name, _group in _GROUP_NAMES.items():
    _LABELS.setdefault(normalise_key(_name), Ethnicity(None, _group, _group, "label"))
# Code keys are casefolded like everything else: "cp" -> the result for CP.
_BY_CODE: dict[str, tuple[Ethnicity, _Family]] = {
    code.casefold(): (Ethnicity(code, category, _FAMILIES[family].group, "code"), _FAMILIES[family])
    for code, (family, category, _) in _CODES.items()
}


def _from_code(token: str, rest: str) -> Ethnicity:
    """A leading code and the words after it: the code decides, unless the words contradict it."""
    result, family = _BY_CODE[token]
    if not rest:
        return result
    named = _LABELS.get(rest)
    if named is not None:
        if named.group != result.group:  # "A Mixed - White and Asian": for the analyst to settle
            return _UNRECOGNISED
        return replace(named, source="code") if named.code == result.code else result
    # Single characters are also words and initials ("A mix of", "F Female" from the wrong
    # column), so they need a word of their own family after them; two-character codes do not.
    if len(token) == 2 or family.words.intersection(rest.split()):
        return result
    return _UNRECOGNISED


@lru_cache(maxsize=1 << 16)
def _classify_key(key: str) -> Ethnicity:
    """Classify a non-empty key: whole label, then a leading code, then the label after it."""
    found = _LABELS.get(key)
    if found is not None:
        return found
    token, _, rest = key.partition(" ")
    if len(token) > 2 or not token.isascii():
        return _UNRECOGNISED
    if token in _BY_CODE:
        return _from_code(token, rest)
    if token in _NOT_CODES:
        return _UNRECOGNISED
    # Another system's code or a list number: "W White British", "1. White British".
    return _LABELS.get(rest, _UNRECOGNISED)


def _prepare_overrides(overrides: Mapping[str, str]) -> dict[str, Ethnicity]:
    """Validate the user's label -> group overrides and key them like the built-in labels."""
    groups = {group.casefold(): group for group in GROUPS}
    prepared: dict[str, Ethnicity] = {}
    for label, value in overrides.items():
        group = groups.get(value.strip().casefold()) if isinstance(value, str) else None
        if group is None:
            raise OverrideError(
                f"Ethnicity override {label!r} = {value!r}: the group must be one of "
                f"{', '.join(GROUPS)}. Fix the [ethnicity] overrides in the config file."
            )
        key = normalise_key(label) if isinstance(label, str) else ""
        if not key:
            raise OverrideError(
                f"Ethnicity override {label!r} has no letters or digits to match. "
                "Remove it from the [ethnicity] overrides in the config file."
            )
        existing = prepared.setdefault(
            key, Ethnicity(None, " ".join(label.split()), group, "override")
        )
        if existing.group != group:
            raise OverrideError(
                f"Ethnicity overrides {existing.category!r} and {label!r} are the same label "
                f"with different groups ({existing.group}, {group}). Keep one of them in the "
                "[ethnicity] overrides in the config file."
            )
    return prepared


def _classify(label: str | None, overrides: Mapping[str, Ethnicity]) -> Ethnicity:
    # Not only None: callers pass pandas' NaN for empty cells.
    if not isinstance(label, str):
        return _BLANK
    key = normalise_key(label)
    if not key:  # blank, or only punctuation such as "-" or "."
        return _BLANK
    return overrides.get(key) or _classify_key(key)


def classify(label: str | None, overrides: Mapping[str, str] | None = None) -> Ethnicity:
    """Resolve one ethnicity value; ``overrides`` (label -> group) win over the built-in table.

    Raises OverrideError (a ValueError) if an override is unusable.
    """
    return _classify(label, _prepare_overrides(overrides) if overrides else {})


def classify_many(
    labels: Iterable[str | None], overrides: Mapping[str, str] | None = None
) -> dict[str | None, Ethnicity]:
    """Each distinct value -> its Ethnicity, for callers to map back over their rows."""
    prepared = _prepare_overrides(overrides) if overrides else {}
    out: dict[str | None, Ethnicity] = {}
    for label in labels:
        if label not in out:
            out[label] = _classify(label, prepared)
    return out
