"""The benchmark generator's files and its truth.json agree.

The counts are recomputed here with plain pandas from the written files, using this module's
own small tables of the labels, types, titles and statuses the generator writes, so a slip in
either the files or the truth shows up. The same recomputation can check wres4's output.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "benchmarks" / "generate.py"
COUNT_KEYS = (
    "white_headcount",
    "white_accessed",
    "bme_headcount",
    "bme_accessed",
    "unknown_headcount",
    "unknown_accessed",
)

# Every label the generator writes (after trimming, lower-casing and collapsing spaces).
LABEL_GROUP = {
    "a white - british": "white",
    "white - british": "white",
    "white british": "white",
    "b white - irish": "white",
    "white - irish": "white",
    "c white - any other white background": "white",
    "white - any other white background": "white",
    "c2 white northern irish": "white",
    "c3 white unspecified": "white",
    "ca white english": "white",
    "cp white polish": "white",
    "cn white gypsy/romany": "white",
    "white: english, welsh, scottish, northern irish or british": "white",
    "roma": "white",
    "gypsy or irish traveller": "white",
    "h asian or asian british - indian": "bme",
    "asian or asian british - indian": "bme",
    "indian": "bme",
    "j asian or asian british - pakistani": "bme",
    "le asian sri lankan": "bme",
    "n black or black british - african": "bme",
    "black or black british - african": "bme",
    "black african": "bme",
    "m black or black british - caribbean": "bme",
    "pc black nigerian": "bme",
    "d mixed - white and black caribbean": "bme",
    "f mixed - white and asian": "bme",
    "mixed - white and asian": "bme",
    "ga mixed - black and asian": "bme",
    "r chinese": "bme",
    "sc filipino": "bme",
    "s any other ethnic group": "bme",
    "arab": "bme",
    "z not stated": "unknown",
    "99 not known": "unknown",
    "": "unknown",
    "not stated": "unknown",
    "prefer not to say": "unknown",
    "i do not wish to disclose my ethnic origin": "unknown",
    "martian": "unknown",
    "n/a?": "unknown",
}
MANDATORY_TYPES = {"mandatory", "statutory/mandatory", "essential", "core skills"}
NON_MANDATORY_TYPES = {"non-mandatory", "cpd", "non mandatory", "optional", "elective"}
CSTF_TITLES = {
    "fire safety",
    "information governance",
    "safeguarding adults level 2",
    "safeguarding children level 3",
    "infection prevention and control",
    "moving and handling",
    "conflict resolution",
    "equality, diversity and human rights",
    "health, safety and welfare",
    "resuscitation level 2",
    "preventing radicalisation",
}
ACCESSED = {"attended", "completed", "passed", "failed", "in progress", "started", "achieved"}
NOT_ACCESSED = {
    "applied",
    "pending",
    "approved",
    "declined",
    "rejected",
    "withdrawn",
    "cancelled",
    "did not attend",
    "dna",
    "waiting list",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")
STAFF_ROLES = {
    "person_id": {
        "employee number",
        "employee no",
        "staff number",
        "person number",
        "staff id",
        "id",
    },
    "ethnicity": {"ethnic origin", "ethnicity", "ethnic group", "ethnic category"},
    "snapshot": {"snapshot date", "as at date", "report date", "effective date"},
    "category": {
        "assignment category",
        "employee category",
        "employment category",
        "contract type",
    },
}
TRAINING_ROLES = {
    "person_id": STAFF_ROLES["person_id"],
    "course": {"course title", "course name", "competence name", "programme", "activity"},
    "course_type": {"course type", "training type", "category", "learning type"},
    "status": {"status", "outcome", "attendance status", "booking status", "decision"},
    "date": {
        "start date",
        "course date",
        "event date",
        "attended date",
        "completion date",
        "date",
    },
}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wres4_benchmark_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def _generate(out: Path, *extra: str, people: int = 300, years: int = 3) -> dict[str, Any]:
    argv = ["--people", str(people), "--years", str(years), "--out", str(out), *extra]
    assert generator.main(argv) == 0
    truth: dict[str, Any] = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return truth


def _fold(values: pd.Series) -> pd.Series:
    return (
        values.fillna("").astype(str).str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    )


def _read(directory: Path, stem: str) -> pd.DataFrame:
    (path,) = directory.glob(f"{stem}.*")
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    sep = "\t" if path.suffix == ".tsv" else ","
    return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)


def _columns(frame: pd.DataFrame, roles: dict[str, set[str]]) -> pd.DataFrame:
    """Rename headers to roles by alias, ignoring case and spacing."""
    folded = {" ".join(str(c).lower().split()): c for c in frame.columns}
    found = {
        role: next(folded[a] for a in aliases if a in folded) for role, aliases in roles.items()
    }
    return frame[list(found.values())].set_axis(list(found), axis=1)


def _person_id(values: pd.Series) -> pd.Series:
    """Trimmed text; ids made only of digits compare as numbers (SPEC §4)."""
    text = values.astype(str).str.strip()
    digits = text.str.fullmatch(r"\d+")
    return text.where(~digits, text.str.lstrip("0").replace("", "0"))


def _dates(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return parsed


def recompute(directory: Path) -> list[dict[str, int]]:
    """SPEC §2 R1-R5 from the written files, independently of the generator's arrays."""
    staff = _columns(_read(directory, "staff"), STAFF_ROLES)
    label = _fold(staff["ethnicity"])
    unmapped = sorted(set(label) - set(LABEL_GROUP))
    assert not unmapped, f"labels this test does not know: {unmapped}"
    snapshot = _dates(staff["snapshot"])
    assert snapshot.notna().all()
    rows = pd.DataFrame(
        {
            "person": _person_id(staff["person_id"]),
            "year": snapshot.dt.year,
            "group": label.map(LABEL_GROUP),
            "bank": _fold(staff["category"]) == "bank",
        }
    )
    people = rows.groupby(["person", "year"]).agg(
        group=("group", "first"), groups=("group", "nunique"), bank_only=("bank", "all")
    )
    assert (people["groups"] == 1).all(), "a person's assignments disagree on the group"
    counted = people[~people["bank_only"]].reset_index()

    training = _columns(_read(directory, "training"), TRAINING_ROLES)
    course_type = _fold(training["course_type"])
    status = _fold(training["status"])
    known_types = MANDATORY_TYPES | NON_MANDATORY_TYPES | {""}
    assert set(course_type) <= known_types, set(course_type) - known_types
    assert set(status) <= ACCESSED | NOT_ACCESSED, set(status) - ACCESSED - NOT_ACCESSED
    non_mandatory = course_type.isin(NON_MANDATORY_TYPES) | (
        (course_type == "") & ~_fold(training["course"]).isin(CSTF_TITLES)
    )
    date = _dates(training["date"])
    window_year = date.dt.year + (date.dt.month >= 4).astype(int)
    qualifying = (
        pd.DataFrame({"person": _person_id(training["person_id"]), "year": window_year})[
            non_mandatory & status.isin(ACCESSED) & date.notna()
        ]
        .drop_duplicates()
        .assign(accessed=True)
    )
    joined = counted.merge(qualifying, on=["person", "year"], how="left")
    joined["accessed"] = joined["accessed"].fillna(False).astype(bool)

    out = []
    for _, part in joined.groupby("year"):
        row = {"year": int(part["year"].iloc[0])}
        for group in ("white", "bme", "unknown"):
            mine = part[part["group"] == group]
            row[f"{group}_headcount"] = len(mine)
            row[f"{group}_accessed"] = int(mine["accessed"].sum())
        out.append(row)
    return out


@pytest.mark.parametrize("extra", [[], ["--vary-headers"]], ids=["default", "vary-headers"])
def test_truth_matches_an_independent_recomputation(tmp_path: Path, extra: list[str]) -> None:
    truth = _generate(tmp_path, "--seed", "7", *extra)
    assert [y["year"] for y in truth["years"]] == [2020, 2021, 2022]
    assert recompute(tmp_path) == truth["years"]
    for row in truth["years"]:
        assert row["white_headcount"] > row["bme_headcount"] > row["unknown_headcount"] > 0
        assert 0 < row["bme_accessed"] < row["bme_headcount"]


@pytest.mark.parametrize("fmt", ["tsv", "parquet", "xlsx"])
def test_other_formats_carry_the_same_truth(tmp_path: Path, fmt: str) -> None:
    truth = _generate(tmp_path, "--format", fmt, "--vary-headers", people=120, years=2)
    assert (tmp_path / f"staff.{fmt}").exists()
    assert recompute(tmp_path) == truth["years"]


def test_training_repeat_writes_more_rows_with_the_same_truth(tmp_path: Path) -> None:
    once = _generate(tmp_path / "once", people=100, years=2)
    twice = _generate(tmp_path / "twice", "--training-repeat", "2", people=100, years=2)
    assert twice["years"] == once["years"]
    lines = [
        len((tmp_path / d / "training.csv").read_text(encoding="utf-8").splitlines()) - 1
        for d in ("once", "twice")
    ]
    assert lines[1] == 2 * lines[0] == twice["diagnostics"]["training_rows"]
    assert recompute(tmp_path / "twice") == twice["years"]


def test_files_are_deterministic_and_messy(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "--first-year", "2023")
    _generate(tmp_path / "b", "--first-year", "2023")
    for name in ("staff.csv", "training.csv", "truth.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()

    staff = pd.read_csv(tmp_path / "a" / "staff.csv", dtype=str, keep_default_na=False)
    training = pd.read_csv(tmp_path / "a" / "training.csv", dtype=str, keep_default_na=False)
    # Three snapshot date formats, bank in three cases, people with two assignments.
    assert {"31/03/2023", "2023-03-31", "31-Mar-2023"} <= set(staff["Snapshot Date"])
    assert {"Bank", "BANK", "bank"} <= set(staff["Assignment Category"])
    assert staff.groupby(["Employee Number", "Snapshot Date"]).size().max() >= 2
    # The same person written with leading zeros in one file and without in the other.
    staff_ids = set(staff["Employee Number"])
    training_ids = set(training["Employee Number"].str.strip())
    assert any(i.startswith("0") and i.lstrip("0") in training_ids for i in staff_ids)
    assert any(i.startswith("0") and i.lstrip("0") in staff_ids for i in training_ids)
    # Duplicate rows, orphans, unparseable dates, window boundary dates.
    assert training.duplicated().any()
    assert not training_ids <= {i.lstrip("0") for i in staff_ids} | staff_ids
    assert (_dates(training["Start Date"]).isna()).any()
    starts = set(training["Start Date"])
    assert starts & {"2023-04-01", "01/04/2023", "01-Apr-2023"}
    assert starts & {"2024-03-31", "31/03/2024", "31-Mar-2024"}


@pytest.mark.parametrize("extra", [[], ["--vary-headers"]], ids=["default", "vary-headers"])
def test_wres4_matches_the_truth(tmp_path: Path, extra: list[str]) -> None:
    truth = _generate(tmp_path, *extra, people=200, years=2)
    out = tmp_path / "wres4.json"
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    cmd = [sys.executable, "-m", "wres4", "compute", str(tmp_path / "staff.csv")]
    cmd += ["--training", str(tmp_path / "training.csv"), "-f", "json", "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    got = [{"year": int(r["year"]), **{k: int(r[k]) for k in COUNT_KEYS}} for r in results]
    assert got == truth["years"]
