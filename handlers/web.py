"""aiohttp routes: Slack's requests go to Bolt, and a health check.

A thin translation in the spirit of slack_bolt.adapter.aiohttp.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
from urllib.parse import parse_qsl

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError

from bot.ports import CrisisStore
from handlers.journal import keep_answer
from handlers.request_log import bolt_context, note_channel, slack_channel

log = logging.getLogger(__name__)

BOLT = web.AppKey("bolt", AsyncApp)
STORE = web.AppKey("store", CrisisStore)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)
TICK_JOB = "tick"
REQUESTS_JOB = "requests"  # acknowledged requests a dead process left unfinished (handlers/journal.py)
HEALTH_TIMEOUT = 5.0  # a database that does not answer within this is as bad as one that refuses
SLACK_HEALTH_SECONDS = 30.0  # auth.test is asked at most this often, however often the probes come


class SlackHealth:
    """What Slack says of the bot token (`auth.test`), remembered for `ttl` seconds so probes don't hammer it."""

    def __init__(self, ttl: float = SLACK_HEALTH_SECONDS, now=time.monotonic):
        self.ttl, self.now = ttl, now
        self.answer: str | None = None
        self.until = float("-inf")
        self._lock = asyncio.Lock()

    async def check(self, client) -> str:
        async with self._lock:  # simultaneous probes share one call
            if self.answer is None or self.now() >= self.until:
                self.answer = await self._ask(client)
                self.until = self.now() + self.ttl
                if self.answer != "ok":
                    log.warning("Slack's auth.test failed: %s", self.answer)
            return self.answer

    @staticmethod
    async def _ask(client) -> str:
        try:
            await asyncio.wait_for(client.auth_test(), HEALTH_TIMEOUT)
            return "ok"
        except SlackApiError as exc:
            return f"unreachable: {exc.response.get('error') or f'HTTP {exc.response.status_code}'}"
        except asyncio.TimeoutError:
            return "unreachable: no answer in time"
        except Exception as exc:  # a connection error: the answer *is* the report
            return f"unreachable: {type(exc).__name__}"


SLACK_HEALTH = web.AppKey("slack_health", SlackHealth)


def read_form_with_the_word_payload(bolt_request: AsyncBoltRequest) -> None:
    """bolt-python reads any form body that merely *contains* "payload" as an interaction and finds
    nothing (so `/crisis note the payload team` went unanswered): read such a form as the form it is."""
    if bolt_request.body or "payload" not in bolt_request.raw_body:
        return
    params = dict(parse_qsl(bolt_request.raw_body, keep_blank_values=True))
    if params and "payload" not in params:
        bolt_request.body = params
        bolt_request.context = build_async_context(bolt_request.context, params)


# What slack_sdk's SignatureVerifier.is_valid can read without raising: it calls int() on the timestamp
# (slack_sdk/signature/__init__.py), so `X-Slack-Request-Timestamp: abc` escaped Bolt's verification as a
# ValueError and Bolt answered 500. Anything else is refused here as Bolt refuses a bad signature: 401.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[\x21-\x7e]{1,200}")  # any other value is compared by Bolt, and refused


def unreadable_signature(request: web.Request) -> str | None:
    """Why the Slack signature headers cannot even be checked (None when they can). aiohttp's headers are
    case-insensitive (CIMultiDict), so `x-slack-signature` and `X-Slack-Signature` are the same header."""
    if not _TIMESTAMP.fullmatch(request.headers.get("X-Slack-Request-Timestamp", "")):
        return "X-Slack-Request-Timestamp is missing or not a number of seconds"
    if not _SIGNATURE.fullmatch(request.headers.get("X-Slack-Signature", "")):
        return "X-Slack-Signature is missing or not printable ASCII"
    return None


async def slack_events(request: web.Request) -> web.Response:
    raw = await request.read()  # over client_max_size: aiohttp's 413
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return web.json_response({"error": "invalid_request", "detail": "the body is not UTF-8"}, status=400)
    bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=request.headers,
                                    context=bolt_context(request))
    read_form_with_the_word_payload(bolt_request)
    note_channel(request, slack_channel(bolt_request.body))
    if (why := unreadable_signature(request)) is not None:
        return web.json_response({"error": "invalid_request", "detail": why}, status=401)
    bolt_response = await request.app[BOLT].async_dispatch(bolt_request)
    await keep_answer(bolt_response)  # a replay of this request is answered the same (handlers/journal.py)
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers and the scheduler runs its tick job; 503 naming what fails. What Slack
    says of the token is its own field (`"slack": "unreachable: invalid_auth"`) and fails nothing: the bot still
    records crises and reminders, and catches up with Slack when it answers again."""
    answer: dict = {}
    failing: dict[str, str] = {}  # the part, and why
    try:
        await asyncio.wait_for(request.app[STORE].ping(), HEALTH_TIMEOUT)
        answer["database"] = "ok"
    except Exception as exc:  # the answer *is* the error report
        answer["database"] = "unavailable"
        failing["database"] = f"{type(exc).__name__} {(str(exc).splitlines() or [''])[0][:200]}".strip()
    scheduler = request.app.get(SCHEDULER)
    state = getattr(scheduler, "state", None)
    answer["scheduler"] = {STATE_RUNNING: "running", STATE_PAUSED: "paused"}.get(state, "stopped")
    jobs = scheduler.get_jobs() if scheduler is not None else []
    answer["jobs"] = len(jobs)
    if answer["scheduler"] != "running":
        failing["scheduler"] = answer["scheduler"]
    elif missing := [name for name in (TICK_JOB, REQUESTS_JOB) if not any(job.id == name for job in jobs)]:
        answer["scheduler"] = failing["scheduler"] = f"running without its {' and '.join(missing)} job"
    bolt = request.app.get(BOLT)
    answer["slack"] = await request.app[SLACK_HEALTH].check(bolt.client) if bolt is not None else "not started"
    if failing:
        log.warning("health check failing: %s", "; ".join(f"{part}: {why}" for part, why in failing.items()))
        return web.json_response({"status": "unavailable", **answer, "failing": list(failing)}, status=503)
    return web.json_response({"status": "ok", **answer})


_frozen = False


async def freeze_what_started(app: web.Application) -> None:
    """Once the app has started, everything built so far (modules, Bolt, the clients, the plan) is moved out of
    the garbage collector's reach (`gc.freeze`): its full collections then walk only what came since. Measured
    with bench/acks.py, one full collection over ~140k start-up objects held every request in flight for 80 ms,
    the whole p99 of `/crisis status`. Once per process (a test suite starts many apps): after one collection,
    so no garbage is kept for good."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def add_routes(app: web.Application, *, slack_http: bool) -> None:
    app.on_startup.append(freeze_what_started)  # after the cleanup_ctx start-up (database, Slack, scheduler)
    app[SLACK_HEALTH] = SlackHealth()
    app.router.add_get("/healthz", healthz)
    if slack_http:
        app.router.add_post("/slack/events", slack_events)
