"""One log line per HTTP request: method, path, status, duration, and the crisis or channel concerned.

The middleware gives every request a `RequestNotes`; a handler that learns which crisis
the request is about says so with `note_crisis` (alerts know it from the intake), and
the Slack route notes the channel found in Slack's body. The line is written when the
answer is ready, so only what was noted before the answer is in it. The query string is
never logged: it is where a careless sender puts a token.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

QUIET_PATHS = frozenset({"/healthz"})  # load balancers ask every few seconds: logged at DEBUG when healthy
BOLT_CONTEXT_KEY = "request_notes"     # where the Slack route puts the notes in Bolt's context
MAX_PATH = 256
CLIENT_GONE = 499                      # the client hung up before the answer (nginx's convention)
_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,24}$")


@dataclass
class RequestNotes:
    request_id: str
    crisis: int | str | None = None
    channel: str | None = None


# aiohttp 3.13 added RequestKey (and warns about plain string keys from then on).
NOTES: Any = (web.RequestKey("request_notes", RequestNotes) if hasattr(web, "RequestKey")
              else "crisisbot.request_notes")


def note_crisis(request_or_context: web.BaseRequest | Mapping[str, Any], crisis_id: int | str | None) -> None:
    """Tell the request's log line which crisis it concerns: from an aiohttp handler (the request)
    or a Bolt listener (its context), before the answer is sent."""
    notes = _notes(request_or_context)
    if notes is not None and crisis_id is not None:
        notes.crisis = crisis_id


def note_channel(request_or_context: web.BaseRequest | Mapping[str, Any], channel_id: str | None) -> None:
    notes = _notes(request_or_context)
    if notes is not None and channel_id is not None and _SLACK_ID.match(channel_id):
        notes.channel = channel_id


def bolt_context(request: web.BaseRequest) -> dict[str, Any]:
    """The initial Bolt context for a Slack request, carrying the notes so listeners can `note_crisis`."""
    notes = request.get(NOTES)
    return {BOLT_CONTEXT_KEY: notes} if notes is not None else {}


def slack_channel(body: Mapping[str, Any]) -> str | None:
    """The channel a Slack request is about: slash commands, interactions and Events API callbacks."""
    if isinstance(body.get("channel_id"), str):                       # slash command
        return body["channel_id"]
    channel = body.get("channel")
    if isinstance(channel, Mapping) and isinstance(channel.get("id"), str):   # block action, shortcut
        return channel["id"]
    container = body.get("container")
    if isinstance(container, Mapping) and isinstance(container.get("channel_id"), str):
        return container["channel_id"]
    event = body.get("event")
    if isinstance(event, Mapping):
        item = event.get("item")
        if isinstance(item, Mapping) and isinstance(item.get("channel"), str):  # reaction_added/removed
            return item["channel"]
        if isinstance(event.get("channel"), str):                     # message, app_mention, member_joined…
            return event["channel"]
    return None


def _notes(target: Any) -> RequestNotes | None:
    if isinstance(target, web.BaseRequest):
        return target.get(NOTES)
    if isinstance(target, Mapping):
        notes = target.get(BOLT_CONTEXT_KEY)
        return notes if isinstance(notes, RequestNotes) else None
    return None


def _request_id(request: web.BaseRequest) -> str:
    given = request.headers.get("X-Request-Id")
    return given if given and _ID.match(given) else secrets.token_hex(8)  # 16 hex digits, a quarter of uuid4's cost


@web.middleware
async def request_logging_middleware(request: web.Request, handler) -> web.StreamResponse:
    notes = RequestNotes(_request_id(request))
    request[NOTES] = notes
    started = time.perf_counter()
    status = 500  # an exception that is not an HTTP answer becomes aiohttp's 500
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers.setdefault("X-Request-Id", notes.request_id)
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_GONE
        raise
    finally:
        _log_request(request, notes, status, (time.perf_counter() - started) * 1000)


def _log_request(request: web.BaseRequest, notes: RequestNotes, status: int, ms: float) -> None:
    level = logging.INFO
    if status >= 500:
        level = logging.ERROR
    elif request.path in QUIET_PATHS and status < 400:
        level = logging.DEBUG
    if not log.isEnabledFor(level):  # nothing built for a line nobody writes
        return
    path = request.path[:MAX_PATH]
    fields: MutableMapping[str, Any] = {"method": request.method, "path": path, "status": status,
                                        "ms": round(ms, 1), "request_id": notes.request_id}
    if notes.crisis is not None:
        fields["crisis"] = notes.crisis
    if notes.channel is not None:
        fields["channel"] = notes.channel
    log.log(level, "%s %s %d %.1fms", request.method, path, status, ms, extra=fields)
