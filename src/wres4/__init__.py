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

from wres4.check import Audit, audit
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
from wres4.findings import Finding, findings_table
from wres4.funnel.compute import funnel as _funnel
from wres4.funnel.model import FunnelResult
from wres4.indicator.compute import compute
from wres4.indicator.result import RESULT_COLUMNS, Result
from wres4.output.writers import FORMATS, render, write
from wres4.progression.compute import progression as _progression
from wres4.progression.model import ProgressionResult
from wres4.report import Report
from wres4.settings import Settings

# The calls share their names with the modules that hold them (wres4.check, wres4.funnel):
# bound after those imports, the names are the functions; the modules stay importable by
# their full names.
check = audit
funnel = _funnel
progression = _progression

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
