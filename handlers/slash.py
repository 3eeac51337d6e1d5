"""`/crisis` slash command: parse, call the service, answer."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import commands
from bot.domain.crisis import OpenRequest
from bot.domain.errors import CrisisError, NotACrisisChannel
from handlers.blocks.messages import active_list, help_text, status_blocks
from handlers.blocks.modal import open_modal
from handlers.context import HandlerContext
from handlers.escape import esc
from handlers.replies import answering


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    t = ctx.catalog

    async def say(respond: AsyncRespond, text: str) -> None:
        await respond(text=text, response_type="ephemeral")

    @app.command("/crisis")
    async def crisis(ack: AsyncAck, command: dict, respond: AsyncRespond, client: AsyncWebClient) -> None:
        cmd = commands.parse(command.get("text", ""), ctx.plan)
        user, channel = command["user_id"], command["channel_id"]
        match cmd:
            case commands.Open(title="", severity=severity):
                await ack()
                async with answering(ctx, lambda text: say(respond, text), "open modal"):
                    await client.views_open(
                        trigger_id=command["trigger_id"],
                        view=open_modal(ctx.plan, t, origin_channel=channel, severity=severity),
                    )
            case commands.Open(title=title, severity=severity):
                request = OpenRequest(title=title, severity=severity, requested_by=user, origin_channel=channel)
                try:
                    crisis = ctx.service.validate(request)
                except CrisisError as exc:
                    await ack(text=ctx.error_text(exc))
                    return
                await ack(text=t.t("open.ack", title=esc(crisis.title)))
                async with answering(ctx, lambda text: say(respond, text), "open crisis"):
                    crisis = await ctx.service.open(request)
                    await say(respond, t.t("open.done", channel=crisis.channel_id))
            case commands.Status():
                await ack()
                async with answering(ctx, lambda text: say(respond, text), "status"):
                    now = ctx.clock.now()
                    try:
                        crisis = await ctx.service.in_channel(channel)
                    except NotACrisisChannel:
                        await say(respond, active_list(await ctx.service.active(), ctx.plan, t, now))
                        return
                    blocks = status_blocks(crisis, ctx.plan, t, now)
                    await respond(text=esc(crisis.title), blocks=blocks, response_type="ephemeral")
            case commands.Close():
                await ack()
                async with answering(ctx, lambda text: say(respond, text), "close crisis"):
                    await ctx.service.close(channel, user)
                    await say(respond, t.t("close.done"))
            case commands.Help(unknown=unknown):
                await ack(text=help_text(ctx.plan, t, unknown))
