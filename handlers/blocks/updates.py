"""Renderer for stakeholder updates, in the crisis channel and in the managers' channel."""

from __future__ import annotations

from bot.domain.notices import Audience, Notice
from bot.services.updates import NOTICE
from handlers.blocks.kit import mention, sections
from handlers.blocks.notices import Rendered, RenderContext
from handlers.escape import cut, esc

MAX_FALLBACK = 3000  # the notification text; the blocks carry the whole update


def stakeholder_update(n: Notice, ctx: RenderContext) -> Rendered:
    t, c = ctx.catalog, n.crisis
    by, text = mention(n.data.get("by"), t), esc(n.data.get("text", ""))
    if n.audience is Audience.MANAGERS:
        head = t.t("commands.update.managers", channel=c.channel_id, title=esc(c.title), by=by)
    else:
        head = t.t("commands.update.channel", by=by)
    fallback = cut(t.t("commands.update.fallback", title=esc(c.title), text=text), MAX_FALLBACK)
    return fallback, sections(text.split("\n"), head)


RENDERERS = {NOTICE: stakeholder_update}
