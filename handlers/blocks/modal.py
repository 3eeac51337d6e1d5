"""The "Open a crisis" modal and the reading of its submission."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.catalog import Catalog
from bot.domain.plan import Plan
from handlers.blocks.forms import metadata, values

OPEN_CALLBACK = "crisis_open"
TITLE, SEVERITY, DESCRIPTION, PRIVATE, LANGUAGE = "title", "severity", "description", "private", "language"
MAX_MODAL_TITLE = 24


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def open_modal(plan: Plan, t: Catalog, origin_channel: str | None, title: str = "",
               severity: str | None = None, languages: tuple[str, ...] = (), language: str | None = None) -> dict:
    """The form; with several `languages`, a choice of the crisis's (its channel's shared messages), `language`
    first chosen."""
    options = [{"text": _plain(s.label[:75]), "value": s.key} for s in plan.severities]
    initial = next((o for o in options if o["value"] == (severity or plan.default_severity)), options[0])
    title_input = {"type": "plain_text_input", "action_id": TITLE, "max_length": plan.limits.title,
                   "placeholder": _plain(t.t("modal.title_hint")[:150])}
    if title:
        title_input["initial_value"] = title[: plan.limits.title]
    return {
        "type": "modal",
        "callback_id": OPEN_CALLBACK,
        "private_metadata": json.dumps({"channel": origin_channel}),
        "title": _plain(t.t("modal.title")[:MAX_MODAL_TITLE]),
        "submit": _plain(t.t("modal.submit")),
        "close": _plain(t.t("modal.cancel")),
        "blocks": [
            {"type": "input", "block_id": TITLE, "label": _plain(t.t("modal.title_label")), "element": title_input},
            {"type": "input", "block_id": SEVERITY, "label": _plain(t.t("modal.severity_label")),
             "element": {"type": "static_select", "action_id": SEVERITY, "options": options,
                         "initial_option": initial}},
            {"type": "input", "block_id": DESCRIPTION, "optional": True,
             "label": _plain(t.t("modal.description_label")),
             "element": {"type": "plain_text_input", "action_id": DESCRIPTION, "multiline": True,
                         "max_length": plan.limits.description}},
            {"type": "input", "block_id": PRIVATE, "optional": True, "label": _plain(t.t("modal.private_label")),
             "element": {"type": "checkboxes", "action_id": PRIVATE,
                         "options": [{"text": _plain(t.t("modal.private_option")), "value": "private"}]}},
            *_language_block(t, languages, language),
        ],
    }


def _language_block(t: Catalog, languages: tuple[str, ...], chosen: str | None) -> list[dict]:
    if len(languages) < 2:
        return []
    options = [{"text": _plain(t.t(f"language.name.{code}")[:75]), "value": code} for code in languages]
    initial = next((o for o in options if o["value"] == chosen), options[0])
    return [{"type": "input", "block_id": LANGUAGE, "optional": True, "label": _plain(t.t("language.label")),
             "hint": _plain(t.t("language.hint")[:150]),
             "element": {"type": "static_select", "action_id": LANGUAGE, "options": options,
                         "initial_option": initial}}]


@dataclass(frozen=True)
class OpenForm:
    title: str
    severity: str | None
    description: str
    private: bool
    origin_channel: str | None
    language: str | None = None


def read_open_form(view: dict) -> OpenForm:
    read = values(view)
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    blocks = state.get("values") if isinstance(state.get("values"), dict) else {}
    private_block = blocks.get(PRIVATE) if isinstance(blocks.get(PRIVATE), dict) else {}
    private = private_block.get(PRIVATE) if isinstance(private_block.get(PRIVATE), dict) else {}
    channel = metadata(view).get("channel")
    return OpenForm(
        title=read.get(TITLE, ""),
        severity=read.get(SEVERITY) or None,
        description=read.get(DESCRIPTION, ""),
        private=bool(private.get("selected_options")),
        origin_channel=channel if isinstance(channel, str) else None,
        language=read.get(LANGUAGE) or None,
    )
