"""conversations.* methods."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .methods import (ApiError, as_bool, as_list, member_channel, method, paginate,
                      visible_channel)
from .state import BOT_USER_ID, Channel

if TYPE_CHECKING:
    from .server import SlackEmulator

MAX_INVITES = 100
MAX_TOPIC = 250


def check_channel_name(emu: "SlackEmulator", name: Any, *, current: Channel | None = None) -> str:
    """Apply Slack's channel-name rules; returns the name or raises the matching error."""
    name = "" if name is None else str(name)
    if not name:
        raise ApiError("invalid_name_required")
    if len(name) > 80:
        raise ApiError("invalid_name_maxlength")
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise ApiError("invalid_name_specials")
    if re.fullmatch(r"[-_]+", name):
        raise ApiError("invalid_name_punctuation")
    if any(c.name == name and c is not current for c in emu.channels):   # archived ones too
        raise ApiError("name_taken")
    return name


def _not_im(chan: Channel) -> Channel:
    if chan.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    return chan


@method("conversations.create")
def create(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    name = check_channel_name(emu, args.get("name"))
    chan = Channel(emu.new_id("C"), name, is_private=as_bool(args.get("is_private")),
                   creator=BOT_USER_ID, created=int(emu.clock()), members={BOT_USER_ID})
    emu.channels_by_id[chan.id] = chan
    return {"channel": chan.to_api()}


@method("conversations.info")
def info(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    return {"channel": chan.to_api(include_num_members=as_bool(args.get("include_num_members")))}


@method("conversations.members")
def members(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    page, nxt = paginate(sorted(chan.members), args)
    return {"members": page, "response_metadata": {"next_cursor": nxt}}


@method("conversations.invite")
def invite(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    users = as_list(args["users"])
    if not users:
        raise ApiError("no_user")
    if len(users) > MAX_INVITES:
        raise ApiError("invalid_arguments",
                       [f"[ERROR] no more than {MAX_INVITES} items allowed [json-pointer:/users]"])
    chan = _not_im(member_channel(emu, args["channel"]))
    errors, to_add, already = [], [], []
    for uid in dict.fromkeys(users):
        if uid == BOT_USER_ID:
            errors.append({"user": uid, "ok": False, "error": "cant_invite_self"})
        elif emu.user(uid) is None or emu.user(uid).deleted:
            errors.append({"user": uid, "ok": False, "error": "user_not_found"})
        elif uid in chan.members:
            already.append({"user": uid, "ok": False, "error": "already_in_channel"})
        else:
            to_add.append(uid)
    if errors and not as_bool(args.get("force")):
        raise ApiError(errors[0]["error"], errors=errors + already)
    if not to_add and already and not errors:
        raise ApiError("already_in_channel", errors=already)
    chan.members.update(to_add)
    for uid in to_add:
        emu.joined(chan, uid, inviter=BOT_USER_ID)
    out: dict[str, Any] = {"channel": chan.to_api()}
    if errors:
        out["errors"] = errors
    return out


@method("conversations.join")
def join(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    cid = str(args["channel"])
    chan = emu.channel(cid) or emu.channel_by_name(cid)
    if chan is None or (chan.is_im and BOT_USER_ID not in chan.members):
        raise ApiError("channel_not_found")
    if chan.is_private or chan.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    if chan.is_archived:
        raise ApiError("is_archived")
    out: dict[str, Any] = {}
    if BOT_USER_ID in chan.members:
        out["warning"] = "already_in_channel"
        out["response_metadata"] = {"warnings": ["already_in_channel"]}
    if BOT_USER_ID not in chan.members:
        chan.members.add(BOT_USER_ID)
        emu.joined(chan, BOT_USER_ID)
    out["channel"] = chan.to_api()
    return out


def _ts_filter(args: dict[str, Any]):
    try:
        oldest = float(args.get("oldest") or 0)
    except ValueError:
        raise ApiError("invalid_ts_oldest") from None
    try:
        latest = float(args["latest"]) if args.get("latest") else float("inf")
    except ValueError:
        raise ApiError("invalid_ts_latest") from None
    inclusive = as_bool(args.get("inclusive"))

    def keep(ts: str) -> bool:
        t = float(ts)
        if inclusive:
            return oldest <= t <= latest
        return oldest < t < latest
    return keep


@method("conversations.history")
def history(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    if BOT_USER_ID not in chan.members:
        raise ApiError("not_in_channel")
    keep = _ts_filter(args)
    msgs = [m for m in reversed(emu.messages(chan.id)) if keep(m.ts)]
    page, nxt = paginate(msgs, args, default_limit=100, max_limit=999)
    return {"messages": [m.to_api(emu) for m in page], "has_more": bool(nxt),
            "pin_count": len(chan.pins), "response_metadata": {"next_cursor": nxt}}


@method("conversations.replies")
def replies(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    thread = emu.thread(chan.id, str(args["ts"]))
    if not thread:
        raise ApiError("thread_not_found")
    keep = _ts_filter(args)
    msgs = [m for m in thread if m.ts == args["ts"] or keep(m.ts)]
    page, nxt = paginate(msgs, args, default_limit=1000)
    return {"messages": [m.to_api(emu) for m in page], "has_more": bool(nxt),
            "response_metadata": {"next_cursor": nxt}}


def _set_text(emu: "SlackEmulator", args: dict[str, Any], field: str) -> dict[str, Any]:
    chan = _not_im(member_channel(emu, args["channel"]))
    value = str(args.get(field) or "")
    if len(value) > MAX_TOPIC:
        raise ApiError("too_long")
    setattr(chan, field, value)
    return {"channel": chan.to_api()}


@method("conversations.setTopic")
def set_topic(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    return _set_text(emu, args, "topic")


@method("conversations.setPurpose")
def set_purpose(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    return _set_text(emu, args, "purpose")


@method("conversations.archive")
def archive(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = _not_im(visible_channel(emu, args["channel"]))
    if chan.is_archived:
        raise ApiError("already_archived")
    if chan.is_general:
        raise ApiError("cant_archive_general")
    if BOT_USER_ID not in chan.members:
        raise ApiError("not_in_channel")
    chan.is_archived = True
    return {}


@method("conversations.rename")
def rename(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = _not_im(member_channel(emu, args["channel"]))
    name = check_channel_name(emu, args.get("name"), current=chan)
    if name != chan.name:
        chan.previous_names.insert(0, chan.name or "")
        chan.name = name
    return {"channel": chan.to_api()}


@method("conversations.list")
def list_(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    """Public channels, and the private ones the bot is in (`types`: public_channel, private_channel)."""
    types = set(str(args.get("types") or "public_channel").split(","))
    skip_archived = as_bool(args.get("exclude_archived"))
    found = [c for c in emu.channels
             if not c.is_im and (("private_channel" in types and c.is_private and BOT_USER_ID in c.members)
                                 or ("public_channel" in types and not c.is_private))
             and not (skip_archived and c.is_archived)]
    page, nxt = paginate([c.to_api() for c in found], args)
    return {"channels": page, "response_metadata": {"next_cursor": nxt}}
