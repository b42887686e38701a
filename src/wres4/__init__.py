"""wres4: WRES Indicator 4 from HR and training extracts.

The library call is :func:`compute`; it returns a :class:`Result` whose ``table`` holds one
row per reporting year and whose ``findings`` list the data-quality observations.

>>> from wres4 import compute
>>> result = compute(["staff.csv"], training=["training.csv"])  # doctest: +SKIP
"""

__version__ = "0.1.0"

from wres4.errors import ColumnError, DataError, InputError, QualityError, Wres4Error
from wres4.findings import Finding
from wres4.indicator.compute import compute
from wres4.indicator.result import RESULT_COLUMNS, Result
from wres4.settings import Settings

__all__ = [
    "RESULT_COLUMNS",
    "ColumnError",
    "DataError",
    "Finding",
    "InputError",
    "QualityError",
    "Result",
    "Settings",
    "Wres4Error",
    "__version__",
    "compute",
]
