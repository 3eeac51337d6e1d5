"""People in the emulated workspace, talking to the bot the way errbot's test backend does."""

from __future__ import annotations

from bot.emulator import SlackEmulator, Workspace


class Person:
    def __init__(self, user_id: str, workspace: Workspace, emulator: SlackEmulator):
        self.id = user_id
        self.ws = workspace
        self.emu = emulator
        self.typed_at = 0  # how many private messages they had when they last typed a command

    async def types(self, line: str, channel: str = "C0GENERAL", **signing):
        """`alice.types("/crisis open high Boycott")` in a channel; returns the bot's HTTP reply."""
        command, _, text = line.partition(" ")
        self.typed_at = len(self.emu.ephemerals(user=self.id))
        return await self.ws.slash(self.id, channel, text, command=command, **signing)

    async def sees_privately(self, containing: str, timeout: float = 30.0, *, since_typed: bool = True):
        """Waits for an ephemeral (or response_url) message to this person that contains the text: by default
        one that came after the last command they typed, so an earlier, similar answer doesn't count."""

        def found():
            told = self.emu.ephemerals(user=self.id)[self.typed_at if since_typed else 0:]
            return next((e for e in reversed(told) if containing in e.text + str(e.blocks)), None)

        return await self.emu.wait_for(found, timeout=timeout)

    def private_texts(self) -> list[str]:
        return [e.text for e in self.emu.ephemerals(user=self.id)]

    def open_modal(self) -> dict:
        views = self.emu.open_views(self.id)
        assert views, f"{self.id} has no modal open"
        return views[-1]


def text_of(reply) -> str:
    """What a person sees of the bot's immediate answer (plain text or a JSON message)."""
    body = reply.body
    if isinstance(body, dict):
        return body.get("text", "") + str(body.get("blocks", ""))
    return body or ""


def mrkdwn_texts(blocks: list[dict]) -> list[str]:
    """Every mrkdwn text in a message's blocks: the places where Slack parses mentions and links."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


async def fill_in(person: Person, values: dict, timeout: float = 30.0):
    """Waits for a modal to be open for the person, then submits it with these values."""
    views = await person.emu.wait_for(lambda: person.emu.open_views(person.id), timeout=timeout)
    return await person.ws.submit_view(person.id, views[-1].id, values)
