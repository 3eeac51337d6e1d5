"""Notes and pinned messages on the crisis timeline."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError, TooLong
from bot.domain.timeline import Entry, Kind, message_ref
from bot.domain.words import clean
from bot.services.deps import Deps


class EmptyNote(CrisisError):
    key = "error.empty_note"


class TimelineService:
    def __init__(self, deps: Deps):
        self.deps = deps
        self.plan = deps.plan

    async def note(self, crisis: Crisis, text: str, by: str) -> None:
        crisis.require_open()
        text = clean(text).strip()
        if not text:
            raise EmptyNote()
        if len(text) > self.plan.limits.note:
            raise TooLong(what="note", limit=self.plan.limits.note, length=len(text))
        await self.deps.log(crisis, Kind.NOTE, by, text=text)

    async def pin(self, crisis: Crisis, channel: str, ts: str, by: str) -> bool:
        """A pushpin on a message: the message joins the timeline at its own time, by its own author."""
        message = await self.deps.slack.message(channel, ts)
        if message is None:
            return False
        at = datetime.fromtimestamp(float(ts), tz=timezone.utc)
        text = (message.get("text") or "")[: self.plan.limits.note]
        entry = Entry(Kind.PINNED, at, message.get("user") or message.get("bot_id"),
                      {"text": text, "pinned_by": by, "channel": channel, "ts": ts}, message_ref(channel, ts))
        assert crisis.id is not None
        return await self.deps.dossier.add_entry(crisis.id, entry)

    async def unpin(self, crisis: Crisis, channel: str, ts: str, reaction: str) -> bool:
        """The last pushpin removed: the message leaves the timeline."""
        assert crisis.id is not None
        message = await self.deps.slack.message(channel, ts)
        still_pinned = any(r.get("name") == reaction and r.get("count", 0) > 0
                           for r in (message or {}).get("reactions") or [])
        if still_pinned:
            return False
        return await self.deps.dossier.remove_entry(crisis.id, message_ref(channel, ts))
