"""The App Home tab: published each time somebody opens it."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.crisis import Crisis
from bot.domain.roles import holders
from bot.domain.story import FirstResponse, first_response
from handlers.blocks.home import MAX_CLOSED, home_view
from handlers.context import HandlerContext
from handlers.slack_errors import error_code

log = logging.getLogger(__name__)

CLOSED_LOOKED_AT = 50  # closed crises read to find the last ones this person may see


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict, client: AsyncWebClient) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        user = event["user"]
        view = await build_home(ctx, user)
        try:
            await client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.warning("views.publish for %s failed: %s", user, error_code(exc))


async def build_home(ctx: HandlerContext, user: str) -> dict:
    deps = ctx.services.deps

    async def visible(crisis: Crisis) -> bool:
        """Private crises only to the people in them: who opened it, and who holds a role."""
        if not crisis.private or user in (crisis.opened_by, crisis.lead):
            return True
        assert crisis.id is not None
        return user in holders(await deps.dossier.roles(crisis.id)).values()

    active = [c for c in await ctx.services.crises.active() if await visible(c)]
    closed: list[tuple[Crisis, FirstResponse]] = []
    for crisis in await deps.crises.recently_closed(CLOSED_LOOKED_AT):
        if len(closed) == MAX_CLOSED:
            break
        if await visible(crisis):
            assert crisis.id is not None
            milestones = await deps.dossier.milestones(crisis.id)
            closed.append((crisis, first_response(ctx.plan, crisis.opened_at, milestones)))
    return home_view(active, closed, ctx.plan, ctx.catalog, ctx.clock.now())
