"""Modal submissions: open a crisis, the situation report, close, take a role."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.crisis import OpenRequest
from bot.domain.errors import CrisisError, TooLong
from bot.domain.sitrep import NothingChanged
from handlers.actions import crisis_by_id
from handlers.blocks.forms import (CLOSE_CALLBACK, LEARNINGS, OUTCOME, ROLE, ROLE_CALLBACK, SITREP_CALLBACK,
                                   crisis_of, edited_values, values)
from handlers.blocks.modal import DESCRIPTION, OPEN_CALLBACK, TITLE, read_open_form
from handlers.context import HandlerContext
from handlers.escape import esc
from handlers.replies import answering, tell_user
from handlers.slash import record_opening


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    t = ctx.catalog

    def teller(client: AsyncWebClient, user: str, channel: str | None):
        async def say(text: str) -> None:
            await tell_user(client, user, channel, text)
        return say

    @app.view(OPEN_CALLBACK)
    async def open_submitted(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        form = read_open_form(view)
        user = body["user"]["id"]
        request = OpenRequest(
            title=form.title, severity=form.severity, description=form.description,
            private=form.private, requested_by=user, origin_channel=form.origin_channel, language=form.language,
        )
        try:
            ctx.service.validate(request)
        except CrisisError as exc:
            block = DESCRIPTION if isinstance(exc, TooLong) and exc.params.get("what") == "description" else TITLE
            await ack(response_action="errors", errors={block: ctx.error_text(exc)})
            return
        recorded = await record_opening(ctx, request)
        await ack()
        say = teller(client, user, form.origin_channel)
        async with answering(ctx, say, "open crisis from modal"):
            if recorded is None:  # the request itself is recorded (handlers/journal.py) and will be resumed
                await say(t.t("journal.open_later"))
                return
            crisis = await ctx.service.start(recorded)
            await say(t.t("open.done", channel=crisis.channel_id))

    async def form_crisis(ack: AsyncAck, client: AsyncWebClient, user: str, view: dict):
        """The crisis a form is about; if there is none, the form closes and the person is told why."""
        try:
            return await crisis_by_id(ctx, crisis_of(view), user)
        except CrisisError as exc:
            await ack()
            await teller(client, user, None)(ctx.error_text(exc))
            return None

    @app.view(SITREP_CALLBACK)
    async def sitrep_submitted(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        user = body["user"]["id"]
        crisis = await form_crisis(ack, client, user, view)
        if crisis is None:
            return
        changes = edited_values(view)
        try:
            await ctx.services.sitrep.check(crisis, changes, by=user)
        except NothingChanged:
            await ack()
            return
        except CrisisError as exc:  # a bad choice or an over-long field: shown on the form
            await ack(response_action="errors", errors={_field_block(ctx, exc): ctx.error_text(exc)})
            return
        await ack()  # Slack waits 3 s at most; the posting happens after
        say = teller(client, user, crisis.channel_id)
        async with answering(ctx, say, "situation report from modal"):
            version = await ctx.services.sitrep.update(crisis, changes, by=user)
            await say(t.t("sitrep.saved", version=version.version))

    @app.view(CLOSE_CALLBACK)
    async def close_submitted(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        user = body["user"]["id"]
        form = values(view)
        try:
            ctx.service.check_close(form.get(OUTCOME, ""), form.get(LEARNINGS, ""))
        except TooLong as exc:
            block = LEARNINGS if exc.params.get("what") == "learnings" else OUTCOME
            await ack(response_action="errors", errors={block: ctx.error_text(exc)})
            return
        crisis = await form_crisis(ack, client, user, view)
        if crisis is None:
            return
        await ack()
        say = teller(client, user, crisis.channel_id)
        async with answering(ctx, say, "close crisis from modal"):
            await ctx.service.close(crisis.channel_id or "", user, form.get(OUTCOME, ""), form.get(LEARNINGS, ""))
            await say(t.t("close.done"))

    @app.view(ROLE_CALLBACK)
    async def role_submitted(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        user = body["user"]["id"]
        crisis = await form_crisis(ack, client, user, view)
        if crisis is None:
            return
        await ack()
        say = teller(client, user, crisis.channel_id)
        async with answering(ctx, say, "take role"):
            role, _ = await ctx.services.team.assign(crisis, values(view).get(ROLE, ""), "", by=user)
            await say(t.t("roles.taken", role=esc(role.name)))


def _field_block(ctx: HandlerContext, exc: CrisisError) -> str:
    label = exc.params.get("field") or exc.params.get("what") or ""
    spec = ctx.plan.sitrep_field(str(label))
    return spec.key if spec else ctx.plan.sitrep[0].key
