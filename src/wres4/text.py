"""Text helpers every stage shares: normalised words, values clipped for messages, counts of
people in words. A leaf: it imports nothing of the package."""

from __future__ import annotations

import re


def normalise_word(text: object) -> str:
    """Case-, punctuation- and space-insensitive form of a status, type or title."""
    text = str(text).casefold().replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def clip(text: str, limit: int = 60) -> str:
    """A value from the input for a one-line message: spaces collapsed, control characters
    escaped (never sent to a terminal as they are), long values cut."""
    text = " ".join(str(text).split())
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count_people(count: int, verb: str = "") -> str:
    """ "1 person has" / "3 people have": a count of people with its verb agreeing."""
    forms = {"have": ("has", "have"), "appear": ("appears", "appear"), "are": ("is", "are")}
    one, many = forms.get(verb, (verb, verb))
    text = f"{count:,} {'person' if count == 1 else 'people'}"
    return f"{text} {one if count == 1 else many}".rstrip()
