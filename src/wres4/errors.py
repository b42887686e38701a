"""One exception family for everything wres4 reports to a user.

The message comes first and says what is wrong, where (file, column, row) and how to fix it.
The command line turns these into one ``Error:`` line and an exit code; nothing here knows
about click.
"""

from __future__ import annotations


class Wres4Error(Exception):
    """Base class: a problem with the user's input or settings, not a bug."""

    exit_code = 1


class InputError(Wres4Error):
    """A file is missing, unreadable, empty or not what its name says."""


class ColumnError(Wres4Error):
    """A required column is missing, duplicated or ambiguous."""


class DataError(Wres4Error):
    """The values in a file cannot give a result (bad counts, no rows, nothing computable)."""


class ConfigError(Wres4Error):
    """The configuration file or a setting is invalid (a usage error, like a bad option)."""

    exit_code = 2


class QualityError(Wres4Error):
    """Data-quality problems found under ``--strict`` (exit code 3)."""

    exit_code = 3
