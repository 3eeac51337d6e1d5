"""What a Slack client builds when a user interacts with Block Kit: the `state.values` of a
submitted modal and the `actions` entry of a block_actions payload. Used by `Workspace`."""

from __future__ import annotations

from typing import Any, Iterator

_MISSING = object()

TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
SINGLE_OPTION = {"static_select", "radio_buttons", "external_select", "overflow"}
MULTI_OPTION = {"multi_static_select", "checkboxes", "multi_external_select"}
PICKERS = {  # element type -> (state key, initial key)
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}


def all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return options


def _option(element: dict[str, Any], value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if element["type"] in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for opt in all_options(element):
        if opt.get("value") == str(value):
            return opt
    values = [o.get("value") for o in all_options(element)]
    raise AssertionError(f"{where}: no option with value {value!r} (options: {values})")


def _options(element: dict[str, Any], value: Any, where: str) -> list[dict[str, Any]]:
    if value is True:
        return all_options(element)
    if value in (None, False):
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    return [_option(element, v, where) for v in value]


def element_state(element: dict[str, Any], value: Any = _MISSING, *,
                  where: str = "input") -> dict[str, Any]:
    """The state.values entry for one input element; `value` missing → its initial value."""
    kind = element.get("type", "")
    out: dict[str, Any] = {"type": kind}
    given = value is not _MISSING
    if kind in TEXT_INPUTS:
        raw = value if given else element.get("initial_value")
        out["value"] = None if raw is None else str(raw)
    elif kind in SINGLE_OPTION:
        raw = value if given else element.get("initial_option")
        out["selected_option"] = None if raw is None else _option(element, raw, where)
    elif kind in MULTI_OPTION:
        raw = value if given else element.get("initial_options")
        out["selected_options"] = _options(element, raw, where)
    elif kind in PICKERS:
        key, initial = PICKERS[kind]
        raw = value if given else element.get(initial)
        if kind.startswith("multi_"):
            raw = [] if raw in (None, False) else [raw] if isinstance(raw, str) else list(raw)
        out[key] = raw
    elif kind == "rich_text_input":
        raw = value if given else None
        out["rich_text_value"] = None if raw is None else {"type": "rich_text", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": str(raw)}]}]}
    else:
        out["value"] = value if given else None
    return out


def state_values(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Build a submitted view's `state.values` from {block_id: value} as a user would fill it."""
    inputs = {b.get("block_id"): b for b in view.get("blocks") or []
              if isinstance(b, dict) and b.get("type") == "input"}
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise AssertionError(f"view {view.get('id')} has no input block(s) {unknown}; "
                             f"input blocks: {sorted(inputs)}")
    out: dict[str, Any] = {}
    for block_id, block in inputs.items():
        element = block.get("element") or {}
        out[block_id] = {element.get("action_id"): element_state(
            element, values.get(block_id, _MISSING), where=f"block {block_id!r}")}
    return out


def iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(block, element) for every interactive element in blocks."""
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "actions":
            for el in block.get("elements") or []:
                if isinstance(el, dict):
                    yield block, el
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                yield block, block[key]


def find_element(blocks: list[dict[str, Any]], action_id: str,
                 where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    found = [(b, e) for b, e in iter_elements(blocks) if e.get("action_id") == action_id]
    if not found:
        known = [e.get("action_id") for _, e in iter_elements(blocks)]
        raise AssertionError(f"{where}: no element with action_id {action_id!r} (found: {known})")
    return found[0]


def action_payload(block: dict[str, Any], element: dict[str, Any], value: Any,
                   action_ts: str) -> dict[str, Any]:
    """The `actions[0]` entry Slack sends when the user uses `element`."""
    kind = element.get("type", "")
    action: dict[str, Any] = {"action_id": element.get("action_id"),
                              "block_id": block.get("block_id"), "type": kind,
                              "action_ts": action_ts}
    where = f"action {element.get('action_id')!r}"
    if kind in ("button", "workflow_button"):
        action["text"] = element.get("text")
        if value is not None or "value" in element:
            action["value"] = value if value is not None else element["value"]
        if element.get("style"):
            action["style"] = element["style"]
        return action
    if kind in SINGLE_OPTION:
        if value is None:
            raise AssertionError(f"{where}: pass value= to choose an option")
        action["selected_option"] = _option(element, value, where)
        return action
    state = element_state(element, value, where=where)
    state.pop("type")
    action.update(state)
    return action
