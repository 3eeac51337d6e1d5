"""The composition root: settings in, a runnable aiohttp application out.

Nothing here runs at import. `build_web_app` only describes the app; the
database, the Slack client, Bolt and the scheduler are built when the app
starts (aiohttp's cleanup_ctx) and torn down when it stops.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import aiohttp
from aiohttp import ClientOSError, ServerConnectionError, ServerDisconnectedError, web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import RandomJitter
from slack_sdk.web.async_client import AsyncWebClient

from bot.catalog import Catalog, Catalogs
from bot.domain.clock import Clock, SystemClock
from bot.domain.plan import Plan
from bot.plan_loader import load_plan
from bot.services import failpoints
from bot.services.changes import ChangeService
from bot.services.container import Services, build_services
from bot.services.deps import Deps
from bot.settings import Settings
from handlers.blocks.notices import RenderContext
from handlers.bolt import build_bolt_app
from handlers.context import HandlerContext
from handlers.alerts_web import ALERT_TOKEN, ALERT_WORK, ALERTS, CHANGES, add_alert_routes
from handlers.identity import SlackIdentity
from handlers.inflight import InFlight
from handlers.journal import Journal, Resumer, finish_current
from handlers.ratelimit import SlackRateLimiter
from handlers.locales import PersonLocales
from handlers.slack_gateway import WebApiGateway
from handlers.speaking import CurrentCatalog, CurrentPlan, Voices
from handlers.request_log import request_logging_middleware
from handlers.web import BOLT, REQUESTS_JOB, SCHEDULER, STORE, TICK_JOB, add_routes
from storage.crises import SqlCrisisStore
from storage.alerts import SqlAlertStore
from storage.alert_batch import BatchLimits
from storage.changes import SqlChangeStore
from storage.dossier import SqlDossierStore
from storage.events import SqlEventStore
from storage.requests import SqlRequestStore
from storage.status import SqlStatusReads
from storage.reminders import SqlReminderStore
from storage.engine import make_engine, make_sessions
from storage.migrate import upgrade

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
STORES = web.AppKey("stores", tuple)
SHUTDOWN_GRACE = 20.0
INFLIGHT = web.AppKey("inflight", InFlight)
MAX_BODY = 1024 * 1024
TICK_BUDGET = 0.9  # of the tick's interval
CHANGE_STORE = web.AppKey("change_store", SqlChangeStore)
REQUESTS = web.AppKey("requests", SqlRequestStore)
RESUMER = web.AppKey("resumer", Resumer)
STATUS_READS = web.AppKey("status_reads", SqlStatusReads)
REQUEST_MEMORY = timedelta(hours=1)  # well past Slack's five-minute replay window


def build_web_app(settings: Settings, *, clock: Clock | None = None, plan: Plan | None = None,
                  catalog: Catalog | None = None, limiter: SlackRateLimiter | None = None) -> web.Application:
    clock = clock or SystemClock()
    plan = plan or load_plan(settings.crisisbot_plan)
    catalogs = Catalogs(settings.crisisbot_language)  # every language crisisbot speaks, each loaded once
    catalog = catalog or catalogs.default
    app = web.Application(client_max_size=MAX_BODY, middlewares=[request_logging_middleware])

    async def database(app: web.Application):
        failpoints.arm(settings.crisisbot_crash_at)  # crash tests only; empty in production
        engine = make_engine(settings.database_url, settings.database_pool_size, settings.database_max_overflow,
                             settings.database_statement_cache)
        await upgrade(engine)
        sessions = make_sessions(engine)
        app[STORE] = SqlCrisisStore(sessions)
        app[CHANGE_STORE] = SqlChangeStore(sessions)
        app[REQUESTS] = SqlRequestStore(sessions)
        app[STATUS_READS] = SqlStatusReads(sessions)
        claim = timedelta(seconds=settings.crisisbot_post_claim_seconds)
        alerts = SqlAlertStore(sessions, claim, BatchLimits(max_batch=settings.crisisbot_alert_batch,
                                                            max_queue=settings.crisisbot_alert_queue))
        app[STORES] = (SqlDossierStore(sessions), SqlReminderStore(sessions, claim), alerts, SqlEventStore(sessions))
        await alerts.start()  # the group commit's writer (storage/alert_batch.py)
        yield
        try:
            await alerts.stop()  # the alerts still queued are written (their senders wait for it) before closing
        finally:
            await engine.dispose()

    async def slack(app: web.Application):
        # slack-sdk applies its `timeout` only to sessions it makes itself: a shared session carries it
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=max(1.0, settings.slack_timeout_seconds)))

        def web_client(handlers: list) -> AsyncWebClient:
            return AsyncWebClient(token=settings.secret("slack_bot_token") or None, base_url=settings.slack_api_url,
                                  session=session, retry_handlers=handlers,
                                  timeout=int(max(1, settings.slack_timeout_seconds)))

        # Bolt's own calls (views.open, views.publish…) let slack-sdk wait out a 429; the gateway's client leaves
        # 429s to the rate limiter, which pauses that method for all its callers.
        client = web_client(retry_handlers() + [AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
        render = RenderContext(plan.translated(catalog.language), catalog, clock, settings.crisisbot_managers_channel,
                               catalogs=catalogs)
        gateway = WebApiGateway(web_client(retry_handlers()), render,
                                limiter or SlackRateLimiter(max_wait=settings.slack_rate_wait_seconds))
        # each person's Slack language (users.info with include_locale), for what they alone read
        gateway.locales = PersonLocales(lambda user: gateway.call("users.info", user=user, include_locale=True),
                                        catalogs.languages)
        voices = Voices(render, gateway.locales)
        dossier, reminders, alerts, events = app[STORES]
        deps = Deps(app[STORE], dossier, reminders, gateway, plan, clock, alerts, events,
                    language=catalog.language, languages=catalogs.languages)
        app[SERVICES] = services = build_services(
            deps, settings.admins, timedelta(seconds=settings.crisisbot_opening_lease_seconds))
        services.crises.status_reads = app[STATUS_READS]  # `/crisis status` in one query
        app[INFLIGHT] = inflight = InFlight(on_finish=finish_current)  # a request's work done: not resumed
        services.crises.opening.spawn = inflight.spawn  # an opening's steps beside the room: waited for at shutdown
        ctx = HandlerContext(services=services, plan=CurrentPlan(voices), catalog=CurrentCatalog(voices),  # type: ignore[arg-type]
                             clock=clock, inflight=inflight, voices=voices,
                             record_timeout=settings.crisisbot_record_timeout_seconds)
        request_lease = timedelta(seconds=settings.crisisbot_request_lease_seconds)
        journal = Journal(ctx, app[REQUESTS], clock, settings.crisisbot_record_timeout_seconds, request_lease)
        app[RESUMER] = Resumer(app[REQUESTS], clock, request_lease, settings.secret("slack_signing_secret"))
        app[ALERTS], app[ALERT_WORK] = services.alerts, inflight
        app[ALERT_TOKEN] = settings.secret("crisisbot_alert_token")
        app[CHANGES] = ChangeService(deps, app[CHANGE_STORE])
        identity = SlackIdentity(client, catalog)
        # Before serving: who the bot is, asked again with backoff while Slack fails for a passing reason (bounded;
        # then the app serves, and each request asks briefly or is told honestly that Slack is not answering).
        if not await identity.ensure(settings.slack_startup_seconds):
            log.warning("Slack did not answer auth.test within %.0fs of starting; serving anyway",
                        settings.slack_startup_seconds)
        app[BOLT] = build_bolt_app(client, settings.secret("slack_signing_secret"), ctx,
                                   verify_requests=not settings.socket_mode, identity=identity,
                                   journal=journal)
        socket = await _socket_mode(app[BOLT], settings, client)
        yield
        if socket is not None:
            await socket.close_async()
        await inflight.drain(SHUTDOWN_GRACE)  # let acknowledged work finish before closing its tools
        await session.close()

    async def scheduler(app: web.Application):
        app[SCHEDULER] = AsyncIOScheduler(timezone=timezone.utc)
        # Reminders and alert digests live in the database; this job only looks for due ones. Each process has
        # its own in-memory job, and the claim in the database makes each reminder fire once.
        # A tick never outlasts its interval (each part is bounded; resuming openings runs in its own task).
        budget = max(0.5, settings.crisisbot_tick_seconds * TICK_BUDGET)

        async def tick() -> None:
            async with app[INFLIGHT].track():  # a shutdown waits for a tick under way
                await app[SERVICES].tick(budget)

        async def requests() -> None:  # acknowledged requests a dead process did not finish, in their own job
            async with app[INFLIGHT].track():
                await app[RESUMER].resume(app[BOLT])
                await app[RESUMER].forget_before(clock.now() - REQUEST_MEMORY)

        ticking = settings.crisisbot_tick_seconds > 0  # 0: the job is there, paused, and tests run it by hand
        app[SCHEDULER].add_job(tick, "interval", seconds=settings.crisisbot_tick_seconds if ticking else 60,
                               id=TICK_JOB, max_instances=1, coalesce=True,
                               # at start, at once: resume what a crash left unfinished
                               next_run_time=datetime.now(timezone.utc) if ticking else None)
        app[SCHEDULER].add_job(requests, "interval", seconds=settings.crisisbot_tick_seconds if ticking else 60,
                               id=REQUESTS_JOB, max_instances=1, coalesce=True,
                               next_run_time=datetime.now(timezone.utc) if ticking else None)
        app[SCHEDULER].start()
        yield
        if app[SCHEDULER].running:  # /healthz reports a scheduler that stopped; stopping it twice would raise
            app[SCHEDULER].shutdown(wait=False)
        await app[SERVICES].background.stop()  # a resume under way: its leases are released, the next process goes on

    app.cleanup_ctx.extend([database, slack, scheduler])
    add_routes(app, slack_http=not settings.socket_mode)
    add_alert_routes(app)
    return app


def retry_handlers() -> list:
    """slack-sdk's own retries: 5xx and connection errors with backoff and jitter.

    A 429 is not slept on inside the client: the gateway hands its Retry-After to the rate limiter, which pauses
    that method for every caller of this process (handlers/ratelimit.py) and lets the caller reserve again."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=backoff, error_types=[
            ServerConnectionError, ServerDisconnectedError, ClientOSError, asyncio.TimeoutError]),
        AsyncServerErrorRetryHandler(max_retry_count=3, interval_calculator=backoff),
    ]


async def _socket_mode(bolt, settings: Settings, client: AsyncWebClient):
    if not settings.socket_mode:
        return None
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bolt, settings.secret("slack_app_token"), web_client=client)
    await handler.connect_async()
    log.info("connected to Slack in Socket Mode")
    return handler
