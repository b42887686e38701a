"""The training extract's read-ahead thread, and how the command line shares the CPUs with
pyarrow: when reading starts, what happens to errors and early exits, and that no thread
outlives its context."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import STAFF_HEADER, WHITE, fresh_python, staff_rows, write_rows

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


def test_load_staff_says_when_the_file_is_parsed_before_reducing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wres4.indicator.values import PersonKeys

    staff = write_rows(tmp_path / "staff.csv", STAFF_HEADER, staff_rows(1, 4, WHITE))
    source = open_source([staff], "staff extract")
    columns = resolve_columns(source, ("person_id", "ethnicity", "snapshot"))
    calls: list[str] = []
    keys = PersonKeys.of

    def keyed(self: PersonKeys, *args: Any, **kwargs: Any) -> Any:
        calls.append("keys")
        return keys(self, *args, **kwargs)

    monkeypatch.setattr(PersonKeys, "of", keyed)
    result = load_staff(source, columns, Settings(), parsed=lambda: calls.append("parsed"))
    # Told before the ids are keyed: the training parse need not wait for that.
    assert calls == ["parsed", "keys"]
    assert len(result.people) == 4


def test_the_background_import_loads_pandas_before_the_statistics() -> None:
    # The staff reduction needs pandas as soon as the staff file is parsed, the statistics
    # only at the end (method.md: Performance).
    code = (
        "import sys\n"
        "order = []\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name in ('pandas', 'scipy.stats', 'statsmodels'):\n"
        "            order.append(name)\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from wres4.indicator.compute import preload_statistics\n"
        "preload_statistics()\n"
        "print(' '.join(order))\n"
    )
    assert fresh_python(code).split() == ["pandas", "scipy.stats", "statsmodels"]


def test_share_cpus_leaves_one_cpu_to_python_unless_omp_num_threads_is_set() -> None:
    code = (
        "import os, pyarrow as pa\n"
        "from wres4.inputs.readers import share_cpus\n"
        "usable = len(os.sched_getaffinity(0))\n"
        "share_cpus()\n"
        "print(pa.cpu_count(), max(1, usable - 1))\n"
    )
    got, expected = fresh_python(code).split()
    assert got == expected
    env_code = "import os\nos.environ['OMP_NUM_THREADS'] = '3'\n" + code.replace(
        "print(pa.cpu_count(), max(1, usable - 1))", "print(pa.cpu_count(), 3)"
    )
    got, expected = fresh_python(env_code).split()
    assert got == expected
