"""`crisisbot demo`: a whole crisis against the built-in Slack emulator, printed as text.

The same emulator and the same signed HTTP requests as the test-suite: the bot
cannot tell it apart from Slack.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

import aiohttp

from bot.app import build_web_app
from bot.domain.clock import FixedClock, SystemClock
from bot.emulator import SlackEmulator, Workspace, render_channel, render_message
from bot.serve import start
from bot.settings import Settings

TOKEN = "xoxb-emulator"
SIGNING_SECRET = "demo-signing-secret"
TITLE = "Influencer video claims our serum burns skin"


async def run_demo(out: Callable[[str], None] = print) -> None:
    emulator = SlackEmulator(bot_token=TOKEN)
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory(prefix="crisisbot-demo-") as tmp:
            settings = Settings(
                _env_file=None,
                slack_bot_token=TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_url=emulator.base_url,
                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
                crisisbot_managers_channel="C0MANAGERS",
            )
            clock = FixedClock(SystemClock().now())  # the demo's crisis time moves on when told to
            bot = await start(build_web_app(settings, clock=clock))
            try:
                async with aiohttp.ClientSession() as session:
                    ws = Workspace(emulator, bot_url=bot.url + "/slack/events",
                                   signing_secret=SIGNING_SECRET, session=session)
                    await _scenario(emulator, ws, clock, out)
            finally:
                await bot.stop()
    finally:
        await emulator.close()


async def _scenario(emu: SlackEmulator, ws: Workspace, clock: FixedClock, out: Callable[[str], None]) -> None:
    alice = "U0ALICE"
    out(f"crisisbot demo: the bot against a local Slack emulator at {emu.url}\n")

    out(f"@alice in #general: /crisis open high {TITLE}")
    reply = await ws.slash(alice, "C0GENERAL", f"open high {TITLE}", command="/crisis")
    out(f"  bot answers alice at once: {_text(reply.body)}")
    done = await emu.wait_for(lambda: _latest(emu, alice, "is open"))
    out(f"  then: {done.text}\n")
    channel = done.text.split("<#")[1].split(">")[0].split("|")[0]

    clock.advance(minutes=42)
    out(f"42 minutes later, @alice in #{emu.channel(channel).name}: /crisis status")
    await ws.slash(alice, channel, "status", command="/crisis")
    status = await emu.wait_for(lambda: _latest(emu, alice, "Open for"))
    out("  bot answers alice:\n" + render_message(status, emu) + "\n")

    clock.advance(hours=1, minutes=28)
    out(f"At 2 h 10 min, @alice in #{emu.channel(channel).name}: /crisis close")
    await ws.slash(alice, channel, "close", command="/crisis")
    await emu.wait_for(lambda: _latest(emu, alice, "is closed"))

    out("=" * 72)
    out(render_channel(emu, channel))
    out("=" * 72)
    calls = [c.method for c in emu.calls]
    out(f"Slack calls the bot made: {len(calls)} ({', '.join(sorted(set(calls)))})")


def _latest(emu: SlackEmulator, user: str, text: str):
    return next((e for e in reversed(emu.ephemerals(user=user)) if text in e.text + str(e.blocks)), None)


def _text(body) -> str:
    return body.get("text", "") if isinstance(body, dict) else str(body or "")
