"""How long does opening a crisis take against the local emulator?

Measures, for N crises opened one after another, the time from sending the signed
`/crisis open` to (a) the bot's acknowledgement and (b) the plan being pinned in the
new channel, as the emulator recorded it. Prints median and 95th percentile.

    .venv/bin/python bench/open_crisis.py [N] [DATABASE_URL]

A PostgreSQL DATABASE_URL must name a scratch database: its public schema is emptied first,
since the emulator's channel ids start afresh on every run.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_web_app
from bot.emulator import SlackEmulator, Workspace
from bot.serve import start
from bot.settings import Settings
from handlers.ratelimit import SlackRateLimiter

TOKEN, SECRET = "xoxb-emulator", "bench-secret"


async def empty_schema(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def main(n: int, database_url: str | None) -> None:
    if database_url and database_url.startswith("postgresql"):
        await empty_schema(database_url)
    emu = SlackEmulator(bot_token=TOKEN)
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                            slack_api_url=emu.base_url, database_url=url)
        # The bot's own latency, not Slack's tiers: at Tier 2, conversations.create allows 20 openings a minute,
        # and the limiter would make crisis 21 wait for the minute to pass.
        bot = await start(build_web_app(settings, limiter=SlackRateLimiter(scale=1e-6)))
        acks, pinned = [], []
        try:
            await measure(emu, bot.url, n, acks, pinned)
        finally:
            await bot.stop()
            await emu.close()
    db = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{n} crises opened on {db}")
    for name, values in (("acknowledged", acks), ("plan pinned", pinned)):
        values.sort()
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(f"  {name:>12}: median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")


async def measure(emu: SlackEmulator, bot_url: str, n: int, acks: list[float], pinned: list[float]) -> None:
    async with aiohttp.ClientSession() as session:
        ws = Workspace(emu, bot_url=bot_url + "/slack/events", signing_secret=SECRET, session=session)
        for i in range(n):
            marker = str(time.time_ns())
            title = f"Bench crisis {i} {marker}"
            t0 = time.perf_counter()
            reply = await ws.slash("U0ALICE", "C0GENERAL", f"open high {title}", command="/crisis")
            acks.append(time.perf_counter() - t0)
            assert reply.status == 200, reply

            def pinned_plan(marker=marker):
                chan = next((c for c in emu.channels if (c.name or "").endswith(marker)), None)
                return chan if chan is not None and emu.pins(chan.id) else None

            await emu.wait_for(pinned_plan, timeout=10)
            pinned.append(time.perf_counter() - t0)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, sys.argv[2] if len(sys.argv) > 2 else None))
