"""One exception family for everything wres4 reports to a user, and the one exit-code table.

The message comes first and says what is wrong, where (file, column, row) and how to fix it.
The command line turns these into one ``Error:`` line and the error's :class:`ExitCode`;
nothing here knows about click. (method.md: Exit codes)
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """How a run ended, as a cron job or a script sees it. The command line's help text and
    every error class take their numbers from here."""

    SUCCESS = 0
    INPUT = 1
    USAGE = 2
    QUALITY = 3

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.SUCCESS: "success",
    ExitCode.INPUT: (
        "input or data error (missing or unreadable file, missing column, nothing computable)"
    ),
    ExitCode.USAGE: "usage error (bad or conflicting options, an invalid config file)",
    ExitCode.QUALITY: "data-quality problems (wres4 check, or any command with --strict)",
}


def exit_code_help() -> str:
    """The exit-code table as the help text shows it (a click paragraph kept as written)."""
    lines = ["\b", "Exit codes:"]
    lines += [f"  {code.value}  {code.meaning}" for code in ExitCode]
    return "\n".join(lines)


class Wres4Error(Exception):
    """Base class: a problem with the user's input or settings, not a bug."""

    exit_code: ExitCode = ExitCode.INPUT


class InputError(Wres4Error):
    """A file is missing, unreadable, empty or not what its name says."""


class ColumnError(Wres4Error):
    """A required column is missing, duplicated or ambiguous."""


class DataError(Wres4Error):
    """The values in a file cannot give a result (bad counts, no rows, nothing computable)."""


class ConfigError(Wres4Error):
    """The configuration file or a setting is invalid (a usage error, like a bad option)."""

    exit_code = ExitCode.USAGE


class UsageError(Wres4Error):
    """Options that cannot go together, e.g. a format the report or destination cannot take.
    The command line shows it with its usage line, as it does a bad option."""

    exit_code = ExitCode.USAGE


class QualityError(Wres4Error):
    """Data-quality problems found by ``wres4 check`` or under ``--strict`` (exit code 3).

    ``reported`` says the output already lists them (the audit), so the command line exits
    3 without an ``Error:`` line."""

    exit_code = ExitCode.QUALITY

    def __init__(self, message: str, *, reported: bool = False) -> None:
        super().__init__(message)
        self.reported = reported
