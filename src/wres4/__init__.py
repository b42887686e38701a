"""wres4: WRES Indicator 4 from HR and training extracts.

The library calls are :func:`compute` (the indicator), :func:`funnel` (CPD applications),
:func:`progression` (retention and promotion across snapshots) and :func:`check` (a
data-quality audit). Each takes, for every input, file paths or
in-memory tables (a pandas DataFrame or a pyarrow Table, or a list of them) and gives the
same result as the command line on the same data. ``compute`` returns a :class:`Result`
whose ``table`` holds one row per reporting year and whose ``findings`` list the
data-quality observations. :func:`write` puts any of these reports in a file (atomically,
in the format its suffix names) and :func:`render` gives one as text, as the command line's
``-o`` and ``-f`` do.

>>> import pandas as pd
>>> from wres4 import compute
>>> staff = pd.read_csv("staff.csv")  # doctest: +SKIP
>>> result = compute(staff, training="training.csv")  # doctest: +SKIP
>>> write(result, "wres4.xlsx")  # doctest: +SKIP

Importing wres4 imports neither pandas nor pyarrow: a DataFrame is known by its type name.
"""

__version__ = "0.1.0"

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from wres4.errors import (
    ColumnError,
    ConfigError,
    DataError,
    ExitCode,
    InputError,
    QualityError,
    UsageError,
    Wres4Error,
)

if TYPE_CHECKING:
    from wres4.check import Audit
    from wres4.check import audit as check
    from wres4.findings import Finding, findings_table
    from wres4.funnel.compute import funnel
    from wres4.funnel.model import FunnelResult
    from wres4.indicator.compute import compute
    from wres4.indicator.result import RESULT_COLUMNS, Result
    from wres4.output.writers import FORMATS, render, write
    from wres4.progression.compute import progression
    from wres4.progression.model import ProgressionResult
    from wres4.report import Report
    from wres4.settings import Settings

# The library's names, each imported from its module when first used: the command line
# (``wres4 --help``) starts without loading the readers, the indicator and the writers.
LAZY = {
    "Audit": ("wres4.check", "Audit"),
    "check": ("wres4.check", "audit"),
    "Finding": ("wres4.findings", "Finding"),
    "findings_table": ("wres4.findings", "findings_table"),
    "funnel": ("wres4.funnel.compute", "funnel"),
    "FunnelResult": ("wres4.funnel.model", "FunnelResult"),
    "compute": ("wres4.indicator.compute", "compute"),
    "RESULT_COLUMNS": ("wres4.indicator.result", "RESULT_COLUMNS"),
    "Result": ("wres4.indicator.result", "Result"),
    "FORMATS": ("wres4.output.writers", "FORMATS"),
    "render": ("wres4.output.writers", "render"),
    "write": ("wres4.output.writers", "write"),
    "progression": ("wres4.progression.compute", "progression"),
    "ProgressionResult": ("wres4.progression.model", "ProgressionResult"),
    "Report": ("wres4.report", "Report"),
    "Settings": ("wres4.settings", "Settings"),
}


def __getattr__(name: str) -> Any:
    if name not in LAZY:
        raise AttributeError(f"module 'wres4' has no attribute {name!r}")
    module, attr = LAZY[name]
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(LAZY))


class _Package(types.ModuleType):
    """The calls share their names with the modules that hold them (wres4.check,
    wres4.funnel, wres4.progression): importing those modules does not rebind the names,
    which stay the functions; the modules stay importable by their full names."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("check", "funnel", "progression") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "FORMATS",
    "RESULT_COLUMNS",
    "Audit",
    "ColumnError",
    "ConfigError",
    "DataError",
    "ExitCode",
    "Finding",
    "FunnelResult",
    "InputError",
    "ProgressionResult",
    "QualityError",
    "Report",
    "Result",
    "Settings",
    "UsageError",
    "Wres4Error",
    "__version__",
    "check",
    "compute",
    "findings_table",
    "funnel",
    "progression",
    "render",
    "write",
]
