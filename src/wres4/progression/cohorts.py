"""People in post at one snapshot followed to the next (method.md: Progression).

From the person-years of the staff extract (one row per person and snapshot, bank-only
people already left out, each with a group, a band rank and, when known, whether they
accessed CPD that year) this module counts each cohort: in post at Y, retained at the next
snapshot, banded at both, and on a higher band. Everything is a pandas group-by over people;
the loops are over snapshots and breakdown columns, a handful each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wres4.progression.bands import UNBANDED
from wres4.settings import GROUPS

if TYPE_CHECKING:
    import pandas as pd

COUNTS = ("in_post", "retained", "banded", "progressed")
SENIOR_COUNTS = ("headcount", "banded", "senior")
ALL, ACCESSED, NOT_ACCESSED = "all", "accessed", "not_accessed"
NO_VALUE = "Unknown"  # a breakdown value that is blank


def follow(people: pd.DataFrame) -> pd.DataFrame:
    """One row per person in post at a snapshot that has a later one: ``from_year``,
    ``to_year`` (the next snapshot's year), whether they were retained, banded at both ends,
    progressed (a higher band) or demoted (a lower band), and ``group_next``, their group at
    the next snapshot (-1 when not retained)."""
    import numpy as np
    import pandas as pd

    years = sorted(int(y) for y in people["year"].unique())
    parts = []
    for start, end in itertools.pairwise(years):
        cohort = people[people["year"] == start]
        later = people.loc[people["year"] == end].set_index("pos")[["band", "group"]]
        found = later.reindex(cohort["pos"].to_numpy())
        band_next = found["band"].to_numpy(dtype=float)
        retained = ~np.isnan(band_next)
        band = cohort["band"].to_numpy(dtype=float)
        banded = retained & (band > UNBANDED) & (band_next > UNBANDED)
        parts.append(
            cohort.assign(
                from_year=start,
                to_year=end,
                retained=retained,
                banded=banded,
                progressed=banded & (band_next > band),
                demoted=banded & (band_next < band),
                group_next=found["group"].fillna(-1).to_numpy(dtype=np.int8),
            )
        )
    return pd.concat(parts, ignore_index=True)


def _blank_as_unknown(frame: pd.DataFrame, dim: str) -> pd.DataFrame:
    values = frame[dim].astype("string").str.strip().fillna("")
    return frame.assign(**{dim: values.where(values != "", NO_VALUE)})


def cohort_counts(followed: pd.DataFrame, by: Sequence[str], with_cpd: bool) -> pd.DataFrame:
    """Counts per (breakdown value, from_year, to_year, group, cpd): the whole organisation
    first (breakdown columns blank), then each ``by`` column; every group and cpd level is
    present, with zeros where nobody is."""
    import pandas as pd

    levels = [ALL, ACCESSED, NOT_ACCESSED] if with_cpd else [ALL]
    frames = []
    flags = followed.assign(in_post=True)
    for dim in (None, *by):
        frame = flags if dim is None else _blank_as_unknown(flags, dim)
        keys = ["from_year", "to_year"] if dim is None else [dim, "from_year", "to_year"]
        strata = [frame.assign(cpd=ALL)]
        if with_cpd:
            accessed = frame["accessed"].to_numpy(bool)
            strata += [
                frame[accessed].assign(cpd=ACCESSED),
                frame[~accessed].assign(cpd=NOT_ACCESSED),
            ]
        summed = (
            pd.concat(strata).groupby([*keys, "group", "cpd"], observed=True)[list(COUNTS)].sum()
        )
        frames.append(_every_level(summed, keys, {"group": range(len(GROUPS)), "cpd": levels}))
    return _stack(frames, by)


def senior_counts(people: pd.DataFrame, by: Sequence[str], senior_rank: int) -> pd.DataFrame:
    """Per (breakdown value, year, group): headcount, banded, and senior (banded at the
    senior band or above)."""

    frames = []
    flags = people.assign(
        headcount=True,
        banded=people["band"].to_numpy() > UNBANDED,
        senior=people["band"].to_numpy() >= senior_rank,
    )
    for dim in (None, *by):
        frame = flags if dim is None else _blank_as_unknown(flags, dim)
        keys = ["year"] if dim is None else [dim, "year"]
        summed = frame.groupby([*keys, "group"], observed=True)[list(SENIOR_COUNTS)].sum()
        frames.append(_every_level(summed, keys, {"group": range(len(GROUPS))}))
    return _stack(frames, by)


def _every_level(
    summed: pd.DataFrame, keys: Sequence[str], levels: dict[str, Sequence[object]]
) -> pd.DataFrame:
    """``summed`` (indexed by keys and levels) with a row, of zeros where nobody is, for every
    level of each stratum that has anyone; in the order of the keys, then the levels."""
    import pandas as pd

    full = summed.reset_index()[list(keys)].drop_duplicates()
    for name, values in levels.items():
        full = full.merge(pd.DataFrame({name: list(values)}), how="cross")
    out = full.merge(summed.reset_index(), on=[*keys, *levels], how="left")
    columns = list(summed.columns)
    out[columns] = out[columns].fillna(0).astype("int64")
    return out


def _stack(frames: list[pd.DataFrame], by: Sequence[str]) -> pd.DataFrame:
    """The whole organisation's rows, then each breakdown's; breakdown cells blank (None) on
    the rows of the others."""
    import pandas as pd

    counts = pd.concat(frames, ignore_index=True)
    for dim in by:
        counts[dim] = counts[dim].astype(object).where(counts[dim].notna(), None)
    return counts
