"""The training extract's read-ahead thread, and how the command line shares the CPUs with
pyarrow: when reading starts, what happens to errors and early exits, and that no thread
outlives its context."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import STAFF_HEADER, WHITE, staff_rows, write_rows

from wres4.indicator.staff import load_staff
from wres4.inputs.readahead import ReadAhead
from wres4.inputs.readers import open_source, resolve_columns
from wres4.settings import Settings


def counting(n: int, started: list[float]) -> Iterator[int]:
    started.append(time.monotonic())
    yield from range(n)


def test_reading_starts_at_begin_not_on_entry() -> None:
    started: list[float] = []
    with ReadAhead(lambda: counting(3, started), 2) as ahead:
        time.sleep(0.05)
        assert started == []
        assert not ahead.is_alive()
        ahead.begin()
        ahead.begin()  # a second call does nothing
        assert list(ahead) == [0, 1, 2]
    assert len(started) == 1
    assert not ahead.is_alive()


def test_iterating_without_begin_reads_all() -> None:
    with ReadAhead(lambda: iter(range(10)), 3) as ahead:
        assert list(ahead) == list(range(10))


def test_leaving_before_begin_starts_no_thread() -> None:
    before = threading.active_count()
    started: list[float] = []
    with (
        pytest.raises(ValueError, match="staff side failed"),
        ReadAhead(lambda: counting(3, started), 2),
    ):
        raise ValueError("staff side failed")
    assert started == []
    assert threading.active_count() == before


def test_an_error_while_reading_reaches_the_consumer_at_that_table() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("disk gone")

    seen = []
    with ReadAhead(failing, 1) as ahead, pytest.raises(OSError, match="disk gone"):
        for item in ahead:
            seen.append(item)
    assert seen == [1, 2]


def test_leaving_early_stops_a_long_reader_with_a_bounded_queue() -> None:
    made: list[int] = []

    def endless() -> Iterator[int]:
        i = 0
        while True:
            made.append(i)
            yield i
            i += 1

    before = threading.active_count()
    with ReadAhead(endless, 2) as ahead:
        for item in ahead:
            if item == 3:
                break
    assert threading.active_count() == before
    assert len(made) <= 3 + 1 + 2 + 1  # the items read, the queue, one in hand


def test_load_staff_says_when_the_file_is_parsed_before_reducing(tmp_path: Path) -> None:
    staff = write_rows(tmp_path / "staff.csv", STAFF_HEADER, staff_rows(1, 4, WHITE))
    source = open_source([staff], "staff extract")
    columns = resolve_columns(source, ("person_id", "ethnicity", "snapshot"))
    calls: list[int] = []
    result = load_staff(source, columns, Settings(), parsed=lambda: calls.append(len(calls)))
    assert calls == [0]
    assert len(result.people) == 4


def test_share_cpus_leaves_one_cpu_to_python_unless_omp_num_threads_is_set() -> None:
    code = (
        "import os, pyarrow as pa\n"
        "from wres4.inputs.readers import share_cpus\n"
        "usable = len(os.sched_getaffinity(0))\n"
        "share_cpus()\n"
        "print(pa.cpu_count(), max(1, usable - 1))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got, expected = done.stdout.split()
    assert got == expected
    env_code = "import os\nos.environ['OMP_NUM_THREADS'] = '3'\n" + code.replace(
        "print(pa.cpu_count(), max(1, usable - 1))", "print(pa.cpu_count(), 3)"
    )
    done = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got, expected = done.stdout.split()
    assert got == expected


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
