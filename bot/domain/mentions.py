"""People named in typed text: Slack's escaped mentions, and plain names to look up.

With "escape channels, users, and links" on, Slack sends `@bob` as `<@U0BOB|bob>`. A name
Slack's client did not turn into a mention (Enterprise Grid, copy-paste, a display name with
spaces) arrives as plain text, and is matched against the workspace's members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.words import fold

_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>")  # Slack's IDs: at most 21 characters
_TOKEN = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>|<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>")


@dataclass(frozen=True)
class Member:
    id: str
    name: str              # the username (handle)
    display_name: str = ""
    real_name: str = ""

    @property
    def label(self) -> str:
        shown = next((n for n in (self.real_name, self.display_name) if n and n != self.name), None)
        return f"{shown} (@{self.name})" if shown else f"@{self.name}"


def readable(text: str) -> str:
    """Free text with Slack's escaped tokens as a person reads them: `<@U1|bob>` → `@bob`,
    `<#C1|general>` → `#general`, `<!here>` → `@here`, `<https://x|x>` → `https://x`, `&amp;` → `&`.

    Shown again later, the text pings nobody and reads as it was typed."""
    def plain(match: re.Match) -> str:
        sigil, target, label, link, _ = match.groups()
        if link is not None:
            return link.removeprefix("mailto:")
        if sigil == "@":
            return f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if label:                       # <!subteam^S1|@comms>
            return label if label.startswith("@") else f"@{label}"
        return f"@{target.split('^')[0]}"   # <!here>, <!channel>
    text = _TOKEN.sub(plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # Slack's escapes, undone


def people(text: str) -> list[str]:
    """The people named in `text`, each as typed: escaped mentions, or plain `@names` (a display
    name may have spaces: `@Bob Smith @carla`). Without any @, names are separated by commas or
    spaces."""
    found: list[str] = []
    rest = _MENTION.sub(lambda m: found.append(m.group(0)) or " ", text)
    if "@" in rest:
        found += [f"@{part.strip(' ,')}" for part in rest.split("@")[1:] if part.strip(" ,")]
        before = rest.split("@")[0].strip(" ,")
        found += [w for w in re.split(r"[,\s]+", before) if w]
    else:
        parts = [p.strip() for p in rest.split(",")] if "," in rest else rest.split()
        found += [p for p in parts if p]
    return found


def first_mention(text: str) -> str | None:
    """The user of the first escaped mention in `text`, if any."""
    match = _MENTION.search(text)
    return match.group(1) if match else None


def matching(name: str, members: list[Member]) -> list[Member]:
    """Members whose username, display name or real name is `name`, ignoring case and accents."""
    wanted = fold(name.strip().lstrip("@"))
    if not wanted:
        return []
    handle = [m for m in members if fold(m.name) == wanted]
    if len(handle) == 1:   # a username is unique in a workspace: it wins over someone's display name
        return handle
    return [m for m in members if wanted in {fold(m.name), fold(m.display_name), fold(m.real_name)} - {""}]
