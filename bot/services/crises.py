"""The crisis use cases: open, find, close, reopen."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from bot.domain.crisis import Crisis, NotClosed, OpenRequest, Status
from bot.domain.dossier import Dossier
from bot.domain.errors import AlreadyClosed, CrisisError, NotACrisisChannel, TooLong, UnknownLanguage
from bot.domain.lessons import split_learnings
from bot.domain.notices import Audience
from bot.domain.plan import Plan
from bot.domain.roles import user_id
from bot.domain.story import build_story
from bot.domain.timeline import Kind
from bot.domain.words import clean
from bot.ports import DossierStore, SlackCallFailed
from bot.services.deps import Deps
from bot.services.opening import OpeningRunner
from bot.services.authz import Admins
from bot.services.reminders import ReminderService


class UnknownSeverity(CrisisError):
    key = "error.unknown_severity"


class ChannelArchived(CrisisError):
    """Slack gives bots no way to unarchive a channel (conversations.unarchive needs a user token)."""

    key = "error.channel_archived"


class NotInChannel(CrisisError):
    key = "error.bot_not_in_channel"

log = logging.getLogger(__name__)
DOSSIER_LESSONS = 100  # a crisis's lessons the story tells, at most

RESUME_AT_ONCE = 8  # openings resumed side by side by one process


class CrisisService:
    def __init__(self, deps: Deps, reminders: ReminderService, authz: Admins, opening: OpeningRunner):
        self.deps = deps
        self.plan = deps.plan
        self.reminders = reminders
        self.authz = authz
        self.opening = opening

    def validate(self, request: OpenRequest) -> Crisis:
        """Check a request without side effects (raises CrisisError)."""
        if request.language is not None and request.language not in self.deps.languages:
            raise UnknownLanguage(language=request.language, languages=", ".join(self.deps.languages))
        return request.to_crisis(self.plan, self.deps.clock.now(), self.deps.language)

    async def open(self, request: OpenRequest) -> Crisis:
        """Record the crisis, then start it."""
        return await self.start(await self.record(request))

    async def record(self, request: OpenRequest, request_key: str | None = None) -> Crisis:
        """Record the crisis (and finish the Slack request that asked for it, if named), owned by this process
        until its lease runs out: what a person is told is opening is in the database first."""
        return await self.deps.crises.add(self.validate(request), self.opening.new_lease(), request_key)

    async def start(self, crisis: Crisis) -> Crisis:
        """Run a recorded crisis's opening steps: its first timeline entries, its lead, its reminders (the
        database's steps), then the Slack ones. Each is recorded as it lands, so a resume runs what is missing."""
        assert crisis.id is not None
        return await self.opening.run(crisis)

    async def may_close(self, crisis: Crisis, user: str) -> None:
        """Raise before a form is shown: closed already, or not the lead's or an admin's to close."""
        if crisis.is_closed:
            raise AlreadyClosed(title=crisis.title)
        await self.authz.check(crisis, user, "close")

    async def change_severity(self, crisis: Crisis, word: str, by: str) -> Crisis:
        crisis.require_open()
        level = self.plan.severity(word) if word else None
        if level is None:
            raise UnknownSeverity(level=word[:40], levels=", ".join(s.key for s in self.plan.severities))
        await self.authz.check(crisis, by, "severity")
        if level.key == crisis.severity:
            return crisis
        previous, crisis.severity = crisis.severity, level.key
        await self.deps.crises.set_severity(crisis)
        await self.deps.slack.set_topic(crisis.channel_id, crisis, self.plan)  # type: ignore[arg-type]
        await self.deps.refresh_plan(crisis)  # the pinned plan's header shows the severity too
        await self.deps.log(crisis, Kind.SEVERITY, by, severity=level.key, previous=previous)
        await self.deps.tell("severity_changed", crisis, by=by, previous=previous)
        await self.deps.tell("severity_changed", crisis, Audience.MANAGERS, by=by, previous=previous)
        return crisis

    async def resume_unfinished(self, deadline: float | None = None) -> list[Crisis]:
        """Finish the openings a crash or an outage interrupted; one process each, by lease.

        The crises go side by side (a few at a time), so one waiting on Slack doesn't hold back the others;
        none is started after the `deadline` (the event loop's time): the next tick goes on. Returns the crises
        that are open now. The person who asked is told the room is ready.
        """
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(RESUME_AT_ONCE)

        async def one(crisis: Crisis) -> Crisis | None:
            async with gate:
                if deadline is not None and loop.time() >= deadline:
                    return None
                if await self.opening.stuck(crisis):
                    return None  # Slack refused for good; the requester was told what to do
                was_ready = crisis.status is Status.OPEN  # told already; only a step beside the room was left
                try:
                    crisis = await self.start(crisis)  # every step not done yet, the database's included
                except CrisisError as exc:  # recorded on the step; the next tick tries again
                    log.warning("crisis %s: opening still unfinished: %s", crisis.id, exc)
                    return None
                if crisis.status is not Status.OPEN or was_ready:
                    return None
                if user_id(crisis.opened_by):
                    await self.deps.tell("resumed", crisis, Audience.DM, to=crisis.opened_by)
                return crisis

        unfinished = await self.deps.crises.unfinished(datetime.now(timezone.utc))
        results = await asyncio.gather(*(one(c) for c in unfinished))
        return [c for c in results if c is not None]

    status_reads = None  # storage/status.py: what `/crisis status` shows, in one query (set by bot/app.py)

    async def status(self, channel_id: str, user: str) -> tuple[Crisis | None, list, list[Crisis]]:
        """What `/crisis status` shows `user` in `channel_id`: (the crisis of this room, its latest sitrep
        version, if any, []) in a crisis room, else (None, [], the crises not closed that `user` may see).
        One query; Slack is asked only about a private crisis whose recorded team `user` is not in (its channel's
        members, which the gateway keeps for a few seconds), and when it cannot answer, that crisis is not shown."""
        if self.status_reads is None:  # a composition without the one-query read: the stores' own reads
            room = await self.deps.crises.by_channel(channel_id)
            if room is not None:
                assert room.id is not None
                return room, (await self.deps.dossier.sitreps(room.id))[-1:], []
            return None, [], [c for c in await self.active() if await self._sees(c, user, False)]
        room, sitrep, active = await self.status_reads.status(channel_id)
        if room is not None:
            return room, [sitrep] if sitrep is not None else [], []
        return None, [], [c for c, team in active if await self._sees(c, user, user in team)]

    async def _sees(self, crisis: Crisis, user: str, in_team: bool) -> bool:
        from bot.domain.privacy import may_see

        if not crisis.private or in_team or may_see(crisis, user, frozenset()):
            return True
        members: frozenset[str] = frozenset()
        if crisis.channel_id:
            try:
                members = await self.deps.slack.channel_members(crisis.channel_id)
            except SlackCallFailed as exc:
                log.warning("conversations.members for crisis %s failed (%s): its recorded team only",
                            crisis.id, exc.code)
        if self.status_reads is None and crisis.id is not None:  # the recorded team, read from its roles
            from bot.domain.roles import holders
            members |= frozenset(holders(await self.deps.dossier.roles(crisis.id)).values())
        return may_see(crisis, user, members)

    async def in_channel(self, channel_id: str) -> Crisis:
        crisis = await self.deps.crises.by_channel(channel_id)
        if crisis is None:
            raise NotACrisisChannel()
        return crisis

    async def active(self) -> list[Crisis]:
        return await self.deps.crises.active()

    async def dossier(self, crisis: Crisis) -> Dossier:
        return await load_dossier(self.deps.dossier, crisis, self.plan)

    def check_close(self, outcome: str, learnings: str) -> None:
        limit = self.plan.limits.note
        for what, text in (("outcome", str(outcome)), ("learnings", str(learnings))):
            if len(text) > limit:
                raise TooLong(what=what, limit=limit, length=len(text))

    async def close(self, channel_id: str, user: str, outcome: str = "", learnings: str = "") -> Crisis:
        """Close the crisis, keep its learnings against the plan, and tell its story."""
        outcome, learnings = clean(str(outcome)), clean(str(learnings))
        self.check_close(outcome, learnings)
        crisis = await self.in_channel(channel_id)
        await self.authz.check(crisis, user, "close")
        now = self.deps.clock.now()
        crisis.close(by=user, at=now, outcome=" ".join(outcome.split()) or None)
        if not await self.deps.crises.close(crisis):
            # Somebody else closed it between our read and our write.
            current = await self.deps.crises.get(crisis.id)  # type: ignore[arg-type]
            raise AlreadyClosed(title=crisis.title, closed_by=current.closed_by if current else None)
        assert crisis.id is not None
        lessons = split_learnings(learnings)
        if lessons:
            await self.deps.dossier.add_lessons(self.plan.name, crisis.id, lessons, user, now)
        await self.deps.log(crisis, Kind.CLOSED, user, outcome=crisis.outcome or "", lessons=len(lessons))
        await self.reminders.on_close(crisis)
        await self.deps.alerts.release(crisis.id)
        await self.show_state(crisis)
        # built and rendered once, told twice; in the crisis's language, as all its shared messages
        story = build_story(await self.dossier(crisis), self.plan.translated(crisis.language))
        await self.deps.tell("story", crisis, story=story)
        await self.deps.tell("story", crisis, Audience.MANAGERS, story=story)
        return crisis

    async def reopen(self, crisis: Crisis, user: str) -> Crisis:
        """A closed crisis active again (the lead's or an admin's call): topic, plan, reminders, timeline."""
        reopened = crisis.reopened()  # NotClosed unless it is closed
        await self.authz.check(crisis, user, "reopen")
        try:  # first, so an archived channel changes nothing
            await self.deps.slack.set_topic(reopened.channel_id, reopened, self.plan)  # type: ignore[arg-type]
        except SlackCallFailed as exc:
            if exc.code == "is_archived":
                raise ChannelArchived(channel=crisis.channel_id) from exc
            if exc.code == "not_in_channel":
                raise NotInChannel(channel=crisis.channel_id) from exc
            raise
        if not await self.deps.crises.reopen(reopened):
            raise NotClosed(title=crisis.title)  # somebody reopened it between our read and our write
        await self.deps.log(reopened, Kind.REOPENED, user)
        await self.reminders.on_reopen(reopened)
        await self.show_state(reopened, topic=False)
        await self.deps.tell("reopened", reopened, by=user)
        await self.deps.tell("reopened", reopened, Audience.MANAGERS, by=user)
        return reopened

    async def show_state(self, crisis: Crisis, topic: bool = True) -> None:
        """The topic and the pinned plan say whether the crisis is closed (and the plan's buttons come and go).

        Slack refusing leaves the crisis as recorded; it is logged.
        """
        try:
            if topic and crisis.channel_id:
                await self.deps.slack.set_topic(crisis.channel_id, crisis, self.plan)
            await self.deps.refresh_plan(crisis)
        except SlackCallFailed as exc:
            log.warning("crisis %s: Slack refused to show it %s (%s)", crisis.id, crisis.status.value, exc)


async def load_dossier(store: DossierStore, crisis: Crisis, plan: Plan) -> Dossier:
    """Everything known about one crisis: what the story, the export and the Home tab read."""
    assert crisis.id is not None
    return await store.dossier(crisis, plan.name, lessons=DOSSIER_LESSONS)  # in one query
