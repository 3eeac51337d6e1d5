"""Durable reminders and the golden-hour escalation.

The reminders live in the database (`ReminderStore`); the crisis use cases keep them in step
(`on_open`, `on_sitrep`, `on_milestone`, `on_close`, `on_reopen`) and the scheduler's job calls
`tick`, which fires what is due. The store's claim makes each due reminder fire in one process only:
that is also what archives a closed crisis's channel once, after its notice (the plan's
`archive_after_close`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.crisis import Crisis
from bot.domain.errors import AlreadyClosed, CrisisError, UnknownCrisis
from bot.domain.milestones import Milestone, first
from bot.domain.notices import Audience, Notice
from bot.domain.opening import PERMANENT
from bot.domain.reminders import (AFTER_CLOSE, WHILE_ACTIVE, Reminder, ReminderKind, at_close, at_open, at_reopen,
                                  interval)
from bot.domain.sitrep import Sitrep
from bot.domain.timeline import Kind
from bot.ports import SlackCallFailed
from bot.services import failpoints
from bot.services.deps import Deps

log = logging.getLogger(__name__)

RESPONSE = "response"  # the phase whose milestone ends the golden hour

# Notice kinds, rendered by handlers/blocks/reminders.py.
NOTICE_SITREP_MISSING = "reminder_sitrep_missing"
NOTICE_SITREP_REFRESH = "reminder_sitrep_refresh"
NOTICE_GOLDEN_HOUR = "golden_hour"
NOTICE_GOLDEN_HOUR_MANAGERS = "golden_hour_managers"
NOTICE_ARCHIVE = "archive_notice"  # rendered by handlers/blocks/lifecycle.py

ARCHIVE_RETRY = timedelta(minutes=5)  # Slack failed to archive for a passing reason: try again then
# Answers to conversations.archive that trying again won't change.
ARCHIVE_REFUSED = PERMANENT | {"not_in_channel", "channel_not_found", "cant_archive_general", "cant_archive_required",
                               "method_not_supported_for_channel_type"}

# The most urgent first within one tick.
_ORDER = {ReminderKind.GOLDEN_HOUR: 0, ReminderKind.SITREP_MISSING: 1, ReminderKind.SITREP_REFRESH: 2,
          ReminderKind.ARCHIVE_NOTICE: 3, ReminderKind.ARCHIVE: 4}


@dataclass(frozen=True)
class Claim:
    """This process's claim on a due reminder: the token its message carries; resumed = a claim that ran out
    before (the message may be out already)."""

    token: str
    resumed: bool = False


class BadSnooze(CrisisError):
    key = "reminders.error.bad_snooze"


class ReminderService:
    def __init__(self, deps: Deps):
        self.deps = deps
        self.plan = deps.plan
        self.failures = 0  # reminders Slack refused since start-up (each one logged)

    # keeping the reminders in step with the crisis ---------------------------------------
    async def on_open(self, crisis: Crisis) -> None:
        """The reminders of a new crisis, once: an opening resumed after a crash finds them there (and a
        reminder that fired meanwhile is not wound back)."""
        assert crisis.id is not None
        if await self.deps.reminders.pending(crisis.id):
            return
        reminders = at_open(crisis.id, crisis.opened_at, self.plan)
        if not self.plan.required_fields:
            reminders = [r for r in reminders if r.kind is not ReminderKind.SITREP_MISSING]
        await self.deps.reminders.schedule(reminders)

    async def on_sitrep(self, crisis: Crisis, sitrep: Sitrep) -> None:
        """The report changed: stop asking for what is there, and restart the refresh period."""
        if crisis.is_closed:
            return
        assert crisis.id is not None
        now = self.deps.clock.now()
        if not sitrep.missing(self.plan):
            await self.deps.reminders.cancel(crisis.id, [ReminderKind.SITREP_MISSING])
        elif not any(r.kind is ReminderKind.SITREP_MISSING for r in await self.deps.reminders.pending(crisis.id)):
            await self.deps.reminders.schedule([self._after(crisis.id, ReminderKind.SITREP_MISSING, now)])
        await self.deps.reminders.schedule([self._after(crisis.id, ReminderKind.SITREP_REFRESH, now)])

    async def on_update(self, crisis: Crisis) -> None:
        """A stakeholder update went out: the next "fresh report" request is a full period away."""
        if crisis.is_closed:
            return
        assert crisis.id is not None
        now = self.deps.clock.now()
        await self.deps.reminders.schedule([self._after(crisis.id, ReminderKind.SITREP_REFRESH, now)])

    async def on_milestone(self, crisis: Crisis, milestone: Milestone) -> None:
        if milestone.phase == RESPONSE:
            assert crisis.id is not None
            await self.deps.reminders.cancel(crisis.id, [ReminderKind.GOLDEN_HOUR])

    async def on_close(self, crisis: Crisis) -> None:
        """No more reminders; the channel's archive (and its notice), when the plan asks for one."""
        assert crisis.id is not None and crisis.closed_at is not None
        await self.deps.reminders.cancel(crisis.id)
        await self.deps.reminders.schedule(at_close(crisis.id, crisis.closed_at, self.plan))

    async def on_reopen(self, crisis: Crisis) -> None:
        """The pending archive is off; the reminders of an active crisis start again from now."""
        assert crisis.id is not None
        await self.deps.reminders.cancel(crisis.id)
        now = self.deps.clock.now()
        reminders = at_reopen(crisis.id, crisis.opened_at, now, self.plan)
        if not Sitrep(await self.deps.dossier.sitreps(crisis.id)).missing(self.plan):
            reminders = [r for r in reminders if r.kind is not ReminderKind.SITREP_MISSING]
        if first(await self.deps.dossier.milestones(crisis.id), RESPONSE) is not None:
            reminders = [r for r in reminders if r.kind is not ReminderKind.GOLDEN_HOUR]
        await self.deps.reminders.schedule(reminders)

    # snoozing ------------------------------------------------------------------------------
    async def crisis(self, crisis_id: int) -> Crisis:
        """The crisis a reminder button names."""
        crisis = await self.deps.crises.get(crisis_id)
        if crisis is None:
            raise UnknownCrisis(ref=str(crisis_id))
        return crisis

    async def snooze(self, crisis: Crisis, kind: ReminderKind | str, minutes: int, by: str) -> datetime | None:
        """Postpone a reminder by one of the plan's snooze choices.

        Returns when it comes back, or None when that reminder is no longer pending
        (the report was completed meanwhile, say).
        """
        choices = self.plan.reminders.snooze_minutes
        try:
            kind = ReminderKind(kind)
        except ValueError:
            kind = None
        if kind is None or interval(kind, self.plan) is None or minutes not in choices:
            raise BadSnooze(choices=", ".join(str(m) for m in choices))
        if crisis.is_closed:
            raise AlreadyClosed(title=crisis.title, closed_by=crisis.closed_by)
        assert crisis.id is not None
        until = self.deps.clock.now() + timedelta(minutes=minutes)
        if not await self.deps.reminders.snooze(crisis.id, kind, until):
            return None
        log.info("crisis %s: %s snoozed %s for %s min", crisis.id, by, kind.value, minutes)
        return until

    # firing --------------------------------------------------------------------------------
    async def tick(self, deadline: float | None = None) -> int:
        """Fire every reminder that is due; returns how many were posted.

        Each is claimed with a token, posted with the token in the message, then marked done: a process killed
        between the post and the mark leaves a claim that runs out, and whoever takes it next finds the message
        by its token instead of posting it again. None is begun after the `deadline` (the loop's time); those
        claimed and not begun are given back for the next tick.
        """
        loop = asyncio.get_running_loop()
        now = self.deps.clock.now()
        due = await self.deps.reminders.claim_due(now, self.plan)
        fired = 0
        for reminder, token, resumed in sorted(due, key=lambda c: (_ORDER[c[0].kind], c[0].due_at, c[0].crisis_id)):
            if deadline is not None and loop.time() >= deadline:
                await self.deps.reminders.release(reminder, token, unsent=not resumed)
                continue
            try:
                fired += await self._fire(reminder, Claim(token, resumed))
            except SlackCallFailed as exc:
                # One refused post must not hold back the other crises' reminders.
                self.failures += 1
                log.warning("crisis %s: Slack refused the %s reminder (%s)", reminder.crisis_id,
                            reminder.kind.value, exc)
                if exc.code not in ARCHIVE_REFUSED:  # a passing failure: the next tick tries again, once
                    await self.deps.reminders.release(reminder, token)
                    continue
            except BaseException:
                await asyncio.shield(self.deps.reminders.release(reminder, token))  # cut short: whoever is next checks
                raise
            await self.deps.reminders.done(reminder, token, now, self.plan)
        return fired

    async def _tell(self, kind: str, crisis: Crisis, claim: Claim, audience: Audience = Audience.CHANNEL,
                    **data) -> str | None:
        """Post a reminder's message with its claim's token; a resumed claim first looks for it in the channel."""
        notice = Notice(kind, crisis, audience, data)
        failpoints.reached("claimed:reminder")
        if claim.resumed:
            ts = await self.deps.slack.find_claimed(notice, claim.token)
            if ts is not None:
                log.info("crisis %s: the %s message went out before a crash; not posted again", crisis.id, kind)
                return ts
        ts = await self.deps.slack.post(notice, claim=claim.token)
        failpoints.reached("posted:reminder")
        return ts

    async def _fire(self, reminder: Reminder, claim: Claim) -> int:
        crisis = await self.deps.crises.get(reminder.crisis_id)
        if crisis is None:
            return 0
        if reminder.kind in AFTER_CLOSE:
            if not crisis.is_closed or crisis.archived_at is not None:
                return 0  # reopened meanwhile, or archived already
            if reminder.kind is ReminderKind.ARCHIVE_NOTICE:
                return await self._archive_notice(crisis, claim)
            return await self._archive(crisis)
        if crisis.is_closed:
            await self.deps.reminders.cancel(reminder.crisis_id, list(WHILE_ACTIVE))
            return 0
        if reminder.kind is ReminderKind.GOLDEN_HOUR:
            return await self._golden_hour(crisis, claim)
        missing = Sitrep(await self.deps.dossier.sitreps(reminder.crisis_id)).missing(self.plan)
        if reminder.kind is ReminderKind.SITREP_MISSING:
            if not missing:
                await self.deps.reminders.cancel(reminder.crisis_id, [ReminderKind.SITREP_MISSING])
                return 0
            ts = await self._tell(NOTICE_SITREP_MISSING, crisis, claim, missing=[f.key for f in missing])
            return int(ts is not None)
        if missing:
            # While required fields are missing, the 15-minute reminder already asks for the
            # report; a second "fresh report" message would only be noise. Decided from the
            # report itself, so it holds whichever process claims which reminder.
            return 0
        ts = await self._tell(NOTICE_SITREP_REFRESH, crisis, claim, minutes=self.plan.reminders.sitrep_refresh_minutes)
        return int(ts is not None)

    async def _golden_hour(self, crisis: Crisis, claim: Claim) -> int:
        assert crisis.id is not None
        if first(await self.deps.dossier.milestones(crisis.id), RESPONSE) is not None:
            return 0
        minutes = self.plan.first_response_minutes
        await self.deps.log(crisis, Kind.ESCALATION, None, ref=f"claim:{claim.token}",
                            reason=ReminderKind.GOLDEN_HOUR.value, minutes=minutes)
        told = 0
        passing: SlackCallFailed | None = None
        # The lead's ping and the managers' line are independent: one refused leaves the other.
        for kind, audience in ((NOTICE_GOLDEN_HOUR, Audience.CHANNEL),
                               (NOTICE_GOLDEN_HOUR_MANAGERS, Audience.MANAGERS)):
            try:
                if await self._tell(kind, crisis, claim, audience, minutes=minutes) is not None:
                    told = 1
            except SlackCallFailed as exc:
                self.failures += 1
                log.warning("crisis %s: Slack refused the golden-hour %s message (%s)", crisis.id, audience.value, exc)
                if exc.code not in ARCHIVE_REFUSED:
                    passing = exc
        if passing is not None:
            raise passing  # tried again next tick; the message that went out is found by its token
        return told

    async def _archive_notice(self, crisis: Crisis, claim: Claim) -> int:
        assert crisis.id is not None
        archive = next((r for r in await self.deps.reminders.pending(crisis.id) if r.kind is ReminderKind.ARCHIVE),
                       None)
        if archive is None:
            return 0
        return int(await self._tell(NOTICE_ARCHIVE, crisis, claim, at=archive.due_at) is not None)

    async def _archive(self, crisis: Crisis) -> int:
        """Archive the channel: once, by whichever process claimed the reminder; the timeline notes it."""
        assert crisis.id is not None and crisis.channel_id is not None
        try:
            await self.deps.slack.archive(crisis.channel_id)  # "already archived" counts as done
        except SlackCallFailed as exc:
            if exc.code not in ARCHIVE_REFUSED:  # an outage: the claim removed the reminder, so put it back
                await self.deps.reminders.schedule(
                    [Reminder(crisis.id, ReminderKind.ARCHIVE, self.deps.clock.now() + ARCHIVE_RETRY)])
            raise
        crisis.archived_at = self.deps.clock.now()
        if await self.deps.crises.mark_archived(crisis):
            await self.deps.log(crisis, Kind.ARCHIVED, None)
        return 1

    def _after(self, crisis_id: int, kind: ReminderKind, now: datetime) -> Reminder:
        step = interval(kind, self.plan)
        assert step is not None
        return Reminder(crisis_id, kind, now + step)
