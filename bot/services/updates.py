"""Stakeholder updates: one text for the crisis channel, the managers (as privacy allows) and the timeline."""

from __future__ import annotations

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError, TooLong
from bot.domain.notices import Audience
from bot.domain.timeline import Kind
from bot.domain.words import clean
from bot.services.deps import Deps
from bot.services.reminders import ReminderService

NOTICE = "stakeholder_update"  # rendered by handlers/blocks/updates.py


class EmptyUpdate(CrisisError):
    key = "commands.usage.update"


class UpdateService:
    def __init__(self, deps: Deps, reminders: ReminderService):
        self.deps = deps
        self.plan = deps.plan
        self.reminders = reminders

    async def post(self, crisis: Crisis, text: str, by: str) -> bool:
        """Record the update on the timeline, then tell the channel and the managers; True when the
        managers' channel heard it (it has none, or a private crisis: it does not)."""
        text = clean(text).strip()
        if not text:
            raise EmptyUpdate()
        if len(text) > self.plan.limits.note:
            raise TooLong(what="update", limit=self.plan.limits.note, length=len(text))
        crisis.require_open()  # a closed crisis: "/crisis reopen" first
        await self.deps.log(crisis, Kind.UPDATE, by, text=text)
        await self.deps.tell(NOTICE, crisis, by=by, text=text)
        told = await self.deps.tell(NOTICE, crisis, Audience.MANAGERS, by=by, text=text)
        await self.reminders.on_update(crisis)
        return told is not None
