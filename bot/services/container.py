"""All the services, built together from one Deps."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Awaitable, Coroutine

from bot.services.alerts import AlertService
from bot.services.authz import Admins
from bot.services.crises import CrisisService
from bot.services.deps import Deps
from bot.services.phases import PhaseService
from bot.services.privacy import Privacy
from bot.services.reminders import ReminderService
from bot.services.sitrep import SitrepService
from bot.services.team import TeamService
from bot.services.opening import LEASE, OpeningRunner
from bot.services.timeline import TimelineService
from bot.services.updates import UpdateService


log = logging.getLogger(__name__)

EVENT_MEMORY = timedelta(days=2)  # Slack retries an event within minutes


@dataclass(frozen=True)
class Services:
    deps: Deps
    crises: CrisisService
    team: TeamService
    sitrep: SitrepService
    phases: PhaseService
    timeline: TimelineService
    reminders: ReminderService
    alerts: AlertService
    updates: UpdateService
    privacy: Privacy

    background: "Background" = field(default_factory=lambda: Background())

    async def tick(self, budget: float | None = None) -> None:
        """The scheduler's job, every few seconds: reminders due, alert digests and triage, unfinished openings.

        Resuming openings runs in its own task, beside the rest: an opening waiting on Slack's rate limits never
        holds back a reminder or a digest, and a resume still under way is not started twice. With a `budget`
        (the scheduler's interval), no part keeps the tick longer: what is left is picked up by the next tick
        (a claimed reminder whose post was cut short is found by its claim; an opening by its recorded steps).
        Without one (tests, by hand), the tick waits for all of it. Each part keeps going past one crisis's
        Slack trouble, which is logged and tried again.
        """
        loop = asyncio.get_running_loop()
        deadline = None if budget is None else loop.time() + budget
        resuming = self.background.resume(self._resume(deadline))
        await asyncio.gather(self._bounded(self.reminders.tick(deadline), deadline, "reminders"),
                             self._bounded(self.alerts.tick(deadline), deadline, "alert digests and triage"))
        await asyncio.wait([resuming], timeout=None if deadline is None else max(0.0, deadline - loop.time()))
        await self.deps.events.forget_before(self.deps.clock.now() - EVENT_MEMORY)

    async def _resume(self, deadline: float | None) -> None:
        for crisis in await self.crises.resume_unfinished(deadline):
            await self.alerts.digest(crisis.id)  # type: ignore[arg-type]

    @staticmethod
    async def _bounded(work: Awaitable, deadline: float | None, what: str) -> None:
        """A part of the tick, cut off at the deadline (its own check stops it sooner, between posts)."""
        if deadline is None:
            await work
            return
        try:
            await asyncio.wait_for(work, max(0.01, deadline - asyncio.get_running_loop().time()))
        except asyncio.TimeoutError:
            log.warning("tick: %s cut short at the end of the interval; the next tick goes on", what)


class Background:
    """The resume task of a process: one at a time, kept alive across ticks until it ends."""

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None

    def resume(self, work: Coroutine) -> asyncio.Task:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(work)
            self.task.add_done_callback(_log_failure)
        else:
            work.close()  # the previous resume is still at it
        return self.task

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("resuming openings failed; the next tick tries again", exc_info=task.exception())


def build_services(deps: Deps, admins: frozenset[str] = frozenset(), lease: timedelta = LEASE) -> Services:
    reminders = ReminderService(deps)
    authz = Admins(deps, admins)
    crises = CrisisService(deps, reminders, authz, OpeningRunner(deps, lease, reminders))
    return Services(
        deps=deps,
        crises=crises,
        team=TeamService(deps, authz),
        sitrep=SitrepService(deps, reminders),
        phases=PhaseService(deps, reminders),
        timeline=TimelineService(deps),
        reminders=reminders,
        alerts=AlertService(deps, crises),
        updates=UpdateService(deps, reminders),
        privacy=Privacy(deps, authz),
    )
