"""The benchmark generator's files and its truth.json agree.

The counts are recomputed here with plain pandas from the written files, using this module's
own small tables of the labels, types, titles and statuses the generator writes, so a slip in
either the files or the truth shows up. The same recomputation can check wres4's output. The
generator runs as the command it is (``python benchmarks/generate.py ...``), four at a time
in the background, each data set once for the tests that read it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
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


# name -> generator arguments, in the order the tests below first need them.
DATA_SETS: dict[str, tuple[str, ...]] = {
    "default": ("--people", "300", "--years", "3", "--seed", "7"),
    "vary-headers": ("--people", "300", "--years", "3", "--seed", "7", "--vary-headers"),
    **{
        fmt: ("--people", "120", "--years", "2", "--format", fmt, "--vary-headers")
        for fmt in ("tsv", "parquet", "xlsx")
    },
    "once": ("--people", "300", "--years", "3", "--first-year", "2023"),
    "twice": ("--people", "300", "--years", "3", "--first-year", "2023", "--training-repeat", "2"),
    "again": ("--people", "300", "--years", "3", "--first-year", "2023"),
}
Generated = Callable[[str], tuple[Path, dict[str, Any]]]


def _run_generator(out: Path, args: tuple[str, ...]) -> dict[str, Any]:
    cmd = [sys.executable, str(GENERATOR), *args, "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    truth: dict[str, Any] = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return truth


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """Each data set's folder and truth.json, generated once; four runs go at a time."""
    root = tmp_path_factory.mktemp("generated")
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs: dict[str, Future[dict[str, Any]]] = {
            name: pool.submit(_run_generator, root / name, args) for name, args in DATA_SETS.items()
        }

        def get(name: str) -> tuple[Path, dict[str, Any]]:
            return root / name, runs[name].result()

        yield get


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
    """Trimmed text; ids made only of digits compare as numbers (method.md: Person ids)."""
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
    """The counts (method.md: Groups to Accessed) from the written files, independently
    of the generator's arrays."""
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


@pytest.mark.parametrize("name", ["default", "vary-headers"])
def test_truth_matches_an_independent_recomputation(generated: Generated, name: str) -> None:
    folder, truth = generated(name)
    assert [y["year"] for y in truth["years"]] == [2020, 2021, 2022]
    assert recompute(folder) == truth["years"]
    for row in truth["years"]:
        assert row["white_headcount"] > row["bme_headcount"] > row["unknown_headcount"] > 0
        assert 0 < row["bme_accessed"] < row["bme_headcount"]


@pytest.mark.parametrize("fmt", ["tsv", "parquet", "xlsx"])
def test_other_formats_carry_the_same_truth(generated: Generated, fmt: str) -> None:
    folder, truth = generated(fmt)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"staff.{fmt}",
        f"training.{fmt}",
        "truth.json",
    ]
    assert recompute(folder) == truth["years"]


def test_training_repeat_writes_more_rows_with_the_same_truth(generated: Generated) -> None:
    once_folder, once = generated("once")
    twice_folder, twice = generated("twice")
    assert twice["years"] == once["years"]
    lines = [
        len((folder / "training.csv").read_text(encoding="utf-8").splitlines()) - 1
        for folder in (once_folder, twice_folder)
    ]
    assert lines[1] == 2 * lines[0] == twice["diagnostics"]["training_rows"]
    assert recompute(twice_folder) == twice["years"]


def test_files_are_deterministic_and_messy(generated: Generated) -> None:
    a, _ = generated("once")
    b, _ = generated("again")
    for name in ("staff.csv", "training.csv", "truth.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()

    staff = pd.read_csv(a / "staff.csv", dtype=str, keep_default_na=False)
    training = pd.read_csv(a / "training.csv", dtype=str, keep_default_na=False)
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


@pytest.mark.parametrize("name", ["default", "vary-headers"])
def test_wres4_matches_the_truth(generated: Generated, tmp_path: Path, name: str) -> None:
    from click.testing import CliRunner

    from wres4.cli import cli

    folder, truth = generated(name)
    out = tmp_path / "wres4.json"
    args = ["compute", str(folder / "staff.csv"), "--training", str(folder / "training.csv")]
    done = CliRunner().invoke(cli, [*args, "-f", "json", "-o", str(out)], catch_exceptions=False)
    assert done.exit_code == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    got = [{"year": int(r["year"]), **{k: int(r[k]) for k in COUNT_KEYS}} for r in results]
    assert got == truth["years"]
