"""All the services, built together from one Deps."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.crises import CrisisService
from bot.services.deps import Deps
from bot.services.phases import PhaseService
from bot.services.reminders import ReminderService
from bot.services.sitrep import SitrepService
from bot.services.team import TeamService
from bot.services.timeline import TimelineService


@dataclass(frozen=True)
class Services:
    deps: Deps
    crises: CrisisService
    team: TeamService
    sitrep: SitrepService
    phases: PhaseService
    timeline: TimelineService
    reminders: ReminderService


def build_services(deps: Deps) -> Services:
    reminders = ReminderService(deps)
    return Services(
        deps=deps,
        crises=CrisisService(deps, reminders),
        team=TeamService(deps),
        sitrep=SitrepService(deps, reminders),
        phases=PhaseService(deps, reminders),
        timeline=TimelineService(deps),
        reminders=reminders,
    )
