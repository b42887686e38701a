"""The settings a run uses, with the published WRES defaults.

One frozen object carries every rule a trust may adjust (statuses, course types, snapshot
date, window, labels). The command line and the config file build it; the library reads it.
Nothing here imports pandas, so the command line can build it cheaply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The three groups every count is split into, in the order of their codes (0, 1, 2) in the
# tables the stages pass on. "BME" is the group; Settings.bme_label is only its display name.
GROUPS: tuple[str, ...] = ("White", "BME", "Unknown")
GROUP_CODES: dict[str, int] = {name: code for code, name in enumerate(GROUPS)}

# R5: statuses meaning the person took part. Matching is on a normalised form of the value
# (see text.normalise_word), first exactly, then by the stems in training.py.
ACCESSED_STATUSES: tuple[str, ...] = (
    "attended",
    "attend",
    "completed",
    "complete",
    "passed",
    "pass",
    "failed",
    "fail",
    "in progress",
    "started",
    "achieved",
    "successfully completed",
    "competent",
    "certified",
    "finished",
)

NOT_ACCESSED_STATUSES: tuple[str, ...] = (
    "applied",
    "application",
    "submitted",
    "pending",
    "awaiting",
    "awaiting approval",
    "approved",
    "approved not started",
    "booked",
    "enrolled",
    "requested",
    "declined",
    "rejected",
    "refused",
    "not approved",
    "withdrawn",
    "cancelled",
    "canceled",
    "did not attend",
    "dna",
    "no show",
    "not attended",
    "not started",
    "waiting list",
    "wait list",
    "waitlist",
    "waitlisted",
    "deferred",
    "expired",
    "incomplete",
    "not completed",
    "registered",
    "placed",
    "offered",
    "accepted",
    "place offered",
    "place accepted",
)

# R4: course type values. Non-mandatory words are checked first, because "non-mandatory"
# contains "mandatory".
NON_MANDATORY_TYPES: tuple[str, ...] = (
    "non mandatory",
    "nonmandatory",
    "non statutory",
    "non statutory non mandatory",
    "optional",
    "cpd",
    "elective",
    "discretionary",
    "development",
    "professional development",
    "continuing professional development",
    "leadership",
    "non essential",
)

MANDATORY_TYPES: tuple[str, ...] = (
    "mandatory",
    "statutory",
    "statutory mandatory",
    "statutory and mandatory",
    "stat mand",
    "stat and mand",
    "statmand",
    "essential",
    "core skills",
    "core",
    "compulsory",
    "required",
    "role specific essential",
)

# R4: the UK Core Skills Training Framework subjects, matched as phrases in course titles.
MANDATORY_TITLES: tuple[str, ...] = (
    "conflict resolution",
    "equality diversity and human rights",
    "equality and diversity",
    "equality diversity",
    "fire safety",
    "health safety and welfare",
    "health and safety",
    "infection prevention and control",
    "infection prevention",
    "infection control",
    "information governance",
    "data security awareness",
    "moving and handling",
    "manual handling",
    "patient handling",
    "preventing radicalisation",
    "prevent",
    "resuscitation",
    "basic life support",
    "safeguarding adults",
    "safeguarding children",
    "safeguarding",
)

BANK_VALUES: tuple[str, ...] = ("bank",)

WINDOW_MONTHS_DEFAULT = 12

# Progression (method.md: Bands): the Agenda for Change bands, lowest first; a person's band
# at a snapshot is the highest of these over their non-bank rows.
BAND_ORDER: tuple[str, ...] = (
    *(f"Band {n}" for n in range(1, 8)),
    *(f"Band 8{r}" for r in "abcd"),
    "Band 9",
    "VSM",
)
# Values that are never a band, whatever they look like (anything not in the order is
# unbanded too; these are the ones not worth a second look).
UNBANDED_VALUES: tuple[str, ...] = ("Medical", "Dental", "Medical and Dental", "Non-AfC", "N/A")
SENIOR_BAND = "Band 8a"


@dataclass(frozen=True)
class Settings:
    """Every adjustable rule of a run. Defaults follow the published WRES guidance."""

    snapshot_month: int = 3
    snapshot_day: int = 31
    window_months: int = WINDOW_MONTHS_DEFAULT
    day_first: bool = True
    # The extracts are today's staff in post, so a staff extract with no snapshot column is
    # taken as at the latest snapshot day (config: [reporting] extracts_are_current).
    extracts_current: bool = False
    bme_label: str = "BME"
    small_threshold: int = 10
    ethnicity_overrides: dict[str, str] = field(default_factory=dict)
    accessed_statuses: tuple[str, ...] = ACCESSED_STATUSES
    not_accessed_statuses: tuple[str, ...] = NOT_ACCESSED_STATUSES
    mandatory_types: tuple[str, ...] = MANDATORY_TYPES
    non_mandatory_types: tuple[str, ...] = NON_MANDATORY_TYPES
    mandatory_titles: tuple[str, ...] = MANDATORY_TITLES
    bank_values: tuple[str, ...] = BANK_VALUES
    band_order: tuple[str, ...] = BAND_ORDER
    unbanded_values: tuple[str, ...] = UNBANDED_VALUES
    senior_band: str = SENIOR_BAND
    # input kind ("staff", "training", "applications") -> role -> header in the file
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None
    training_sheet: str | None = None
    encoding: str | None = None
    ci_method: str = "koopman"
    confidence: float = 0.95
    band: tuple[float, float] | None = None
    disclosure: str | None = None
    round_ratios: bool = False
    targets: dict[str, int] = field(default_factory=dict)
    config_file: str | None = None
    # Person ids are special-category data: findings name example people only when asked.
    show_ids: bool = False

    def label_overrides(self) -> dict[str, str] | None:
        """Ethnicity overrides in force: the config's, plus the BME display label itself
        (a grouped extract may say "Global majority"), which the config can still override."""
        label = self.bme_label.strip()
        extra = {label: "BME"} if any(c.isalnum() for c in label) else {}
        merged = {**extra, **self.ethnicity_overrides}
        return merged or None

    def as_meta(self) -> dict[str, Any]:
        """The settings in force, for the JSON ``meta`` and the workbook's Method sheet."""
        out = asdict(self)
        for key in (
            "accessed_statuses",
            "not_accessed_statuses",
            "mandatory_types",
            "non_mandatory_types",
            "mandatory_titles",
            "bank_values",
            "band_order",
            "unbanded_values",
        ):
            out[key] = list(out[key])
        out["band"] = list(self.band) if self.band else None
        return out
