"""The 5 R milestones: record a phase, tell the channel and the managers."""

from __future__ import annotations

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError, TooLong
from bot.domain.lessons import split_learnings
from bot.domain.milestones import Milestone, click_key, record, repeat_of
from bot.domain.notices import Audience
from bot.domain.timeline import Kind
from bot.domain.words import clean
from bot.services.deps import Deps
from bot.services.reminders import ReminderService

RETHINK = "rethink"


class UnknownPhase(CrisisError):
    key = "error.unknown_phase"


class PhaseService:
    def __init__(self, deps: Deps, reminders: ReminderService):
        self.deps = deps
        self.plan = deps.plan
        self.reminders = reminders

    async def record(self, crisis: Crisis, phase_word: str, note: str, by: str) -> Milestone:
        crisis.require_open()
        phase = self.plan.phase(phase_word) if phase_word else None
        if phase is None:
            raise UnknownPhase(phase=phase_word[:40], phases=", ".join(p.name.lower() for p in self.plan.phases))
        note = clean(note).strip()
        if len(note) > self.plan.limits.note:
            raise TooLong(what="note", limit=self.plan.limits.note, length=len(note))
        assert crisis.id is not None
        history = await self.deps.dossier.milestones(crisis.id)
        now = self.deps.clock.now()
        if (same := repeat_of(history, phase.key, by, now)) is not None and not note:
            return same  # a double click
        milestone = record(self.plan, history, phase.key, by, now, note)
        click = None if note else click_key(crisis.id, phase.key, by, now)
        if not await self.deps.dossier.add_milestone(crisis.id, milestone, click):
            return milestone  # the same click arrived twice at once; the other one is recorded
        crisis.phase = phase.key
        await self.deps.crises.set_phase(crisis)
        repeated = any(m.phase == phase.key for m in history)
        await self.deps.log(crisis, Kind.MILESTONE, by, phase=phase.key, note=note, repeated=repeated,
                            skipped=list(milestone.skipped))
        if phase.key == RETHINK and note:
            await self.deps.dossier.add_lessons(self.plan.name, crisis.id, split_learnings(note), by, milestone.at)
        await self.deps.slack.set_topic(crisis.channel_id, crisis, self.plan)  # type: ignore[arg-type]
        await self.deps.tell("milestone", crisis, milestone=milestone, repeated=repeated)
        await self.deps.tell("milestone", crisis, Audience.MANAGERS, milestone=milestone, repeated=repeated)
        await self.reminders.on_milestone(crisis, milestone)
        return milestone
