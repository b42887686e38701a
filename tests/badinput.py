"""What every bad-input test shares: small extracts written at test time, the command run
in-process, and the check that it failed cleanly (one ``Error:`` line, exit 1, nothing
written, an existing output kept, ``check`` failing alike)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from wres4.cli import cli

STAFF = (
    "Employee Number,Ethnic Origin,Snapshot Date\n"
    "1,A White - British,31/03/2024\n"
    "2,A White - British,31/03/2024\n"
    "3,PC Black Nigerian,31/03/2024\n"
    "4,H Indian,31/03/2024\n"
)
TRAINING = (
    "Employee Number,Course Title,Course Type,Status,Start Date\n"
    "1,Coaching Skills,CPD,Attended,15/06/2023\n"
    "3,Coaching Skills,CPD,Attended,15/06/2023\n"
)
KEEP = "an earlier result that must survive\n"

Case = Callable[[Path], tuple[list[str], str]]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def staff(tmp: Path, data: str | bytes = STAFF, name: str = "staff.csv") -> Path:
    return write(tmp / name, data)


def training(tmp: Path, data: str | bytes = TRAINING, name: str = "training.csv") -> Path:
    return write(tmp / name, data)


def extracts(tmp: Path, staff_data: str | bytes = STAFF, **kw: str) -> list[str]:
    """Arguments for a staff extract (``staff_data``) with the standard training extract."""
    return [str(staff(tmp, staff_data, **kw)), "--training", str(training(tmp))]


def assert_clean_error(result: Result, first_line: str, code: int = 1) -> None:
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.splitlines()[0] == first_line


def fails(tmp: Path, args: list[str], first_line: str, *, check: bool = True) -> None:
    """compute fails cleanly and writes nothing, keeps an existing file; check fails alike."""
    fresh, kept = tmp / "out" / "new.csv", write(tmp / "out" / "kept.csv", KEEP)
    assert_clean_error(invoke("compute", *args, "-o", str(fresh)), first_line)
    assert not fresh.exists()
    assert_clean_error(invoke("compute", *args, "-o", str(kept), "-f", "json"), first_line)
    assert kept.read_text(encoding="utf-8") == KEEP
    assert sorted(p.name for p in (tmp / "out").iterdir()) == ["kept.csv"]  # no temp files
    if check:
        assert_clean_error(invoke("check", *args), first_line)


def workbook(path: Path, rows: list[list[object]], sheet: str = "Staff") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def staff_rows() -> list[list[object]]:
    return [line.split(",") for line in STAFF.splitlines()]


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """Copy a workbook, passing every part through ``change``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            zo.writestr(info.filename, change(info.filename, zin.read(info)))
    return target
