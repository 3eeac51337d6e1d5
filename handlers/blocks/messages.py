"""Status, closing summary, help and topic texts."""

from __future__ import annotations

from datetime import datetime

from bot.catalog import Catalog
from bot.domain.clock import humanize
from bot.domain.crisis import Crisis
from bot.domain.plan import Plan
from handlers.blocks.kit import context, header, section, when
from handlers.escape import cut, esc

MAX_TOPIC = 250


def severity_label(crisis: Crisis, plan: Plan) -> str:
    severity = plan.severity(crisis.severity)
    return severity.label if severity else crisis.severity


def topic(crisis: Crisis, plan: Plan, t: Catalog) -> str:
    return cut(t.t("open.topic", severity=esc(severity_label(crisis, plan)), lead=crisis.lead,
                   title=esc(crisis.title)), MAX_TOPIC)


def status_blocks(crisis: Crisis, plan: Plan, t: Catalog, now: datetime) -> list[dict]:
    blocks = [
        section(t.t("status.header", title=esc(crisis.title))),
        section(t.t("status.line", status=crisis.status.value, severity=esc(severity_label(crisis, plan)),
                    lead=crisis.lead, age=humanize(crisis.age(now)))),
    ]
    if crisis.is_closed:
        blocks.append(context(t.t("status.closed_line", closed_by=crisis.closed_by, age=humanize(crisis.age(now)))))
    return blocks


def active_list(crises: list[Crisis], plan: Plan, t: Catalog, now: datetime) -> str:
    if not crises:
        return t.t("status.none_here") + "\n" + t.t("status.no_active")
    lines = [
        t.t("status.active_line", channel=c.channel_id, title=esc(c.title),
            severity=esc(severity_label(c, plan)), age=humanize(c.age(now)))
        for c in crises if c.channel_id
    ]
    return "\n".join([t.t("status.none_here"), t.t("status.active_title"), *lines])


def closing_summary(crisis: Crisis, t: Catalog) -> tuple[str, list[dict]]:
    assert crisis.closed_at is not None
    title = t.t("close.header", title=crisis.title)
    blocks = [
        header(title),
        section(t.t("close.summary", opened_by=crisis.opened_by, opened_at=when(crisis.opened_at),
                    closed_by=crisis.closed_by, closed_at=when(crisis.closed_at),
                    duration=humanize(crisis.age(crisis.closed_at)))),
    ]
    return t.t("close.header", title=esc(crisis.title)), blocks


def help_text(plan: Plan, t: Catalog, unknown: str | None = None) -> str:
    text = t.t("help.text", severities=", ".join(esc(s.key) for s in plan.severities))
    if unknown:
        text = t.t("help.unknown", word=esc(unknown)) + "\n" + text
    return text
