"""auth.*, team.*, users.*, usergroups.*, pins.*, bookmarks.* and reactions.* methods."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .methods import ApiError, as_bool, member_channel, message_in, method, paginate, visible_channel
from .state import (BOT_ID, BOT_NAME, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, TEAM_NAME, WORKSPACE_URL,
                    Bookmark)

if TYPE_CHECKING:
    from .server import SlackEmulator

_REACTION_NAME = re.compile(r"^[a-z0-9_+'-]+(::skin-tone-[2-6])?$")


@method("auth.test")
def auth_test(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    return {"url": WORKSPACE_URL, "team": TEAM_NAME, "user": BOT_NAME, "team_id": TEAM_ID,
            "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}


@method("team.info")
def team_info(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    if args.get("team") not in (None, "", TEAM_ID):
        raise ApiError("team_not_found")
    return {"team": {"id": TEAM_ID, "name": TEAM_NAME, "domain": TEAM_DOMAIN,
                     "email_domain": f"{TEAM_DOMAIN}.example.com",
                     "icon": {"image_default": True}, "url": WORKSPACE_URL}}


@method("users.info")
def users_info(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    user = emu.user(str(args["user"]))
    if user is None:
        raise ApiError("user_not_found")
    # `locale` only when asked: include_locale=true/1 (slack-sdk sends a bool as "1"/"0")
    return {"user": user.to_api(include_locale=as_bool(args.get("include_locale")))}


@method("users.list")
def users_list(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    page, nxt = paginate([u.to_api() for u in emu.users_by_id.values()], args, default_limit=200)
    return {"members": page, "cache_ts": int(emu.clock()),
            "response_metadata": {"next_cursor": nxt}}


@method("users.lookupByEmail")
def users_lookup_by_email(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    email = str(args["email"]).lower()
    user = next((u for u in emu.users_by_id.values() if u.email == email), None)
    if user is None:
        raise ApiError("users_not_found")
    return {"user": user.to_api()}


@method("usergroups.users.list")
def usergroups_users_list(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    group = emu.usergroups.get(str(args["usergroup"]))
    if group is None:
        raise ApiError("no_such_subteam")
    return {"users": list(group.users)}


# ----- pins -----------------------------------------------------------------------------
@method("pins.add")
def pins_add(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = member_channel(emu, args["channel"], archived_ok=True)
    if not args.get("timestamp"):
        raise ApiError("no_item_specified")
    msg = message_in(emu, chan, args["timestamp"])
    if msg.ts in chan.pins:
        raise ApiError("already_pinned")
    chan.pins.append(msg.ts)
    return {}


@method("pins.remove")
def pins_remove(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = member_channel(emu, args["channel"], archived_ok=True)
    if not args.get("timestamp"):
        raise ApiError("no_item_specified")
    msg = message_in(emu, chan, args["timestamp"])
    if msg.ts not in chan.pins:
        raise ApiError("no_pin")
    chan.pins.remove(msg.ts)
    return {}


@method("pins.list")
def pins_list(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    items = []
    for ts in reversed(chan.pins):
        msg = emu.find_message(chan.id, ts)
        if msg is not None:
            items.append({"type": "message", "channel": chan.id, "created": int(float(ts)),
                          "created_by": BOT_USER_ID, "message": msg.to_api(emu)})
    return {"items": items}


# ----- bookmarks ------------------------------------------------------------------------
@method("bookmarks.add")
def bookmarks_add(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args.get("channel_id"))
    if args["type"] != "link":
        raise ApiError("invalid_bookmark_type")
    link = str(args.get("link") or "")
    if not re.match(r"^https?://[^\s/]+", link):
        raise ApiError("invalid_link")
    if len(chan.bookmarks) >= 100:
        raise ApiError("too_many_bookmarks")
    bookmark = Bookmark(emu.new_id("Bk"), chan.id, str(args["title"]), link,
                        emoji=args.get("emoji") or None, created=int(emu.clock()))
    chan.bookmarks.append(bookmark)
    return {"bookmark": bookmark.to_api()}


@method("bookmarks.list")
def bookmarks_list(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args.get("channel_id"))
    return {"bookmarks": [b.to_api() for b in chan.bookmarks]}


# ----- reactions ------------------------------------------------------------------------
@method("reactions.add")
def reactions_add(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    if chan.is_archived:
        raise ApiError("is_archived")
    name = str(args["name"])
    if not _REACTION_NAME.match(name):
        raise ApiError("invalid_name")
    msg = message_in(emu, chan, args["timestamp"])
    if BOT_USER_ID in msg.reactions.get(name, set()):
        raise ApiError("already_reacted")
    if name not in msg.reactions and len(msg.reactions) >= 50:
        raise ApiError("too_many_emoji")
    msg.reactions.setdefault(name, set()).add(BOT_USER_ID)
    return {}
