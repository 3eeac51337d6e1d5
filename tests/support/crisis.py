"""Opening a crisis the way a person does, for tests about what happens next."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.emulator.state import APP_ID, TEAM_DOMAIN, TEAM_ID
from tests.support.people import Person


async def open_crisis(person: Person, title: str = "Serum video", severity: str = "high") -> str:
    """`/crisis open` in #general; returns the new crisis channel's id once the plan is pinned.

    Waits for the "is open" answer to *this* request: earlier crises' answers are still there.
    """
    def told():
        return [e.text for e in person.emu.ephemerals(user=person.id) if "is open" in e.text]

    before = len(told())
    await person.types(f"/crisis open {severity} {title}")
    text = (await person.emu.wait_for(lambda: told()[before:]))[0]
    return text.split("<#")[1].split(">")[0].split("|")[0]


def said_in(emulator, channel: str) -> list[str]:
    """Every message of a channel as the text and blocks a reader sees."""
    return [m.text + " " + str(m.blocks) for m in emulator.messages(channel)]


def crisis_channels(emulator) -> list:
    """The crisis channels the bot has made so far."""
    return [c for c in emulator.channels if (c.name or "").startswith("crisis-")]


def signed_slash(emulator, secret: str, text: str, channel: str = "C0GENERAL") -> tuple[bytes, dict[str, str]]:
    """One `/crisis` request as Slack signs it: its bytes and headers, to be sent more than once."""
    token = emulator.new_response_url_token("U0ALICE", channel)
    body = urlencode({"token": "t", "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN, "channel_id": channel,
                      "channel_name": channel, "user_id": "U0ALICE", "user_name": "alice", "command": "/crisis",
                      "text": text, "api_app_id": APP_ID, "response_url": emulator.response_url_for(token),
                      "trigger_id": emulator.issue_trigger("U0ALICE", channel)})
    stamp = str(int(time.time()))
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
                           "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)}
