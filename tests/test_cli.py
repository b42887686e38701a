"""The command line: exit codes, streams, formats, and agreement with the library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import STAFF_HEADER, WHITE, staff_rows, write_rows

from wres4 import compute
from wres4.cli import cli
from wres4.output.text import render_text

STAFF = """Employee Number,Ethnic Origin,Snapshot Date,Pay Band
1,A White - British,31/03/2024,Band 5
2,White British,31/03/2024,Band 5
3,Black African,31/03/2024,Band 6
4,H Asian or Asian British - Indian,31/03/2024,Band 6
5,Z Not Stated,31/03/2024,Band 5
"""
TRAINING = """Employee Number,Course Type,Status,Start Date
1,CPD,Attended,01/06/2023
2,Mandatory,Attended,01/06/2023
3,CPD,Completed,01/06/2023
4,CPD,Declined,01/06/2023
5,CPD,Attended,01/06/2023
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    staff = tmp_path / "staff.csv"
    training = tmp_path / "training.csv"
    staff.write_text(STAFF, encoding="utf-8")
    training.write_text(TRAINING, encoding="utf-8")
    return staff, training


def invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_compute_csv_is_the_default_when_piped(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = CliRunner().invoke(cli, ["compute", str(staff), "--training", str(training)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("year,period,snapshot_date,white_headcount,white_accessed,")
    # White: 1 of 2 accessed (person 2's course is mandatory); BME: 1 of 2 (4 was declined).
    row = dict(zip(lines[0].split(","), lines[1].split(","), strict=True))
    assert row["white_headcount"] == "2" and row["white_accessed"] == "1"
    assert row["bme_headcount"] == "2" and row["bme_accessed"] == "1"
    assert row["unknown_headcount"] == "1" and row["unknown_accessed"] == "1"
    assert float(row["relative_likelihood"]) == 1.0
    assert "Warning" not in result.stdout


def test_json_output_equals_the_library(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "-f", "json"]
    )
    assert result.exit_code == 0
    library = compute([staff], training=[training])
    assert json.loads(result.stdout) == json.loads(render_text(library, "json"))


def test_table_output_states_the_direction(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "-f", "table"]
    )
    assert result.exit_code == 0
    assert "above 1.00 means White staff are more likely" in result.stdout
    assert "unknown ethnicity are excluded" in result.stdout


def test_output_file_format_from_suffix(files: tuple[Path, Path], tmp_path: Path) -> None:
    staff, training = files
    target = tmp_path / "out.json"
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "-o", str(target)]
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["results"][0]["year"] == 2024


def test_missing_file_is_exit_1_with_one_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(cli, ["compute", str(missing), "--training", str(missing)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {missing}: file not found. Check the path given for the staff extract."
    ]


def test_unknown_option_is_exit_2(files: tuple[Path, Path]) -> None:
    staff, _ = files
    result = CliRunner().invoke(cli, ["compute", str(staff), "--no-such-option"])
    assert result.exit_code == 2


def test_malformed_band_is_exit_2(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "--band", "1.2"]
    )
    assert result.exit_code == 2
    assert "LOW:HIGH" in result.stderr


def test_binary_format_needs_an_output_file(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "-f", "parquet"]
    )
    assert result.exit_code == 2


def test_quiet_silences_warnings_but_not_data(files: tuple[Path, Path], tmp_path: Path) -> None:
    staff, _training = files
    extra = tmp_path / "training2.csv"
    extra.write_text(TRAINING + "99,CPD,Attended,01/06/2023\n", encoding="utf-8")
    loud = CliRunner().invoke(cli, ["compute", str(staff), "--training", str(extra)])
    quiet = CliRunner().invoke(cli, ["compute", str(staff), "--training", str(extra), "-q"])
    assert "no staff snapshot" in loud.stderr
    assert quiet.stderr == ""
    assert quiet.stdout == loud.stdout


def test_strict_turns_problems_into_exit_3_and_writes_nothing(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    staff, _ = files
    training = tmp_path / "training.csv"
    training.write_text(TRAINING + "99,CPD,Attended,01/06/2023\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "--strict", "-o", str(target)]
    )
    assert result.exit_code == 3
    assert not target.exists()


def test_ethnicity_command_maps_labels() -> None:
    result = CliRunner().invoke(
        cli, ["ethnicity", "Mixed - White and Asian", "C3 White Unspecified", "-f", "csv"]
    )
    assert result.exit_code == 0
    rows = [line.split(",") for line in result.stdout.splitlines()]
    assert rows[0] == ["label", "code", "category", "group", "count"]
    assert rows[1][0] == "Mixed - White and Asian" and rows[1][3] == "BME"
    assert rows[2][0] == "C3 White Unspecified" and rows[2][3] == "White"


def test_ethnicity_from_file_counts_labels(files: tuple[Path, Path]) -> None:
    staff, _ = files
    result = CliRunner().invoke(cli, ["ethnicity", "--from", str(staff), "-f", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["results"]
    assert {r["label"]: r["count"] for r in rows}["Black African"] == 1
    assert sum(r["count"] for r in rows) == 5


def test_python_dash_m_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wres4", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "compute" in done.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["ethnicity", "A White - British"]])
def test_fast_paths_import_no_heavy_libraries(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from wres4.cli import cli\n"
        f"try:\n    cli.main(args={args!r}, prog_name='wres4')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'statsmodels', 'openpyxl', 'scipy',"
        " 'matplotlib', 'jinja2')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_progress_reports_every_row_read(files: tuple[Path, Path]) -> None:
    staff, training = files
    seen: dict[str, int] = {}

    def report(stage: str, rows: int) -> None:
        seen[stage] = seen.get(stage, 0) + rows

    compute([staff], training=[training], progress=report)
    # 5 staff rows and 5 training rows in the fixtures above.
    assert seen == {"staff extract": 5, "training extract": 5}


def test_no_progress_bar_when_stderr_is_not_a_terminal(files: tuple[Path, Path]) -> None:
    staff, training = files
    result = CliRunner().invoke(cli, ["compute", str(staff), "--training", str(training)])
    assert "Reading the" not in result.stderr


def test_sheet_options_apply_to_their_own_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    def workbook(path: Path, sheet: str, text: str) -> None:
        book = Workbook()
        ws = book.active
        assert ws is not None
        ws.title = sheet
        for line in text.strip().splitlines():
            ws.append(line.split(","))
        book.save(path)

    workbook(tmp_path / "staff.xlsx", "Staff", STAFF)
    workbook(tmp_path / "training.xlsx", "Bookings", TRAINING)
    result = CliRunner().invoke(
        cli,
        [
            "compute",
            str(tmp_path / "staff.xlsx"),
            "--sheet",
            "Staff",
            "--training",
            str(tmp_path / "training.xlsx"),
            "--training-sheet",
            "Bookings",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["results"][0]
    assert (row["white_accessed"], row["bme_accessed"]) == (1, 1)


def test_a_second_candidate_column_is_named_not_silently_ignored(tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnicity,Ethnic Origin,Snapshot Date\n"
        "1,Z Not Stated,A White - British,31/03/2024\n"
        "2,Z Not Stated,PC Black Nigerian,31/03/2024\n",
        encoding="utf-8",
    )
    training = tmp_path / "training.csv"
    training.write_text(TRAINING, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["compute", str(staff), "--training", str(training), "-f", "json"]
    )
    # 'Ethnic Origin' is the more specific alias and is used; the other is named.
    assert (
        "Note: the staff extract has more than one ethnicity column: 'Ethnic Origin' is used, "
        "not 'Ethnicity'; map another with --column ethnicity=HEADER." in result.stderr
    )
    row = json.loads(result.stdout)["results"][0]
    assert (row["white_headcount"], row["bme_headcount"]) == (1, 1)
    chosen = CliRunner().invoke(
        cli,
        [
            "compute",
            str(staff),
            "--training",
            str(training),
            "--column",
            "ethnicity=Ethnicity",
            "-f",
            "json",
        ],
    )
    assert json.loads(chosen.stdout)["results"][0]["unknown_headcount"] == 2


# Runs the command line and reports OPENBLAS_NUM_THREADS as it was when numpy was first
# imported: numpy's and scipy's OpenBLAS size their thread pools then, once.
AT_NUMPY = (
    "import atexit, importlib.abc, os, sys\n"
    "seen = []\n"
    "class Watch(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'numpy' and not seen:\n"
    "            seen.append(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    "sys.meta_path.insert(0, Watch())\n"
    "atexit.register(lambda: print('AT NUMPY', seen, file=sys.stderr))\n"
    "from wres4.cli import main\n"
    "main(sys.argv[1:])\n"
)


@pytest.mark.parametrize(
    ("command", "chosen", "expected"),
    [
        ("compute", None, "['1']"),
        ("compute --as-at", None, "['1']"),  # an option whose callback imports numpy
        ("check", None, "['1']"),
        ("funnel --as-at", None, "['1']"),
        ("ethnicity", None, "['1']"),
        ("compute", "3", "['3']"),  # the user's choice stands
        ("compute", "", "['1']"),  # empty: OpenBLAS would read it as unset
    ],
)
def test_the_command_starts_openblas_without_threads_of_its_own(
    tmp_path: Path, command: str, chosen: str | None, expected: str
) -> None:
    staff = write_rows(tmp_path / "staff.csv", STAFF_HEADER, staff_rows(1, 4, WHITE))
    training = tmp_path / "training.csv"
    training.write_text(
        "Employee Number,Course Title,Course Type,Status,Start Date\n"
        "1,Coaching Skills,CPD,Attended,15/06/2023\n",
        encoding="utf-8",
    )
    extracts = [str(staff), "--training", str(training)]
    examples = Path(__file__).resolve().parents[1] / "examples"
    funnel = [str(examples / "applications.csv"), "--staff", str(examples / "staff.csv")]
    args = {
        "compute": ["compute", *extracts, "-f", "json"],
        "compute --as-at": ["compute", *extracts, "--as-at", "2024-03-31", "-f", "json"],
        "check": ["check", *extracts],
        "funnel --as-at": ["funnel", *funnel, "--as-at", "2024-03-31", "-f", "json"],
        "ethnicity": ["ethnicity", "--from", str(staff)],
    }[command]
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if chosen is not None:
        env["OPENBLAS_NUM_THREADS"] = chosen
    done = subprocess.run(
        [sys.executable, "-c", AT_NUMPY, *args], capture_output=True, text=True, env=env
    )
    assert done.returncode in (0, 3), done.stderr
    assert f"AT NUMPY {expected}" in done.stderr.splitlines()


class FakeLibc:
    """Stands in for the C library: records each mallopt call and accepts it."""

    def __init__(self, calls: list[tuple[int, int]]) -> None:
        self.calls = calls

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return 1


@pytest.fixture
def mallopt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    import ctypes

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc(calls))
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    return calls


LIBC = os.confstr("CS_GNU_LIBC_VERSION") if sys.platform.startswith("linux") else None
GLIBC = (LIBC or "").startswith("glibc")


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_the_command_asks_malloc_to_keep_freed_memory(
    mallopt_calls: list[tuple[int, int]],
) -> None:
    result = CliRunner().invoke(cli, ["ethnicity", "White British"])
    assert result.exit_code == 0, result.output
    # M_MMAP_THRESHOLD at glibc's 64-bit maximum, M_TRIM_THRESHOLD at 1 GiB.
    assert mallopt_calls == [(-3, 32 * 1024 * 1024), (-1, 1024**3)]


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_malloc_tunables_the_user_sets_stand(
    mallopt_calls: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wres4.cli import keep_freed_memory

    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")
    assert keep_freed_memory() is False
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=2048")
    assert keep_freed_memory() is True
    assert len(mallopt_calls) == 2


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_glibc_accepts_the_values_the_command_sets() -> None:
    from wres4.cli import keep_freed_memory

    assert keep_freed_memory() is True  # mallopt returns 0 for a value it refuses


# Runs its arguments through the command line (or, with "library", through wres4.compute)
# and reports how formulaic and statsmodels' regression models were loaded.
FORMULA_ENGINE = (
    "import sys\n"
    "args = sys.argv[1:]\n"
    "if args[0] == 'library':\n"
    "    from wres4 import compute\n"
    "    result = compute(args[1], training=args[3])\n"
    "    print('TREND', result.trend is not None, file=sys.stderr)\n"
    "else:\n"
    "    from wres4.cli import main\n"
    "    try:\n"
    "        main(args)\n"
    "    except SystemExit:\n"
    "        pass\n"
    "formulaic = sys.modules.get('formulaic', 'not imported')\n"
    "print('FORMULAIC', 'hidden' if formulaic is None else type(formulaic).__name__,\n"
    "      file=sys.stderr)\n"
    "print('REGRESSION', 'statsmodels.regression.linear_model' in sys.modules, file=sys.stderr)\n"
)


@pytest.mark.parametrize("how", ["command", "library", "command, statsmodels told formulaic"])
def test_the_trend_is_fitted_without_formulaic_only_by_the_command(
    tmp_path: Path, how: str
) -> None:
    import importlib.util

    rows = [
        *staff_rows(1, 4, WHITE, "31/03/2022"),
        *staff_rows(1, 4, WHITE, "31/03/2023"),
        *staff_rows(1, 4, WHITE, "31/03/2024"),
        *staff_rows(11, 4, "Black African", "31/03/2022"),
        *staff_rows(11, 4, "Black African", "31/03/2023"),
        *staff_rows(11, 4, "Black African", "31/03/2024"),
    ]
    staff = write_rows(tmp_path / "staff.csv", STAFF_HEADER, rows)
    training = tmp_path / "training.csv"
    training.write_text(
        "Employee Number,Course Title,Course Type,Status,Start Date\n"
        + "".join(
            f"{i},Coaching Skills,CPD,Attended,15/06/{y}\n"
            for i in (1, 2, 11)
            for y in (2021, 2022, 2023)
        ),
        encoding="utf-8",
    )
    args = ["compute", str(staff), "--training", str(training), "-f", "json"]
    env = {k: v for k, v in os.environ.items() if k != "SM_FORMULA_ENGINE"}
    if how.endswith("formulaic"):
        env["SM_FORMULA_ENGINE"] = "formulaic"  # the user's choice: formulaic must load
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            FORMULA_ENGINE,
            *(["library", *args[1:]] if how == "library" else args),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode in (0, 3), done.stderr
    lines = done.stderr.splitlines()
    assert "REGRESSION True" in lines  # the trend over three years was fitted
    if how == "command":
        assert json.loads(done.stdout)["trend"] is not None
        has_patsy = importlib.util.find_spec("patsy") is not None
        assert ("FORMULAIC hidden" in lines) == has_patsy, done.stderr
    elif how.startswith("command"):
        assert json.loads(done.stdout)["trend"] is not None
        assert "FORMULAIC hidden" not in lines
    else:
        assert "TREND True" in lines
        assert "FORMULAIC hidden" not in lines  # the library leaves imports as they are


# The console entry point, with a handler that would print when the interpreter is torn
# down at exit.
RUN = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('TORN DOWN', file=sys.stderr))\n"
    "sys.argv = ['wres4', *sys.argv[1:]]\n"
    "from wres4.cli import run\n"
    "run()\n"
)


@pytest.mark.parametrize(
    ("args", "code", "out", "err"),
    [
        (["ethnicity", "White British"], 0, "White British,A,White - British,White", ""),
        (["compute", "missing.csv"], 1, "", "Error: missing.csv"),
        (["compute", "--no-such-option"], 2, "", "No such option"),
    ],
)
def test_the_command_ends_without_tearing_the_interpreter_down(
    tmp_path: Path, args: list[str], code: int, out: str, err: str
) -> None:
    """Exit codes and every line of output survive; what is skipped is the teardown."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == code, done.stderr
    assert out in done.stdout and err in done.stderr
    assert "TORN DOWN" not in done.stderr


def test_the_command_writes_all_of_a_long_output_before_it_ends(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "Ethnic Origin\n" + "".join(f"Label {i}\n" for i in range(20000)), encoding="utf-8"
    )
    with (tmp_path / "out.csv").open("w", encoding="utf-8") as sink:
        done = subprocess.run(
            [sys.executable, "-c", RUN, "ethnicity", "--from", str(labels), "-f", "csv"],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20001 and lines[-1].startswith("Label ")


def test_under_a_tracer_the_command_exits_as_usual(tmp_path: Path) -> None:
    """A profiler or coverage tool, which saves its data at exit, still gets to."""
    traced = "import sys\nsys.settrace(lambda *a: None)\n" + RUN
    done = subprocess.run(
        [sys.executable, "-c", traced, "compute", "missing.csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "Error: missing.csv" in done.stderr and "TORN DOWN" in done.stderr
