"""Cell text -> values: dates, person ids, yes/no flags, reporting years.

Each function works on the *distinct* values of a column and maps the answer back, so a
million rows with a few hundred distinct dates cost a few hundred parses.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wres4.findings import Code, Finding
from wres4.text import NO_WORDS, YES_WORDS, clip

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# UK day-first is the default for ambiguous slashed dates (method.md: Inputs).
# Dates outside these years are placeholders or typos (0001-01-01, 9999-12-31), never a real
# snapshot or course; they are treated as unreadable rather than breaking window arithmetic.
FIRST_YEAR = 1900
LAST_YEAR = 2199

# An "accessed" column's answers: yes/no words, some of its own, or a count of activities.
TRUE_WORDS = YES_WORDS | {"accessed", "attended", "completed"}
FALSE_WORDS = NO_WORDS | {"", "none", "not accessed", "nil", "-"}


def encode(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Split a text column into (row -> distinct index, distinct values).

    Columns the reader already dictionary-encoded are split without hashing again.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    if arr.null_count:
        arr = pc.dictionary_encode(pc.fill_null(arr.cast(pa.string()), ""))
    indices: np.ndarray = arr.indices.to_numpy(zero_copy_only=False)
    return indices, arr.dictionary


# A person key that matches no one: blank ids, or ids of no staff record.
NO_PERSON = -(1 << 62)


# Short alphanumeric ids ("E12345678", "T0123", "AB-1234") are packed exactly into an int64,
# 6 bits a character, above every digit-only id (< 10**18 < 2**60): no hashing of text.
PACKED_TEXT = 1 << 61
ID_SYMBOLS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-"
PACKED_LENGTH = 10
# From this many ids that are not plain digits, each distinct text is keyed once.
DISTINCT_FIRST = 4096


# Each byte's code in ID_SYMBOLS (1 to 63; 0 for a byte that is not one), for bytes.translate.
SYMBOL_CODES = bytes(
    ID_SYMBOLS.index(chr(b)) + 1 if chr(b) in ID_SYMBOLS else 0 for b in range(256)
)


def pack_ids(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Ids of 1 to 10 characters from ID_SYMBOLS -> exact int64 keys, and which ones fit."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = texts.cast(pa.string())
    if texts.null_count:  # a null may have bytes under it: read as a blank, which never fits
        texts = pc.fill_null(texts, "")
    buffers = texts.buffers()
    first = texts.offset
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[first : first + len(texts) + 1]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None and buffers[2].size
        else np.zeros(1, dtype=np.uint8)
    )
    base = int(offsets[0]) if len(offsets) else 0
    starts = offsets[:-1].astype(np.int64) - base
    lengths = np.diff(offsets)
    fits = (lengths >= 1) & (lengths <= PACKED_LENGTH)
    # Every byte's symbol code at once (0: no id symbol), with room after the last id.
    total = int(offsets[-1]) - base if len(offsets) else 0
    text = data[base : base + total].tobytes().translate(SYMBOL_CODES)
    codes = np.frombuffer(text + bytes(PACKED_LENGTH), dtype=np.uint8)
    # An id with a byte that is no id symbol does not fit.
    strays = np.flatnonzero(codes[:total] == 0)
    if len(strays):
        fits[np.searchsorted(starts, strays, side="right") - 1] = False
    packed = np.zeros(len(texts), dtype=np.int64)
    shortest = int(lengths[fits].min()) if fits.any() else 0
    # Character i of every id at once (the codes from byte i on, at each id's start); past
    # an id's end that is the next id's text, so it is zeroed for ids shorter than i + 1.
    # A key is its characters' codes from the top 6 bits of the 60 down.
    for i in range(PACKED_LENGTH):
        code = codes[i:][starts].astype(np.int64)
        if i >= shortest:
            code *= lengths > i
        code <<= 6 * (PACKED_LENGTH - 1 - i)
        packed |= code
    return packed | PACKED_TEXT, fits


def unpack_id(key: int) -> str:
    value = key & (PACKED_TEXT - 1)
    codes = [(value >> (6 * (PACKED_LENGTH - 1 - i))) & 0x3F for i in range(PACKED_LENGTH)]
    return "".join(ID_SYMBOLS[c - 1] for c in codes if c)


class KeyIndex:
    """The distinct person keys of the staff side, in the order first seen, with the hash
    table that found them kept for the training side's lookups: the staff keys are hashed
    once, not once to number them and again to look training ids up (method.md:
    Performance). Made by :func:`number_keys`.

    The table is pandas' Int64HashTable, what ``pd.factorize`` uses inside; should a pandas
    release lack it, a pandas Index does the same work with one more hashing.
    """

    def __init__(self, uniques: np.ndarray, table: Any, index: pd.Index | None) -> None:
        self.uniques = uniques
        self._table = table
        self._index = index

    def __len__(self) -> int:
        return len(self.uniques)

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """The position of each of ``keys`` among the distinct keys, -1 for none of them."""
        import numpy as np

        keys = np.ascontiguousarray(keys, dtype=np.int64)
        if self._table is not None:
            return np.asarray(self._table.lookup(keys), dtype=np.intp)
        import pandas as pd

        assert self._index is not None
        return np.asarray(self._index.get_indexer(pd.Index(keys)), dtype=np.intp)


def number_keys(keys: np.ndarray, expected: int | None = None) -> tuple[KeyIndex, np.ndarray]:
    """The distinct ``keys`` (a :class:`KeyIndex`) and each key's position among them, as
    ``pd.factorize`` numbers them. ``expected``, how many distinct keys there may be (people
    when each is on several snapshots), sizes the hash table; it grows if that is short."""
    import numpy as np
    import pandas as pd

    keys = np.ascontiguousarray(keys, dtype=np.int64)
    kind = hash_table()
    if kind is None:
        codes, uniques = pd.factorize(keys)
        return KeyIndex(uniques, None, pd.Index(uniques)), codes
    size = max(min(expected or len(keys), len(keys)), 1)
    table = kind(size)
    uniques, codes = table.factorize(keys)
    if 2 * len(uniques) < size:
        # Sized for the rows, the table would keep several snapshots' worth of empty
        # slots through the training side: one sized for the people instead.
        del table
        table = kind(max(len(uniques), 1))
        table.map_locations(uniques)
    return KeyIndex(np.asarray(uniques, dtype=np.int64), table, None), codes


def hash_table() -> Any:
    """pandas' Int64HashTable class, or None where this pandas has none."""
    import importlib

    try:
        return importlib.import_module("pandas._libs.hashtable").Int64HashTable
    except (ImportError, AttributeError):
        return None


class PersonKeys:
    """Person ids as int64 keys, so matching and counting hash integers, not text.

    Ids made only of digits (up to 18) are their number, so (method.md: Person ids)
    "00123456" matches "123456"; any other id gets a negative code of its own text. Texts
    seen while ``grow`` is on (the staff side) are kept in a pandas index, so later batches
    look them up in bulk; texts first seen otherwise (training ids of no staff member) get
    codes of their own that can match nothing.
    """

    def __init__(self) -> None:
        self._known: pd.Index | None = None
        self._extra: dict[str, int] = {}

    def of(
        self, raw: pa.Array | pa.ChunkedArray, *, assignment: bool = False, grow: bool = True
    ) -> np.ndarray:
        """Keys of raw id texts (a column, or its distinct values); blanks are NO_PERSON."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(raw, pa.ChunkedArray):
            raw = raw.combine_chunks() if raw.num_chunks != 1 else raw.chunk(0)
        if pa.types.is_dictionary(raw.type):
            idx, distinct = encode(raw)
            per_row: np.ndarray = self.of(distinct, assignment=assignment, grow=grow)[idx]
            return per_row
        if raw.null_count:  # a missing id is a blank one (the readers give "" already)
            raw = pc.fill_null(raw, "")

        # Fast path: plain digit ids (the usual ESR employee number) cast straight to int.
        plain = pc.and_(pc.ascii_is_decimal(raw), pc.less_equal(pc.utf8_length(raw), 18))
        if len(raw) and not raw.null_count and pc.all(plain).as_py():
            every: np.ndarray = pc.cast(raw, pa.int64()).to_numpy()
            return every
        out = np.full(len(raw), NO_PERSON, dtype=np.int64)
        mask = plain.to_numpy(zero_copy_only=False)
        if mask.any():
            out[mask] = pc.cast(pc.filter(raw, plain), pa.int64()).to_numpy()
        if mask.all():
            return out
        rest = np.flatnonzero(~mask)
        # (Filtering copies every text: skipped when no id is plain, as with letter ids.)
        texts_in = pc.filter(raw, pc.invert(plain)) if mask.any() else raw
        if not assignment:
            # Short ids of letters, digits and dashes ("E12345678") are already canonical
            # (no spaces, not all digits): each one's packed code is its key as it stands,
            # with no text hashed (an assignment number still loses its "-2").
            packed, fits = pack_ids(texts_in)
            out[rest[fits]] = packed[fits]
            if fits.all():
                return out
            rest = rest[~fits]
            texts_in = pc.filter(texts_in, pa.array(~fits))
        if len(texts_in) >= DISTINCT_FIRST:
            # A person's id repeats on every snapshot and record: key each distinct text once.
            idx, distinct = encode(texts_in)
            out[rest] = self._text_keys(distinct, assignment, grow)[idx]
        else:
            out[rest] = self._text_keys(texts_in, assignment, grow)
        return out

    def _text_keys(self, texts: pa.Array, assignment: bool, grow: bool) -> np.ndarray:
        """Keys of ids that are not plain digits: canonical digit ids, packed short ids, or
        codes of their text."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        keys = person_keys(texts, assignment=assignment)
        digits = pc.and_(pc.ascii_is_decimal(keys), pc.less_equal(pc.utf8_length(keys), 18))
        digit_mask = digits.to_numpy(zero_copy_only=False)
        values = np.full(len(keys), NO_PERSON, dtype=np.int64)
        if digit_mask.any():
            values[digit_mask] = pc.cast(pc.filter(keys, digits), pa.int64()).to_numpy()
        if not digit_mask.all():
            texts = pc.filter(keys, pc.invert(digits)) if digit_mask.any() else keys
            codes, short_mask = pack_ids(texts)
            if not short_mask.all():
                others = pc.filter(texts, pa.array(~short_mask)).to_numpy(zero_copy_only=False)
                codes[~short_mask] = self._text_codes(others, grow)
            values[~digit_mask] = codes
        return values

    def _text_codes(self, texts: np.ndarray, grow: bool) -> np.ndarray:
        """Codes of non-digit ids, hashing each distinct text of the batch once."""
        import numpy as np
        import pandas as pd

        local, uniques = pd.factorize(texts)
        uniques = np.asarray(uniques, dtype=object)
        known = self._known if self._known is not None else pd.Index([], dtype=object)
        found = known.get_indexer(pd.Index(uniques, dtype=object))
        new = found < 0
        if new.any() and grow:
            found[new] = np.arange(len(known), len(known) + int(new.sum()))
            self._known = known.append(pd.Index(uniques[new], dtype=object))
        codes = -1 - found.astype(np.int64)
        if new.any() and not grow:
            extra = self._extra
            codes[new] = [
                extra.setdefault(t, -(1 << 40) - 1 - len(extra)) for t in uniques[new].tolist()
            ]
        codes[uniques == ""] = NO_PERSON
        per_row: np.ndarray = codes[local]
        return per_row

    def text(self, key: int) -> str:
        """The canonical id text of a key (for messages that name people on request)."""
        if key >= PACKED_TEXT:
            return unpack_id(key)
        if key >= 0:
            return str(key)
        if key > -(1 << 40) and self._known is not None and -1 - key < len(self._known):
            return str(self._known[-1 - key])
        return next((text for text, code in self._extra.items() if code == key), "")


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# The date forms of method.md: Dates; a time after the date ("31/03/2024 00:00:00") is ignored.
TIME_SUFFIX = r"(?:[t ]\d{1,2}:\d{2}.*)?$"
ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + TIME_SUFFIX)
NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + TIME_SUFFIX)
NAMED_MONTH = re.compile(r"^(\d{1,2})[ -]([a-z]{3,9})\.?[ ,-]*(\d{4}|\d{2})$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")


# The ways a date can be written, in the order a message lists them: name, pattern.
DATE_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ISO", ISO_DATE),
    ("day/month/year", NUMERIC_DATE),
    ("day and month name", NAMED_MONTH),
    ("yyyymmdd", COMPACT_DATE),
    ("Excel day number", EXCEL_SERIAL),
)


def date_forms(texts: Iterable[str], *, day_first: bool = True) -> dict[str, str]:
    """The forms the readable dates among ``texts`` are written in: form -> first example."""
    seen: dict[str, str] = {}
    for text in texts:
        value = text.strip()
        if not value or parse_date(value, day_first) is None:
            continue
        for name, pattern in DATE_FORMS:
            if name not in seen and pattern.match(value.casefold()):
                seen[name] = value
                break
    order = [name for name, _ in DATE_FORMS]
    named = {"day/month/year": "day/month/year" if day_first else "month/day/year"}
    return {named.get(k, k): seen[k] for k in sorted(seen, key=order.index)}


def mixed_dates_finding(
    texts: Iterable[str], *, what: str, column: str | None, file: str | None, day_first: bool
) -> Finding | None:
    """A note when one date column is written in several ways (method.md: Dates): every
    form is read, but a column that mixes them was probably edited or merged by hand."""
    forms = date_forms(texts, day_first=day_first)
    if len(forms) < 2:
        return None
    listing = ", ".join(f"{name} ({clip(example, 30)})" for name, example in forms.items())
    order = "day first" if day_first else "month first (--month-first)"
    return Code.MIXED_DATE_FORMATS.finding(
        f"the {what} column '{column}' mixes date formats: {listing}; all were read, "
        f"slashed dates {order}",
        len(forms),
        file=file,
        column=column,
        values=tuple((f"{name}: {clip(example, 30)}", 0) for name, example in forms.items()),
    )


def _full_year(text: str) -> int:
    """Two-digit years as strptime reads them: 69-99 -> 1900s, 00-68 -> 2000s."""
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 69 else 2000
    return year


@functools.lru_cache(maxsize=65536)
def parse_date(text: str, day_first: bool = True) -> dt.date | None:
    """One date text -> date, or None when blank, unparseable or impossible (31/02/2024)."""
    value = text.strip().casefold()
    try:
        if match := ISO_DATE.match(value):
            year, month, day = (int(g) for g in match.groups())
        elif match := NUMERIC_DATE.match(value):
            first, _, second, year_text = match.groups()
            day, month = (int(first), int(second)) if day_first else (int(second), int(first))
            year = _full_year(year_text)
        elif match := NAMED_MONTH.match(value):
            day_text, name, year_text = match.groups()
            if name not in MONTHS:
                return None
            day, month, year = int(day_text), MONTHS[name], _full_year(year_text)
        elif match := COMPACT_DATE.match(value):
            year, month, day = (int(g) for g in match.groups())
        elif (match := EXCEL_SERIAL.match(value)) and 20000 <= int(match.group(1)) <= 99999:
            # Excel serial day numbers (1954-2173), as a CSV saved from a date column may hold.
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(match.group(1)))
        else:
            return None
        day_value = dt.date(year, month, day)
    except ValueError:
        return None
    # Years outside this range are placeholders or typos (0001-01-01, 9999-12-31).
    return day_value if FIRST_YEAR <= day_value.year <= LAST_YEAR else None


def parse_dates(texts: list[str], *, day_first: bool = True) -> pd.Series:
    """Distinct date texts -> datetime64 (NaT where blank or unparseable)."""
    import numpy as np
    import pandas as pd

    days = [parse_date(str(t), day_first) for t in texts]
    values = np.array(
        [np.datetime64(d, "D") if d else np.datetime64("NaT", "D") for d in days],
        dtype="datetime64[D]",
    )
    return pd.Series(values.astype("datetime64[s]"))


def person_keys(arr: pa.Array | pa.ChunkedArray, *, assignment: bool = False) -> pa.Array:
    """Canonical person ids: trimmed text, digit-only ids without leading zeros.

    ESR assignment numbers ("12345678-2") keep only the person part before the dash.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    keys = pc.utf8_trim_whitespace(arr)
    if assignment:
        keys = pc.replace_substring_regex(keys, r"\s*-\s*[^-]*$", "")
    if pc.any(pc.match_substring(keys, ".")).as_py():  # "123.0": a number a spreadsheet wrote
        keys = pc.replace_substring_regex(keys, r"^(\d+)\.0+$", r"\1")
    digits = pc.ascii_is_decimal(keys)
    stripped = pc.utf8_ltrim(keys, characters="0")
    stripped = pc.if_else(pc.equal(stripped, ""), pa.scalar("0"), stripped)
    result: pa.Array = pc.if_else(digits, stripped, keys)
    return result


def truth_values(texts: list[str]) -> tuple[list[bool | None], list[str]]:
    """Yes/no, true/false, 1/0 or a count of activities -> bool (None when unrecognised)."""
    out: list[bool | None] = []
    unknown: list[str] = []
    for text in texts:
        word = re.sub(r"\s+", " ", str(text).strip().casefold())
        if word in TRUE_WORDS:
            out.append(True)
        elif word in FALSE_WORDS:
            out.append(False)
        else:
            try:
                out.append(float(word) > 0)
            except ValueError:
                out.append(None)
                unknown.append(str(text))
    return out, unknown


YEAR_PATTERNS = (
    re.compile(r"^(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$"),
    re.compile(r"^(?:fy\s*)?(\d{4})$"),
)


def parse_year(text: str) -> int | None:
    """A reporting-year label -> the year of its 31 March ("2023/24" and "2024" -> 2024)."""
    value = str(text).strip().casefold()
    if value.endswith(".0"):
        value = value[:-2]
    match = YEAR_PATTERNS[0].match(value)
    if match:
        start, end = int(match.group(1)), match.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year == start + 1 or (len(end) == 2 and end_year + 100 == start + 1):
            return _plausible(start + 1)
        return None
    match = YEAR_PATTERNS[1].match(value)
    if match:
        return _plausible(int(match.group(1)))
    return None


def _plausible(year: int) -> int | None:
    return year if FIRST_YEAR < year <= LAST_YEAR else None


# No NHS organisation has a billion staff: larger "counts" are typos or overflowed cells.
MAX_COUNT = 10**9


def count_value(text: object) -> int | None:
    """A count of people from cell text ("1,234", "12", "12.0") -> int; None when it is not one.

    Negative, fractional, non-finite and absurdly large values are refused, so nothing
    downstream overflows (an int64 cast of 1e23 silently becomes a negative number).
    """
    import math

    value = str(text).strip().replace(",", "")
    if value == "":
        return 0
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0 or number > MAX_COUNT or not number.is_integer():
        return None
    return int(number)
