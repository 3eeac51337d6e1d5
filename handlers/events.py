"""Events: a 📌 reaction puts a message of a crisis channel on the timeline."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

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

    @app.event("message")
    async def message(event: dict) -> None:
        """Messages matter only once someone pins them; acknowledged and left alone."""
