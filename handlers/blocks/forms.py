"""The situation-report, close and take-a-role modals, and the reading of their submissions."""

from __future__ import annotations

import json

from bot.catalog import Catalog
from bot.domain.plan import Plan
from bot.domain.sitrep import Sitrep

SITREP_CALLBACK, CLOSE_CALLBACK, ROLE_CALLBACK = "crisis_sitrep", "crisis_close", "crisis_take_role"
OUTCOME, LEARNINGS, ROLE = "outcome", "learnings", "role"


def _plain(text: str, limit: int = 150) -> dict:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def _modal(callback: str, crisis_id: int | None, title: str, submit: str, blocks: list[dict],
           t: Catalog) -> dict:
    return {
        "type": "modal", "callback_id": callback, "private_metadata": json.dumps({"crisis": crisis_id}),
        "title": _plain(title, 24), "submit": _plain(submit, 24), "close": _plain(t.t("modal.cancel"), 24),
        "blocks": blocks,
    }


def sitrep_modal(crisis_id: int | None, plan: Plan, sitrep: Sitrep, t: Catalog) -> dict:
    current = sitrep.current
    blocks = []
    for spec in plan.sitrep:
        label = spec.label + (f" {t.t('sitrep.required_hint')}" if spec.required else "")
        if spec.choices:
            options = [{"text": _plain(spec.choice_label(c), 75), "value": c} for c in spec.choices]
            element: dict = {"type": "static_select", "action_id": spec.key, "options": options}
            chosen = next((o for o in options if o["value"] == current.get(spec.key)), None)
            if chosen:
                element["initial_option"] = chosen
        else:
            element = {"type": "plain_text_input", "action_id": spec.key, "multiline": True,
                       "max_length": plan.limits.field}
            if current.get(spec.key):
                element["initial_value"] = current[spec.key]
        # Every field is optional in the form, so a partial report can be saved; the
        # required ones are marked, and reminders ask for them until they are filled.
        blocks.append({"type": "input", "block_id": spec.key, "optional": True, "label": _plain(label, 2000),
                       "element": element})
    return _modal(SITREP_CALLBACK, crisis_id, t.t("sitrep.modal_title"), t.t("sitrep.modal_submit"),
                  blocks[:100], t)


def close_modal(crisis_id: int | None, plan: Plan, t: Catalog) -> dict:
    blocks = [
        {"type": "input", "block_id": OUTCOME, "label": _plain(t.t("close.outcome_label")),
         "element": {"type": "plain_text_input", "action_id": OUTCOME, "max_length": min(plan.limits.note, 3000),
                     "placeholder": _plain(t.t("close.outcome_hint"))}},
        {"type": "input", "block_id": LEARNINGS, "optional": True, "label": _plain(t.t("close.learnings_label")),
         "element": {"type": "plain_text_input", "action_id": LEARNINGS, "multiline": True,
                     "max_length": min(plan.limits.note, 3000), "placeholder": _plain(t.t("close.learnings_hint"))}},
    ]
    return _modal(CLOSE_CALLBACK, crisis_id, t.t("close.modal_title"), t.t("close.modal_submit"), blocks, t)


def role_modal(crisis_id: int | None, plan: Plan, t: Catalog) -> dict:
    options = [{"text": _plain(r.name, 75), "value": r.key} for r in plan.roles]
    blocks = [{"type": "input", "block_id": ROLE, "label": _plain(t.t("roles.modal_label")),
               "element": {"type": "static_select", "action_id": ROLE, "options": options}}]
    return _modal(ROLE_CALLBACK, crisis_id, t.t("roles.modal_title"), t.t("roles.modal_submit"), blocks, t)


def metadata(view: dict) -> dict:
    """The view's private_metadata as a mapping; anything unreadable is an empty one."""
    try:
        value = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def crisis_of(view: dict) -> int | None:
    value = metadata(view).get("crisis")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def values(view: dict) -> dict[str, str]:
    """Each input block's value as text: typed text or the chosen option's value. A state of any
    other shape (Slack never sends one) reads as empty, never as an error."""
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    blocks = state.get("values") if isinstance(state.get("values"), dict) else {}
    out: dict[str, str] = {}
    for block_id, actions in blocks.items():
        for element in (actions.values() if isinstance(actions, dict) else ()):
            if not isinstance(element, dict):
                continue
            if element.get("type") in ("static_select", "radio_buttons"):
                option = element.get("selected_option")
                value = option.get("value") if isinstance(option, dict) else None
            else:
                value = element.get("value")
            out[str(block_id)] = "" if value is None else str(value)
    return out


def initial_values(view: dict) -> dict[str, str]:
    """What each input showed when the form opened (Slack sends the view back with the submission).
    Blocks of any other shape (Slack never sends one) showed nothing."""
    out: dict[str, str] = {}
    blocks = view.get("blocks")
    for block in blocks if isinstance(blocks, list) else ():
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") if isinstance(block.get("element"), dict) else {}
        option = element.get("initial_option")
        value = option.get("value") if isinstance(option, dict) else element.get("initial_value")
        out[str(block.get("block_id"))] = "" if value is None else str(value)
    return out


def edited_values(view: dict) -> dict[str, str]:
    """Only the inputs the person changed: a form opened before someone else saved the report must
    not put back what it showed (the report merges both; the same field: the later save wins)."""
    shown = initial_values(view)
    return {key: value for key, value in values(view).items() if value != shown.get(key, "")}
