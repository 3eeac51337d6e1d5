"""People in the emulated workspace, talking to the bot the way errbot's test backend does."""

from __future__ import annotations

from bot.emulator import SlackEmulator, Workspace


class Person:
    def __init__(self, user_id: str, workspace: Workspace, emulator: SlackEmulator):
        self.id = user_id
        self.ws = workspace
        self.emu = emulator

    async def types(self, line: str, channel: str = "C0GENERAL", **signing):
        """`alice.types("/crisis open high Boycott")` in a channel; returns the bot's HTTP reply."""
        command, _, text = line.partition(" ")
        return await self.ws.slash(self.id, channel, text, command=command, **signing)

    async def sees_privately(self, containing: str, timeout: float = 5.0):
        """Waits for an ephemeral (or response_url) message to this person that contains the text."""

        def found():
            return next((e for e in reversed(self.emu.ephemerals(user=self.id)) if containing in e.text), None)

        return await self.emu.wait_for(found, timeout=timeout)

    def private_texts(self) -> list[str]:
        return [e.text for e in self.emu.ephemerals(user=self.id)]

    def open_modal(self) -> dict:
        views = self.emu.open_views(self.id)
        assert views, f"{self.id} has no modal open"
        return views[-1]
