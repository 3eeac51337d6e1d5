"""Slack mrkdwn escaping for everything a user or an alert typed."""

from __future__ import annotations


def esc(text: object) -> str:
    """Escape &, < and > so user text can never become a mention, link or `<!channel>`."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int, marker: str = "…") -> str:
    """Shorten visibly to at most `limit` characters, never splitting an escape."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(marker)]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + marker
