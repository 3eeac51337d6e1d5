"""Acknowledge only what is recorded: every request that may change state is in the database before its ack.

A Bolt middleware records each slash command (by `trigger_id`), form submission (by view id and hash) and
click (by `action_ts`, user and `action_id`) in `slack_request` before the listener runs and acknowledges.

- Seen before (a replay within Slack's five-minute signature window, or the same request at two replicas):
  answered with the acknowledgement given the first time, and nothing else happens.
- The database does not answer within `record_timeout` (well under Slack's 3 s): the person is told honestly
  that nothing was done, with a *Retry* button that carries the command; a form stays open with the message.
- Acknowledged, then the process died before the work finished: the row is still `received` when its lease
  runs out, and `Resumer` hands the request as Slack sent it to the Bolt app again, once per claim.

The work is finished when the listener's boundary (`InFlight.track`) exits: `finish_current`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.domain import commands
from bot.domain.clock import Clock
from handlers.blocks.kit import section
from handlers.context import HandlerContext
from handlers.inflight import InFlight, Late
from storage.requests import SqlRequestStore

log = logging.getLogger(__name__)

RETRY = "journal_retry"
RESUMED = "crisisbot_resumed"  # context key: this request is a resumed one, already recorded
MAX_VALUE = 1900  # a button's value holds 2,000 characters
READ_ONLY = (commands.Help, commands.Usage, commands.Status, commands.ShowPlan, commands.BadLanguage)


@dataclass
class Entry:
    key: str
    store: SqlRequestStore
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    done: bool = False
    timeout: float = 1.5
    inflight: InFlight | None = None  # (fresh only) where its acknowledgement is saved from
    fresh: bool = False  # recorded by this request (not resumed): its acknowledgement is kept for replays


CURRENT: ContextVar[Entry | None] = ContextVar("crisisbot_request", default=None)


def current_key() -> str | None:
    """The recorded Slack request being handled in this task, if any."""
    entry = CURRENT.get()
    return entry.key if entry is not None else None


async def finish_current() -> None:
    """The listener's work for the current request is over: it will not be resumed."""
    entry = CURRENT.get()
    if entry is None or entry.done:
        return
    entry.done = True
    try:
        await entry.store.finish(entry.key)
    except Exception:  # the work is done; a resume after the lease would repeat it once, which is said here
        log.warning("request %s: done, but not marked so; it may be handled again once", entry.key, exc_info=True)
    finally:
        entry.finished.set()


def request_key(body: dict, ctx: HandlerContext) -> tuple[str, str, str] | None:
    """(kind, key, user) of a request that may change state; None for one that cannot."""
    kind = body.get("type")
    if body.get("command") and body.get("trigger_id"):
        cmd = commands.parse(body.get("text", ""), ctx.plan)
        if isinstance(cmd, READ_ONLY) or (isinstance(cmd, commands.Open) and not cmd.title):
            return None  # answers, a list or a form: nothing to record, nothing to lose
        return "slash", f"slash:{body['trigger_id']}", str(body.get("user_id", ""))
    user = str((body.get("user") or {}).get("id", ""))
    if kind == "view_submission":
        # A form sent back with errors keeps its id and hash; what was typed tells its submissions apart.
        view = body.get("view") or {}
        typed = hashlib.sha256(json.dumps(view.get("state") or {}, sort_keys=True).encode()).hexdigest()[:16]
        return "view", f"view:{view.get('id')}:{view.get('hash', '')}:{typed}", user
    if kind == "block_actions" and body.get("actions"):
        action = body["actions"][0]
        return "action", f"action:{action.get('action_ts')}:{user}:{action.get('action_id')}", user
    return None


class _RecordedFirst(AsyncMiddleware):
    def __init__(self, journal: Journal):
        self.journal = journal

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse, next):  # noqa: A002
        return await self.journal.recorded_first(req, next)


class Journal:
    def __init__(self, ctx: HandlerContext, store: SqlRequestStore, clock: Clock, timeout: float,
                 lease: timedelta):
        self.ctx, self.store, self.clock, self.timeout, self.lease = ctx, store, clock, timeout, lease

    def register(self, app: AsyncApp) -> None:
        app.middleware(_RecordedFirst(self))  # Bolt's own class: no argument injection on every request

    async def recorded_first(self, req: AsyncBoltRequest, next):  # noqa: A002 - Bolt's name
        body, context = req.body, req.context
        found = request_key(body, self.ctx)
        if found is None:
            return await next()
        kind, key, user = found
        if context.get(RESUMED) == key:  # recorded already; the resumer waits for `finished`
            CURRENT.set(Entry(key, self.store, context["crisisbot_finished"], timeout=self.timeout))
            return await next()
        try:
            first = await self.ctx.inflight.within(
                self.store.record(key, kind, user, req.raw_body, self.clock.now(), self.lease), self.timeout)
        except Late as late:  # too slow: should it land after all, it is set aside, never resumed
            late.task.add_done_callback(lambda t, key=key: self._set_aside(key, t))
            log.warning("request %s not recorded in time", key)
            return await self.cannot_record(kind, body, context)
        except Exception:  # the database is unreachable: nothing was done, and we say so
            log.warning("request %s not recorded: the database did not answer", key, exc_info=True)
            return await self.cannot_record(kind, body, context)
        if not first:
            return await self.replay(key)
        # Bolt runs the listener after every global middleware, in this same task; the listener's own task
        # (after its ack) inherits this too. Each request is dispatched in a task of its own.
        CURRENT.set(Entry(key, self.store, timeout=self.timeout, inflight=self.ctx.inflight, fresh=True))
        return await next()

    def _set_aside(self, key: str, task: asyncio.Task) -> None:
        """The person was told nothing was done: a record that landed late is finished, not resumed."""
        if not task.cancelled() and task.exception() is None and task.result():
            self.ctx.inflight.spawn(self.store.finish(key))

    async def replay(self, key: str) -> BoltResponse:
        try:
            answer = await self.ctx.inflight.within(self.store.answer_of(key), self.timeout)
        except Exception:
            answer = None
        log.info("request %s seen before: answered as before, nothing done", key)
        if not answer:
            return BoltResponse(status=200, body="")
        return BoltResponse(status=200, body=answer, headers={"content-type": "application/json;charset=utf-8"}
                            if answer.startswith("{") else {})

    async def cannot_record(self, kind: str, body: dict, context) -> BoltResponse:
        t = self.ctx.catalog.t
        if kind == "slash":
            text = body.get("text", "")
            if len(text) > MAX_VALUE:
                return BoltResponse(status=200, body={"response_type": "ephemeral",
                                                      "text": t("journal.cannot_record_retype")})
            message = t("journal.cannot_record")
            retry = {"type": "button", "action_id": RETRY, "text": {"type": "plain_text", "text": t("journal.retry")},
                     "value": json.dumps({"text": text}, ensure_ascii=False)}
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": message, "blocks": [
                section(message), {"type": "actions", "elements": [retry]}]})
        if kind == "view":
            inputs = [b["block_id"] for b in (body.get("view") or {}).get("blocks", [])
                      if b.get("type") == "input" and b.get("block_id")]
            if inputs:  # the form stays open, with what was typed in it, and says why
                return BoltResponse(status=200, body={"response_action": "errors",
                                                      "errors": {inputs[0]: t("journal.cannot_record_form")}})
            return BoltResponse(status=503, body="")  # Slack shows the form could not be submitted
        respond = context.get("respond")
        if respond is not None:
            self.ctx.inflight.spawn(respond(text=t("journal.cannot_record_click"), response_type="ephemeral",
                                            replace_original=False))
        return BoltResponse(status=200, body="")


async def keep_answer(response: BoltResponse) -> None:
    """After the dispatch, in the request's task: keep the acknowledgement, so a replay gets the same one."""
    entry = CURRENT.get()
    if entry is None or not entry.fresh or response.status != 200 or not response.body:
        return
    try:
        await entry.inflight.within(entry.store.save_answer(entry.key, response.body), entry.timeout)
    except Exception:  # a replay then gets an empty acknowledgement, and still changes nothing
        log.warning("request %s: its acknowledgement was not kept for replays", entry.key)


class Resumer:
    """Hands requests acknowledged by a process that died before finishing them to the Bolt app again."""

    def __init__(self, store: SqlRequestStore, clock: Clock, lease: timedelta, signing_secret: str,
                 wait: float = 60.0):
        self.store, self.clock, self.lease, self.secret, self.wait = store, clock, lease, signing_secret, wait

    async def resume(self, app: AsyncApp) -> int:
        resumed = 0
        for request in await self.store.claim_unfinished(self.clock.now(), self.lease):
            log.info("resuming request %s (attempt %d)", request.key, request.attempts)
            finished = asyncio.Event()
            # its own task, so what the dispatch sets (the current request) stays with it
            await asyncio.create_task(app.async_dispatch(self._signed(request.key, request.body, finished)))
            try:  # the listener runs after the (unheard) ack; wait for it, boundedly
                await asyncio.wait_for(finished.wait(), self.wait)
            except asyncio.TimeoutError:
                log.warning("request %s: resumed work still running; its lease decides what follows", request.key)
            resumed += 1
        return resumed

    def _signed(self, key: str, body: str, finished: asyncio.Event) -> AsyncBoltRequest:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(self.secret).generate_signature(timestamp=stamp, body=body)
        headers = {"content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": stamp,
                   "x-slack-signature": signature or ""}
        return AsyncBoltRequest(body=body, headers=headers,
                                context={RESUMED: key, "crisisbot_finished": finished})

    async def forget_before(self, moment: datetime) -> None:
        await self.store.forget_before(moment)
