"""What the services share: the stores, the Slack gateway, the plan and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.crisis import Crisis
from bot.domain.notices import Audience, Notice
from bot.domain.plan import Plan
from bot.domain.roles import holders
from bot.domain.timeline import Entry, Kind
from bot.ports import AlertStore, CrisisStore, DossierStore, EventStore, ReminderStore, SlackGateway
from bot.services.recorded import mark_recorded


@dataclass(frozen=True)
class Deps:
    crises: CrisisStore
    dossier: DossierStore
    reminders: ReminderStore
    slack: SlackGateway
    plan: Plan
    clock: Clock
    alerts: AlertStore
    events: EventStore
    language: str = "en"  # the installation's language (CRISISBOT_LANGUAGE): a crisis's when none is chosen
    languages: tuple[str, ...] = ("en",)  # those crisisbot speaks: a crisis may be opened in any of them

    async def log(self, crisis: Crisis, kind: Kind, author: str | None, ref: str | None = None, **data) -> bool:
        """Add a timeline entry now; False when an entry with the same ref exists."""
        assert crisis.id is not None
        added = await self.dossier.add_entry(crisis.id, Entry(kind, self.clock.now(), author, data, ref))
        mark_recorded()  # the action is on the timeline: a failure from here on loses nothing typed
        return added

    async def tell(self, kind: str, crisis: Crisis, audience: Audience = Audience.CHANNEL,
                   to: str | None = None, **data) -> str | None:
        """Post a notice; `to` is the person for Audience.DM."""
        return await self.slack.post(Notice(kind, crisis, audience, data, to))

    async def refresh_plan(self, crisis: Crisis) -> None:
        """The pinned plan shows the current role holders and the latest lessons."""
        if crisis.plan_ts is None or crisis.id is None:
            return
        lessons = await self.dossier.lessons(self.plan.name, self.plan.lessons_shown)
        current = holders(await self.dossier.roles(crisis.id))
        await self.slack.update_plan(crisis, self.plan, lessons, current)
