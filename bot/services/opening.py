"""Runs the opening steps of a crisis, recording each outcome as it lands."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable, Coroutine

from bot.domain.crisis import Crisis, Status
from bot.domain.errors import SlackStepDelayed, SlackStepFailed
from bot.domain.intake import sitrep_prefill
from bot.domain.naming import channel_names
from bot.domain.notices import Audience
from bot.domain.opening import (BESIDE, StepState, StepStatus, blocked, finished, permanent, ready, retryable,
                                room_ready)
from bot.domain.roles import Assignment, user_id
from bot.domain.sitrep import Sitrep
from bot.domain.timeline import Entry, Kind
from bot.ports import ChannelNameTaken, SlackCallFailed
from bot.services import failpoints
from bot.services.deps import Deps
from bot.services.recorded import mark_recorded
from bot.services.reminders import ReminderService

log = logging.getLogger(__name__)

MAX_NAME_ATTEMPTS = 50
LEASE = timedelta(seconds=30)  # renewed while the steps run; a crashed process's lease runs out


class OpeningRunner:
    def __init__(self, deps: Deps, lease_time: timedelta = LEASE, reminders: ReminderService | None = None):
        self.deps = deps
        self.reminders = reminders or ReminderService(deps)
        self.slack = deps.slack
        self.plan = deps.plan
        self.owner = uuid.uuid4().hex  # this process, as a lease holder
        self.lease_time = lease_time
        self.running: set[int] = set()  # crises this process is opening now (the lease is per process)
        # Where an opening's steps run: a task the app's shutdown waits for (bot/app.py sets the app's InFlight
        # spawn); the steps beside the room go on in it after the opener was told the room is ready.
        self.spawn: Callable[[Coroutine], asyncio.Task] = self._spawn
        self._tasks: set[asyncio.Task] = set()
        self._fresh: set[int] = set()  # crises whose channel this process has just created: nothing posted in it
        self._lessons: dict[int, asyncio.Task] = {}  # the plan's lessons, read while the channel is made

    def _spawn(self, coro: Coroutine) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def new_lease(self) -> tuple[str, datetime]:
        """The lease a crisis is recorded with, so no tick resumes it while this process opens it."""
        return self.owner, datetime.now(timezone.utc) + self.lease_time

    async def lease(self, crisis: Crisis) -> bool:
        # Wall time, not the crisis clock: a lease is about processes being alive.
        now = datetime.now(timezone.utc)
        return await self.deps.crises.take_lease(crisis, self.owner, now, now + self.lease_time)

    async def run(self, crisis: Crisis) -> Crisis:
        """Run every step not yet done; independent steps concurrently. One process at a time, by lease.

        Returns once the room is ready (every step but those beside it done and recorded, the crisis open);
        the steps beside it (the managers' announcement) go on in the background, under the same lease.
        Raises SlackStepFailed / SlackStepDelayed once the room cannot get ready in this run. Cancelled
        before the room is ready (a shutdown, the end of a tick's resume), it stops every step."""
        assert crisis.id is not None
        if crisis.id in self.running:
            return crisis
        self.running.add(crisis.id)  # before any await: one run per crisis in this process
        try:  # the lease and the steps recorded so far in one go (a step read a moment early is redone: idempotent)
            leased, states = await asyncio.gather(self.lease(crisis), self.deps.crises.steps(crisis.id))
        except BaseException:
            self.running.discard(crisis.id)
            raise
        if not leased:
            self.running.discard(crisis.id)
            log.info("crisis %s: another process is opening it", crisis.id)
            return crisis
        outcome: asyncio.Future[Crisis] = asyncio.get_running_loop().create_future()
        task = self.spawn(self._own(crisis, states, outcome))
        try:
            return await asyncio.shield(outcome)
        except asyncio.CancelledError:
            if not outcome.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            raise

    async def _own(self, crisis: Crisis, states: dict[str, StepState], outcome: asyncio.Future) -> None:
        """The whole opening under this process's lease, to its last step; `outcome` is settled when the room
        is ready (or cannot be)."""
        assert crisis.id is not None
        renewing = asyncio.create_task(self._keep_lease(crisis))
        try:
            await self._run(crisis, retryable(states), outcome)
        except asyncio.CancelledError:
            if not outcome.done():
                outcome.cancel()
            raise
        except Exception as exc:
            if not outcome.done():
                outcome.set_exception(exc)
            else:  # the room is ready; what is left is resumed by the tick
                log.warning("crisis %s: a step beside the room is left for the tick", crisis.id, exc_info=True)
        finally:  # finished, failed or cancelled: another process may go on at once
            self.running.discard(crisis.id)
            self._fresh.discard(crisis.id)
            prefetch = self._lessons.pop(crisis.id, None)
            if prefetch is not None:
                prefetch.cancel()
            renewing.cancel()
            await asyncio.gather(renewing, *([prefetch] if prefetch else []), return_exceptions=True)
            await self.deps.crises.release_lease(crisis, self.owner)

    async def _keep_lease(self, crisis: Crisis) -> None:
        """Renew the lease while steps wait on Slack (the rate limiter may hold a call for a minute)."""
        while True:
            await asyncio.sleep(self.lease_time.total_seconds() / 3)
            await self.lease(crisis)

    async def _run(self, crisis: Crisis, states: dict[str, StepState], outcome: asyncio.Future) -> None:
        """Start each step as soon as the steps it needs are done, without waiting for their records: the
        records are committed beside the steps, one transaction at a time, each with every outcome that
        landed meanwhile. The room is told ready only once its steps' outcomes are committed, in the same
        transaction that marks the crisis open."""
        assert crisis.id is not None
        committed = dict(states)  # what the database holds
        if "post_plan" not in states:
            self._lessons[crisis.id] = asyncio.create_task(
                self.deps.dossier.lessons(self.plan.name, self.plan.lessons_shown))
        running: dict[asyncio.Task, str] = {}
        unsaved: list[StepState] = []
        saving: list[StepState] = []
        writer: asyncio.Task | None = None

        async def commit() -> None:
            while unsaved:
                saving[:] = unsaved
                unsaved.clear()
                merged = {**committed, **{s.step: s for s in saving}}
                opens = crisis.status is Status.OPENING and room_ready(merged)
                await self.deps.crises.save_steps(crisis, list(saving), opens)
                committed.update((s.step, s) for s in saving)
                batch, saving[:] = list(saving), []
                if opens:
                    crisis.status = Status.OPEN
                    if not outcome.done():
                        outcome.set_result(crisis)  # recorded, then told
                for state in batch:
                    failpoints.reached(f"step:{state.step}")

        def settle_blocked() -> None:
            """Tell the caller at once when the room cannot get ready now (its steps' records committed)."""
            if outcome.done() or not blocked(states, set(running.values())):
                return
            if any(s.step not in BESIDE for s in unsaved + saving):
                return
            failed = next((s for s in states.values() if s.status is StepStatus.FAILED and s.step not in BESIDE),
                          None)
            if failed is not None:
                outcome.set_exception(self._error(failed, crisis))

        if crisis.status is Status.OPENING and room_ready(committed):  # recorded by a version that knew no BESIDE
            await self.deps.crises.save_steps(crisis, [], True)
            crisis.status = Status.OPEN
        if room_ready(committed) and not outcome.done():
            outcome.set_result(crisis)
        try:
            while True:
                for step in ready(states, set(running.values()), committed):
                    previous = states.get(step, StepState(step))
                    running[asyncio.create_task(self._attempt(step, crisis, previous))] = step
                if not running and not unsaved and writer is None:
                    break
                waiting = set(running) | ({writer} if writer is not None else set())
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is writer:
                        writer = None
                        task.result()  # a database that failed: the run fails
                        continue
                    state = task.result()
                    states[running.pop(task)] = state
                    unsaved.append(state)
                if unsaved and writer is None:
                    writer = asyncio.create_task(commit())
                settle_blocked()
        finally:  # cancelled (a shutdown, the end of a tick's resume): no step goes on once the lease is given up
            for task in [*running, *([writer] if writer is not None else [])]:
                task.cancel()
            await asyncio.gather(*running, *([writer] if writer is not None else []), return_exceptions=True)
        if finished(states):
            crisis.status = Status.OPEN
            await self.deps.crises.mark_open(crisis)
            if not outcome.done():
                outcome.set_result(crisis)
            return
        settle_blocked()
        if not outcome.done():
            outcome.set_result(crisis)  # another process took the opening over
        elif outcome.exception() is None:
            left = sorted(s for s, st in states.items() if st.status is StepStatus.FAILED)
            log.warning("crisis %s: the room is ready; %s left for the tick", crisis.id, ", ".join(left) or "nothing")

    @staticmethod
    def _error(failed: StepState, crisis: Crisis) -> Exception:
        error = SlackStepFailed if permanent(failed) else SlackStepDelayed
        return error(step=failed.step, code=failed.error or "unknown", channel=crisis.channel_id)

    async def stuck(self, crisis: Crisis) -> bool:
        """A step failed for good: only a person can help (the requester was told at the time)."""
        assert crisis.id is not None
        return any(permanent(s) for s in (await self.deps.crises.steps(crisis.id)).values())

    async def _attempt(self, step: str, crisis: Crisis, previous: StepState) -> StepState:
        state = StepState(step, attempts=previous.attempts + 1)
        try:
            state.detail = await getattr(self, f"_{step}")(crisis) or {}
            failpoints.reached(f"did:{step}")  # done, not yet recorded
            state.status = StepStatus.DONE
        except SlackCallFailed as exc:
            state.status, state.error = StepStatus.FAILED, exc.code
        return state

    # the database's steps: each records once however often it runs (a crash may come before its step is saved)
    async def _alert_entry(self, crisis: Crisis) -> dict:
        alert = await self._first_alert(crisis)
        if alert is None:
            return {}
        await self._entry_once(crisis, Kind.ALERT, None, title=alert.title, source=alert.source, count=alert.count,
                               status=str(alert.status), url=alert.url)
        return {"alert": alert.title[:80]}

    async def _opened_entry(self, crisis: Crisis) -> None:
        await self._entry_once(crisis, Kind.OPENED, crisis.opened_by, title=crisis.title, severity=crisis.severity,
                               source=crisis.alert_source, previous=crisis.previous_crisis_id)

    async def _entry_once(self, crisis: Crisis, kind: Kind, author: str | None, **data) -> None:
        """The crisis's first entries, at the time it opened, under a ref that makes a second write a no-op.
        (An entry written before refs existed counts too: a crisis mid-opening across an upgrade.)"""
        assert crisis.id is not None
        if not any(e.kind is kind for e in await self.deps.dossier.timeline(crisis.id)):
            await self.deps.dossier.add_entry(crisis.id, Entry(kind, crisis.opened_at, author, data, f"start:{kind.value}"))
        mark_recorded()

    async def _lead_role(self, crisis: Crisis) -> dict:
        assert crisis.id is not None
        if crisis.lead and not await self._held(crisis.id, self.plan.lead_role, crisis.lead):
            await self.deps.dossier.assign_role(
                crisis.id, Assignment(self.plan.lead_role, crisis.lead, crisis.opened_by, crisis.opened_at))
        return {"lead": crisis.lead}

    async def _held(self, crisis_id: int, role: str, user: str) -> bool:
        """That person was given that role already (and maybe handed it on since): not to be given it again."""
        return any(a.role == role and a.user == user for a in await self.deps.dossier.roles(crisis_id))

    async def _reminders(self, crisis: Crisis) -> None:
        await self.reminders.on_open(crisis)

    async def _create_channel(self, crisis: Crisis) -> dict:
        """The crisis's channel, under the first name it could claim (storage/channel_claims.py).

        A name is claimed in the database before Slack is asked for it, so two openings of one title at
        the same moment never take each other's channel: the one without the claim moves on to `-2`.
        Slack's name_taken for a name this crisis claimed means either a channel this crisis made before a
        crash kept it from being recorded (adopted: the bot made it, and no crisis holds it), or one a
        person made (the next name).
        """
        assert crisis.id is not None
        for attempt, name in enumerate(channel_names(crisis.title, crisis.opened_at)):
            if attempt >= MAX_NAME_ATTEMPTS:
                break
            if not await self.deps.crises.claim_channel_name(name, crisis.id):
                continue  # another crisis's name: its channel, made or about to be
            try:
                crisis.channel_id = await self.slack.create_channel(name, crisis.private)
                self._fresh.add(crisis.id)  # a channel Slack made just now: nothing is posted in it yet
            except ChannelNameTaken:
                mine = await self.slack.own_channel(name, crisis.private)
                holder = await self.deps.crises.by_channel(mine) if mine else None
                if mine is None or (holder is not None and holder.id != crisis.id):
                    continue
                crisis.channel_id = mine
            crisis.channel_name = name
            return {"name": name, "channel": crisis.channel_id}
        raise SlackCallFailed("conversations.create", "name_taken")

    async def _invite(self, crisis: Crisis) -> dict:
        users = sorted(u for u in {crisis.opened_by, crisis.lead} if user_id(u))  # not "alert:…", not nobody
        if users:
            await self.slack.invite(self._channel(crisis), users)
        return {"users": users}

    async def _set_topic(self, crisis: Crisis) -> None:
        await self.slack.set_topic(self._channel(crisis), crisis, self.plan)

    async def _post_plan(self, crisis: Crisis) -> dict:
        """The plan, posted at once in a channel this run has just made. Resuming (the channel was made, or
        adopted, by an earlier attempt: a process that died, a post whose answer never came), the channel is
        searched first: a plan posted before the crash kept it from being recorded is the plan."""
        assert crisis.id is not None
        crisis.plan_ts = None if crisis.id in self._fresh else await self.slack.find_plan(crisis)
        if crisis.plan_ts is None:
            prefetch = self._lessons.pop(crisis.id, None)
            lessons = (await prefetch if prefetch is not None
                       else await self.deps.dossier.lessons(self.plan.name, self.plan.lessons_shown))
            crisis.plan_ts = await self.slack.post_plan(crisis, self.plan, lessons)
        return {"ts": crisis.plan_ts}

    async def _pin_plan(self, crisis: Crisis) -> None:
        assert crisis.plan_ts is not None
        await self.slack.pin(self._channel(crisis), crisis.plan_ts)

    async def _default_roles(self, crisis: Crisis) -> dict:
        """The plan's default holders: invited, and the first of each role assigned."""
        assert crisis.id is not None
        assigned: dict[str, str] = {}
        invited: set[str] = set()
        for role in self.plan.roles:
            people: list[str] = []
            for holder in role.default_holders:
                people += await self.slack.usergroup_members(holder) if holder.startswith("S") else [holder]
            people = list(dict.fromkeys(people))
            if not people or role.key == self.plan.lead_role:  # the opener leads
                continue
            invited.update(people)
            assigned[role.key] = people[0]
            if await self._held(crisis.id, role.key, people[0]):
                continue  # assigned before a crash kept this step from being recorded
            at = self.deps.clock.now()
            await self.deps.dossier.assign_role(crisis.id, Assignment(role.key, people[0], crisis.opened_by, at))
            await self.deps.log(crisis, Kind.ROLE, crisis.opened_by, ref=f"start:role:{role.key}", role=role.key,
                                user=people[0], default=True)
        if invited:
            await self.slack.invite(self._channel(crisis), sorted(invited))
            await self.deps.refresh_plan(crisis)
        return {"assigned": assigned}

    async def _announce(self, crisis: Crisis) -> dict:
        ts = await self.deps.tell("announce", crisis, Audience.MANAGERS)
        return {"ts": ts}

    async def _sitrep_prompt(self, crisis: Crisis) -> dict:
        ts = await self.deps.tell("sitrep_prompt", crisis)
        return {"ts": ts}

    async def _alert_context(self, crisis: Crisis) -> dict:
        alert = await self._first_alert(crisis)
        if alert is None:
            return {}
        assert crisis.id is not None
        fields = sitrep_prefill(alert, self.plan)
        existing = await self.deps.dossier.sitreps(crisis.id)
        if fields and not existing:
            version = Sitrep(existing).change(self.plan, fields, crisis.opened_by, self.deps.clock.now())
            await self.deps.dossier.add_sitrep(crisis.id, version)
        return {"prefilled": sorted(fields)}

    async def _alert_intro(self, crisis: Crisis) -> dict:
        alert = await self._first_alert(crisis)
        if alert is None:
            return {}
        if alert.url:
            try:
                await self.slack.bookmark(self._channel(crisis), alert.title, alert.url)
            except SlackCallFailed as exc:
                if exc.code != "invalid_link":
                    raise
                log.warning("crisis %s: Slack would not bookmark the alert's link", crisis.id)
        previous = await self.deps.crises.get(crisis.previous_crisis_id) if crisis.previous_crisis_id else None
        ts = await self.deps.tell("alert_opened", crisis, alert=alert, previous=previous)
        return {"ts": ts}

    async def _first_alert(self, crisis: Crisis):
        if not crisis.alert_key or crisis.id is None:
            return None
        return await self.deps.alerts.first_alert(crisis.id)

    @staticmethod
    def _channel(crisis: Crisis) -> str:
        assert crisis.channel_id is not None
        return crisis.channel_id
