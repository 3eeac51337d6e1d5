"""All the services, built together from one Deps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.services.alerts import AlertService
from bot.services.authz import Admins
from bot.services.crises import CrisisService
from bot.services.deps import Deps
from bot.services.phases import PhaseService
from bot.services.reminders import ReminderService
from bot.services.sitrep import SitrepService
from bot.services.team import TeamService
from bot.services.opening import LEASE, OpeningRunner
from bot.services.timeline import TimelineService
from bot.services.updates import UpdateService


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

    async def tick(self) -> None:
        """The scheduler's job, every few seconds: unfinished openings, reminders due, alert digests.

        Each part keeps going past one crisis's Slack trouble, which is logged and tried again.
        """
        for crisis in await self.crises.resume_unfinished():
            await self.alerts.digest(crisis.id)  # type: ignore[arg-type]
        await self.reminders.tick()
        await self.alerts.tick()
        await self.deps.events.forget_before(self.deps.clock.now() - EVENT_MEMORY)


def build_services(deps: Deps, admins: frozenset[str] = frozenset(), lease: timedelta = LEASE) -> Services:
    reminders = ReminderService(deps)
    authz = Admins(deps, admins)
    crises = CrisisService(deps, reminders, authz, OpeningRunner(deps, lease))
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
    )
