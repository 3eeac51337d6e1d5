"""Reminder and escalation messages.

Snooze buttons: one per `plan.reminders.snooze_minutes`, each carrying
`{"crisis": id, "kind": kind, "minutes": n}` as its value. Block Kit wants the action_ids
of one actions block to differ, so the first is `reminder_snooze` and the others
`reminder_snooze_<minutes>`; handlers/reminders.py listens to all of them. "Fill in now"
is `sitrep_open` with the crisis id, which handlers/actions.py answers with the report form.
"""

from __future__ import annotations

import json

from bot.domain.notices import Notice
from bot.domain.reminders import ReminderKind
from bot.services.reminders import (
    NOTICE_GOLDEN_HOUR,
    NOTICE_GOLDEN_HOUR_MANAGERS,
    NOTICE_SITREP_MISSING,
    NOTICE_SITREP_REFRESH,
    RESPONSE,
)
from handlers.blocks.kit import MAX_FALLBACK_TEXT, context, section, mention
from handlers.blocks.notices import Rendered, RenderContext, Renderer
from handlers.escape import cut, esc

SNOOZE_ACTION = "reminder_snooze"
FILL_IN_ACTION = "sitrep_open"
MAX_BUTTON_TEXT = 75
MAX_BUTTONS = 25


def snooze_action_id(index: int, minutes: int) -> str:
    return SNOOZE_ACTION if index == 0 else f"{SNOOZE_ACTION}_{minutes}"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "value": value,
              "text": {"type": "plain_text", "text": cut(text, MAX_BUTTON_TEXT), "emoji": True}}
    if style:
        button["style"] = style
    return button


def _buttons(notice: Notice, ctx: RenderContext, kind: ReminderKind) -> dict:
    t = ctx.catalog
    crisis_id = notice.crisis.id
    choices = list(dict.fromkeys(ctx.plan.reminders.snooze_minutes))[: MAX_BUTTONS - 1]
    elements = [_button(t.t("reminders.button.fill"), FILL_IN_ACTION, str(crisis_id), "primary")]
    for index, minutes in enumerate(choices):
        value = json.dumps({"crisis": crisis_id, "kind": kind.value, "minutes": minutes})
        elements.append(_button(t.t("reminders.button.snooze", minutes=minutes),
                                snooze_action_id(index, minutes), value))
    return {"type": "actions", "block_id": f"reminder_{kind.value}", "elements": elements}


def _fallback(text: str) -> str:
    return cut(text, MAX_FALLBACK_TEXT)


def sitrep_missing(notice: Notice, ctx: RenderContext) -> Rendered:
    t, plan, crisis = ctx.catalog, ctx.plan, notice.crisis
    labels = []
    for key in notice.data.get("missing", []):
        spec = plan.sitrep_field(key)
        labels.append(esc(spec.label if spec else key))
    lines = "\n".join(t.t("reminders.sitrep_missing.field_line", label=label) for label in labels)
    body = t.t("reminders.sitrep_missing.body", lead=mention(crisis.lead, t), title=esc(crisis.title), count=len(labels),
               fields=lines)
    hint = t.t("reminders.sitrep_missing.hint", minutes=plan.reminders.sitrep_missing_minutes)
    text = t.t("reminders.sitrep_missing.fallback", lead=mention(crisis.lead, t), fields=", ".join(labels))
    return _fallback(text), [section(body), context(hint), _buttons(notice, ctx, ReminderKind.SITREP_MISSING)]


def sitrep_refresh(notice: Notice, ctx: RenderContext) -> Rendered:
    t, crisis = ctx.catalog, notice.crisis
    minutes = notice.data.get("minutes", ctx.plan.reminders.sitrep_refresh_minutes)
    body = t.t("reminders.sitrep_refresh.body", lead=mention(crisis.lead, t), title=esc(crisis.title), minutes=minutes)
    text = t.t("reminders.sitrep_refresh.fallback", lead=mention(crisis.lead, t))
    return _fallback(text), [section(body), context(t.t("reminders.sitrep_refresh.hint")),
                             _buttons(notice, ctx, ReminderKind.SITREP_REFRESH)]


def golden_hour(notice: Notice, ctx: RenderContext) -> Rendered:
    t, crisis = ctx.catalog, notice.crisis
    minutes = notice.data.get("minutes", ctx.plan.first_response_minutes)
    phase = ctx.plan.phase(RESPONSE)
    body = t.t("reminders.golden_hour.body", lead=mention(crisis.lead, t), minutes=minutes)
    hint = t.t("reminders.golden_hour.hint", phase=esc(phase.key if phase else RESPONSE))
    if ctx.managers_channel:
        hint += " " + t.t("reminders.golden_hour.managers_told", channel=ctx.managers_channel)
    return _fallback(t.t("reminders.golden_hour.fallback", lead=mention(crisis.lead, t))), [section(body), context(hint)]


def golden_hour_managers(notice: Notice, ctx: RenderContext) -> Rendered:
    t, crisis = ctx.catalog, notice.crisis
    minutes = notice.data.get("minutes", ctx.plan.first_response_minutes)
    severity = ctx.plan.severity(crisis.severity)
    body = t.t("reminders.golden_hour_managers.body", channel=crisis.channel_id, title=esc(crisis.title),
               minutes=minutes, lead=mention(crisis.lead, t), severity=esc(severity.label if severity else crisis.severity))
    text = t.t("reminders.golden_hour_managers.fallback", title=esc(crisis.title), minutes=minutes)
    return _fallback(text), [section(body)]


RENDERERS: dict[str, Renderer] = {
    NOTICE_SITREP_MISSING: sitrep_missing,
    NOTICE_SITREP_REFRESH: sitrep_refresh,
    NOTICE_GOLDEN_HOUR: golden_hour,
    NOTICE_GOLDEN_HOUR_MANAGERS: golden_hour_managers,
}
