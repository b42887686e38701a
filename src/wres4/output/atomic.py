"""Atomic writes: every output file appears whole or not at all (method.md: Outputs).

A temporary file in the target's folder, then a rename, so a failed run never leaves half a
file and an existing file survives it. A leaf: it imports nothing of the package but errors.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from wres4.errors import InputError


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{target}: the folder {folder} does not exist. Create it first.")
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name, e.g. {target / 'wres4.csv'}.")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(
            f"{target}: cannot write in {folder} ({exc.strerror}); choose another folder."
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _settle(tmp, target)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _settle(tmp: Path, target: Path) -> None:
    """Give the new file the permissions a plain open() would (mkstemp makes it private to
    the owner) or those of the file it replaces, and flush it to disk before the rename."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())


def write_text(text: str, target: Path) -> None:
    """Write ``text`` to ``target`` as UTF-8, atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
