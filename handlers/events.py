"""Events: a 📌 reaction puts a message of a crisis channel on the timeline; a newcomer to a crisis
room is welcomed. Each event here is in manifest.yaml's bot_events, and only those."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.ports import SlackCallFailed
from handlers.context import HandlerContext

PUSHPIN = "pushpin"
log = logging.getLogger(__name__)


def register(app: AsyncApp, ctx: HandlerContext) -> None:
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
        """Someone joined a crisis room: a private welcome with the crisis, its lead, phase and roles."""
        user = event.get("user", "")
        if not user or user == context.get("bot_user_id"):
            return
        async with ctx.inflight.track():
            try:
                await ctx.services.team.welcome(event.get("channel", ""), user)
            except SlackCallFailed as exc:  # they left again, or the channel went: nobody to welcome
                log.info("no welcome for %s in %s: %s", user, event.get("channel"), exc.code)
