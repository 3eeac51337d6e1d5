"""Buttons on alert messages: open a crisis from triage, dismiss it, record Recovery."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.domain.errors import AlreadyClosed
from bot.services.alerts import DISMISSED, OPENED
from handlers.actions import crisis_by_id
from handlers.blocks.alerts import (RECORD_RECOVERY, TRIAGE_CANCEL, TRIAGE_CONFIRM, TRIAGE_DISMISS, TRIAGE_OPEN,
                                    confirm_open)
from handlers.context import HandlerContext
from handlers.escape import esc
from handlers.replies import answering, privately

RECOVERY = "recovery"


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    t = ctx.catalog

    def decides(decision: str, confirmed: bool = False):
        async def listener(ack: AsyncAck, body: dict, respond: AsyncRespond) -> None:
            await ack()
            action = body["actions"][0]
            async with answering(ctx, privately(respond), f"triage {decision}"):
                triage_id = int(action["value"])
                done = await ctx.services.alerts.decide(triage_id, decision, by=body["user"]["id"],
                                                        confirmed=confirmed)
                if done.needs_confirmation:
                    text, blocks = confirm_open(triage_id, t)
                    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
                elif done.linked and done.crisis is not None:
                    await privately(respond)(t.t("alerts.already_has_crisis", channel=done.crisis.channel_id))
                elif done.crisis is not None:
                    await privately(respond)(t.t("open.done", channel=done.crisis.channel_id))
        return listener

    app.action(TRIAGE_OPEN)(decides(OPENED))
    app.action(TRIAGE_CONFIRM)(decides(OPENED, confirmed=True))
    app.action(TRIAGE_DISMISS)(decides(DISMISSED))

    @app.action(TRIAGE_CANCEL)
    async def cancel_open(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text=t.t("alerts.open_cancelled"), response_type="ephemeral", replace_original=True)

    @app.action(RECORD_RECOVERY)
    async def record_recovery(ack: AsyncAck, body: dict, respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        async with answering(ctx, privately(respond), "record recovery"):
            crisis = await crisis_by_id(ctx, action.get("value"), body["user"]["id"])
            if crisis.is_closed:
                raise AlreadyClosed(title=crisis.title)
            milestone = await ctx.services.phases.record(crisis, RECOVERY, "", by=body["user"]["id"])
            await privately(respond)(t.t("milestone.recorded", phase=esc(ctx.plan.phase(milestone.phase).name)))
