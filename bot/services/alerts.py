"""Alerts from machines: stored first, then a crisis opened, fed, or a person asked to decide."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.domain.alerts import Alert
from bot.domain.digest import Triage
from bot.domain.crisis import Crisis, Status
from bot.domain.errors import CrisisError, UnknownCrisis
from bot.domain.intake import Intake, Route, crisis_from, opens_crisis, tier
from bot.domain.notices import Audience, Notice
from bot.domain.timeline import Kind
from bot.ports import SlackCallFailed
from bot.services import failpoints
from bot.services.crises import CrisisService
from bot.services.deps import Deps

log = logging.getLogger(__name__)

OPENED, DISMISSED = "opened", "dismissed"
RESOLVED, ACKNOWLEDGED = "resolved", "acknowledged"


@dataclass(frozen=True)
class Decision:
    """What a triage click did: opened a crisis, linked the triage to the key's open one, or needs a confirmation
    (the alert resolved before anyone opened it)."""

    crisis: Crisis | None = None
    linked: bool = False
    needs_confirmation: bool = False


class AlreadyDecided(CrisisError):
    key = "alerts.error.already_decided"


class AlertService:
    def __init__(self, deps: Deps, crises: CrisisService):
        self.deps = deps
        self.plan = deps.plan
        self.crises = crises
        self._digesting: set[int] = set()  # crises with a digest under way in this process
        self._told: set[str] = set()  # state-change lines already told in this process (this interval's)

    async def ingest(self, alert: Alert) -> Intake:
        """Store the alert and decide what it means, in the database only: the sender's answer waits on this."""
        now = self.deps.clock.now()
        alert_tier = tier(alert, self.plan)
        if alert.acknowledged:  # a state change of the key, never an alert of its own, never a triage request
            return replace(await self.deps.alerts.record_acknowledged(alert, alert_tier, now), change=ACKNOWLEDGED)
        intake = await self.deps.alerts.ingest(alert, alert_tier, opens_crisis(alert, alert_tier, self.plan),
                                               crisis_from(alert, alert_tier, self.plan, now, self.deps.language), now,
                                               self.crises.opening.new_lease())
        # a resolve of a key in triage with nothing open joins that triage in the same transaction
        return intake if alert.is_firing else replace(intake, change=RESOLVED)

    async def follow_up(self, intake: Intake) -> None:
        """The Slack side of an alert, after the sender has its answer. A duplicate on an open crisis costs
        nothing here unless its digest is due (the store says so, at most once per batch): the tick finds
        the rest through the crisis's digest time."""
        if intake.change and intake.route is Route.ATTACHED and intake.crisis_id is not None:
            await self.tell_change(intake.crisis_id, intake.change)  # at once, not on the next digest minute
            if intake.change == ACKNOWLEDGED:
                return
        elif intake.change == RESOLVED and intake.triage_id is not None:
            await self.refresh_triage(intake.triage_id)
            return
        if intake.route is Route.OPENED and intake.crisis_id is not None:
            crisis = await self.deps.crises.get(intake.crisis_id)
            if crisis is not None:
                await self._start(crisis)
        elif intake.route is Route.ATTACHED and intake.crisis_id is not None:
            if intake.digest and intake.crisis_id not in self._digesting:  # one at a time per crisis here
                self._digesting.add(intake.crisis_id)
                try:
                    await self.digest(intake.crisis_id)
                finally:
                    self._digesting.discard(intake.crisis_id)
        elif intake.route is Route.TRIAGED and intake.new_triage and intake.triage_id is not None:
            await self.post_triage(intake.triage_id)

    async def _start(self, crisis: Crisis) -> None:
        assert crisis.id is not None
        crisis = await self.crises.start(crisis)  # the steps not done yet, database and Slack alike
        await self.digest(crisis.id)  # duplicates that arrived while the channel was being made

    async def digest(self, crisis_id: int) -> bool:
        """Tell a crisis's channel about its new alerts, at most once per interval; True if posted."""
        crisis = await self.deps.crises.get(crisis_id)
        if crisis is None or crisis.status is not Status.OPEN:
            return False  # still opening (told once it is open) or closed
        now = self.deps.clock.now()
        digest = await self.deps.alerts.claim_digest(crisis_id, now, timedelta(seconds=self.plan.alerts.digest_seconds))
        if digest is None:
            return False
        total = await self.deps.alerts.count(crisis_id)
        await self.deps.log(crisis, Kind.ALERT, None, count=digest.alerts, resolved=digest.resolved, total=total,
                            title=digest.titles[0] if digest.titles else "", digest=True)
        await self.deps.tell("alert_digest", crisis, digest=digest, total=total, now=now)
        return True

    async def tell_change(self, crisis_id: int, change: str) -> bool:
        """A resolve or an acknowledgement, told in the crisis channel within seconds: one line per kind of change
        per digest interval (a flapping sender doesn't flood the room; the digest keeps the exact count)."""
        now = self.deps.clock.now()
        bucket = int(now.timestamp() // max(1, self.plan.alerts.digest_seconds))
        event = f"alert-{change}:{crisis_id}:{bucket}"
        if event in self._told:  # told already by this process: no database work for a flapping sender
            return False
        crisis = await self.deps.crises.get(crisis_id)
        if crisis is None or crisis.status is not Status.OPEN:
            return False  # still opening (the digest tells it) or closed
        if len(self._told) > 10_000:
            self._told.clear()
        self._told.add(event)
        if not await self.deps.events.first_time(event, now):
            return False
        minutes = max(0, int((now - crisis.opened_at).total_seconds() // 60))
        await self.deps.tell(f"alert_{change}", crisis, at=now, minutes=minutes)
        return True

    async def _triage_notice(self, triage: Triage, **data) -> Notice:
        latest = await self.deps.alerts.latest_alert_of_triage(triage.id)
        resolved = latest is not None and not latest.is_firing
        return Notice("triage", None, Audience.TRIAGE, {"triage": triage, "resolved": resolved, **data})

    async def refresh_triage(self, triage_id: int, **data) -> None:
        """Show a triage message as it stands now (resolved, decided, linked)."""
        triage = await self.deps.alerts.triage(triage_id)
        if triage and triage.channel and triage.ts:
            await self.deps.slack.replace(triage.channel, triage.ts, await self._triage_notice(triage, **data))

    async def post_triage(self, triage_id: int) -> None:
        """Post a triage request once: claimed with a token first, the token carried in the message, the `ts`
        recorded after. A process killed between the post and the record leaves a claim that runs out; whoever
        claims it next finds the message by its token instead of posting a second one."""
        triage = await self.deps.alerts.triage(triage_id)
        if triage is None or triage.ts is not None:
            return
        claim = await self.deps.alerts.claim_triage(triage_id)
        if claim is None:
            return  # another process is posting it, or has
        token, resumed = claim
        notice = await self._triage_notice(triage)
        channel = self.deps.slack.channel_of(notice)
        failpoints.reached("claimed:triage")
        try:
            ts = await self.deps.slack.find_claimed(notice, token) if resumed else None
            ts = ts or await self.deps.slack.post(notice, claim=token)
            failpoints.reached("posted:triage")
        except BaseException:
            await asyncio.shield(self.deps.alerts.release_triage(triage_id, token))  # the next tick looks for it
            raise
        if channel and ts:
            await self.deps.alerts.triage_posted(triage_id, channel, ts)

    async def decide(self, triage_id: int, decision: str, by: str, confirmed: bool = False) -> Decision:
        """A person opens a crisis from a triaged alert, or dismisses it. The decision is recorded once.

        A key that already has an open crisis is linked to it, never given a second one; a key whose crisis
        closed opens a new crisis linked to the earlier one, as an alert would; an alert that resolved before
        anyone opened it asks for a confirmation first."""
        triage = await self.deps.alerts.triage(triage_id)
        if triage is None:
            raise UnknownCrisis(ref=f"triage {triage_id}")
        now = self.deps.clock.now()
        crisis = None
        if decision == OPENED:
            alert = await self.deps.alerts.latest_alert_of_triage(triage_id)
            if alert is None:
                raise UnknownCrisis(ref=f"triage {triage_id}")
            if not triage.is_pending:
                raise AlreadyDecided(by=triage.decided_by or "")
            existing_id = await self.deps.alerts.open_crisis_of(triage.source, triage.key)
            existing = await self.deps.crises.get(existing_id) if existing_id is not None else None
            if existing is not None:
                return await self._link(triage, existing, by, now)
            if not alert.is_firing and not confirmed:
                return Decision(needs_confirmation=True)
            if not await self.deps.alerts.decide(triage_id, OPENED, by, now):
                raise AlreadyDecided(by=triage.decided_by or "")
            template = crisis_from(alert, triage.severity, self.plan, now, self.deps.language)
            template.lead, template.opened_by = by, by
            template.previous_crisis_id = await self.deps.alerts.closed_crisis_of(triage.source, triage.key)
            crisis = await self.deps.crises.add(template, self.crises.opening.new_lease())
            assert crisis.id is not None
            await self.deps.alerts.link(alert.source, alert.key, crisis.id)
            await self.deps.alerts.decide_crisis(triage_id, crisis.id)
        elif not await self.deps.alerts.decide(triage_id, DISMISSED, by, now):
            raise AlreadyDecided(by=triage.decided_by or "")
        await self.refresh_triage(triage_id)
        if crisis is not None:
            await self._start(crisis)
        return Decision(crisis)

    async def _link(self, triage: Triage, crisis: Crisis, by: str, now) -> Decision:
        """A stale triage click on a key that already has its crisis: the triage joins it."""
        assert crisis.id is not None
        if not await self.deps.alerts.decide(triage.id, OPENED, by, now):
            raise AlreadyDecided(by=triage.decided_by or "")
        await self.deps.alerts.decide_crisis(triage.id, crisis.id)
        await self.refresh_triage(triage.id, channel=crisis.channel_id, linked=True)
        return Decision(crisis, linked=True)

    async def tick(self, deadline: float | None = None) -> int:
        """What an interval brings: due digests, and triage requests never posted; none begun after the
        `deadline` (the loop's time), left for the next tick."""
        loop = asyncio.get_running_loop()
        done = 0
        now = self.deps.clock.now()
        for crisis_id in await self.deps.alerts.digest_due(now):
            if deadline is not None and loop.time() >= deadline:
                return done
            done += await self._safely(self.digest(crisis_id), crisis_id)
        for triage in await self.deps.alerts.unposted_triage():
            if deadline is not None and loop.time() >= deadline:
                return done
            done += await self._safely(self.post_triage(triage.id), None)
        return done

    async def _safely(self, work, crisis_id: int | None) -> int:
        """One crisis's Slack trouble must not hold back the others; it is logged and retried next tick."""
        try:
            result = await work
        except (SlackCallFailed, CrisisError) as exc:
            log.warning("crisis %s: alert follow-up failed (%s); retried next tick", crisis_id, exc)
            return 0
        return int(bool(result)) if result is not None else 1
