"""Agenda for Change bands: which values are bands, and their order (method.md: Bands).

A band is read from its normalised form, so "Band 8a", "AfC Band 8A", "8a" and
"Band 8 - Range A" are one band; "Band 05" is Band 5. Values not in the order (Medical,
blank, local grades) and values the config lists as unbanded have no band.

A leaf of the progression stage: it imports only the settings and text helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wres4.settings import Settings

UNBANDED = -1  # the rank of a value that is not a band

# Words that only say "this is a band": dropped before the band itself is read.
# ("NHS|AfC|Band 5" and "Review Body Band 5" are ways ESR writes Band 5.)
_FILLER = frozenset({"agenda", "for", "change", "afc", "band", "pay", "range", "nhs", "review"})
_FILLER |= {"body"}
_WORDS = re.compile(r"[0-9]+|[a-z]+")
_NOTE = re.compile(r"\([^)]*\)")  # "Band 5 (Nursing)": a note, not part of the band
_ALIASES = {"veryseniormanager": "vsm"}


def band_key(value: object) -> str:
    """The normalised form a band is known by: "Band 8 - Range A" -> "8a", "VSM" -> "vsm"."""
    text = _NOTE.sub(" ", str(value).casefold())
    words = [w for w in _WORDS.findall(text) if w not in _FILLER]
    key = "".join((w.lstrip("0") or "0") if w.isdigit() else w for w in words)
    return _ALIASES.get(key, key)


@dataclass(frozen=True)
class BandOrder:
    """The bands in order, lowest first, and the values that have no band."""

    order: tuple[str, ...]
    unbanded: tuple[str, ...]
    senior: str

    @classmethod
    def of(cls, settings: Settings) -> BandOrder:
        return cls(settings.band_order, settings.unbanded_values, settings.senior_band)

    def rank_of(self) -> dict[str, int]:
        return {band_key(label): rank for rank, label in enumerate(self.order)}

    def senior_rank(self) -> int:
        return self.rank_of()[band_key(self.senior)]

    def ranks(self, values: Sequence[object]) -> list[int]:
        """Each value's place in the order, or :data:`UNBANDED`."""
        ranks = self.rank_of()
        never = {band_key(v) for v in self.unbanded}
        out = []
        for value in values:
            key = band_key(value) if value is not None else ""
            out.append(UNBANDED if key in never else ranks.get(key, UNBANDED))
        return out

    def name(self, rank: int) -> str:
        return self.order[rank] if rank >= 0 else "Unbanded"

    def names(self, ranks: Any) -> Any:
        """:meth:`name` of each rank in a numpy array, without a Python loop over them."""
        import numpy as np

        # UNBANDED (-1) indexes the last entry
        labels = np.array([*self.order, self.name(UNBANDED)], dtype=object)
        return labels[ranks]


def check_order(order: Sequence[str], unbanded: Sequence[str], senior: str) -> str | None:
    """What is wrong with a configured band order, or None."""
    if len(order) < 2:
        return "needs at least two bands, lowest first."
    keys = [band_key(label) for label in order]
    for label, key in zip(order, keys, strict=True):
        if not key:
            return f"'{label}' has no band in it (only words such as 'Band')."
        if keys.count(key) > 1:
            return f"'{label}' is listed twice (bands are matched ignoring case and spaces)."
    if band_key(senior) not in keys:
        return f"senior_band '{senior}' is not one of the bands in band_order."
    clash = [v for v in unbanded if band_key(v) in keys]
    if clash:
        return f"'{clash[0]}' is both a band and listed as unbanded."
    return None
