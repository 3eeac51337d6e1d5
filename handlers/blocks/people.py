"""Renderers for people joining a crisis room: invited responders, the welcome of a newcomer."""

from __future__ import annotations

from bot.domain.notices import Notice
from handlers.blocks.kit import mention, section
from handlers.blocks.messages import phase_name, severity_label
from handlers.blocks.notices import Rendered, RenderContext
from handlers.escape import esc


def invited(n: Notice, ctx: RenderContext) -> Rendered:
    t = ctx.catalog
    users = ", ".join(mention(u, t) for u in n.data["users"])
    text = t.t("people.invited", users=users, by=mention(n.data["by"], t))
    return text, [section(text)]


def welcome(n: Notice, ctx: RenderContext) -> Rendered:
    """For someone who just joined a crisis room: what it is about, who leads, where it stands."""
    c, t = n.crisis, ctx.catalog
    roles = ", ".join(f"`{r.key}`" for r in ctx.plan.roles)
    text = t.t("people.welcome", title=esc(c.title), severity=esc(severity_label(c, ctx.plan)),
               lead=mention(c.lead, t), phase=phase_name(c, ctx.plan, t), roles=roles)
    return text, [section(text)]


RENDERERS = {"invited": invited, "welcome": welcome}
