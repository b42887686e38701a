"""The ``wres4.toml`` config file: a trust's local conventions, captured once.

Discovery: ``--config FILE``, else ``$WRES4_CONFIG``, else ``./wres4.toml``. Command-line
options override the file. Unknown keys and wrong types are errors naming the key and line.
Lists of statuses, course types and titles *add to* the built-in lists; where a value is
listed on both sides (say "Failed" under not_accessed), the config file wins.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wres4.errors import ConfigError
from wres4.settings import GROUPS, Settings

CONFIG_NAME = "wres4.toml"
ENV_VAR = "WRES4_CONFIG"
FORMAT_VALUES = ("table", "csv", "tsv", "json", "jsonl", "markdown", "xlsx", "parquet", "html")
INPUT_KINDS = ("staff", "training", "aggregate", "applications")


@dataclass(frozen=True)
class Config:
    """A parsed config file: the settings it gives, and the defaults for the command line."""

    settings: Settings
    path: Path | None = None
    output_format: str | None = None
    keys: tuple[str, ...] = field(default=())


def discover(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The config file in force, or None."""
    environ = os.environ if environ is None else environ
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found (--config).")
        return explicit
    if environ.get(ENV_VAR):
        path = Path(environ[ENV_VAR])
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (${ENV_VAR}).")
        return path
    local = Path(CONFIG_NAME)
    return local if local.is_file() else None


def load(path: Path | None) -> Config:
    """Read and check a config file (None gives the built-in defaults)."""
    if path is None:
        return Config(Settings())
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc}).") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from exc
    return _build(data, text, path)


def _line(text: str, section: str, key: str) -> int | None:
    """The line a key is written on, for error messages (tomllib keeps no positions)."""
    current = ""
    pattern = re.compile(rf'^\s*("?){re.escape(key)}\1\s*=')
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).replace('"', "").replace(" ", "")
            if not key and current == section:
                return number
            continue
        if key and current == section and pattern.match(line):
            return number
    return None


class _Checker:
    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path

    def fail(self, section: str, key: str, problem: str) -> ConfigError:
        line = (
            _line(self.text, section, key)
            or _line(self.text, f"{section}.{key}".strip("."), "")
            or _line(self.text, section, "")
        )
        where = f"{self.path}" + (f", line {line}" if line else "")
        name = f"{section}.{key}" if section and key else section or key
        return ConfigError(f"{where}: {name}: {problem}")

    def table(self, data: Mapping[str, Any], section: str, allowed: set[str]) -> dict[str, Any]:
        value = data.get(section.split(".")[-1], {})
        if not isinstance(value, dict):
            raise self.fail("", section, "must be a table ([" + section + "]).")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    section, key, f"unknown key; known keys: {', '.join(sorted(allowed))}."
                )
        return value

    def typed(self, section: str, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds)
        if not ok:
            names = " or ".join(_type_name(k) for k in kinds)
            raise self.fail(section, key, f"must be {names}, not {_type_name(type(value))}.")
        return value

    def strings(self, section: str, key: str, value: Any) -> tuple[str, ...]:
        self.typed(section, key, value, list)
        for item in value:
            if not isinstance(item, str):
                raise self.fail(section, key, "must be a list of strings.")
        return tuple(value)


def _type_name(kind: type) -> str:
    return {
        str: "a string",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)


SECTIONS: dict[str, set[str]] = {
    "columns": set(INPUT_KINDS),
    "ethnicity": {"bme_label", "overrides"},
    "training": {
        "accessed_statuses",
        "not_accessed_statuses",
        "mandatory_types",
        "non_mandatory_types",
        "mandatory_titles",
    },
    "reporting": {
        "snapshot_month",
        "snapshot_day",
        "window_months",
        "day_first",
        "bank_values",
        "extracts_are_current",
    },
    "statistics": {"small_threshold", "ci_method", "confidence", "band", "disclosure", "round"},
    "progression": {"band_order", "unbanded", "senior_band"},
    "targets": set(),
    "output": {"format"},
}


def _build(data: Mapping[str, Any], text: str, path: Path) -> Config:
    check = _Checker(text, path)
    for section in data:
        if section not in SECTIONS:
            raise check.fail(
                "",
                section,
                f"unknown section; known sections: {', '.join(sorted(SECTIONS))}.",
            )
    base = Settings()
    changes: dict[str, Any] = {"config_file": str(path)}

    columns = check.table(data, "columns", SECTIONS["columns"])
    mapping: dict[str, dict[str, str]] = {}
    from wres4.inputs.columns import KNOWN_ROLES

    for kind, roles in columns.items():
        check.typed("columns", kind, roles, dict)
        for role, header in roles.items():
            if role not in KNOWN_ROLES:
                raise check.fail(
                    f"columns.{kind}",
                    role,
                    f"unknown role; roles: {', '.join(sorted(KNOWN_ROLES))}.",
                )
            check.typed(f"columns.{kind}", role, header, str)
        mapping[kind] = dict(roles)
    if mapping:
        changes["columns"] = mapping

    eth = check.table(data, "ethnicity", SECTIONS["ethnicity"])
    if "bme_label" in eth:
        changes["bme_label"] = check.typed("ethnicity", "bme_label", eth["bme_label"], str)
    if "overrides" in eth:
        overrides = check.typed("ethnicity", "overrides", eth["overrides"], dict)
        clean: dict[str, str] = {}
        for label, group in overrides.items():
            check.typed("ethnicity.overrides", label, group, str)
            match = [g for g in GROUPS if g.casefold() == group.strip().casefold()]
            if not match:
                raise check.fail(
                    "ethnicity.overrides", label, f"'{group}' must be White, BME or Unknown."
                )
            clean[label] = match[0]
        changes["ethnicity_overrides"] = clean

    train = check.table(data, "training", SECTIONS["training"])
    lists = {key: check.strings("training", key, value) for key, value in train.items()}
    changes.update(_merge_lists(base, lists))

    rep = check.table(data, "reporting", SECTIONS["reporting"])
    for key, low, high in (
        ("snapshot_month", 1, 12),
        ("snapshot_day", 1, 31),
        ("window_months", 1, 120),
    ):
        if key in rep:
            value = check.typed("reporting", key, rep[key], int)
            if not low <= value <= high:
                raise check.fail("reporting", key, f"must be between {low} and {high}.")
            changes[key] = value
    if "day_first" in rep:
        changes["day_first"] = check.typed("reporting", "day_first", rep["day_first"], bool)
    if "extracts_are_current" in rep:
        changes["extracts_current"] = check.typed(
            "reporting", "extracts_are_current", rep["extracts_are_current"], bool
        )
    if "bank_values" in rep:
        changes["bank_values"] = check.strings("reporting", "bank_values", rep["bank_values"])

    stat = check.table(data, "statistics", SECTIONS["statistics"])
    _statistics(check, stat, changes)
    prog = check.table(data, "progression", SECTIONS["progression"])
    _progression(check, prog, base, changes)

    targets = data.get("targets", {})
    check.typed("", "targets", targets, dict)
    clean_targets: dict[str, int] = {}
    for name, number in targets.items():
        value = check.typed("targets", name, number, int)
        if value < 0:
            raise check.fail("targets", name, "must be 0 or more.")
        clean_targets[name] = value
    if clean_targets:
        changes["targets"] = clean_targets

    out = check.table(data, "output", SECTIONS["output"])
    fmt = None
    if "format" in out:
        fmt = check.typed("output", "format", out["format"], str)
        if fmt not in FORMAT_VALUES:
            raise check.fail("output", "format", f"must be one of {', '.join(FORMAT_VALUES)}.")
    settings = replace(base, **changes)
    try:
        from wres4.indicator.ethnicity import classify

        classify("", settings.ethnicity_overrides or None)
    except ValueError as exc:
        raise check.fail("ethnicity", "overrides", str(exc)) from exc
    return Config(settings, path, fmt, tuple(sorted(changes)))


def _statistics(check: _Checker, stat: Mapping[str, Any], changes: dict[str, Any]) -> None:
    if "small_threshold" in stat:
        value = check.typed("statistics", "small_threshold", stat["small_threshold"], int)
        if value < 0:
            raise check.fail("statistics", "small_threshold", "must be 0 or more.")
        changes["small_threshold"] = value
    if "ci_method" in stat:
        value = check.typed("statistics", "ci_method", stat["ci_method"], str)
        if value not in ("koopman", "katz"):
            raise check.fail("statistics", "ci_method", "must be 'koopman' or 'katz'.")
        changes["ci_method"] = value
    if "confidence" in stat:
        value = check.typed("statistics", "confidence", stat["confidence"], (float, int))
        if not 0 < value < 1:
            raise check.fail("statistics", "confidence", "must be between 0 and 1, e.g. 0.95.")
        changes["confidence"] = float(value)
    if "band" in stat:
        band = check.typed("statistics", "band", stat["band"], list)
        if len(band) != 2 or not all(isinstance(v, int | float) for v in band):
            raise check.fail("statistics", "band", "must be [LOW, HIGH], e.g. [0.8, 1.25].")
        if not 0 < band[0] < band[1]:
            raise check.fail("statistics", "band", "needs 0 < LOW < HIGH.")
        changes["band"] = (float(band[0]), float(band[1]))
    if "disclosure" in stat:
        value = check.typed("statistics", "disclosure", stat["disclosure"], str)
        if value not in ("", "none", "nhs"):
            raise check.fail("statistics", "disclosure", "must be 'nhs' or 'none'.")
        changes["disclosure"] = value if value == "nhs" else None
    if "round" in stat:
        changes["round_ratios"] = check.typed("statistics", "round", stat["round"], bool)


def _merge_lists(base: Settings, lists: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """Config lists add to the built-in ones; a value put on one side leaves the other."""
    from wres4.text import normalise_word

    pairs = (
        ("accessed_statuses", "not_accessed_statuses"),
        ("mandatory_types", "non_mandatory_types"),
    )
    out: dict[str, Any] = {}
    for one, other in pairs:
        for key, opposite in ((one, other), (other, one)):
            mine = lists.get(key, ())
            theirs = {normalise_word(v) for v in lists.get(opposite, ())}
            kept = [v for v in getattr(base, key) if normalise_word(v) not in theirs]
            if mine or len(kept) != len(getattr(base, key)):
                out[key] = tuple(dict.fromkeys([*mine, *kept]))
    if "mandatory_titles" in lists:
        out["mandatory_titles"] = tuple(
            dict.fromkeys([*lists["mandatory_titles"], *base.mandatory_titles])
        )
    return out


def _progression(
    check: _Checker, prog: Mapping[str, Any], base: Settings, changes: dict[str, Any]
) -> None:
    """[progression]: the band order (replacing the built-in one), the values that are never
    a band, and the lowest senior band."""
    from wres4.progression.bands import check_order

    if "band_order" in prog:
        changes["band_order"] = check.strings("progression", "band_order", prog["band_order"])
    if "unbanded" in prog:
        changes["unbanded_values"] = check.strings("progression", "unbanded", prog["unbanded"])
    if "senior_band" in prog:
        changes["senior_band"] = check.typed("progression", "senior_band", prog["senior_band"], str)
    order = changes.get("band_order", base.band_order)
    problem = check_order(
        order,
        changes.get("unbanded_values", base.unbanded_values),
        changes.get("senior_band", base.senior_band),
    )
    if problem:
        key = next((k for k in ("band_order", "senior_band", "unbanded") if k in prog), "")
        raise check.fail("progression", key, problem)


def apply_options(settings: Settings, options: Mapping[str, Any]) -> Settings:
    """Command-line options (only those actually given) override the config file."""
    changes = {k: v for k, v in options.items() if v is not None}
    if "columns" in changes:
        merged = {kind: dict(roles) for kind, roles in settings.columns.items()}
        for kind, roles in changes["columns"].items():
            merged.setdefault(kind, {}).update(roles)
        changes["columns"] = merged
    return replace(settings, **changes)


TEMPLATE = """\
# wres4.toml: this trust's local conventions for wres4 (WRES indicator 4).
#
# wres4 reads this file from --config FILE, else $WRES4_CONFIG, else ./wres4.toml.
# Options given on the command line override it. Lists of statuses, course types and
# titles ADD to wres4's built-in lists; a value listed here on one side (say "Failed"
# under not_accessed_statuses) is taken off the other. Run `wres4 init --force` to start
# again from this template.

[columns.staff]
# Map a role to the header your staff extract uses, when wres4 does not recognise it.
# Headers are matched ignoring case, spaces and punctuation. Remove the # to use a line.
# person_id = "Emp Ref"
# ethnicity = "Ethnicity (ESR)"
# snapshot = "Extract Date"
# year = "WRES Year"
# bank = "Contract Basis"
# accessed = "Had CPD"  # in a person-level table: yes/no or a count
# pay_band = "AfC Grade"
# staff_group = "Prof Group"
# organisation = "Care Group"
# site = "Base Site"
# gender = "Legal Sex"
# disability = "Disabled (Y/N)"

[columns.training]
# person_id = "Learner Number"
# type = "Learning Category"
# mandatory = "Stat/Mand?"
# course = "Event Title"
# status = "Attendance"
# date = "Session Date"

[columns.aggregate]
# year = "Return Year"
# snapshot = "Census Date"
# ethnicity = "Ethnic Group"
# headcount = "Staff Count"
# accessed_count = "Accessed CPD"

[columns.applications]
# For `wres4 funnel`.
# person_id = "Applicant Number"
# ethnicity = "Applicant Ethnicity"
# course = "Programme Applied For"
# application_date = "Date Received"
# decision = "Panel Outcome"
# status = "Attendance"
# decline_reason = "Reason Not Approved"

[ethnicity]
# Display label for the BME group ("Ethnic minority" and "Global majority" are common).
# Machine output keeps the bme_ column names.
bme_label = "BME"

[ethnicity.overrides]
# Labels wres4 reports as unrecognised, mapped to White, BME or Unknown. These win over
# the built-in table.
# "Other - Kurdish" = "BME"
# "Not Declared (Bank)" = "Unknown"

[training]
# Statuses that mean the person took part (added to the built-in list).
accessed_statuses = []
# Statuses that do not count (added to the built-in list).
not_accessed_statuses = []
# Course type values that are statutory/mandatory, and that are not.
mandatory_types = []
non_mandatory_types = []
# Course titles that are mandatory subjects (added to the Core Skills Training
# Framework subjects), used when there is no course type column.
mandatory_titles = []

[reporting]
# The snapshot date each reporting year is named after, and the reporting window in
# months ending on it.
snapshot_month = 3
snapshot_day = 31
window_months = 12
# Read ambiguous dates such as 03/04/2024 as 3 April (UK). false reads them US-style.
day_first = true
# A staff extract with no snapshot column is an error unless --as-at dates it. Set this
# to true when every extract is today's staff in post: it is then taken as at the latest
# snapshot day (31 March) on or before the day wres4 runs.
extracts_are_current = false
# Assignment or employment category values that mark bank staff (bank-only people are
# excluded from the headcount).
bank_values = ["Bank"]

[statistics]
# Counts below this mark a result as small_numbers.
small_threshold = 10
# Confidence interval: "koopman" (score, default) or "katz".
ci_method = "koopman"
confidence = 0.95
# Disclosure control for publication: "nhs" (1-7 shown as *, others to the nearest 5)
# or "none".
disclosure = "none"
# Round ratios in machine output half-up to 2 dp, as WRES publishes.
round = false
# A practical band for ratios, e.g. [0.8, 1.25] (the four-fifths range NHS England uses
# for indicator 3; not an official indicator-4 threshold).
# band = [0.8, 1.25]

[progression]
# `wres4 progression`: the pay bands in order, lowest first (this list replaces the
# built-in one). Values are matched ignoring case, spaces and the words "Band", "AfC" and
# "Range", so "Band 8 - Range A" is Band 8a. A person's band at a snapshot is the highest
# over their non-bank rows; values not in the list (Medical, blank, local grades) are
# unbanded, and so are the values listed under unbanded.
band_order = ["Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7",
              "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM"]
unbanded = ["Medical", "Dental", "Medical and Dental", "Non-AfC", "N/A"]
# Senior staff: banded at this band or above.
senior_band = "Band 8a"

[targets]
# Places for BME staff on named programmes, for `wres4 funnel`.
# "Ready Now" = 5
# "Stepping Up" = 5
# "Mary Seacole" = 5

[output]
# Default output format when -f is not given and stdout is not a terminal.
format = "csv"
"""


def write_template(path: Path, *, force: bool, write: Callable[[Path, str], None]) -> None:
    """Write the commented template (``write`` does the atomic file write)."""
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists; use --force to overwrite it.")
    write(path, TEMPLATE)
