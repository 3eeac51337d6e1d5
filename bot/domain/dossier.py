"""Everything known about one crisis, in one value: what the story and the Home tab read."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.crisis import Crisis
from bot.domain.lessons import Lesson
from bot.domain.milestones import Milestone
from bot.domain.roles import Assignment, holders
from bot.domain.sitrep import Sitrep
from bot.domain.timeline import Entry


@dataclass
class Dossier:
    crisis: Crisis
    roles: list[Assignment] = field(default_factory=list)
    sitrep: Sitrep = field(default_factory=Sitrep)
    milestones: list[Milestone] = field(default_factory=list)
    timeline: list[Entry] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)  # captured in this crisis

    @property
    def holders(self) -> dict[str, str]:
        return holders(self.roles)
