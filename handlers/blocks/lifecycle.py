"""Renderers for the lifecycle notices: announcement, roles, situation report, milestones."""

from __future__ import annotations

from bot.domain.milestones import Milestone
from bot.domain.notices import Notice
from bot.domain.sitrep import SitrepVersion
from handlers.blocks.kit import context, section, when, mention
from handlers.blocks.messages import severity_label
from handlers.blocks.notices import Rendered, RenderContext
from handlers.escape import esc

SITREP_OPEN = "sitrep_open"


def _text(text: str) -> Rendered:
    return text, [section(text)]


def announce(n: Notice, ctx: RenderContext) -> Rendered:
    c = n.crisis
    severity = esc(severity_label(c, ctx.plan))
    return _text(ctx.catalog.t("announce.text", title=esc(c.title), severity=severity, lead=mention(c.lead, ctx.catalog),
                               channel=c.channel_id))


def role_changed(n: Notice, ctx: RenderContext) -> Rendered:
    role = ctx.plan.role(n.data["role"])
    name = esc(role.name if role else n.data["role"])
    t = ctx.catalog
    if n.data.get("previous"):
        return _text(t.t("roles.handoff", role=name, previous=n.data["previous"], user=n.data["user"],
                         by=n.data["by"]))
    return _text(t.t("roles.changed", role=name, user=n.data["user"], by=n.data["by"]))


def role_brief(n: Notice, ctx: RenderContext) -> Rendered:
    role = ctx.plan.role(n.data["role"])
    assert role is not None
    return _text(ctx.catalog.t("roles.brief", role=esc(role.name), title=esc(n.crisis.title),
                               channel=n.crisis.channel_id, brief=esc(role.brief)))


def sitrep_button(ctx: RenderContext, crisis_id: int | None) -> dict:
    return {"type": "button", "action_id": SITREP_OPEN, "value": str(crisis_id), "style": "primary",
            "text": {"type": "plain_text", "text": ctx.catalog.t("sitrep.button")}}


def sitrep_prompt(n: Notice, ctx: RenderContext) -> Rendered:
    required = ", ".join(esc(f.label) for f in ctx.plan.required_fields)
    text = ctx.catalog.t("sitrep.prompt", required=required)
    return text, [section(text), {"type": "actions", "elements": [sitrep_button(ctx, n.crisis.id)]}]


def sitrep_updated(n: Notice, ctx: RenderContext) -> Rendered:
    t = ctx.catalog
    version: SitrepVersion = n.data["version"]
    lines = [t.t("sitrep.updated", by=version.author, version=version.version)]
    for key in version.changed:
        spec = ctx.plan.sitrep_field(key)
        value = version.fields.get(key)
        if value and spec is not None:
            value = spec.choice_label(value)  # "unknown" as the room's language shows it
        lines.append(t.t("sitrep.changed_line", label=esc(spec.label if spec else key),
                         value=esc(value) if value else t.t("sitrep.cleared")))
    missing = [ctx.plan.sitrep_field(k) for k in n.data.get("missing", [])]
    footer = (t.t("sitrep.still_missing", fields=", ".join(esc(f.label) for f in missing if f)) if missing
              else t.t("sitrep.complete"))
    text = "\n".join(lines)
    return text, [section(text), context(footer)]


def milestone(n: Notice, ctx: RenderContext) -> Rendered:
    t, c = ctx.catalog, n.crisis
    m: Milestone = n.data["milestone"]
    phase = esc(ctx.plan.phase(m.phase).name)  # type: ignore[union-attr]
    since = t.duration(m.at - c.opened_at)
    if n.audience.value == "managers":
        return _text(t.t("milestone.managers", title=esc(c.title), phase=phase, at=when(m.at), since=since,
                         channel=c.channel_id))
    key = "milestone.again" if n.data.get("repeated") else "milestone.line"
    lines = [t.t(key, phase=phase, by=m.by, at=when(m.at), since=since)]
    if m.note:
        lines.append(t.t("milestone.note", note=esc(m.note).replace("\n", "\n> ")))
    blocks = [section("\n".join(lines))]
    if m.out_of_order:
        skipped = ", ".join(esc(ctx.plan.phase(k).name) for k in m.skipped)  # type: ignore[union-attr]
        blocks.append(context(t.t("milestone.out_of_order", skipped=skipped)))
    return lines[0], blocks


def resumed(n: Notice, ctx: RenderContext) -> Rendered:
    c = n.crisis
    return _text(ctx.catalog.t("resumed.ready", channel=c.channel_id, title=esc(c.title)))


def severity_changed(n: Notice, ctx: RenderContext) -> Rendered:
    c = n.crisis
    previous = ctx.plan.severity(n.data["previous"])
    return _text(ctx.catalog.t("severity.changed", by=mention(n.data["by"], ctx.catalog), title=esc(c.title),
                               previous=esc(previous.label if previous else n.data["previous"]),
                               severity=esc(severity_label(c, ctx.plan))))


def reopened(n: Notice, ctx: RenderContext) -> Rendered:
    c, t = n.crisis, ctx.catalog
    if n.audience.value == "managers":
        return _text(t.t("closed.reopened_managers", by=mention(n.data["by"], t), title=esc(c.title),
                         channel=c.channel_id))
    return _text(t.t("closed.reopened", by=mention(n.data["by"], t)))


def archive_notice(n: Notice, ctx: RenderContext) -> Rendered:
    return _text(ctx.catalog.t("closed.archive_notice", at=when(n.data["at"])))


def private_line(n: Notice, ctx: RenderContext) -> Rendered:
    """All the managers' channel hears of a private crisis (bot.domain.privacy)."""
    severity = esc(severity_label(n.crisis, ctx.plan))
    moment = ctx.catalog.t(f"announce.moment_{n.data['moment']}")
    line = ctx.plan.private_managers_line
    text = (ctx.catalog.t("announce.private", severity=severity, moment=moment) if line is None
            else esc(line).replace("{severity}", severity).replace("{moment}", moment))
    return _text(text)


RENDERERS = {
    "severity_changed": severity_changed,
    "private_line": private_line,
    "resumed": resumed,
    "announce": announce,
    "role_changed": role_changed,
    "role_brief": role_brief,
    "sitrep_prompt": sitrep_prompt,
    "sitrep_updated": sitrep_updated,
    "milestone": milestone,
    "reopened": reopened,
    "archive_notice": archive_notice,
}
