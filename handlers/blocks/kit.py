"""Small Block Kit builders that respect Slack's limits."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.domain.intake import ALERT_PREFIX
from handlers.escape import cut, esc

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_CONTEXT = 2000
MAX_FALLBACK_TEXT = 3000


def section(text: str, *, verbatim: bool = True) -> dict:
    """A mrkdwn section; `verbatim` stops Slack from linking names and channels by itself."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION), "verbatim": verbatim}}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": cut(text, MAX_HEADER), "emoji": True}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, MAX_CONTEXT), "verbatim": True}]}


def divider() -> dict:
    return {"type": "divider"}


def limit_blocks(blocks: list[dict], note: str) -> list[dict]:
    """At most 50 blocks: the overflow is replaced by a visible note."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    kept = blocks[: MAX_BLOCKS - 1]
    return kept + [context(note.format(count=len(blocks) - len(kept)))]


def sections(lines: list[str], title: str = "") -> list[dict]:
    """Lines packed into as few sections as fit within 3,000 characters each."""
    out: list[dict] = []
    current = title
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION and current:
            out.append(section(current))
            candidate = line
        current = candidate
    if current:
        out.append(section(current))
    return out


def when(moment: datetime) -> str:
    """A time every reader sees in their own timezone, with a UTC fallback."""
    utc = moment.astimezone(timezone.utc)
    return f"<!date^{int(utc.timestamp())}^{{date_short}} {{time}}|{utc:%Y-%m-%d %H:%M} UTC>"


def mention(user: str | None, t) -> str:
    """A person as Slack shows them; an alert as its source; nobody (e.g. no lead yet) in the catalog's words."""
    if not user:
        return t.t("plan.unassigned")
    if user.startswith(ALERT_PREFIX):
        return t.t("alerts.opened_by", source=esc(user[len(ALERT_PREFIX):]))
    return f"<@{user}>"
