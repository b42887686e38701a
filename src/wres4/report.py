"""The one shape every result offers a writer: meta, named tables and findings.

Compute once, render many: ``compute``, ``funnel``, ``progression``, ``check`` and
``ethnicity`` each return an object of this shape, and every writer in :mod:`wres4.output`
reads only this. A leaf: it imports nothing of the package but the findings it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

    from wres4.findings import Finding


@runtime_checkable
class Report(Protocol):
    """What a writer may read: the run's ``meta``, its ``findings`` and its named tables
    (the first is the main one, ``results``), in a fixed order."""

    @property
    def meta(self) -> Mapping[str, Any]: ...

    @property
    def findings(self) -> tuple[Finding, ...]: ...

    def tables(self) -> dict[str, pd.DataFrame]: ...
