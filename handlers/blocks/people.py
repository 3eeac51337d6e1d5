"""Renderers for people joining a crisis room: invited responders, the welcome of a newcomer."""

from __future__ import annotations

from bot.domain.notices import Notice
from handlers.blocks.kit import mention, section
from handlers.blocks.notices import Rendered, RenderContext


def invited(n: Notice, ctx: RenderContext) -> Rendered:
    t = ctx.catalog
    users = ", ".join(mention(u, t) for u in n.data["users"])
    text = t.t("people.invited", users=users, by=mention(n.data["by"], t))
    return text, [section(text)]


RENDERERS = {"invited": invited}
