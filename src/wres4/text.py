"""Text helpers every stage shares: normalised words, yes/no answers, values clipped for
messages, counts of people in words. A leaf: it imports nothing of the package."""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# The answers of a yes/no column ("Approved? Y", "Attended: TRUE", "x" in a tick column), as
# normalised words; a reader may accept more (a count, "accessed", "nil").
YES_WORDS = frozenset({"y", "yes", "true", "t", "1", "x"})
NO_WORDS = frozenset({"n", "no", "false", "f", "0"})


def squash(text: object, sep: str = " ") -> str:
    """Casefolded text with each run of characters other than a-z and 0-9 made ``sep``."""
    return _NOT_ALNUM.sub(sep, str(text).casefold())


def normalise_word(text: object) -> str:
    """Case-, punctuation- and space-insensitive form of a status, type or title."""
    return squash(str(text).replace("&", " and ")).strip()


def printable(text: object) -> str:
    """Text made safe for a terminal: control characters shown escaped, never obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def clip(text: str, limit: int = 60, *, keep_spaces: bool = False) -> str:
    """A value from the input for a one-line message: spaces collapsed (unless
    ``keep_spaces``, for a header that must be shown as it is), control characters escaped
    (never sent to a terminal as they are), long values cut."""
    text = str(text) if keep_spaces else " ".join(str(text).split())
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count_people(count: int, verb: str = "") -> str:
    """ "1 person has" / "3 people have": a count of people with its verb agreeing."""
    forms = {"have": ("has", "have"), "appear": ("appears", "appear"), "are": ("is", "are")}
    one, many = forms.get(verb, (verb, verb))
    text = f"{count:,} {'person' if count == 1 else 'people'}"
    return f"{text} {one if count == 1 else many}".rstrip()
