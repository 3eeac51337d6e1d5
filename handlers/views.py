"""Modal submissions."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.crisis import OpenRequest
from bot.domain.errors import CrisisError, TooLong
from handlers.blocks.modal import DESCRIPTION, OPEN_CALLBACK, TITLE, read_open_form
from handlers.context import HandlerContext
from handlers.replies import answering, tell_user


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    t = ctx.catalog

    @app.view(OPEN_CALLBACK)
    async def open_submitted(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        form = read_open_form(view)
        user = body["user"]["id"]
        request = OpenRequest(
            title=form.title, severity=form.severity, description=form.description,
            private=form.private, requested_by=user, origin_channel=form.origin_channel,
        )
        try:
            ctx.service.validate(request)
        except CrisisError as exc:
            block = DESCRIPTION if isinstance(exc, TooLong) and exc.params.get("what") == "description" else TITLE
            await ack(response_action="errors", errors={block: ctx.error_text(exc)})
            return
        await ack()

        async def say(text: str) -> None:
            await tell_user(client, user, form.origin_channel, text)

        async with answering(ctx, say, "open crisis from modal"):
            crisis = await ctx.service.open(request)
            await say(t.t("open.done", channel=crisis.channel_id))
