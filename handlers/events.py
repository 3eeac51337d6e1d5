"""Events: a 📌 reaction puts a message of a crisis channel on the timeline; a newcomer to a crisis
room is welcomed. Each event here is in manifest.yaml's bot_events, and only those."""

from __future__ import annotations

import logging

from datetime import datetime, timezone

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from handlers.context import HandlerContext

PUSHPIN = "pushpin"
log = logging.getLogger(__name__)


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    @app.middleware
    async def rate_limited(body: dict, next):  # noqa: A002 - Bolt passes `next` by that name
        """Slack's `app_rate_limited` is a top-level payload, not an event_callback, so no `app.event` listener
        can match it: logged as a warning with its minute, and answered 200 (a failed delivery counts against
        the app's subscriptions)."""
        if body.get("type") != "app_rate_limited":
            return await next()
        minute = body.get("minute_rate_limited")
        at = (datetime.fromtimestamp(minute, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
              if isinstance(minute, (int, float)) and not isinstance(minute, bool) and 0 <= minute < 2**33 else "?")
        log.warning("Slack rate-limits this app's event deliveries to team %s since the minute %s (%s)",
                    str(body.get("team_id", "?"))[:20], at, str(minute)[:20])
        return BoltResponse(status=200, body="")

    async def crisis_of(event: dict):
        item = event.get("item") or {}
        if event.get("reaction") != PUSHPIN or item.get("type") != "message":
            return None, item
        return await ctx.services.deps.crises.by_channel(item.get("channel", "")), item

    @app.event("reaction_added")
    async def pinned(event: dict) -> None:
        async with ctx.inflight.track():
            crisis, item = await crisis_of(event)
            if crisis is not None and not crisis.is_closed:
                await ctx.services.timeline.pin(crisis, item["channel"], item["ts"], by=event.get("user", ""))

    @app.event("reaction_removed")
    async def unpinned(event: dict) -> None:
        async with ctx.inflight.track():
            crisis, item = await crisis_of(event)
            if crisis is not None and not crisis.is_closed:
                await ctx.services.timeline.unpin(crisis, item["channel"], item["ts"], PUSHPIN)

    @app.event("member_joined_channel")
    async def joined(event: dict, context) -> None:
        """Someone joined a crisis room by themselves or was added by a person: a private welcome with the
        crisis, its lead, phase and roles. Those the bot invites are told by what invited them (the role's
        brief, `/crisis invite`'s welcome)."""
        bot_user = context.get("bot_user_id")
        user = event.get("user", "")
        if not user or user == bot_user or (bot_user and event.get("inviter") == bot_user):
            return
        async with ctx.inflight.track():
            await ctx.services.team.welcome(event.get("channel", ""), user)
