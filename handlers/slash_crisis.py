"""Subcommands typed in a crisis channel: role, roles, sitrep, milestone, note, close, reopen."""

from __future__ import annotations

from bot.domain import commands
from bot.domain.sitrep import NothingChanged
from handlers.blocks.forms import close_modal, sitrep_modal
from handlers.blocks.messages import roster_text
from handlers.context import HandlerContext, SlashRequest
from handlers.escape import esc


async def run(cmd: commands.Command, req: SlashRequest, ctx: HandlerContext) -> None:
    """Find the crisis of the channel (or refuse), then do what was asked."""
    s, t = ctx.services, ctx.catalog
    crisis = await s.crises.in_channel(req.channel)
    match cmd:
        case commands.Role(role=role, user=user):
            held, _ = await s.team.assign(crisis, role, user, by=req.user)
            if not user:  # they took it themselves; the channel is told either way
                await req.say(t.t("roles.taken", role=esc(held.name)))
        case commands.Invite(people=people):
            invited = await s.team.invite(crisis, people, by=req.user)
            await req.say(t.t("people.invited_done", users=", ".join(f"<@{u}>" for u in invited)))
        case commands.Roles():
            await req.say(roster_text(await s.team.roster(crisis), t))
        case commands.Sitrep(text=""):
            crisis.require_open()
            sitrep = await s.sitrep.current(crisis)
            await req.client.views_open(trigger_id=req.trigger_id,  # type: ignore[attr-defined]
                                        view=sitrep_modal(crisis.id, ctx.plan, sitrep, t))
        case commands.Sitrep(text=text):
            try:
                version = await s.sitrep.update(crisis, s.sitrep.parse(text), by=req.user)
            except NothingChanged as exc:
                await req.say(ctx.error_text(exc))
                return
            await req.say(t.t("sitrep.saved", version=version.version))
        case commands.Milestone(phase=phase, note=note):
            milestone = await s.phases.record(crisis, phase, note, by=req.user)
            await req.say(t.t("milestone.recorded", phase=esc(ctx.plan.phase(milestone.phase).name)))
        case commands.Note(text=text):
            await s.timeline.note(crisis, text, by=req.user)
            await req.say(t.t("timeline.noted"))
        case commands.Update(text=text):
            managers = await s.updates.post(crisis, text, by=req.user)
            await req.say(t.t("commands.update.posted_managers" if managers else "commands.update.posted"))
        case commands.Severity(level=level):
            crisis = await s.crises.change_severity(crisis, level, by=req.user)
            await req.say(t.t("severity.now", severity=esc(ctx.plan.severity(crisis.severity).label)))
        case commands.Close(learnings=""):
            await s.crises.may_close(crisis, req.user)
            await req.client.views_open(trigger_id=req.trigger_id,  # type: ignore[attr-defined]
                                        view=close_modal(crisis.id, ctx.plan, t))
        case commands.Close(learnings=learnings):
            await s.crises.close(req.channel, req.user, learnings=learnings)
            await req.say(t.t("close.done"))
        case commands.Reopen():
            await s.crises.reopen(crisis, req.user)
            await req.say(t.t("closed.reopen_done"))
