"""`POST /alerts/{source}` and `GET /alerts/schema`: a thin translation at the edge.

Checks run cheapest first and nothing is stored until all pass: the source, the
size, the authentication, the JSON, the shape. Then the alert is stored and its
route decided in the database, the sender is answered 202, and the Slack side
runs afterwards, tracked so a shutdown lets it finish.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from bot.domain.alerts import AlertJsonError, AlertShapeError
from bot.domain.intake import Route
from bot.services.alerts import AlertService
from handlers.alert_auth import authenticate
from handlers.alert_formats import MAX_BODY_BYTES, SOURCES, decode, generic_schema, parse
from handlers.inflight import InFlight
from handlers.request_log import note_crisis

log = logging.getLogger(__name__)

ALERTS = web.AppKey("alerts", AlertService)
ALERT_TOKEN = web.AppKey("alert_token", str)
ALERT_WORK = web.AppKey("alert_work", InFlight)


def problem(status: int, error: str, **details) -> web.Response:
    return web.json_response({"error": error, **details}, status=status)


async def receive(request: web.Request) -> web.Response:
    source = request.match_info["source"]
    if source not in SOURCES:
        return problem(404, f"unknown source {source[:40]!r}", sources=sorted(SOURCES))
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return problem(413, f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return problem(413, f"the body is over {MAX_BODY_BYTES} bytes")
    if not authenticate(request.headers, body, request.app[ALERT_TOKEN], time.time()):
        return problem(401, "authentication required: Authorization: Bearer <token>, or an X-Crisisbot-Signature")
    try:
        alert = parse(source, decode(body))
    except AlertJsonError as exc:
        return problem(400, f"malformed JSON: {exc.message}", line=exc.line, column=exc.column)
    except AlertShapeError as exc:
        return problem(422, "the alert is not of the expected shape", fields=exc.problems)
    service = request.app[ALERTS]
    intake = await service.ingest(alert)
    request.app[ALERT_WORK].spawn(_follow_up(service, intake))
    answer: dict = {"status": intake.route.value, "alert": intake.alert_id}
    if intake.crisis_id is not None:
        answer["crisis"] = intake.crisis_id
        note_crisis(request, intake.crisis_id)
    if intake.route is Route.TRIAGED:
        answer["triage"] = intake.triage_id
    return web.json_response(answer, status=202)


async def _follow_up(service: AlertService, intake) -> None:
    """After the answer; a failure here is retried by the next tick, since everything is stored."""
    try:
        await service.follow_up(intake)
    except Exception:
        log.exception("alert %s: follow-up failed; the next tick retries it", intake.alert_id)


async def schema(request: web.Request) -> web.Response:
    return web.json_response(generic_schema())


def add_alert_routes(app: web.Application) -> None:
    app.router.add_get("/alerts/schema", schema)
    app.router.add_post("/alerts/{source}", receive)
