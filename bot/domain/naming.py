"""Crisis channel names, within Slack's rules (80 characters of a-z, 0-9, '-', '_')."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from bot.domain.words import slug

MAX_CHANNEL_NAME = 80
PREFIX = "crisis"


def base_channel_name(title: str, opened_at: datetime) -> str:
    """`crisis-YYYYMMDD-<title slug>`, cut on a word boundary to fit Slack's limit."""
    head = f"{PREFIX}-{opened_at:%Y%m%d}"
    words = slug(title)
    if not words:
        return head
    return _fit(f"{head}-{words}", MAX_CHANNEL_NAME)


def channel_names(title: str, opened_at: datetime) -> Iterator[str]:
    """The base name, then `-2`, `-3`… each still within 80 characters."""
    base = base_channel_name(title, opened_at)
    yield base
    n = 2
    while True:
        suffix = f"-{n}"
        yield _fit(base, MAX_CHANNEL_NAME - len(suffix)) + suffix
        n += 1


def _fit(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    cut = name[:limit]
    if "-" in cut[len(PREFIX) + 10 :] and name[limit] != "-":
        cut = cut[: cut.rfind("-")]
    return cut.rstrip("-_")
