"""The App Home tab: published each time somebody opens it."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.crisis import Crisis
from bot.domain.story import FirstResponse, first_response
from handlers.actions import crisis_by_id
from handlers.blocks.home import ADOPT_LESSONS, MAX_CLOSED, home_view
from handlers.context import HandlerContext
from handlers.replies import answering, tell_user
from handlers.slack_errors import error_code

log = logging.getLogger(__name__)

CLOSED_LOOKED_AT = 50  # closed crises read to find the last ones this person may see


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict, client: AsyncWebClient) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        user = event["user"]
        await publish(client, user)

    async def publish(client: AsyncWebClient, user: str) -> None:
        view = await build_home(ctx, user)
        try:
            await client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.warning("views.publish for %s failed: %s", user, error_code(exc))

    @app.action(ADOPT_LESSONS)
    async def adopt_lessons(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
        """An admin shares a private crisis's lessons with every later plan, from the Home tab."""
        await ack()
        user = body["user"]["id"]

        async def say(text: str) -> None:
            await tell_user(client, user, None, text)

        async with answering(ctx, say, "adopt lessons"):
            crisis = await crisis_by_id(ctx, body["actions"][0].get("value"), user)
            count = await ctx.services.privacy.adopt(crisis, user)
            await say(ctx.catalog.t("privacy.adopted", count=count) if count
                      else ctx.catalog.t("privacy.nothing_to_adopt"))
            await publish(client, user)


async def build_home(ctx: HandlerContext, user: str) -> dict:
    deps, privacy = ctx.services.deps, ctx.services.privacy
    active = await privacy.visible(await ctx.services.crises.active(), user)
    closed: list[tuple[Crisis, FirstResponse]] = []
    adoptable: dict[int, int] = {}
    for crisis in await deps.crises.recently_closed(CLOSED_LOOKED_AT):
        if len(closed) == MAX_CLOSED:
            break
        if await privacy.may_see(crisis, user):
            assert crisis.id is not None
            milestones = await deps.dossier.milestones(crisis.id)
            closed.append((crisis, first_response(ctx.plan, crisis.opened_at, milestones)))
            adoptable[crisis.id] = await privacy.adoptable(crisis, user)
    return home_view(active, closed, ctx.plan, ctx.catalog, ctx.clock.now(), adoptable)
