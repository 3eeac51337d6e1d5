"""Slash-command text as Slack sends it when the command has `should_escape: true`
("Escape channels, users, and links sent to your app").

Slack's client turns what it recognises into its escaped forms: a member `@bob` into
`<@U0BOB|bob>`, a channel `#general` into `<#C0GENERAL|general>`, `@here`/`@channel`/`@everyone`
into `<!here>`…, a user group `@comms` into `<!subteam^S0COMMS|@comms>` and a link into
`<https://…>`. Names it does not know stay as typed, and `&`, `<` and `>` outside those forms arrive as `&amp;`,
`&lt;` and `&gt;`, as in all text Slack sends ("Escaping text" in Slack's formatting reference).
Without the setting the text is sent as typed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import State

SPECIAL = ("here", "channel", "everyone")
# an existing <…> token (left alone), a link, or an @name / #name at a word start
_TOKEN = re.compile(r"<[^<>]*>|https?://[^\s<>]+|(?<![\w@#])([@#])([\w][\w.\-]*)|[&<>]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_typed(emu: "State", text: str) -> str:
    def replace(match: re.Match) -> str:
        whole, sigil, name = match.group(0), match.group(1), match.group(2)
        if whole.startswith("<") and whole.endswith(">"):
            return whole
        if whole in "&<>":
            return _ENTITIES[whole]
        if sigil is None:
            return f"<{whole.replace('&', '&amp;')}>"
        name = name.rstrip(".-")   # "@bob." ends a sentence
        rest = match.group(2)[len(name):]
        if sigil == "#":
            chan = emu.channel_by_name(name.lower())
            return f"<#{chan.id}|{chan.name}>{rest}" if chan is not None else whole
        if name.lower() in SPECIAL:
            return f"<!{name.lower()}>{rest}"
        user = emu.user_by_name(name.lower())
        if user is not None and not user.deleted:
            return f"<@{user.id}|{user.name}>{rest}"
        group = next((g for g in emu.usergroups.values() if g.handle == name.lower()), None)
        if group is not None:
            return f"<!subteam^{group.id}|@{group.handle}>{rest}"
        return whole
    return _TOKEN.sub(replace, text)
