"""`crisisbot demo`: a whole crisis against the built-in Slack emulator, printed as text.

The same emulator and the same signed HTTP requests as the test-suite: the bot
cannot tell it apart from Slack. The crisis clock moves on between steps, so the
story reads like a real afternoon.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Callable

import aiohttp

from bot.app import SERVICES, build_web_app
from bot.domain.clock import FixedClock, SystemClock
from bot.emulator import SlackEmulator, Workspace, render_channel, render_message
from bot.serve import Running, start
from bot.settings import Settings

TOKEN = "xoxb-emulator"
SIGNING_SECRET = "demo-signing-secret"
TITLE = "Influencer video claims our serum burns skin"
MANAGERS = "C0MANAGERS"

Out = Callable[[str], None]


async def run_demo(out: Out = print) -> None:
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
                crisisbot_managers_channel=MANAGERS,
            )
            clock = FixedClock(SystemClock().now())  # the crisis's time moves on when the story says so
            bot = await start(build_web_app(settings, clock=clock))
            try:
                async with aiohttp.ClientSession() as session:
                    ws = Workspace(emulator, bot_url=bot.url + "/slack/events",
                                   signing_secret=SIGNING_SECRET, session=session)
                    await Scenario(emulator, ws, bot, clock, out).run()
            finally:
                await bot.stop()
    finally:
        await emulator.close()


class Scenario:
    def __init__(self, emu: SlackEmulator, ws: Workspace, bot: Running, clock: FixedClock, out: Out):
        self.emu, self.ws, self.bot, self.clock, self.out = emu, ws, bot, clock, out
        self.channel = ""
        self.elapsed = 0

    async def run(self) -> None:
        emu, out = self.emu, self.out
        out(f"crisisbot demo: the bot against a local Slack emulator at {emu.url}\n")

        await self.type("alice", f"open high {TITLE}", "C0GENERAL")
        done = await self.private("alice", "is open")
        self.channel = done.text.split("<#")[1].split(">")[0].split("|")[0]
        out(f"  → {self.plain(done.text)}\n")

        await self.type("alice", "role spokesperson <@U0BOB|bob>")
        await self.type("alice", "role listening <@U0CARLA|carla>")
        await self.type("alice", "role legal <@U0DAN|dan>")
        await self.type("carla", "sitrep origin: A 2-minute TikTok by @glowwithmia (1.2M followers)")
        await self.type("carla", "sitrep criticism: Product safety: says our serum burned her skin")
        await self.type("carla", "sitrep networks: TikTok, Instagram, X")
        await self.type("dan", "sitrep caused: unknown")

        said = await self.ws.say("U0CARLA", self.channel, "Negative mentions at 4,200/h and rising, 81% negative")
        await self.ws.react("U0ALICE", self.channel, said.ts, "pushpin")
        self.out(f"[+{self.when()}] @carla posts the listening numbers; @alice pins them with :pushpin:")
        await self.later(8, "alice", "milestone reduction Ads and scheduled posts paused on every network")
        await self.later(27, "bob", "milestone respuesta Holding statement out on TikTok and Instagram")
        await self.type("alice", "note El País asked for comment; Dan reviewing the answer")
        await self.later(40, "bob", "milestone reazione Answered 140 comments; spoke with Mia by DM")
        await self.tick(minutes=30)
        await self.later(60 * 20, "carla", "milestone recovery Mentions and sentiment back to baseline")
        await self.later(60 * 4, "alice", "milestone rethink Brief customer care in the first 30 minutes")

        await self.type("alice", "close")
        views = await emu.wait_for(lambda: emu.open_views("U0ALICE"))
        await self.ws.submit_view("U0ALICE", views[-1].id, {
            "outcome": "Lab results shared; Mia posted a follow-up and took the video down",
            "learnings": "Keep a product-safety holding statement ready\nAsk legal for a 15-minute review slot",
        })
        await self.private("alice", "is closed")
        out(f"@alice fills in the closing form: outcome and learnings\n")

        for channel in (self.channel, MANAGERS):
            out("=" * 72)
            out(render_channel(emu, channel))
        out("=" * 72)
        out("bob's direct messages from crisisbot:")
        for message in emu.dms("U0BOB"):
            out(render_message(message, emu))
        calls = [c.method for c in emu.calls]
        out(f"\nSlack calls the bot made: {len(calls)} ({', '.join(sorted(set(calls)))})")

    async def type(self, who: str, text: str, channel: str | None = None) -> None:
        user = self.emu.user_by_name(who)
        where = channel or self.channel
        self.out(f"[+{self.when()}] @{who} in #{self.emu.channel(where).name}: /crisis {text}")
        private, public = len(self.emu.ephemerals(user=user.id)), len(self.emu.messages(where))
        reply = await self.ws.slash(user.id, where, text, command="/crisis")
        if reply.status != 200:
            raise RuntimeError(f"the bot answered {reply.status}")

        await self.settle()
        for answer in self.emu.ephemerals(user=user.id)[private:] + self.emu.messages(where)[public:]:
            self.out(f"  → {self.plain(answer.text)}")

    async def settle(self) -> None:
        """Waits until the bot has made no Slack call for a moment: its answer is complete."""
        seen, quiet = -1, 0
        while quiet < 5:
            await asyncio.sleep(0.01)
            quiet = quiet + 1 if len(self.emu.calls) == seen else 0
            seen = len(self.emu.calls)

    async def later(self, minutes: int, who: str, text: str) -> None:
        self.clock.advance(minutes=minutes)
        self.elapsed += minutes
        await self.type(who, text)

    async def tick(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        self.elapsed += minutes
        fired = await self.bot.app[SERVICES].reminders.tick()
        self.out(f"[+{self.when()}] the reminder job runs: {fired} reminder(s) due")

    async def private(self, who: str, text: str):
        user = self.emu.user_by_name(who).id
        return await self.emu.wait_for(
            lambda: next((e for e in reversed(self.emu.ephemerals(user=user)) if text in e.text), None))

    def when(self) -> str:
        hours, minutes = divmod(self.elapsed, 60)
        return f"{hours}h{minutes:02d}"

    def plain(self, text: str) -> str:
        from bot.emulator.render import unmrkdwn

        return unmrkdwn(text, self.emu)
