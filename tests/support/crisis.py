"""Opening a crisis the way a person does, for tests about what happens next."""

from __future__ import annotations

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
