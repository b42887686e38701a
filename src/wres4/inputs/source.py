"""The Source type: one logical input (one or more files of one kind) with its headers.

A leaf of the inputs stage: columns and readers both use it, so it lives apart from both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wres4.errors import InputError
from wres4.findings import Code, Finding

FORMATS_BY_SUFFIX: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass
class Source:
    """One logical input: one or more files of one kind, with their headers resolved."""

    label: str
    paths: list[Path]
    fmt: str
    sheet: str | None = None
    encoding: str | None = None
    delimiters: dict[Path, str] = field(default_factory=dict)
    encodings: dict[Path, str] = field(default_factory=dict)
    headers: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    # Physical lines up to and including the header row of each text file.
    skips: dict[Path, int] = field(default_factory=dict)
    # Data rows handed out so far, per file (for the data-quality audit).
    rows_read: dict[Path, int] = field(default_factory=dict)
    # Each workbook's chosen sheet, read once: (rows from the header on, header's row number).
    sheets: dict[Path, tuple[list[list[Any]], int]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [str(p) for p in self.paths]


def expand_paths(paths: Sequence[Path], label: str) -> list[Path]:
    """Files named directly, and the data files inside any directory named."""
    out: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: file not found. Check the path given for the {label}.")
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in FORMATS_BY_SUFFIX
                and not p.name.startswith(("~$", "."))
            )
            if not found:
                raise InputError(
                    f"{path}: the directory holds no CSV, TSV, Excel or Parquet files."
                )
            out.extend(found)
        elif not path.is_file():
            raise InputError(f"{path}: not a regular file. Give a data file or a directory.")
        else:
            out.append(path)
    return out


def rows_read_finding(source: Source) -> Finding:
    """How many data rows each file of a source gave (a fact for the audit, not a problem)."""
    counts = [(str(p), int(source.rows_read.get(p, 0))) for p in source.paths]
    total = sum(n for _, n in counts)
    if len(counts) == 1:
        message = f"{source.label}: {total:,} rows read from {counts[0][0]}"
    else:
        listing = ", ".join(f"{Path(name).name} {n:,}" for name, n in counts)
        message = f"{source.label}: {total:,} rows read from {len(counts)} files ({listing})"
    return Code.ROWS_READ.finding(
        message,
        total,
        file=counts[0][0] if len(counts) == 1 else source.label,
        values=tuple(counts),
    )
