"""`/crisis` slash command: parse, dispatch, answer."""

from __future__ import annotations

import asyncio
import json
import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import commands
from bot.domain.crisis import Crisis, OpenRequest
from bot.domain.errors import CrisisError
from bot.domain.sitrep import Sitrep
from handlers import slash_crisis
from handlers.blocks.messages import active_list, help_text, status_blocks, usage_text
from handlers.blocks.modal import open_modal
from handlers.blocks.plan import crisis_actions, reference_plan
from handlers.context import HandlerContext, SlashRequest
from handlers.escape import esc
from handlers.journal import RETRY, current_key
from handlers.replies import answering, shared_respond

log = logging.getLogger(__name__)

# Answers that only read: at most ctx.inflight.replies of them at once; beyond, "busy, try again" in the ack.
READS = (commands.Status, commands.ShowPlan)

# Subcommands that act on the crisis of the channel they are typed in.
IN_CRISIS = (commands.Close, commands.Role, commands.Roles, commands.Sitrep, commands.Milestone, commands.Note,
             commands.Severity, commands.Reopen, commands.Update, commands.Invite)


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    @app.command("/crisis")
    async def crisis(ack: AsyncAck, command: dict, respond: AsyncRespond, client: AsyncWebClient) -> None:
        await handle(ack, command, respond, client, ctx)

    @app.action(RETRY)
    async def retry(ack: AsyncAck, body: dict, respond: AsyncRespond, client: AsyncWebClient) -> None:
        """*Retry* on "cannot record this right now": the same command again, by the person who clicks."""
        await ack()
        try:
            text = str(json.loads(body["actions"][0].get("value") or "{}").get("text", ""))
        except (ValueError, AttributeError):
            text = ""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        command = {"text": text, "user_id": body["user"]["id"], "channel_id": channel,
                   "trigger_id": body.get("trigger_id", "")}

        async def answer(text: str | None = None, **kwargs) -> None:  # what the command would ack with
            if text or kwargs.get("blocks"):
                await respond(text=text or "", response_type="ephemeral", replace_original=True, **kwargs)
        await handle(answer, command, respond, client, ctx)


async def handle(ack, command: dict, respond: AsyncRespond, client: AsyncWebClient, ctx: HandlerContext) -> None:
    cmd = commands.parse(command.get("text", ""), ctx.plan)
    respond = shared_respond(command.get("response_url"), client) or respond
    req = SlashRequest(command["user_id"], command["channel_id"], command.get("trigger_id", ""), respond, client)
    if isinstance(cmd, commands.Open) and cmd.title:
        await open_crisis(ack, cmd, req, ctx)
        return
    if ctx.voices is not None:
        await ctx.voices.ready()  # the person's language before we answer (their first request only)
    if isinstance(cmd, commands.Help):
        await ack(text=help_text(ctx.plan, ctx.catalog, cmd.unknown))
        return
    if isinstance(cmd, commands.Usage):
        await ack(text=usage_text(cmd.command, ctx.plan, ctx.catalog))
        return
    if isinstance(cmd, commands.BadLanguage):
        await ack(text=ctx.catalog.t("error.bad_language", option=esc(cmd.option), value=esc(cmd.value),
                                     languages=", ".join(ctx.services.deps.languages)))
        return
    if not (isinstance(cmd, READS) or isinstance(cmd, commands.Open)):  # recorded before its ack: never shed
        await ack()
        await run(cmd, req, ctx)
        return
    gate = ctx.inflight.replies
    if not gate.enter():  # a storm of reads: said at once, rather than queued without bound
        log.info("/crisis %s: %d replies under way already; told to try again", type(cmd).__name__.lower(),
                 gate.running)
        await ack(text=ctx.catalog.t("busy.slash"))
        return
    try:
        await ack()
        await run(cmd, req, ctx)
    finally:
        gate.leave()


async def run(cmd: commands.Command, req: SlashRequest, ctx: HandlerContext) -> None:
    """The work after the ack."""
    respond, client = req.respond, req.client
    async with answering(ctx, req.say, type(cmd).__name__.lower()):
        if isinstance(cmd, commands.Open):
            async with ctx.inflight.replies.turn():
                here = await ctx.services.deps.crises.by_channel(req.channel)
            if here is not None:  # bare `/crisis` in a crisis room: that crisis's actions, not a new one
                text, blocks = crisis_actions(here, ctx.plan, ctx.catalog)
                await respond(text=text, blocks=blocks, response_type="ephemeral")
                return
            await client.views_open(trigger_id=req.trigger_id,
                                    view=open_modal(ctx.plan, ctx.catalog, req.channel, severity=cmd.severity,
                                                    languages=ctx.services.deps.languages,
                                                    language=cmd.language or ctx.services.deps.language))
        elif isinstance(cmd, commands.Status):
            await status(req, ctx)
        elif isinstance(cmd, commands.ShowPlan):
            async with ctx.inflight.replies.turn():
                lessons = await ctx.services.privacy.lessons_for(req.user, ctx.plan.lessons_shown)
            text, blocks = reference_plan(ctx.plan, ctx.catalog, lessons)
            await respond(text=text, blocks=blocks, response_type="ephemeral")
        elif isinstance(cmd, IN_CRISIS):
            await slash_crisis.run(cmd, req, ctx)


async def open_crisis(ack: AsyncAck, cmd: commands.Open, req: SlashRequest, ctx: HandlerContext) -> None:
    request = OpenRequest(title=cmd.title, severity=cmd.severity, requested_by=req.user, origin_channel=req.channel,
                          language=cmd.language)
    try:
        ctx.service.validate(request)
    except CrisisError as exc:
        await ack(text=ctx.error_text(exc))
        return
    recorded = await record_opening(ctx, request)
    if recorded is None:
        await ack(text=ctx.catalog.t("journal.open_later" if current_key() else "journal.cannot_record"))
        return
    acked = asyncio.Event()

    async def opening() -> None:
        async with answering(ctx, req.say, "open crisis"):
            crisis = await ctx.service.start(recorded)
            await acked.wait()  # "is open" never comes before "opening…"
            await req.say(ctx.catalog.t("open.done", channel=crisis.channel_id))

    started = asyncio.ensure_future(opening())  # the room is being made while the ack waits for the language
    try:
        if ctx.voices is not None:
            await ctx.voices.ready()
        await ack(text=ctx.catalog.t("open.ack", title=esc(recorded.title)))
    finally:
        acked.set()
    await started


async def record_opening(ctx: HandlerContext, request: OpenRequest) -> Crisis | None:
    """The crisis in the database before anyone is told it is opening; None when the database did not answer
    in time (the Slack request itself is recorded then, and resumed: `handlers/journal.py`)."""
    try:  # should it land late, the crisis is recorded with a lease nobody renews: the tick opens it
        return await ctx.inflight.within(ctx.service.record(request, current_key()), ctx.record_timeout)
    except Exception:
        log.warning("an opening could not be recorded in time", exc_info=True)
        return None


async def status(req: SlashRequest, ctx: HandlerContext) -> None:
    """The crisis of this room and its report, or the crises the person may see: one read (storage/status.py)."""
    room, sitrep, visible = await ctx.service.status(req.channel, req.user)
    now = ctx.clock.now()
    if room is None:
        await req.say(active_list(visible, ctx.plan, ctx.catalog, now))
        return
    blocks = status_blocks(room, ctx.plan, ctx.catalog, now, Sitrep(sitrep))
    await req.respond(text=esc(room.title), blocks=blocks, response_type="ephemeral")
