"""chat.* methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .blockcheck import check_blocks
from .methods import (ApiError, as_bool, blocks_arg, fill_block_ids, message_in, method,
                      visible_channel)
from .state import BOT_USER_ID, WORKSPACE_URL, Channel

if TYPE_CHECKING:
    from .server import SlackEmulator

MAX_TEXT = 40_000


def _target(emu: "SlackEmulator", channel: Any) -> Channel:
    """Resolve chat.postMessage's `channel`: a conversation id/name, or a user id → their DM."""
    cid = str(channel or "")
    if cid[:1] in ("U", "W") and emu.channel(cid) is None:
        user = emu.user(cid)
        if user is None or user.deleted:
            raise ApiError("channel_not_found")
        return emu.open_im(user.id)
    return visible_channel(emu, cid)


def _content(emu: "SlackEmulator", args: dict[str, Any], salt: str) -> tuple[str, list | None]:
    """Validate text/blocks of a message; returns (text, blocks-with-ids or None)."""
    text = args.get("text")
    markdown = args.get("markdown_text")
    blocks = blocks_arg(args)
    if markdown and (text or blocks):
        raise ApiError("markdown_text_conflict")
    text = str(markdown or text or "")
    if not text and not blocks and not args.get("attachments"):
        raise ApiError("no_text")
    if len(text) > MAX_TEXT:
        raise ApiError("msg_too_long")
    if blocks is not None:
        errors = check_blocks(blocks)
        if errors:
            raise ApiError("invalid_blocks", errors)
        blocks = fill_block_ids(blocks, salt)
    return text, blocks


@method("chat.postMessage")
def post_message(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = _target(emu, args["channel"])
    if chan.is_archived:
        raise ApiError("is_archived")
    if BOT_USER_ID not in chan.members:
        raise ApiError("not_in_channel")
    text, blocks = _content(emu, args, salt=emu.new_id("b"))
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    msg = emu.store_message(chan, BOT_USER_ID, text, blocks, thread_ts=thread_ts,
                            reply_broadcast=bool(thread_ts) and as_bool(args.get("reply_broadcast")))
    return {"channel": chan.id, "ts": msg.ts, "message": msg.to_api()}


@method("chat.postEphemeral")
def post_ephemeral(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    if chan.is_archived:
        raise ApiError("is_archived")
    if BOT_USER_ID not in chan.members:
        raise ApiError("not_in_channel")
    user = str(args["user"])
    if emu.user(user) is None or user not in chan.members:
        raise ApiError("user_not_in_channel")
    text, blocks = _content(emu, args, salt=emu.new_id("b"))
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    eph = emu.store_ephemeral(chan.id, user, text, blocks, "api", thread_ts=thread_ts)
    return {"message_ts": eph.ts}


@method("chat.update")
def update(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    msg = message_in(emu, chan, args["ts"])
    if msg.user != BOT_USER_ID:
        raise ApiError("cant_update_message")
    has_blocks = args.get("blocks") not in (None, "")
    text, blocks = _content(emu, args, salt=emu.new_id("b"))
    if args.get("text") is not None or args.get("markdown_text") or not has_blocks:
        msg.text = text
    if has_blocks:
        msg.blocks = blocks or []
    msg.edited += 1
    msg.edited_ts = emu.next_ts()
    return {"channel": chan.id, "ts": msg.ts, "text": msg.text, "message": msg.to_api()}


@method("chat.getPermalink")
def get_permalink(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    chan = visible_channel(emu, args["channel"])
    msg = message_in(emu, chan, args["message_ts"])
    link = f"{WORKSPACE_URL}archives/{chan.id}/p{msg.ts.replace('.', '')}"
    if msg.is_reply:
        link += f"?thread_ts={msg.thread_ts}&cid={chan.id}"
    return {"channel": chan.id, "permalink": link}
