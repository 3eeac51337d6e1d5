"""Which bot scopes a Web API call needs, from the api_ref descriptions, as Slack checks them.

api_ref lists every scope that can grant a method. Slack needs one of them, and for the
conversations methods the one that matches the kind of conversation: `conversations.history`
on a public channel needs `channels:history`, on a private one `groups:history`;
`conversations.invite` on a public channel takes `channels:write.invites` or `channels:manage`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable

from .methods import api_ref

if TYPE_CHECKING:
    from .state import State

KINDS = ("public", "private", "im", "mpim")
FAMILY = {"public": "channels:", "private": "groups:", "im": "im:", "mpim": "mpim:"}
LIST_TYPES = {"public_channel": "public", "private_channel": "private", "im": "im", "mpim": "mpim"}


@functools.lru_cache(maxsize=None)
def event_scopes(event: str) -> list[str]:
    """The scopes of which one lets an app receive a bot event (api_ref/events; message.* by kind)."""
    name = event.split(".")[0]
    res = resources.files(__package__).joinpath("api_ref", "events", f"{name}.json")
    if not res.is_file():
        raise KeyError(f"no description of the event {event!r} in api_ref/events")
    scopes = list(json.loads(res.read_text(encoding="utf-8")).get("scopes") or [])
    kind = {"channels": "public", "groups": "private", "im": "im", "mpim": "mpim"}.get(event.partition(".")[2])
    return [s for s in scopes if s.startswith(FAMILY[kind])] if kind else scopes


def bot_scopes(method: str) -> list[str]:
    return list(((api_ref(method) or {}).get("scope") or {}).get("bot") or [])


def alternatives(method: str, kind: str | None) -> frozenset[str]:
    """The scopes of which one grants `method` on a conversation of `kind` (None: unknown kind).

    Empty: the method needs no scope.
    """
    scopes = bot_scopes(method)
    if kind is None:
        return frozenset(scopes)
    family = [s for s in scopes if s.startswith(FAMILY[kind])]
    # no scope of that family: the method is not about conversations, or not about this kind
    # (then the method itself refuses, as Slack does)
    return frozenset(family or scopes)


def _kind_of(emu: "State", channel: Any) -> str | None:
    cid = str(channel or "")
    chan = emu.channel(cid) or emu.channel_by_name(cid)
    if chan is None:
        return None
    if chan.is_im:
        return "im"
    return "private" if chan.is_private else "public"


def needed(emu: "State", method: str, args: dict[str, Any]) -> list[frozenset[str]]:
    """Every requirement of this call: the token needs one scope of each set."""
    if method == "conversations.list":
        types = str(args.get("types") or "public_channel").split(",")
        return [alternatives(method, LIST_TYPES[t.strip()]) for t in types if t.strip() in LIST_TYPES]
    if method == "conversations.create":
        truthy = str(args.get("is_private", "")).strip().lower() in ("1", "true", "yes")
        kind: str | None = "private" if truthy else "public"
    elif "channel" in args or "channel_id" in args:
        kind = _kind_of(emu, args.get("channel", args.get("channel_id")))
    else:
        kind = None
    required = alternatives(method, kind)
    return [required] if required else []


def missing(emu: "State", method: str, args: dict[str, Any], granted: Iterable[str]) -> frozenset[str] | None:
    """The first requirement the granted scopes don't meet, or None."""
    have = set(granted)
    return next((req for req in needed(emu, method, args) if not req & have), None)


@functools.lru_cache(maxsize=1)
def every_scope() -> tuple[str, ...]:
    """Every bot scope any described method takes: a token that may do anything the emulator serves."""
    names = [p.name[:-5] for p in resources.files(__package__).joinpath("api_ref").iterdir()
             if p.name.endswith(".json")]
    return tuple(sorted({s for name in names for s in bot_scopes(name)} | {"commands"}))
