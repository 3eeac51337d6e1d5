"""Buttons and menus: on the pinned plan, the situation-report prompt and reminders."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.crisis import Crisis
from bot.domain.errors import UnknownCrisis
from handlers.blocks.forms import close_modal, role_modal, sitrep_modal
from handlers.blocks.lifecycle import SITREP_OPEN
from handlers.blocks.plan import CLOSE_OPEN, PHASE_SELECT, REOPEN, TAKE_ROLE
from handlers.context import HandlerContext
from handlers.escape import esc
from handlers.replies import answering, privately


async def crisis_by_id(ctx: HandlerContext, value: str | int | None, user: str) -> Crisis:
    """The crisis a button, menu or form names, when `user` may act on it (a member, for a private one)."""
    try:
        crisis = await ctx.services.deps.crises.get(int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        crisis = None
    if crisis is None:
        raise UnknownCrisis(ref=str(value)[:20])
    return await ctx.services.privacy.check(crisis, user)


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    t = ctx.catalog

    async def role_form(crisis: Crisis) -> dict:
        return role_modal(crisis.id, ctx.plan, t)

    async def sitrep_form(crisis: Crisis) -> dict:
        return sitrep_modal(crisis.id, ctx.plan, await ctx.services.sitrep.current(crisis), t)

    async def close_form(crisis: Crisis) -> dict:
        return close_modal(crisis.id, ctx.plan, t)

    def opens(make_view):
        """A button whose value is a crisis id and which opens a form about that crisis."""
        async def listener(ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
            await ack()
            action = body["actions"][0]
            async with answering(ctx, privately(respond), action["action_id"]):
                crisis = await crisis_by_id(ctx, action.get("value"), body["user"]["id"])
                if make_view is close_form:
                    await ctx.services.crises.may_close(crisis, body["user"]["id"])
                crisis.require_open()
                await client.views_open(trigger_id=body["trigger_id"], view=await make_view(crisis))
        return listener

    for action_id, make_view in ((TAKE_ROLE, role_form), (SITREP_OPEN, sitrep_form), (CLOSE_OPEN, close_form)):
        app.action(action_id)(opens(make_view))

    @app.action(PHASE_SELECT)
    async def record_phase(ack: AsyncAck, body: dict, respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        async with answering(ctx, privately(respond), "record phase"):
            crisis_id, _, phase = ((action.get("selected_option") or {}).get("value") or "").partition(":")
            crisis = await crisis_by_id(ctx, crisis_id, body["user"]["id"])
            milestone = await ctx.services.phases.record(crisis, phase, "", by=body["user"]["id"])
            await privately(respond)(t.t("milestone.recorded", phase=esc(ctx.plan.phase(milestone.phase).name)))

    @app.action(REOPEN)
    async def reopen(ack: AsyncAck, body: dict, respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        async with answering(ctx, privately(respond), "reopen crisis"):
            crisis = await crisis_by_id(ctx, action.get("value"), body["user"]["id"])
            await ctx.services.crises.reopen(crisis, body["user"]["id"])
            await privately(respond)(t.t("closed.reopen_done"))
