"""A change event's line in the crisis channel: what changed, where, and a link."""

from __future__ import annotations

from bot.domain.changes import Change
from bot.domain.notices import Notice
from handlers.blocks.kit import context, section
from handlers.blocks.notices import Rendered, RenderContext
from handlers.escape import esc


def _link(url: str) -> str:
    return url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")


def alert_change(n: Notice, ctx: RenderContext) -> Rendered:
    t = ctx.catalog
    change: Change = n.data["change"]
    text = t.t("senders.change", source=esc(change.source), summary=esc(change.summary))
    blocks = [section(text)]
    details = []
    if change.origin:
        details.append(t.t("senders.change_origin", origin=esc(change.origin)))
    if change.url:
        details.append(t.t("senders.change_link", url=_link(change.url)))
    if details:
        blocks.append(context(" · ".join(details)))
    return text, blocks


RENDERERS = {"alert_change": alert_change}
