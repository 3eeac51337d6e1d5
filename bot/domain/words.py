"""Text folding shared by the domain: accent-insensitive matching and slugs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)  # the plan's names are folded again for every alert's tier and lead: ~25 us an alert
def fold(text: str) -> str:
    """Lowercase, strip accents and surrounding space: 'Reducción ' -> 'reduccion'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NOT_SLUG = re.compile(r"[^a-z0-9_-]+")
_DASHES = re.compile(r"-{2,}")


def slug(text: str) -> str:
    """Slack channel-name alphabet: a-z, 0-9, '-' and '_'; accents folded, the rest dropped.

    Spaces and punctuation between words become single dashes.
    """
    folded = fold(text).replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("œ", "oe")
    spaced = re.sub(r"[\s./:;,+&|\\]+", "-", folded)
    return _DASHES.sub("-", _NOT_SLUG.sub("", spaced)).strip("-_")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """User text without control characters (NUL and the like; line breaks and tabs stay): databases
    and Slack refuse them, and nobody means them."""
    return _CONTROL.sub("", text)


def clean_json(value):
    """`clean` applied to every text in a JSON-like value."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value
