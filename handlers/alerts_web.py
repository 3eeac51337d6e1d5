"""`POST /alerts/{source}` and `GET /alerts/schema`: a thin translation at the edge.

Checks run cheapest first and nothing is stored until all pass: the source, the
size, the authentication, the JSON, the shape. Then the alert is stored and its
route decided in the database, in one transaction with the alerts that came at the
same time (storage/alert_batch.py); once that committed the sender is answered 202,
and the Slack side runs afterwards, tracked so a shutdown lets it finish. A batch
that did not commit, or a full queue, is answered 503 with Retry-After: nothing of
it was stored, and the sender sends it again.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.alerts import AlertJsonError, AlertShapeError
from bot.domain.changes import Change, ChangeIntake
from bot.domain.intake import Route
from bot.services.alerts import AlertService
from bot.services.changes import ChangeService
from handlers.alert_auth import authenticate, authenticate_source
from handlers.alert_formats import MAX_BODY_BYTES, SOURCES, decode, generic_schema, is_change, parse, parse_change
from handlers.alert_formats.mapped import form_fields
from handlers.inflight import InFlight
from handlers.request_log import note_crisis
from storage.alert_batch import Overloaded

log = logging.getLogger(__name__)

ALERTS = web.AppKey("alerts", AlertService)
ALERT_TOKEN = web.AppKey("alert_token", str)
ALERT_WORK = web.AppKey("alert_work", InFlight)
CHANGES = web.AppKey("changes", ChangeService)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def problem(status: int, error: str, headers: dict | None = None, **details) -> web.Response:
    return web.json_response({"error": error, **details}, status=status, headers=headers)


async def receive(request: web.Request) -> web.Response:
    source = request.match_info["source"]
    service = request.app[ALERTS]
    mapping = service.plan.alerts.sources.get(source) if source not in SOURCES else None
    if source not in SOURCES and mapping is None:
        return problem(404, f"unknown source {source[:40]!r}", sources=sorted([*SOURCES, *service.plan.alerts.sources]))
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return problem(413, f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return problem(413, f"the body is over {MAX_BODY_BYTES} bytes")
    token = request.app[ALERT_TOKEN]
    if mapping is not None:
        if not authenticate_source(request.headers, body, mapping, token, time.time()):
            return problem(401, f"authentication required: this source uses {mapping.auth} "
                                "(see alerts.sources in the plan)")
    elif not authenticate(request.headers, body, token, time.time()):
        return problem(401, "authentication required: Authorization: Bearer <token>, or an X-Crisisbot-Signature")
    form = request.content_type in FORM_TYPES
    if form and not (mapping is not None and mapping.form and request.content_type == FORM_TYPES[0]):
        return problem(415, f"the body is {request.content_type}; send JSON instead, with Content-Type: "
                            "application/json (in Zapier's Webhooks step, choose Payload Type: json)",
                       accepted=["application/json"])
    try:
        data = form_fields(body) if form else decode(body)
        if is_change(source, data):
            return await _receive_change(request, parse_change(data))
        alert = parse(source, data, mapping)
    except AlertJsonError as exc:
        return problem(400, f"malformed JSON: {exc.message}", line=exc.line, column=exc.column)
    except AlertShapeError as exc:
        return problem(422, "the alert is not of the expected shape", fields=exc.problems)
    try:
        intake = await service.ingest(alert)
    except Overloaded as exc:  # the queue is full or the database slow: nothing was taken
        return problem(503, f"not stored: {exc}; send it again", headers={"Retry-After": str(exc.retry_after)})
    except (SQLAlchemyError, OSError) as exc:  # its batch was not committed: nothing of it was stored
        log.warning("alert not stored: %s", exc)
        return problem(503, "not stored: the database did not take the alert; send it again",
                       headers={"Retry-After": "1"})
    request.app[ALERT_WORK].spawn(_follow_up(service, intake))
    answer: dict = {"status": intake.route.value, "alert": intake.alert_id}
    if intake.crisis_id is not None:
        answer["crisis"] = intake.crisis_id
        note_crisis(request, intake.crisis_id)
    if intake.route is Route.TRIAGED:
        answer["triage"] = intake.triage_id
    return web.json_response(answer, status=202)


async def _receive_change(request: web.Request, change: Change) -> web.Response:
    """A change event: stored (and on the crisis's timeline) before the 202; the channel's line after."""
    changes = request.app[CHANGES]
    intake = await changes.ingest(change)
    request.app[ALERT_WORK].spawn(_follow_up_change(changes, intake, change))
    answer: dict = {"status": intake.route.value, "change": intake.change_id}
    if intake.crisis_id is not None:
        answer["crisis"] = intake.crisis_id
        note_crisis(request, intake.crisis_id)
    return web.json_response(answer, status=202)


async def _follow_up_change(changes: ChangeService, intake: ChangeIntake, change: Change) -> None:
    try:
        await changes.follow_up(intake, change)
    except Exception:
        log.exception("change %s: its line in the crisis channel failed", intake.change_id)


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
