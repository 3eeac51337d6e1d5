"""Telling one person something privately, wherever they are."""

from __future__ import annotations

import json
import logging
import uuid
from contextlib import asynccontextmanager
from typing import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import CrisisError
from bot.services.recorded import watching
from handlers.context import HandlerContext
from handlers.slack_errors import error_code

log = logging.getLogger(__name__)

Say = Callable[[str], Awaitable[object]]

# The bot cannot post an ephemeral where it is not a member; a DM always works.
_NOT_THERE = {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}


async def tell_user(client: AsyncWebClient, user: str, channel: str | None, text: str) -> None:
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError as exc:
            if error_code(exc) not in _NOT_THERE:
                raise
    await client.chat_postMessage(channel=user, text=text)


RESPOND_TIMEOUT = 10  # seconds a post to a response_url may take
_JSON = {"Content-Type": "application/json;charset=utf-8"}
_TIMEOUT = aiohttp.ClientTimeout(total=RESPOND_TIMEOUT)


def shared_respond(response_url: str | None, client: AsyncWebClient):
    """Bolt's `respond` for a response_url, posted over the Slack client's pooled aiohttp session.

    Bolt's own (slack_sdk's AsyncWebhookClient without a session) opens a session and a connection for every
    answer, and formats a debug line with the whole message whether or not it is logged; under a storm of
    `/crisis status` that was most of a reply's cost. As slack_sdk does, a connection the server dropped is tried
    once more, and an HTTP error is logged, not raised. None when there is no response_url or no shared session.
    """
    session = getattr(client, "session", None)
    if not response_url or session is None or session.closed:
        return None

    async def respond(text: str = "", blocks=None, response_type: str | None = None,
                      replace_original: bool | None = None, **kwargs) -> int:
        message = {"text": text, "blocks": blocks, "response_type": response_type,
                   "replace_original": replace_original, **kwargs}
        data = json.dumps({k: v for k, v in message.items() if v is not None})
        for attempt in (1, 2):
            try:
                async with session.post(response_url, data=data, headers=_JSON, timeout=_TIMEOUT) as answer:
                    await answer.read()
                    if answer.status >= 400:
                        log.warning("the response_url answered HTTP %d", answer.status)
                    return answer.status
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectorError):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    return respond


def privately(respond) -> Say:
    """Answer the person who clicked, only to them, leaving the message they clicked as it is."""
    async def say(text: str) -> None:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    return say


@asynccontextmanager
async def answering(ctx: HandlerContext, say: Say, what: str):
    """The boundary of a listener's work after ack.

    A refusal (CrisisError) is told to the user in their words. Anything else is
    a bug or an outage: it is logged with its traceback and a reference, and the
    user is told that reference, never a stack trace, and whether what they asked
    was recorded before it failed (bot.services.recorded).
    """
    async with ctx.inflight.track():
        with watching() as recorded:
            try:
                yield
            except CrisisError as exc:
                await say(ctx.error_text(exc))
            except Exception:
                ref = uuid.uuid4().hex[:8]
                log.exception("%s failed (ref %s)", what, ref)
                # "Nothing you typed is lost" only when it is so: the action reached the database.
                await say(ctx.catalog.t("commands.unexpected.kept" if recorded() else "error.unexpected", ref=ref))

