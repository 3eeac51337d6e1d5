"""Slack retries an event it thinks we missed (X-Slack-Retry-Num): each event_id is handled once."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from handlers.context import HandlerContext


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    events = ctx.services.deps.events

    @app.middleware
    async def once_per_event(body: dict, next):  # noqa: A002 - Bolt passes `next` by that name
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await events.first_time(str(event_id), ctx.clock.now()):
            return BoltResponse(status=200, body="")  # seen before: acknowledged, not handled again
        return await next()
