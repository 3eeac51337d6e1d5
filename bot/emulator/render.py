"""Block Kit → plain text, for printing the emulated workspace in a terminal (the demo)."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from .state import BOT_USER_ID, Ephemeral, Message

if TYPE_CHECKING:
    from .state import State

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
INDENT = "    "


def unmrkdwn(text: str, emu: "State | None" = None) -> str:
    """Resolve Slack's <…> references and entities for display."""
    def link(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("#"):
            chan = emu.channel(target[1:]) if emu else None
            return "#" + (label or (chan.name if chan and chan.name else target[1:]))
        if target.startswith("@"):
            user = emu.user(target[1:]) if emu else None
            return "@" + (label or (user.name if user else target[1:]))
        if target.startswith("!date^"):
            return label or target  # a date token: readers see it in their timezone; show the fallback
        if target.startswith("!subteam^"):
            group = emu.usergroups.get(target[9:]) if emu else None
            return "@" + (label or (group.handle if group else target[9:])).lstrip("@")
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return f"{label} ({target})" if label else target
    text = _LINK.sub(link, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any, emu: "State | None") -> str:
    if isinstance(obj, dict):
        if obj.get("type") == "image":
            return f"[image: {obj.get('alt_text', '')}]"
        return unmrkdwn(str(obj.get("text", "")), emu)
    return unmrkdwn(str(obj or ""), emu)


def _element(el: dict[str, Any], emu: "State | None") -> str:
    kind = el.get("type")
    if kind in ("button", "workflow_button"):
        return f"[{_text(el.get('text'), emu)}]"
    if kind == "overflow":
        return "[…]"
    if kind == "image":
        return f"[image: {el.get('alt_text', '')}]"
    label = _text(el.get("placeholder"), emu) if el.get("placeholder") else kind
    return f"[{label} ▾]"


def _rich_text(block: dict[str, Any], emu: "State | None") -> str:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            if kind == "text" or kind == "link":
                out.append(node.get("text") or node.get("url", ""))
            elif kind == "user":
                user = emu.user(node.get("user_id", "")) if emu else None
                out.append("@" + (user.name if user else str(node.get("user_id"))))
            elif kind == "channel":
                chan = emu.channel(node.get("channel_id", "")) if emu else None
                out.append("#" + (chan.name if chan and chan.name else str(node.get("channel_id"))))
            elif kind == "emoji":
                out.append(f":{node.get('name')}:")
            for child in node.get("elements") or []:
                walk(child)
    walk(block)
    return "".join(out)


def render_blocks(blocks: list[dict[str, Any]], emu: "State | None" = None) -> list[str]:
    """One or more text lines per block."""
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_text(block.get('text'), emu)} ==")
        elif kind == "section":
            if block.get("text"):
                lines += _text(block["text"], emu).splitlines() or [""]
            for f in block.get("fields") or []:
                lines += ["  " + ln for ln in _text(f, emu).splitlines()]
            acc = block.get("accessory")
            if isinstance(acc, dict):
                lines.append("  " + _element(acc, emu))
        elif kind == "context":
            lines.append("  · " + "  ".join(_text(e, emu) for e in block.get("elements") or []))
        elif kind == "divider":
            lines.append("----")
        elif kind == "actions":
            lines.append(" ".join(_element(e, emu) for e in block.get("elements") or []))
        elif kind == "input":
            label = _text(block.get("label"), emu)
            lines.append(f"<input: {label}>")
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "rich_text":
            lines += _rich_text(block, emu).splitlines()
        elif kind == "markdown":
            lines += unmrkdwn(str(block.get("text", "")), emu).splitlines()
        else:
            lines.append(f"[{kind} block]")
    return lines


def _author(user: str | None, emu: "State | None") -> str:
    if user is None:
        return "?"
    found = emu.user(user) if emu else None
    if found:
        return found.name
    return "crisisbot" if user == BOT_USER_ID else user


def render_message(message: Message | Ephemeral, emu: "State | None" = None) -> str:
    """`[HH:MM] author: text`, then one indented line per block (pinned messages get 📌)."""
    if isinstance(message, Ephemeral):
        author = f"crisisbot (only visible to @{_author(message.user, emu)})"
        pinned, edited, reactions = False, 0, {}
    else:
        author = _author(message.user, emu)
        chan = emu.channel(message.channel) if emu else None
        pinned = bool(chan and message.ts in chan.pins)
        edited, reactions = message.edited, message.reactions
    try:
        clock = time.strftime("%H:%M", time.gmtime(float(message.ts)))  # UTC, as the bot writes
    except (TypeError, ValueError):
        clock = "--:--"
    lines = render_blocks(message.blocks, emu)
    head = f"{'📌 ' if pinned else ''}[{clock}] {author}:"
    if not lines:
        text_lines = unmrkdwn(message.text, emu).splitlines() or [""]
        head, lines = f"{head} {text_lines[0]}", text_lines[1:]
    if edited:
        head += " (edited)"
    out = [head] + [INDENT + ln if ln else "" for ln in lines]
    if reactions:
        out.append(INDENT + "  ".join(f":{n}: {len(u)}" for n, u in reactions.items() if u))
    return "\n".join(out)


def render_channel(emu: "State", channel_id: str, *, viewer: str | None = None) -> str:
    """The channel as text: a title line, then messages oldest first with thread replies
    indented; with `viewer`, that user's ephemeral messages are interleaved."""
    chan = emu.channel(channel_id)
    if chan is None:
        raise KeyError(f"no channel {channel_id!r}")
    title = f"#{chan.name}" if chan.name else f"DM with @{_author(chan.im_user, emu)}"
    if chan.is_archived:
        title += " (archived)"
    if chan.topic:
        title += f" — {unmrkdwn(chan.topic, emu)}"
    items: list[tuple[float, str]] = []
    for msg in emu.messages(channel_id):
        text = render_message(msg, emu)
        for reply in emu.thread(channel_id, msg.ts):
            if reply.is_reply:
                text += "\n" + "\n".join("  ↳ " + ln for ln in
                                         render_message(reply, emu).splitlines())
        items.append((float(msg.ts), text))
    if viewer:
        for eph in emu.ephemerals(user=viewer, channel=channel_id):
            items.append((float(eph.ts or 0), render_message(eph, emu)))
    items.sort(key=lambda item: item[0])
    return "\n".join([title, "=" * len(title)] + [text for _, text in items])
