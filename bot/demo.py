"""`crisisbot demo`: a whole crisis against the built-in Slack emulator, printed as text.

The same emulator and the same signed HTTP requests as the test-suite: the bot
cannot tell it apart from Slack. The crisis clock moves on between steps, so the
story reads like a real afternoon.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import aiohttp

from bot.app import INFLIGHT, SERVICES, build_web_app
from bot.domain.clock import FixedClock
from bot.emulator import SlackEmulator, Workspace, render_channel, render_message
from bot.emulator.render import unmrkdwn
from bot.emulator.state import BOT_USER_ID
from bot.serve import Running, start
from bot.settings import Settings
from handlers.web import STORE

TOKEN = "xoxb-emulator"
SIGNING_SECRET = "demo-signing-secret"
TITLE = "Influencer video claims our serum burns skin"
MANAGERS = "C0MANAGERS"
START = datetime(2026, 11, 21, 14, 5, tzinfo=timezone.utc)  # a Saturday afternoon

Out = Callable[[str], None]


async def run_demo(out: Out = print, database: Path | None = None) -> None:
    """The demo; `database` is the SQLite file it starts afresh and keeps, ending with the command that exports
    the crisis from it (None: a temporary file, gone afterwards)."""
    clock = FixedClock(START)  # the crisis's time moves on when the story says so, the same on every run
    emulator = SlackEmulator(bot_token=TOKEN, clock=lambda: clock.now().timestamp())
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory(prefix="crisisbot-demo-") as tmp:
            settings = Settings(
                _env_file=None,
                slack_bot_token=TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_url=emulator.base_url,
                database_url=f"sqlite+aiosqlite:///{_afresh(database) if database else Path(tmp) / 'demo.db'}",
                crisisbot_managers_channel=MANAGERS,
            )
            bot = await start(build_web_app(settings, clock=clock))
            try:
                async with aiohttp.ClientSession() as session:
                    ws = Workspace(emulator, bot_url=bot.url + "/slack/events",
                                   signing_secret=SIGNING_SECRET, session=session)
                    scenario = Scenario(emulator, ws, bot, clock, out)
                    await scenario.run()
                crisis = await bot.app[STORE].by_ref(scenario.channel) if database else None
            finally:
                await bot.stop()
            if crisis is not None:
                out(f"\nThe demo's database is kept in {database} (started afresh on each run). "
                    "The whole story, as Markdown:")
                out(f"  DATABASE_URL=sqlite+aiosqlite:///{database} crisisbot export {crisis.id}")
    finally:
        await emulator.close()


def _afresh(database: Path) -> Path:
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")):
        stale.unlink(missing_ok=True)
    return database


class Scenario:
    """The afternoon of a crisis, one step at a time. Each step waits until the bot has finished what it was
    asked (its acknowledged work is done), then prints what people saw because of it, oldest first."""

    def __init__(self, emu: SlackEmulator, ws: Workspace, bot: Running, clock: FixedClock, out: Out):
        self.emu, self.ws, self.bot, self.clock, self.out = emu, ws, bot, clock, out
        self.channel = ""
        self.started = clock.now()
        self.seen: set[tuple[str, str]] = set()

    async def run(self) -> None:
        emu, out = self.emu, self.out
        out("crisisbot demo: the bot against a local Slack emulator, on a clock that moves with the story\n")

        done = await self.type("alice", f"open high {TITLE}", "C0GENERAL", expect="is open")
        self.channel = next(e.text for e in done if "is open" in e.text).split("<#")[1].split(">")[0].split("|")[0]

        await self.type("alice", "role spokesperson @bob", expect="is now")
        await self.type("alice", "role listening @carla", expect="is now")
        await self.type("alice", "role legal @dan", expect="is now")
        await self.type("carla", "sitrep origin: A 2-minute TikTok by @glowwithmia (1.2M followers)", expect="saved")
        await self.type("carla", "sitrep criticism: Product safety: says our serum burned her skin", expect="saved")
        await self.type("carla", "sitrep networks: TikTok, Instagram, X", expect="saved")
        await self.type("dan", "sitrep caused: unknown", expect="saved")

        self.out(f"[{self.when()}] @carla posts the listening numbers; @alice pins them with :pushpin:")
        said = await self.ws.say("U0CARLA", self.channel, "Negative mentions at 4,200/h and rising, 81% negative")
        self.seen.add((self.channel, said.ts or ""))
        await self.ws.react("U0ALICE", self.channel, said.ts, "pushpin")
        await self.finished("U0ALICE")
        await self.later(8, "alice", "milestone reduction Ads and scheduled posts paused on every network", expect="recorded.")
        await self.later(27, "bob", "milestone respuesta Holding statement out on TikTok and Instagram", expect="recorded.")
        await self.type("alice", "note El País asked for comment; Dan reviewing the answer", expect="Added to the timeline")
        await self.later(40, "bob", "milestone reazione Answered 140 comments; spoke with Mia by DM", expect="recorded.")
        await self.tick(minutes=30)
        await self.later(60 * 20, "carla", "milestone recovery Mentions and sentiment back to baseline", expect="recorded.")
        await self.later(60 * 4, "alice", "milestone rethink Brief customer care in the first 30 minutes", expect="recorded.")

        await self.type("alice", "close")
        views = await emu.wait_for(lambda: emu.open_views("U0ALICE"))
        out(f"[{self.when()}] @alice fills in the closing form: outcome and learnings")
        await self.ws.submit_view("U0ALICE", views[-1].id, {
            "outcome": "Lab results shared; Mia posted a follow-up and took the video down",
            "learnings": "Keep a product-safety holding statement ready\nAsk legal for a 15-minute review slot",
        })
        await self.finished("U0ALICE")
        await self.type("dan", "note Legal sign-off on the follow-up post", expect="is closed")

        for channel in (self.channel, MANAGERS):
            out("\n" + "=" * 72)
            out(render_channel(emu, channel))
        out("=" * 72)
        out("bob's direct messages from crisisbot:")
        for message in emu.dms("U0BOB"):
            out(render_message(message, emu))
        calls = [c.method for c in emu.calls]
        out(f"\nSlack calls the bot made: {len(calls)} ({', '.join(sorted(set(calls)))})")

    async def type(self, who: str, text: str, channel: str | None = None, *, expect: str | None = None) -> list:
        """`/crisis <text>` as `who`, in the crisis channel unless told; returns what the bot said to them.

        `expect` is a few words of the answer a person waits for (to them, or in the channel): the step is
        over once it has come and the bot has nothing more in flight."""
        user = self.emu.user_by_name(who)
        where = channel or self.channel
        self.out(f"[{self.when()}] @{who} in #{self.emu.channel(where).name}: /crisis {text}")
        private, public = len(self.emu.ephemerals(user=user.id)), len(self.emu.messages(where))
        reply = await self.ws.slash(user.id, where, text, command="/crisis")
        if reply.status != 200:
            raise RuntimeError(f"the bot answered {reply.status}")
        if expect is not None:
            await self.emu.wait_for(lambda: any(
                expect in m.text for m in self.emu.ephemerals(user=user.id)[private:] + self.emu.messages(where)[public:]))
        return await self.finished(user.id)

    async def finished(self, user: str) -> list:
        """Waits for the bot's acknowledged work to end, then prints each message it caused, once."""
        await self.quiet()
        private = [e for e in self.emu.ephemerals() if ("", e.ts) not in self.seen]
        posted = [m for chan in list(self.emu.channels_by_id.values()) for m in self.emu.messages(chan.id)
                  if m.user == BOT_USER_ID and (chan.id, m.ts) not in self.seen]
        for item in sorted(private + posted, key=lambda m: float(m.ts)):
            self.seen.add(("", item.ts) if item in private else (item.channel, item.ts))
            self.out(f"  → {self.where(item, item in private, user)}{self.plain(item.text)}")
        return [e for e in private if e.user == user]

    async def quiet(self) -> None:
        """Until the bot has nothing in flight and Slack has no event left to send it (an invitation raises
        `member_joined_channel`, whose answer may raise more)."""
        while True:
            await self.bot.app[INFLIGHT].idle()
            if not self.ws.pending_deliveries:
                return
            await self.ws.delivered()

    def where(self, item, private: bool, user: str) -> str:
        if private:
            return "" if item.user == user else f"(only @{self.emu.user(item.user).name} sees) "
        chan = self.emu.channel(item.channel)
        if chan.is_im:
            return f"(DM to @{self.emu.user(chan.im_user).name}) "
        return "" if chan.id == self.channel else f"(#{chan.name}) "

    async def later(self, minutes: int, who: str, text: str, *, expect: str | None = None) -> None:
        self.clock.advance(minutes=minutes)
        await self.type(who, text, expect=expect)

    async def tick(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        fired = await self.bot.app[SERVICES].reminders.tick()
        self.out(f"[{self.when()}] the reminder job runs: {fired} reminder{'' if fired == 1 else 's'} due")
        await self.finished("U0ALICE")

    def when(self) -> str:
        now = self.clock.now()
        day = (now.date() - self.started.date()).days
        return f"{now:%H:%M}" + (f" (day {day + 1})" if day else "")

    def plain(self, text: str) -> str:
        return unmrkdwn(text, self.emu)
