"""The response_url target: what Slack does with a POST to a slash command's or a
block action's response_url (ephemeral reply, in-channel reply, replace/delete original)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .blockcheck import check_blocks
from .methods import fill_block_ids
from .state import BOT_USER_ID

if TYPE_CHECKING:
    from .server import SlackEmulator

MAX_USES = 5
TTL = 30 * 60.0


def handle_response_url(emu: "SlackEmulator", token: str, payload: Any) -> tuple[int, str]:
    """Apply a response_url POST; returns (HTTP status, body text) as Slack answers."""
    ru = emu.response_urls.get(token)
    if ru is None:
        return 404, "no_service"
    if not isinstance(payload, dict):
        return 400, "invalid_payload"
    if emu.clock() - ru.issued_at > TTL:
        return 404, "expired_url"
    if ru.uses >= MAX_USES:
        return 404, "used_url"
    ru.uses += 1
    chan = emu.channel(ru.channel)
    original = emu.find_message(ru.channel, ru.message_ts) if ru.message_ts else None
    original_eph = None
    if ru.message_ts and original is None:
        original_eph = next((e for e in emu.ephemerals(user=ru.user, channel=ru.channel)
                             if e.ts == ru.message_ts), None)

    if payload.get("delete_original"):
        if original is not None and chan is not None:
            chan.messages.remove(original)
            if original.ts in chan.pins:
                chan.pins.remove(original.ts)
        elif original_eph is not None:
            emu.remove_ephemeral(original_eph)
        else:
            return 404, "message_not_found"
        return 200, "ok"

    text = str(payload.get("text") or "")
    blocks = payload.get("blocks")
    if not text and not blocks:
        return 400, "no_text"
    if blocks is not None:
        if check_blocks(blocks):
            return 400, "invalid_blocks"
        blocks = fill_block_ids(blocks, emu.new_id("b"))

    if payload.get("replace_original") and (original is not None or original_eph is not None):
        target = original if original is not None else original_eph
        target.text = text
        target.blocks = list(blocks or [])
        if original is not None:
            original.edited += 1
            original.edited_ts = emu.next_ts()
        return 200, "ok"

    thread_ts = payload.get("thread_ts")
    if payload.get("response_type") == "in_channel":
        if chan is None:
            return 404, "channel_not_found"
        emu.store_message(chan, BOT_USER_ID, text, blocks, thread_ts=thread_ts)
    else:
        emu.store_ephemeral(ru.channel, ru.user, text, blocks, "response_url", thread_ts=thread_ts)
    return 200, "ok"
