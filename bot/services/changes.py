"""Change events (a deploy, a configuration change): a timeline entry of the open crisis they concern,
or only recorded. A change never opens a crisis or asks for triage."""

from __future__ import annotations

from typing import Protocol

from bot.domain.changes import Change, ChangeIntake, ChangeRoute
from bot.domain.crisis import Status
from bot.domain.timeline import Kind
from bot.services.deps import Deps


class ChangeStore(Protocol):
    async def open_crisis_of(self, change: Change) -> int | None: ...
    async def record(self, change: Change, now) -> int: ...


class ChangeService:
    def __init__(self, deps: Deps, store: ChangeStore):
        self.deps = deps
        self.store = store

    async def ingest(self, change: Change) -> ChangeIntake:
        """Store the change and, when an open crisis concerns it, its timeline entry: the sender waits on this."""
        change_id = await self.store.record(change, self.deps.clock.now())
        crisis_id = await self.store.open_crisis_of(change)
        crisis = await self.deps.crises.get(crisis_id) if crisis_id is not None else None
        if crisis is None or crisis.status is Status.CLOSED:
            return ChangeIntake(ChangeRoute.RECORDED, change_id)
        await self.deps.log(crisis, Kind.CHANGE, None, ref=f"change:{change_id}", title=change.summary,
                            source=change.source, origin=change.origin, url=change.url)
        return ChangeIntake(ChangeRoute.NOTED, change_id, crisis.id)

    async def follow_up(self, intake: ChangeIntake, change: Change) -> None:
        """One line in the crisis channel, once it has one (a crisis still opening without a channel has the
        change on its timeline only)."""
        if intake.crisis_id is None:
            return
        crisis = await self.deps.crises.get(intake.crisis_id)
        if crisis is not None and crisis.status is not Status.CLOSED and crisis.channel_id:
            await self.deps.tell("alert_change", crisis, change=change)
