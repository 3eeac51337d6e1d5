"""How long does opening a crisis take against the local emulator, with Slack 100 ms away?

Two measurements, both read from the emulator's call log (when each Web API call arrived and when it was
answered; `SlackEmulator(latency=...)` holds every Web API call that long):

1. One opening at a time (`SINGLE` of them): the time from sending the signed `/crisis open` to the pinned plan
   (`pins.add` answered), and the opening's sequential round trips: the longest chain of Web API calls, each
   sent after the one before it was answered, that ends with `pins.add` (create -> post -> pin is 3; a
   `conversations.history` before the post makes it 4).
2. `CONCURRENT` people typing `/crisis open` at the same moment, twice: under Slack's tiers (the emulator
   enforces them on its real clock, the bot runs its production rate limiter) and with no limits at all. For
   each, the time to "room ready" (the opener told "... is open": the response_url answer naming the channel)
   and to the last pinned plan. The goal: ready under the tiers within 1.1x of the run without limits.

    .venv/bin/python -m bench.open_crisis [DATABASE_URL]

`measure(database_url)` returns the figures as a dict (bench/run.py calls it). A PostgreSQL DATABASE_URL must name
a scratch database: its public schema is emptied before each run, since the emulator's channel ids start afresh.
For SQLite each run gets a new database file in a temporary directory (the URL only says "SQLite").
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.scratch import empty_schema
from bot.app import build_web_app
from bot.emulator import SlackEmulator, Workspace
from bot.serve import start
from bot.settings import Settings
from handlers.ratelimit import SlackRateLimiter

TOKEN, SECRET = "xoxb-emulator", "bench-secret"
LATENCY = 0.1  # seconds per Web API call
SINGLE = 5  # openings one after another
CONCURRENT = 15  # openings at the same moment
ROUNDS = 2  # each concurrent run, alternately; the best round of each is reported (the least disturbed)
TIMEOUT = 180.0




class Run:
    """The emulator (LATENCY away) and the bot on a fresh database, for one measurement."""

    def __init__(self, database_url: str | None, tmp: str, name: str, limits: bool):
        self.database_url, self.tmp, self.name, self.limits = database_url, tmp, name, limits

    async def __aenter__(self) -> "Run":
        url = self.database_url or ""
        if url.startswith("postgresql"):
            await empty_schema(url)
        else:
            url = f"sqlite+aiosqlite:///{Path(self.tmp) / f'{self.name}.db'}"
        self.emu = SlackEmulator(bot_token=TOKEN, latency=LATENCY, enforce_rate_limits=self.limits)
        await self.emu.start()
        settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                            slack_api_url=self.emu.base_url, database_url=url,
                            crisisbot_managers_channel="C0MANAGERS",
                            crisisbot_record_timeout_seconds=2.5)  # a loaded machine: Slack's 3 s, less a margin
        # Under the tiers, the production limiter; without limits, one whose minute is a microsecond long.
        limiter = SlackRateLimiter() if self.limits else SlackRateLimiter(scale=1e-6)
        self.bot = await start(build_web_app(settings, limiter=limiter))
        self.session = aiohttp.ClientSession()
        self.ws = Workspace(self.emu, bot_url=self.bot.url + "/slack/events", signing_secret=SECRET,
                            session=self.session)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()
        await self.bot.stop()
        await self.emu.close()

    def channel(self, marker: str):
        return next((c for c in self.emu.channels if (c.name or "").endswith(marker)), None)

    def pinned_at(self, channel_id: str) -> float | None:
        return next((c.at for c in self.emu.calls_to("pins.add")
                     if c.args.get("channel") == channel_id and c.status == 200 and c.response.get("ok")), None)

    def ready_at(self, channel_id: str) -> float | None:
        """When the opener was told the room is open (the response_url answer that names the channel)."""
        return next((c.at for c in self.emu.calls_to("response_url")
                     if "is open" in str(c.args.get("text")) and channel_id in str(c.args.get("text"))), None)


def round_trips(emu: SlackEmulator, since: float, pin) -> tuple[int, list[str]]:
    """The longest chain of Web API calls sent after `since`, each sent after the previous one was answered,
    that ends with the call `pin`: the round trips nothing could overlap."""
    calls = sorted((c for c in emu.calls if c.method != "response_url" and emu.started(c) >= since
                    and c.at <= pin.at), key=lambda c: c.at)
    best: dict[int, tuple[int, list[str]]] = {}
    for call in calls:
        before = [(best[id(c)], c.at) for c in calls if c.at <= emu.started(call) and id(c) in best]
        (depth, chain), _ = max(before, key=lambda b: (b[0][0], b[1]), default=((0, []), 0.0))
        best[id(call)] = (depth + 1, chain + [call.method])
    return best[id(pin)]


def first_call_after(emu: SlackEmulator, sent: float) -> float:
    """Seconds from the request to the first Web API call of the opening (the bot's own work before Slack)."""
    return min(emu.started(c) for c in emu.calls if c.method != "response_url" and emu.started(c) >= sent) - sent


async def single(database_url: str | None, tmp: str) -> dict:
    pinned, trips, chains, before_slack = [], [], [], []
    async with Run(database_url, tmp, "single", limits=False) as run:
        for i in range(SINGLE):
            marker = f"m{time.time_ns()}"
            sent = time.time()
            reply = await run.ws.slash("U0ALICE", "C0GENERAL", f"open high Bench crisis {i} {marker}",
                                       command="/crisis")
            assert reply.status == 200, reply

            def pinned_plan(marker=marker):
                chan = run.channel(marker)
                return chan if chan is not None and run.pinned_at(chan.id) else None

            chan = await run.emu.wait_for(pinned_plan, timeout=TIMEOUT)
            pinned.append(run.pinned_at(chan.id) - sent)
            pin = next(c for c in run.emu.calls_to("pins.add") if c.args.get("channel") == chan.id)
            depth, chain = round_trips(run.emu, sent, pin)
            trips.append(depth)
            before_slack.append(first_call_after(run.emu, sent))
            chains.append(chain)
            await run.emu.wait_for(lambda chan=chan: run.ready_at(chan.id), timeout=TIMEOUT)
            await asyncio.sleep(0.3)  # the steps beside the plan finish before the next opening
    return {"to_pinned_s": statistics.median(pinned), "to_pinned_max_s": max(pinned),
            "before_first_call_s": statistics.median(before_slack), "round_trips": max(trips), "critical_path": chains[trips.index(max(trips))]}


async def concurrent(database_url: str | None, tmp: str, limits: bool, n: int = 0) -> dict:
    async with Run(database_url, tmp, f"{'tiers' if limits else 'nolimits'}{n}", limits) as run:
        people = [run.emu.add_user(f"bench{n}").id for n in range(CONCURRENT)]
        markers = [f"m{time.time_ns()}x{n}" for n in range(CONCURRENT)]
        sent = time.time()
        replies = await asyncio.gather(*(run.ws.slash(p, "C0GENERAL", f"open high Storm {n} {m}", command="/crisis")
                                         for n, (p, m) in enumerate(zip(people, markers))))
        assert all(r.status == 200 for r in replies), replies

        def all_ready():
            later = [e.text for e in run.emu.ephemerals()
                     if "nothing was done" in e.text or "is recorded, but" in e.text]
            assert not later, f"an opening was not recorded in time (a loaded machine?): {later[:1]}"
            chans = [run.channel(m) for m in markers]
            if any(c is None for c in chans):
                return None
            ready = [run.ready_at(c.id) for c in chans]
            return chans if all(ready) else None

        chans = await run.emu.wait_for(all_ready, timeout=TIMEOUT, interval=0.005)
        ready = [run.ready_at(c.id) - sent for c in chans]
        await run.emu.wait_for(lambda: all(run.pinned_at(c.id) for c in chans), timeout=TIMEOUT)
        pinned = [run.pinned_at(c.id) - sent for c in chans]
        announced = await run.emu.wait_for(
            lambda: (len([m for m in run.emu.messages("C0MANAGERS")]) >= CONCURRENT) and run.emu.messages("C0MANAGERS"),
            timeout=TIMEOUT)
        last_announced = max(c.at for c in run.emu.calls_to("chat.postMessage")
                             if c.args.get("channel") == "C0MANAGERS" and c.status == 200) - sent
        return {"ready_s": max(ready), "ready_median_s": statistics.median(ready), "pinned_s": max(pinned),
                "announced_s": last_announced, "announcements": len(announced),
                "rejected_429": sum(c.status == 429 for c in run.emu.calls)}


async def measure(database_url: str | None = None) -> dict:
    """The opening's figures at LATENCY per Web API call (see the module's docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        one = await single(database_url, tmp)
        rounds: dict[bool, list[dict]] = {True: [], False: []}
        for n in range(ROUNDS):
            for limits in (False, True) if n % 2 == 0 else (True, False):
                rounds[limits].append(await concurrent(database_url, tmp, limits, n))
        tiers, free = (min(rounds[limits], key=lambda r: r["ready_s"]) for limits in (True, False))
    return {
        "database": "PostgreSQL" if (database_url or "").startswith("postgres") else "SQLite",
        "latency_s": LATENCY,
        **one,
        "concurrent": CONCURRENT,
        "tier2": tiers,
        "no_limits": free,
        "ready_ratio": tiers["ready_s"] / free["ready_s"],
    }


def report(figures: dict) -> str:
    t, f = figures["tier2"], figures["no_limits"]
    return "\n".join([
        f"opening a crisis on {figures['database']}, {figures['latency_s'] * 1000:.0f} ms per Web API call",
        f"  one at a time: {figures['round_trips']} sequential round trips to the pinned plan "
        f"({' -> '.join(figures['critical_path'])}); request to pinned plan median "
        f"{figures['to_pinned_s']:.3f} s, max {figures['to_pinned_max_s']:.3f} s (goal: 3, < 0.4 s); "
        f"{figures['before_first_call_s'] * 1000:.0f} ms of it before the first Slack call",
        f"  {figures['concurrent']} at once, no limits:   room ready {f['ready_s']:.2f} s "
        f"(median {f['ready_median_s']:.2f}), pinned {f['pinned_s']:.2f} s, managers told {f['announced_s']:.2f} s",
        f"  {figures['concurrent']} at once, Slack's tiers: room ready {t['ready_s']:.2f} s "
        f"(median {t['ready_median_s']:.2f}), pinned {t['pinned_s']:.2f} s, managers told {t['announced_s']:.2f} s, "
        f"429s {t['rejected_429']}",
        f"  ready under the tiers / without limits: {figures['ready_ratio']:.2f}x (goal: <= 1.1x)",
    ])


if __name__ == "__main__":
    print(report(asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else None))))
