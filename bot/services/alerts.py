"""Alerts from machines: stored first, then a crisis opened, fed, or a person asked to decide."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.domain.alerts import Alert
from bot.domain.crisis import Crisis, Status
from bot.domain.errors import CrisisError, UnknownCrisis
from bot.domain.intake import Intake, Route, crisis_from, opens_crisis, tier
from bot.domain.notices import Audience, Notice
from bot.domain.timeline import Kind
from bot.ports import SlackCallFailed
from bot.services.crises import CrisisService
from bot.services.deps import Deps

log = logging.getLogger(__name__)

OPENED, DISMISSED = "opened", "dismissed"


class AlreadyDecided(CrisisError):
    key = "alerts.error.already_decided"


class AlertService:
    def __init__(self, deps: Deps, crises: CrisisService):
        self.deps = deps
        self.plan = deps.plan
        self.crises = crises

    async def ingest(self, alert: Alert) -> Intake:
        """Store the alert and decide what it means, in the database only: the sender's answer waits on this."""
        now = self.deps.clock.now()
        alert_tier = tier(alert, self.plan)
        return await self.deps.alerts.ingest(alert, alert_tier, opens_crisis(alert, alert_tier, self.plan),
                                             crisis_from(alert, alert_tier, self.plan, now), now,
                                             self.crises.opening.new_lease())

    async def follow_up(self, intake: Intake) -> None:
        """The Slack side of an alert, after the sender has its answer."""
        if intake.route is Route.OPENED and intake.crisis_id is not None:
            crisis = await self.deps.crises.get(intake.crisis_id)
            if crisis is not None:
                await self._start(crisis)
        elif intake.route is Route.ATTACHED and intake.crisis_id is not None:
            await self.digest(intake.crisis_id)
        elif intake.route is Route.TRIAGED and intake.new_triage and intake.triage_id is not None:
            await self.post_triage(intake.triage_id)

    async def _start(self, crisis: Crisis) -> None:
        assert crisis.id is not None
        if await self.deps.dossier.timeline(crisis.id):
            crisis = await self.crises.opening.run(crisis)  # started before: resume the Slack steps only
        else:
            crisis = await self.crises.start(crisis)
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

    async def post_triage(self, triage_id: int) -> None:
        triage = await self.deps.alerts.triage(triage_id)
        if triage is None or triage.ts is not None:
            return
        notice = Notice("triage", None, Audience.TRIAGE, {"triage": triage})
        channel = self.deps.slack.channel_of(notice)
        ts = await self.deps.slack.post(notice)
        if channel and ts:
            await self.deps.alerts.triage_posted(triage_id, channel, ts)

    async def decide(self, triage_id: int, decision: str, by: str) -> Crisis | None:
        """A person opens a crisis from a triaged alert, or dismisses it. The decision is recorded once."""
        triage = await self.deps.alerts.triage(triage_id)
        if triage is None:
            raise UnknownCrisis(ref=f"triage {triage_id}")
        now = self.deps.clock.now()
        crisis = None
        if decision == OPENED:
            alert = await self.deps.alerts.latest_alert_of_triage(triage_id)
            if alert is None:
                raise UnknownCrisis(ref=f"triage {triage_id}")
            if not await self.deps.alerts.decide(triage_id, OPENED, by, now):
                raise AlreadyDecided(by=triage.decided_by or "")
            template = crisis_from(alert, triage.severity, self.plan, now)
            template.lead, template.opened_by = by, by
            crisis = await self.deps.crises.add(template, self.crises.opening.new_lease())
            assert crisis.id is not None
            await self.deps.alerts.link(alert.source, alert.key, crisis.id)
            await self.deps.alerts.decide_crisis(triage_id, crisis.id)
        elif not await self.deps.alerts.decide(triage_id, DISMISSED, by, now):
            raise AlreadyDecided(by=triage.decided_by or "")
        decided = await self.deps.alerts.triage(triage_id)
        if decided and decided.channel and decided.ts:
            await self.deps.slack.replace(decided.channel, decided.ts,
                                          Notice("triage", None, Audience.TRIAGE, {"triage": decided}))
        if crisis is not None:
            await self._start(crisis)
        return crisis

    async def tick(self) -> int:
        """What an interval brings: due digests, and triage requests never posted."""
        done = 0
        now = self.deps.clock.now()
        for crisis_id in await self.deps.alerts.digest_due(now):
            done += await self._safely(self.digest(crisis_id), crisis_id)
        for triage in await self.deps.alerts.unposted_triage():
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
