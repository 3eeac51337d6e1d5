"""The bot as a real operating-system process, for crash and multi-replica tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import aiohttp
import pytest

from bot.emulator import SlackEmulator
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET

# Long enough not to look like placeholders to `crisisbot serve`.
PROCESS_TOKEN = "xoxb-" + "7" * 12 + "-" + "4" * 13 + "-processtesttokenvalue24"


@pytest.fixture
async def emulator():
    """The emulator, knowing the token the bot processes are given (a test module imports this fixture)."""
    emu = SlackEmulator(bot_token=PROCESS_TOKEN)
    await emu.start()
    yield emu
    await emu.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    def __init__(self, emulator, database_url: str, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "SLACK_API_URL": emulator.base_url,
            "SLACK_BOT_TOKEN": PROCESS_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET + "-long-enough-for-serving",
            "CRISISBOT_ALERT_TOKEN": ALERT_TOKEN + "-long-enough",
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "CRISISBOT_MANAGERS_CHANNEL": "C0MANAGERS",
            "CRISISBOT_TICK_SECONDS": "0.5",
            "CRISISBOT_OPENING_LEASE_SECONDS": "2",
            "CRISISBOT_LOG_FORMAT": "json",
            "CRISISBOT_RECORD_TIMEOUT_SECONDS": "2.5",  # a loaded test machine (tests/support/harness.py)
            **env,
        }
        self.signing_secret = self.env["SLACK_SIGNING_SECRET"]
        self.alert_token = self.env["CRISISBOT_ALERT_TOKEN"]
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 90) -> "BotProcess":
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", env=self.env, cwd=os.getcwd(),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout  # a deadline in time, however slowly each poll goes on a busy machine
        async with aiohttp.ClientSession() as session:
            while loop.time() < deadline:
                try:
                    async with session.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                if self.proc.returncode is not None:
                    raise RuntimeError(f"the bot process exited with {self.proc.returncode}")
                await asyncio.sleep(0.1)
        raise TimeoutError("the bot process did not become healthy")

    async def kill(self) -> None:
        """kill -9: no cleanup, no goodbye."""
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                await self.kill()
