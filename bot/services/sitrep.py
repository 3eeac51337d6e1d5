"""The situation report: set fields, keep every version, tell the channel."""

from __future__ import annotations

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError
from bot.domain.sitrep import Sitrep, SitrepVersion, parse_assignment
from bot.domain.timeline import Kind
from bot.services.deps import Deps
from bot.services.recorded import mark_recorded
from bot.services.reminders import ReminderService

MAX_VERSION_RACES = 50


class SitrepBusy(CrisisError):
    """The report kept changing under this save: nothing of it was stored."""

    key = "commands.error.sitrep_busy"


class SitrepService:
    def __init__(self, deps: Deps, reminders: ReminderService):
        self.deps = deps
        self.plan = deps.plan
        self.reminders = reminders

    async def current(self, crisis: Crisis) -> Sitrep:
        assert crisis.id is not None
        return Sitrep(await self.deps.dossier.sitreps(crisis.id))

    def parse(self, text: str) -> dict[str, str]:
        key, value = parse_assignment(text, self.plan)
        return {key: value}

    async def check(self, crisis: Crisis, changes: dict[str, str], by: str) -> None:
        """Raise what `update` would refuse (closed, unknown field, bad choice, too long, nothing new), storing nothing."""
        crisis.require_open()
        (await self.current(crisis)).change(self.plan, changes, by, self.deps.clock.now())

    async def update(self, crisis: Crisis, changes: dict[str, str], by: str) -> SitrepVersion:
        """A new version with the changes; raises CrisisClosed, NothingChanged, UnknownField, BadChoice, TooLong."""
        crisis.require_open()
        assert crisis.id is not None
        # Optimistic: build on the newest version; if someone saved meanwhile (that version number is
        # taken), build again on theirs. Each round one writer gets in, so each one does within as many
        # rounds as people are saving at once; the changes merge, and on one field the later save wins.
        for _ in range(MAX_VERSION_RACES):
            sitrep = await self.current(crisis)
            version = sitrep.change(self.plan, changes, by, self.deps.clock.now())
            if await self.deps.dossier.add_sitrep(crisis.id, version):
                break
        else:  # pragma: no cover - only when more people than MAX_VERSION_RACES save at the same instant
            raise SitrepBusy()
        mark_recorded()
        await self.deps.log(crisis, Kind.SITREP, by, version=version.version, changed=list(version.changed))
        await self.deps.tell("sitrep_updated", crisis, version=version, missing=[f.key for f in sitrep.missing(self.plan)])
        await self.reminders.on_sitrep(crisis, sitrep)
        return version
