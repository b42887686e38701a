"""No thread outlives a call, so nothing crashes on the way out.

A thread still importing C extensions or reading a file when the interpreter shuts down can
kill it with SIGSEGV (exit 139) after the one ``Error:`` line was printed; a cron job then
sees a crash, not exit 1. The error paths run many times at once, each in its own process
under a 4 GiB address-space limit, and every one must end with an exit code of 0-3 and no
thread left alive at exit.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

import wres4
from wres4.indicator import compute as compute_module

STAFF = "Employee Number,Ethnic Origin,Snapshot Date\n1,A White - British,31/03/2024\n"
TRAINING = (
    "Employee Number,Course Title,Course Type,Status,Start Date\n"
    "1,Coaching Skills,CPD,Attended,15/06/2023\n"
)
KEEP = "an earlier result that must survive\n"
ADDRESS_SPACE = 4 << 30
# Run the command line, then report at exit any thread other than the main one still alive
# (atexit runs after non-daemon threads are joined, while daemon threads still run).
RUNNER = (
    "import atexit, sys, threading\n"
    "def alive():\n"
    "    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]\n"
    "    sys.stderr.write(f'THREADS {left}\\n')\n"
    "atexit.register(alive)\n"
    "from wres4.cli import main\n"
    "main(sys.argv[1:])\n"
)


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def inputs(tmp: Path) -> dict[str, Path]:
    files = {
        "staff": STAFF,
        "training": TRAINING,
        "blank": "\n\n   \n\n",
        "header_only": STAFF.splitlines()[0] + "\n",
        "kept": KEEP,
    }
    paths = {name: tmp / f"{name}.csv" for name in files}
    for name, text in files.items():
        paths[name].write_text(text, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Employee Number", "Ethnic Origin"])
    sheet.append([1, "A White - British"])
    book.save(tmp / "book.csv")  # a workbook with a text-file name
    paths["book"] = tmp / "book.csv"
    rng = random.Random(15)
    lines = [",".join(f"f{rng.randrange(10**6)}" for _ in range(7))]
    lines += [",".join(str(rng.random()) for _ in range(7)) for _ in range(300)]
    paths["random"] = tmp / "random.csv"
    paths["random"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def cases(p: dict[str, Path]) -> list[list[str]]:
    """Error paths, most of them failing before any work starts, some after (those wait on
    the statistics import, so they are fewer)."""
    early = [
        ["compute", str(p["blank"]), "--training", str(p["training"]), "-o", str(p["kept"])],
        ["check", str(p["book"]), "--training", str(p["training"])],
        ["compute", str(p["random"]), "-o", str(p["kept"])],
        ["funnel", str(p["blank"]), "--staff", str(p["staff"])],
    ]
    late = [
        ["compute", str(p["header_only"]), "--training", str(p["training"]), "-o", str(p["kept"])],
        ["check", str(p["staff"]), "--training", str(p["tmp"] / "missing.csv")],
    ]
    return early * 9 + late * 2


def run(args: list[str]) -> tuple[list[str], int, str]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        capture_output=True,
        text=True,
        preexec_fn=limit_memory,
        timeout=120,
        check=False,
    )
    return args, done.returncode, done.stderr


def test_error_paths_in_parallel_exit_cleanly(tmp_path: Path) -> None:
    paths = {**inputs(tmp_path), "tmp": tmp_path}
    runs = cases(paths)
    assert len(runs) == 40
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, runs))
    for args, code, stderr in results:
        assert 0 <= code <= 3, (args, code, stderr)
        assert code == 1, (args, code, stderr)
        assert stderr.startswith("Error: "), (args, stderr)
        assert "Traceback" not in stderr, (args, stderr)
        assert stderr.splitlines()[-1] == "THREADS []", (args, stderr)
    assert paths["kept"].read_text(encoding="utf-8") == KEEP


# --------------------------------------------------------------------------- in process


@pytest.fixture
def slow_preload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Statistics that take a while to load, so a thread left behind would still be alive."""
    monkeypatch.setattr(compute_module, "preload_statistics", lambda: time.sleep(0.3))


@pytest.mark.usefixtures("slow_preload")
def test_no_thread_outlives_a_library_call(tmp_path: Path) -> None:
    p = inputs(tmp_path)
    baseline = threading.active_count()
    result = wres4.compute(p["staff"], training=p["training"])
    assert int(result.table["white_headcount"].iloc[0]) == 1
    assert threading.active_count() == baseline
    audit = wres4.check(p["staff"], training=p["training"])
    assert audit.years[0].white == 1
    assert threading.active_count() == baseline
    # An error after the background work started (no rows), and one before (blank file).
    with pytest.raises(wres4.DataError, match="has a header but no rows"):
        wres4.compute(p["header_only"], training=p["training"])
    assert threading.active_count() == baseline
    with pytest.raises(wres4.InputError, match="only blank lines"):
        wres4.check(p["blank"], training=p["training"])
    assert threading.active_count() == baseline
    with pytest.raises(wres4.InputError, match="file not found"):
        wres4.funnel(p["staff"], staff=tmp_path / "missing.csv")
    assert threading.active_count() == baseline


def test_a_failed_background_import_is_only_a_lost_head_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statistics import beside the reading is a head start: when it fails there, the
    run goes on, the statistics load what they need themselves, and the inputs are still
    hashed."""

    def failing() -> None:
        raise ImportError("simulated failure in the background thread")

    monkeypatch.setattr(compute_module, "preload_statistics", failing)
    p = inputs(tmp_path)
    result = wres4.compute(p["staff"], training=p["training"])
    assert int(result.table["white_headcount"].iloc[0]) == 1
    assert all(len(item["sha256"]) == 64 for item in result.meta["inputs"])
    # progression runs the same background work (in a thread of its own: it lowers the
    # priority of the thread it runs in)
    done: list[Any] = []
    worker = threading.Thread(
        target=lambda: done.append(compute_module.preload_then_hash([p["staff"]], lambda: False))
    )
    worker.start()
    worker.join()
    hashes = done[0].finish()
    assert list(hashes) == [p["staff"]] and len(hashes[p["staff"]]) == 64


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
@pytest.mark.parametrize(
    ("load", "lowered"), [(0.5, True), (2.9, True), (3.0, False), (6.0, False)]
)
def test_the_hashing_thread_gives_way_while_a_cpu_is_spare(
    monkeypatch: pytest.MonkeyPatch, load: float, lowered: bool
) -> None:
    """The thread that hashes lowers its own priority, unless the machine's CPUs are all
    busy already; the caller's thread keeps its own."""
    import os

    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = nice()
    seen: list[tuple[bool, int]] = []

    def hashing() -> None:
        seen.append((compute_module.give_way(), nice()))

    worker = threading.Thread(target=hashing)
    worker.start()
    worker.join()
    expected = min(19, before + compute_module.HASH_NICE) if lowered else before
    assert seen == [(lowered, expected)]
    assert nice() == before
