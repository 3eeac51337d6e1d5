"""Lessons learned: captured at Rethink or at close, shown in every later plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Lesson:
    crisis_id: int
    text: str
    author: str
    at: datetime


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")


def split_learnings(text: str) -> list[str]:
    """One lesson per line (bullets and numbering dropped); one line may hold several split by ';'."""
    lessons = []
    for line in (text or "").splitlines():
        for part in line.split(";"):
            part = _BULLET.sub("", part).strip()
            if part:
                lessons.append(part)
    return lessons
