"""How many alerts a second does POST /alerts/{source} take on this machine?

Sends N authenticated generic alerts with C in flight at once, over real HTTP, to the
real app (SQLite file or PostgreSQL), against the local emulator. Half the alerts
share one key (a storm: they attach to one crisis), the rest are spread over 20 keys
below the auto-open severity (triage). Prints alerts per second, latency
percentiles, and checks that every 202 was stored.

    .venv/bin/python bench/alerts.py [N] [C] [DATABASE_URL]

A PostgreSQL DATABASE_URL must name a scratch database: its public schema is emptied first.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.open_crisis import empty_schema
from bot.app import SERVICES, build_web_app
from bot.emulator import SlackEmulator
from bot.serve import start
from bot.settings import Settings

TOKEN, SECRET, ALERT_TOKEN = "xoxb-emulator", "bench-secret", "bench-alert-token"


def payloads(n: int) -> list[bytes]:
    storm = {"title": "Negative mentions spike", "severity": "critical", "dedup_key": "storm",
             "networks": ["tiktok"], "metrics": {"mentions_per_hour": 4200}}
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(json.dumps(storm).encode())
        else:
            out.append(json.dumps({"title": f"Minor spike {i % 20}", "severity": "low",
                                   "dedup_key": f"minor-{i % 20}"}).encode())
    return out


async def main(n: int, concurrency: int, database_url: str | None) -> None:
    if database_url and database_url.startswith("postgresql"):
        await empty_schema(database_url)
    emu = SlackEmulator(bot_token=TOKEN)
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                            slack_api_url=emu.base_url, database_url=url, crisisbot_alert_token=ALERT_TOKEN,
                            crisisbot_managers_channel="C0MANAGERS")
        bot = await start(build_web_app(settings))
        try:
            latencies, elapsed = await send(bot.url, payloads(n), concurrency)
            crisis = (await bot.app[SERVICES].crises.active())[0]
            stored = await bot.app[SERVICES].deps.alerts.count(crisis.id)
        finally:
            await bot.stop()
            await emu.close()
    db = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    latencies.sort()
    print(f"{n} alerts on {db}, {concurrency} in flight: {n / elapsed:.0f} alerts/s")
    print(f"  latency median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    print(f"  storm key: {stored} alerts counted on one crisis (sent {(n + 1) // 2})")


async def send(base: str, bodies: list[bytes], concurrency: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    headers = {"Authorization": f"Bearer {ALERT_TOKEN}", "Content-Type": "application/json"}

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            t0 = time.perf_counter()
            async with session.post(f"{base}/alerts/generic", data=body, headers=headers) as response:
                await response.read()
                assert response.status == 202, response.status
            latencies.append(time.perf_counter() - t0)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return latencies, time.perf_counter() - t0


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(int(args[0]) if args else 2000, int(args[1]) if len(args) > 1 else 20,
                     args[2] if len(args) > 2 else None))
