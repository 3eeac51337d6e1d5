"""aiohttp routes: Slack's requests go to Bolt, and a health check.

A thin translation in the spirit of slack_bolt.adapter.aiohttp.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.ports import CrisisStore

log = logging.getLogger(__name__)

BOLT = web.AppKey("bolt", AsyncApp)
STORE = web.AppKey("store", CrisisStore)


async def slack_events(request: web.Request) -> web.Response:
    bolt_request = await to_bolt_request(request)
    bolt_response = await request.app[BOLT].async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[STORE].ping()
    except Exception as exc:  # the answer *is* the error report
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def add_routes(app: web.Application, *, slack_http: bool) -> None:
    app.router.add_get("/healthz", healthz)
    if slack_http:
        app.router.add_post("/slack/events", slack_events)
