"""Web API method registry and helpers shared by the `methods_*` modules.

A method implementation is a plain function `(emu, args) -> dict` registered with
`@method("chat.postMessage")`. It returns the success body (without "ok") or raises
`ApiError(code)`. The api_ref JSON of each method (required args, rate-limit tier,
documented errors) is loaded lazily with importlib.resources.
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable

from .state import BOT_USER_ID, Channel, Message

if TYPE_CHECKING:
    from .server import SlackEmulator

Handler = Callable[["SlackEmulator", dict[str, Any]], dict[str, Any]]

_REGISTRY: dict[str, Handler] = {}
_MODULES = ("methods_misc", "methods_conversations", "methods_chat", "methods_views")
_METHOD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$")

# Method-specific error codes Slack uses instead of a generic invalid_arguments.
MISSING_ARG_ERRORS: dict[tuple[str, str], str] = {
    ("conversations.create", "name"): "invalid_name_required",
    ("conversations.rename", "name"): "invalid_name_required",
    ("usergroups.users.list", "usergroup"): "no_such_subteam",
    ("users.info", "user"): "user_not_found",
    ("chat.getPermalink", "message_ts"): "message_not_found",
    ("reactions.add", "timestamp"): "no_item_specified",
    ("users.lookupByEmail", "email"): "users_not_found",
}


class ApiError(Exception):
    """A Slack-level error: {"ok": false, "error": code, ...extra}."""

    def __init__(self, code: str, messages: list[str] | None = None, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.body: dict[str, Any] = {"ok": False, "error": code, **extra}
        if messages:
            self.body["response_metadata"] = {"messages": list(messages)}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _REGISTRY[name] = fn
        return fn
    return register


def handlers() -> dict[str, Handler]:
    """All implemented methods (imports the implementation modules on first use)."""
    for mod in _MODULES:
        importlib.import_module(f"{__package__}.{mod}")
    return _REGISTRY


@functools.lru_cache(maxsize=None)
def api_ref(name: str) -> dict[str, Any] | None:
    """The api_ref description of a Web API method, or None if we have none."""
    if not _METHOD_NAME.match(name):
        return None
    res = resources.files(__package__).joinpath("api_ref").joinpath(f"{name}.json")
    if not res.is_file():
        return None
    return json.loads(res.read_text(encoding="utf-8"))


def required_args(name: str) -> list[str]:
    ref = api_ref(name) or {}
    return [a for a in (ref.get("args") or {}).get("required") or [] if a != "token"]


def rate_tier(name: str) -> str | None:
    ref = api_ref(name)
    return ref.get("rate_limits") if ref else None


# ----- argument helpers -----------------------------------------------------------------
def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def as_int(value: Any, default: int, *, name: str = "limit") -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments", [f"[ERROR] invalid integer for {name}"]) from None


def as_list(value: Any) -> list[str]:
    """A comma-separated string or a JSON/Python list → list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def blocks_arg(args: dict[str, Any]) -> list[dict[str, Any]] | None:
    blocks = args.get("blocks")
    if blocks in (None, ""):
        return None
    if isinstance(blocks, str):  # JSON that did not decode
        raise ApiError("invalid_blocks_format")
    return blocks


def paginate(items: list[Any], args: dict[str, Any], *, default_limit: int = 100,
             max_limit: int = 1000) -> tuple[list[Any], str]:
    """Slice `items` by Slack-style `cursor` and `limit`; returns (page, next_cursor)."""
    limit = as_int(args.get("limit"), default_limit)
    if limit <= 0:
        limit = default_limit
    limit = min(limit, max_limit)
    start = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            start = int(base64.b64decode(str(cursor)).decode().removeprefix("next:"))
        except ValueError:
            raise ApiError("invalid_cursor") from None
        if not 0 <= start <= len(items):
            raise ApiError("invalid_cursor")
    end = start + limit
    nxt = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], nxt


# ----- lookups --------------------------------------------------------------------------
def visible_channel(emu: "SlackEmulator", channel_id: Any) -> Channel:
    """The channel as the bot can see it: unknown, or private without the bot → channel_not_found."""
    if not channel_id:
        raise ApiError("channel_not_found")
    cid = str(channel_id)
    chan = emu.channel(cid) or emu.channel_by_name(cid)   # Slack also accepts "#name"
    if chan is None or ((chan.is_private or chan.is_im) and BOT_USER_ID not in chan.members):
        raise ApiError("channel_not_found")
    return chan


def member_channel(emu: "SlackEmulator", channel_id: Any, *, archived_ok: bool = False) -> Channel:
    """A channel the bot must be a member of (is_archived checked unless archived_ok)."""
    chan = visible_channel(emu, channel_id)
    if chan.is_archived and not archived_ok:
        raise ApiError("is_archived")
    if BOT_USER_ID not in chan.members:
        raise ApiError("not_in_channel")
    return chan


def message_in(emu: "SlackEmulator", chan: Channel, ts: Any) -> Message:
    msg = emu.find_message(chan.id, str(ts)) if ts else None
    if msg is None:
        raise ApiError("message_not_found")
    return msg


def fill_block_ids(blocks: list[dict[str, Any]], salt: str) -> list[dict[str, Any]]:
    """Copy blocks, giving each block a block_id and each element an action_id, as Slack does."""
    out = []
    for i, block in enumerate(blocks):
        block = dict(block)
        block.setdefault("block_id", f"{salt}{i:02d}")
        for key in ("element", "accessory"):
            if isinstance(block.get(key), dict) and block[key].get("type") != "image":
                block[key] = {"action_id": f"{block['block_id']}-a", **block[key]}
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            block["elements"] = [{"action_id": f"{block['block_id']}-a{j}", **el}
                                 if isinstance(el, dict) else el
                                 for j, el in enumerate(block["elements"])]
        out.append(block)
    return out
