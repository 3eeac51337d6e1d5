"""Block Kit validation for chat.* (messages) and views.* (modals, Home tab).

`check_blocks` returns a list of Slack-style error messages (empty when the blocks are
valid), e.g. "[ERROR] must be less than 51 items [json-pointer:/blocks]".
`check_view` validates a whole view payload and returns (error_code, messages) or None.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_VIEW_BYTES = 250_000

BLOCK_TYPES = {"section", "divider", "header", "context", "actions", "input", "image", "rich_text",
               "file", "video", "markdown", "call", "table", "context_actions"}
INTERACTIVE = {"button", "static_select", "multi_static_select", "external_select",
               "multi_external_select", "users_select", "multi_users_select",
               "conversations_select", "multi_conversations_select", "channels_select",
               "multi_channels_select", "overflow", "datepicker", "timepicker", "datetimepicker",
               "checkboxes", "radio_buttons", "plain_text_input", "email_text_input",
               "url_text_input", "number_input", "rich_text_input", "file_input", "workflow_button"}
INPUT_ELEMENTS = INTERACTIVE - {"button", "overflow", "workflow_button"}
SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select", "checkboxes", "radio_buttons",
                        "overflow"}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, msg: str, path: str) -> None:
        self.errors.append(f"[ERROR] {msg} [json-pointer:{path}]")

    def text_obj(self, obj: Any, path: str, *, max_len: int, plain_only: bool = False,
                 required: bool = True) -> None:
        if obj is None:
            if required:
                self.err(f"missing required field: {path.rsplit('/', 1)[-1]}", path)
            return
        if not isinstance(obj, dict):
            self.err("must be an object", path)
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.err(f"must be one of: {', '.join(allowed)}", f"{path}/type")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.err("must be more than 0 characters", f"{path}/text")
        elif len(text) > max_len:
            self.err(f"must be less than {max_len + 1} characters", f"{path}/text")

    def options(self, options: Any, path: str, *, max_items: int, min_items: int = 1) -> None:
        if not isinstance(options, list) or not (min_items <= len(options) <= max_items):
            self.err(f"must provide between {min_items} and {max_items} items", path)
            return
        for i, opt in enumerate(options):
            if not isinstance(opt, dict):
                self.err("must be an object", f"{path}/{i}")
                continue
            self.text_obj(opt.get("text"), f"{path}/{i}/text", max_len=75)
            value = opt.get("value")
            if not isinstance(value, str) or not value:
                self.err("missing required field: value", f"{path}/{i}/value")
            elif len(value) > 150:
                self.err("must be less than 151 characters", f"{path}/{i}/value")

    def element(self, el: Any, path: str, *, allowed: set[str]) -> None:
        if not isinstance(el, dict) or not isinstance(el.get("type"), str):
            self.err("missing required field: type", path)
            return
        kind = el["type"]
        if kind not in allowed:
            self.err(f"unsupported type: {kind}", f"{path}/type")
            return
        action_id = el.get("action_id")
        if action_id is not None and (not isinstance(action_id, str) or len(action_id) > 255):
            self.err("must be less than 256 characters", f"{path}/action_id")
        if kind == "button":
            self.text_obj(el.get("text"), f"{path}/text", max_len=75, plain_only=True)
            if len(str(el.get("value", ""))) > 2000:
                self.err("must be less than 2001 characters", f"{path}/value")
            if len(str(el.get("url", ""))) > 3000:
                self.err("must be less than 3001 characters", f"{path}/url")
            if el.get("style") not in (None, "primary", "danger"):
                self.err("must be one of: primary, danger", f"{path}/style")
        elif kind in SELECTS_WITH_OPTIONS:
            if "option_groups" in el and kind != "overflow":
                for g, group in enumerate(el.get("option_groups") or []):
                    self.options((group or {}).get("options"), f"{path}/option_groups/{g}/options",
                                 max_items=100)
            else:
                lo, hi = (2, 5) if kind == "overflow" else (1, 10 if kind in (
                    "checkboxes", "radio_buttons") else 100)
                self.options(el.get("options"), f"{path}/options", max_items=hi, min_items=lo)
        if "placeholder" in el:
            self.text_obj(el["placeholder"], f"{path}/placeholder", max_len=150, plain_only=True)

    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, dict) or not block.get("type"):
            self.err("missing required field: type", path)
            return
        kind = block["type"]
        if kind not in BLOCK_TYPES:
            self.err(f"unsupported type: {kind}", f"{path}/type")
            return
        block_id = block.get("block_id")
        if block_id is not None and (not isinstance(block_id, str) or len(block_id) > 255):
            self.err("must be less than 256 characters", f"{path}/block_id")
        getattr(self, f"block_{kind}", lambda b, p: None)(block, path)

    def block_section(self, block: dict, path: str) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and not fields:
            self.err("must provide either text or fields", path)
        if text is not None:
            self.text_obj(text, f"{path}/text", max_len=3000)
        if fields is not None:
            if not isinstance(fields, list) or len(fields) > 10:
                self.err("must be less than 11 items", f"{path}/fields")
            else:
                for i, f in enumerate(fields):
                    self.text_obj(f, f"{path}/fields/{i}", max_len=2000)
        if block.get("accessory") is not None:
            self.element(block["accessory"], f"{path}/accessory",
                         allowed=INTERACTIVE - {"plain_text_input"} | {"image"})

    def block_header(self, block: dict, path: str) -> None:
        self.text_obj(block.get("text"), f"{path}/text", max_len=150, plain_only=True)

    def block_context(self, block: dict, path: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.err("must provide at least 1 item", f"{path}/elements")
            return
        if len(elements) > 10:
            self.err("must be less than 11 items", f"{path}/elements")
        for i, el in enumerate(elements):
            if isinstance(el, dict) and el.get("type") == "image":
                if not el.get("alt_text"):
                    self.err("missing required field: alt_text", f"{path}/elements/{i}")
            else:
                self.text_obj(el, f"{path}/elements/{i}", max_len=3000)

    def block_actions(self, block: dict, path: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.err("must provide at least 1 item", f"{path}/elements")
            return
        if len(elements) > 25:
            self.err("must be less than 26 items", f"{path}/elements")
        seen: set[str] = set()
        for i, el in enumerate(elements):
            self.element(el, f"{path}/elements/{i}", allowed=INTERACTIVE - {"plain_text_input"})
            action_id = el.get("action_id") if isinstance(el, dict) else None
            if action_id in seen:
                self.err(f"duplicate action_id: {action_id}", f"{path}/elements/{i}/action_id")
            if action_id:
                seen.add(action_id)

    def block_input(self, block: dict, path: str) -> None:
        self.text_obj(block.get("label"), f"{path}/label", max_len=2000, plain_only=True)
        if "hint" in block:
            self.text_obj(block["hint"], f"{path}/hint", max_len=2000, plain_only=True)
        if block.get("element") is None:
            self.err("missing required field: element", path)
        else:
            self.element(block["element"], f"{path}/element", allowed=INPUT_ELEMENTS)

    def block_image(self, block: dict, path: str) -> None:
        if not block.get("image_url") and not block.get("slack_file"):
            self.err("missing required field: image_url", path)
        if not block.get("alt_text"):
            self.err("missing required field: alt_text", path)


def check_blocks(blocks: Any, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Validate a list of blocks. Returns Slack-style error messages (empty = valid)."""
    checker = _Checker()
    if not isinstance(blocks, list):
        checker.err("must be an array", "/blocks")
        return checker.errors
    if len(blocks) > max_blocks:
        checker.err(f"must be less than {max_blocks + 1} items", "/blocks")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        checker.block(block, f"/blocks/{i}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            if block_id in seen:
                checker.err(f"duplicate block_id: {block_id}", f"/blocks/{i}/block_id")
            seen.add(block_id)
    return checker.errors


def check_view(view: Any, *, kind: str) -> tuple[str, list[str]] | None:
    """Validate a view payload of the given kind ("modal" or "home").

    Returns None when valid, else (error_code, messages) with error_code
    "invalid_arguments" or "view_too_large".
    """
    if not isinstance(view, dict):
        return "invalid_arguments", ["[ERROR] must be an object [json-pointer:/view]"]
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        return "view_too_large", []
    checker = _Checker()
    if view.get("type") != kind:
        checker.err(f"must be '{kind}'", "/view/type")
    if kind == "modal":
        checker.text_obj(view.get("title"), "/view/title", max_len=24, plain_only=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                checker.text_obj(view[key], f"/view/{key}", max_len=24, plain_only=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and view.get("submit") is None:
            checker.err("submit is required when an input block is within the blocks array",
                        "/view/submit")
    if len(str(view.get("private_metadata") or "")) > 3000:
        checker.err("must be less than 3001 characters", "/view/private_metadata")
    if len(str(view.get("callback_id") or "")) > 255:
        checker.err("must be less than 256 characters", "/view/callback_id")
    if "blocks" not in view:
        checker.err("missing required field: blocks", "/view")
    else:
        checker.errors += [e.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks")
                           for e in check_blocks(view["blocks"], max_blocks=MAX_VIEW_BLOCKS)]
    return ("invalid_arguments", checker.errors) if checker.errors else None
