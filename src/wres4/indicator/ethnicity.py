"""Ethnicity codes and labels -> White / BME / Unknown (method.md: Ethnicity).

The code decides the group: ESR and clinical systems write ``CP White Polish`` or
``GA Mixed - Black and Asian``, and the first character of the code carries the 2001 census
category whatever the words say. Values without a code are matched against a table of Data
Dictionary, ESR, 2011/2021 census and common free-text labels, compared case-, space- and
punctuation-insensitively. The codes and labels are a packaged CSV, ``ethnicity_codes.csv``,
read on first use. Standard library only, so ``wres4 ethnicity LABEL`` starts fast.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from wres4.errors import ConfigError
from wres4.settings import GROUPS

if TYPE_CHECKING:
    import pandas as pd

    from wres4.findings import Finding

__all__ = [
    "GROUPS",
    "LABEL_COLUMNS",
    "Ethnicity",
    "LabelMapping",
    "OverrideError",
    "classify",
    "classify_many",
    "map_labels",
    "normalise_key",
]


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

# The code and label table, one row a label (ethnicity_codes.csv beside this module):
#   code      NHS/ESR code the label resolves to (empty for an already-grouped label)
#   family    a key of _FAMILIES, whose prefixes are tried before a "name" row's label
#   group     White, BME or Unknown
#   category  the category the label resolves to, itself matched as a label
#   label     the text matched (empty on the "code" row that defines a code)
#   match     "code" defines a code; "name" is matched alone and after the family's
#             prefixes ("Polish", "White Polish", "White: Polish"); "whole" only as it is
#   note      where a label comes from (2011 or 2021 census wording, ...)
# Rows keep the NHS Data Dictionary's order; where two rows give one label the first wins.
TABLE_FILE = "ethnicity_codes.csv"


class _Tables(NamedTuple):
    labels: dict[str, Ethnicity]  # label key -> result
    by_code: dict[str, tuple[Ethnicity, _Family]]  # casefolded code -> result, its family


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The packaged table, read on first use (the standard library only, so it is quick)."""
    import csv
    from importlib import resources

    text = resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return _build(csv.DictReader(text.splitlines()))


def _build(rows: Iterable[Mapping[str, str]]) -> _Tables:
    """Label keys and codes from the table's rows; raises if two labels share a key but not
    a category and group, or a row names an unknown family or match."""
    labels: dict[str, Ethnicity] = {}
    by_code: dict[str, tuple[Ethnicity, _Family]] = {}

    def add(label: str, result: Ethnicity) -> None:
        existing = labels.setdefault(normalise_key(label), result)
        # The same category under two codes (99, 9 and X are all "Not known") keeps the first.
        if (existing.category, existing.group) != (result.category, result.group):
            raise RuntimeError(f"{TABLE_FILE}: label {label!r} is {existing} or {result}?")

    for row in rows:
        family = _FAMILIES.get(row["family"])
        if row["group"] not in GROUPS or (family is not None and family.group != row["group"]):
            raise RuntimeError(f"{TABLE_FILE}: {row} is not in its family's group")
        result = Ethnicity(row["code"] or None, row["category"], row["group"], "label")
        if row["match"] == "code" and family is not None:
            by_code[row["code"].casefold()] = (replace(result, source="code"), family)
            add(row["category"], result)
        elif row["match"] == "name" and family is not None:
            add(row["category"], result)
            for prefix in ("", *family.prefixes):
                add(f"{prefix} {row['label']}", result)
        elif row["match"] == "whole":
            add(row["label"], result)
        else:
            raise RuntimeError(f"{TABLE_FILE}: unknown match or family in {row}")
    return _Tables(labels, by_code)


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


def _from_code(token: str, rest: str) -> Ethnicity:
    """A leading code and the words after it: the code decides, unless the words contradict it."""
    result, family = _tables().by_code[token]
    if not rest:
        return result
    named = _tables().labels.get(rest)
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
    labels, by_code = _tables()
    found = labels.get(key)
    if found is not None:
        return found
    token, _, rest = key.partition(" ")
    if len(token) > 2 or not token.isascii():
        return _UNRECOGNISED
    if token in by_code:
        return _from_code(token, rest)
    if token in _NOT_CODES:
        return _UNRECOGNISED
    # Another system's code or a list number: "W White British", "1. White British".
    return labels.get(rest, _UNRECOGNISED)


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


LABEL_COLUMNS = ("label", "code", "category", "group", "count")


@dataclass(frozen=True)
class LabelMapping:
    """What ``wres4 ethnicity`` reports: one row per label (in :data:`LABEL_COLUMNS`) with
    the group it maps to and how often it was seen. Rows are plain dicts, so writing them
    needs no pandas and the command starts fast."""

    rows: tuple[dict[str, Any], ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        return {"results": pd.DataFrame(list(self.rows), columns=list(LABEL_COLUMNS))}


def map_labels(
    counts: Iterable[tuple[str, int]],
    overrides: Mapping[str, str] | None = None,
    *,
    unmapped_only: bool = False,
) -> LabelMapping:
    """Each (label, count) with its code, category and group; ``unmapped_only`` keeps the
    labels the table does not recognise (method.md: Ethnicity)."""
    prepared = _prepare_overrides(overrides) if overrides else {}
    rows = []
    for label, count in counts:
        eth = _classify(label, prepared)
        if unmapped_only and eth.source != "unrecognised":
            continue
        values = (label, eth.code or "", eth.category, eth.group, count)
        rows.append(dict(zip(LABEL_COLUMNS, values, strict=True)))
    return LabelMapping(rows=tuple(rows))
