"""How fast are slash commands acknowledged under load, against a bare Bolt app that only acks?

Starts, one after the other, the floor (bench/floor_bolt.py: a bare Bolt AsyncApp whose listener only acks) and
the real crisisbot app (SQLite file or PostgreSQL, against the local emulator, with two crises open), and fires
signed `/crisis status` and `/crisis help` at each, C in flight at once, over real HTTP from a separate process
(an aiohttp client in a `spawn`ed worker, so the load generator does not share the bot's event loop or its
CPU time). Every request is a distinct body (its own trigger_id and response_url), signed as Slack signs it, so
nothing is a replay. `/crisis status` alternates between a crisis room and a channel that is not one.

The response_url of every request points at a small sink in the load generator's process, as Slack's servers
are elsewhere: what the bot posts after its ack is counted there (the status replies), not paid for on the bot's
event loop by an in-process emulator. The worker reports its own CPU time against the wall time of the run, to
show it is not the bottleneck.

    .venv/bin/python -m bench.acks [N] [C] [DATABASE_URL]

`measure(database_url)` returns the figures as a dict (bench/run.py). A PostgreSQL DATABASE_URL must name a
scratch database: its public schema is emptied first.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

TOKEN, SECRET = "xoxb-emulator", "bench-secret"
N, CONCURRENCY, WARMUP, ROUNDS = 1000, 20, 200, 3
REPLY_WAIT = 20.0  # seconds the sink waits for the replies after the last ack


# ----- the load generator (its own process) ----------------------------------------------------------------------

def _bodies(count: int, text: str, channels: list[str], sink: str) -> list[str]:
    bodies = []
    for i in range(count):
        user = f"U0BENCH{i % 40:02d}"
        channel = channels[i % len(channels)]
        bodies.append(urlencode({
            "token": "bench", "team_id": "T0EMULATOR", "team_domain": "emulator", "channel_id": channel,
            "channel_name": "bench", "user_id": user, "user_name": user.lower(), "command": "/crisis",
            "text": text, "api_app_id": "A0CRISISBOT", "is_enterprise_install": "false",
            "response_url": f"{sink}/hooks/{i}", "trigger_id": f"{i}.{uuid.uuid4().hex}"}))
    return bodies


async def _fire(url: str, text: str, channels: list[str], n: int, warmup: int, concurrency: int,
                markers: dict[str, str], replies_due: bool) -> dict:
    posted: list[str] = []

    async def hook(request: web.Request) -> web.Response:
        posted.append(await request.text())
        return web.Response(text="ok")

    sink_app = web.Application()
    sink_app.router.add_post("/hooks/{n}", hook)
    runner = web.AppRunner(sink_app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    verifier = SignatureVerifier(SECRET)
    requests = []
    for body in _bodies(warmup + n, text, channels, f"http://{host}:{port}"):  # all signed before the clock runs
        stamp = str(int(time.time()))
        requests.append((body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                         "X-Slack-Request-Timestamp": stamp,
                                         "X-Slack-Signature": verifier.generate_signature(timestamp=stamp,
                                                                                          body=body)}))
    results: list[tuple[int, float, int, str]] = []  # (index, seconds, status, ack body)
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            data, headers = requests[i]
            t0 = time.perf_counter()
            try:
                async with session.post(url, data=data, headers=headers) as response:
                    answer = await response.text()
                    status = response.status
            except aiohttp.ClientError as exc:
                answer, status = type(exc).__name__, 0
            results.append((i, time.perf_counter() - t0, status, answer))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        for i in range(warmup):
            queue.put_nowait(i)
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        await _replies(posted, 0, results, replies_due)  # the warm-up's replies land before the clock runs
        results.clear()
        warm_posts = len(posted)
        for i in range(warmup, warmup + n):
            queue.put_nowait(i)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    busy = sum(markers["busy"] in answer for _, _, _, answer in results)
    expected = await _replies(posted, warm_posts, results, replies_due)
    replies = posted[warm_posts:]
    await runner.cleanup()
    statuses: dict[int, int] = {}
    for _, _, status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {"latencies": [seconds for _, seconds, _, _ in results], "statuses": statuses, "busy_acks": busy,
            "replies_expected": expected, "replies": len(replies),
            "busy_replies": sum(markers["busy"] in r for r in replies),
            "error_replies": sum(markers["error"] in r for r in replies),
            "wall": wall, "client_cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


async def _replies(posted: list[str], before: int, results: list, due: bool) -> int:
    """Wait (boundedly) for the reply to every request acknowledged without an answer in the ack itself."""
    expected = sum(1 for _, _, status, answer in results if status == 200 and not answer.strip()) if due else 0
    deadline = time.monotonic() + REPLY_WAIT
    while len(posted) - before < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return expected


def _worker(conn, *args) -> None:
    conn.send(asyncio.run(_fire(*args)))
    conn.close()


async def load(url: str, text: str, channels: list[str], n: int = N, concurrency: int = CONCURRENCY,
               warmup: int = WARMUP, markers: dict[str, str] | None = None, replies_due: bool = False) -> dict:
    """Fire `n` signed `/crisis {text}` (after `warmup` more) at `url` from a separate process."""
    mp = multiprocessing.get_context("spawn")
    ours, theirs = mp.Pipe(duplex=False)
    process = mp.Process(target=_worker, args=(theirs, url, text, channels, n, warmup, concurrency,
                                              markers or {"busy": "\0", "error": "\0"}, replies_due),
                          daemon=True)
    process.start()
    theirs.close()
    try:
        return await asyncio.get_running_loop().run_in_executor(None, ours.recv)
    finally:
        process.join(5)


# ----- the apps under test (this process) ------------------------------------------------------------------------

def summary(result: dict) -> dict:
    values = sorted(result["latencies"])
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return {"p50_ms": round(statistics.median(values) * 1000, 1), "p99_ms": round(p99 * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1), "per_s": round(len(values) / result["wall"]),
            "client_cpu": round(result["client_cpu"] / result["wall"], 2),
            "server_cpu_ms": round(result["server_cpu"] * 1000 / len(values), 3),
            **{k: result[k] for k in ("statuses", "busy_acks", "replies_expected", "replies", "busy_replies",
                                      "error_replies")}}


async def open_crises(emu, bot_url: str, titles: list[str]) -> list[str]:
    from bot.emulator import Workspace

    channels = []
    async with aiohttp.ClientSession() as session:
        ws = Workspace(emu, bot_url=bot_url + "/slack/events", signing_secret=SECRET, session=session)
        for title in titles:
            marker = uuid.uuid4().hex[:8]
            reply = await ws.slash("U0ALICE", "C0GENERAL", f"open high {title} {marker}", command="/crisis")
            assert reply.status == 200, reply

            def pinned(marker=marker):
                chan = next((c for c in emu.channels if (c.name or "").endswith(marker)), None)
                return chan if chan is not None and emu.pins(chan.id) else None

            channels.append((await emu.wait_for(pinned, timeout=20)).id)
    return channels


async def measure(database_url: str | None = None, n: int = N, concurrency: int = CONCURRENCY,
                  rounds: int = ROUNDS) -> dict:
    """p50/p99 of the ack of `/crisis status` and `/crisis help`, crisisbot against the bare Bolt floor.

    Both apps run side by side (one idle while the other is loaded); each round loads the floor, then crisisbot,
    for each command, so a neighbour's burst on a shared machine falls on both. The figures are the median over
    the rounds; the counts are summed."""
    from bench.floor_bolt import start_floor
    from bench.scratch import empty_schema
    from bot.app import INFLIGHT, build_web_app
    from bot.catalog import Catalog
    from bot.emulator import SlackEmulator
    from bot.serve import start
    from bot.settings import Settings
    from handlers.ratelimit import SlackRateLimiter

    catalog = Catalog.load("en")
    markers = {"busy": catalog.messages.get("busy.slash", "\0")[:40], "error": "Something went wrong"}
    if database_url and database_url.startswith("postgresql"):
        await empty_schema(database_url)
    emu = SlackEmulator(bot_token=TOKEN)
    await emu.start()
    runs: dict[str, list[dict]] = {}
    out: dict = {"n": n, "concurrency": concurrency, "rounds": rounds}
    try:
        floor = await start_floor(SECRET, TOKEN, emu.base_url)
        with tempfile.TemporaryDirectory() as tmp:
            url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'acks.db'}"
            out["database"] = "PostgreSQL" if url.startswith("postgres") else "SQLite"
            settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                slack_api_url=emu.base_url, database_url=url)
            bot = await start(build_web_app(settings, limiter=SlackRateLimiter(scale=1e-6)))
            try:
                rooms = await open_crises(emu, bot.url, ["Bench storm", "Bench outage"])
                await bot.app[INFLIGHT].idle()
                for _ in range(rounds):
                    for word in ("status", "help"):
                        runs.setdefault(f"floor_{word}", []).append(await cpu_of(load(
                            floor.url + "/slack/events", word, ["C0GENERAL"], n, concurrency, markers=markers)))
                        runs.setdefault(f"crisisbot_{word}", []).append(await cpu_of(load(
                            bot.url + "/slack/events", word, [rooms[0], "C0GENERAL"], n, concurrency,
                            markers=markers, replies_due=word == "status"), bot.app[INFLIGHT].idle))
            finally:
                await bot.stop()
                await floor.stop()
    finally:
        await emu.close()
    for name, results in runs.items():
        out[name] = combined([summary(r) for r in results])
    for word in ("status", "help"):
        out[f"ratio_{word}_p99"] = round(out[f"crisisbot_{word}"]["p99_ms"] / out[f"floor_{word}"]["p99_ms"], 2)
        out[f"ratio_{word}_p50"] = round(out[f"crisisbot_{word}"]["p50_ms"] / out[f"floor_{word}"]["p50_ms"], 2)
    return out


async def cpu_of(run, settled=None) -> dict:
    """The run's result, with the CPU time this process (the app under load; the other one idles) spent on it,
    its work after the acks included (`settled`)."""
    cpu0 = time.process_time()
    result = await run
    if settled is not None:
        await settled()
    result["server_cpu"] = time.process_time() - cpu0
    return result


def combined(summaries: list[dict]) -> dict:
    out: dict = {}
    for key in summaries[0]:
        values = [s[key] for s in summaries]
        if key == "statuses":
            out[key] = {code: sum(v.get(code, 0) for v in values) for code in {c for v in values for c in v}}
        elif key in ("p50_ms", "p99_ms", "max_ms", "per_s", "client_cpu", "server_cpu_ms"):
            out[key] = statistics.median(values)
        else:
            out[key] = sum(values)
    out["p99_each_ms"] = [s["p99_ms"] for s in summaries]
    return out


def report(out: dict) -> str:
    lines = [f"slash-command acks, {out['n']} requests per row and round, {out['concurrency']} in flight, "
             f"crisisbot on {out['database']} (load generator in its own process; median of {out['rounds']} rounds)",
             f"  {'':22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7} {'client cpu':>10}"
             f" {'cpu ms/req':>10}  notes"]
    for app in ("floor", "crisisbot"):
        for word in ("status", "help"):
            s = out[f"{app}_{word}"]
            notes = f"HTTP {s['statuses']}, p99s {s['p99_each_ms']}"
            if app == "crisisbot" and word == "status":
                notes += (f"; replies {s['replies']}/{s['replies_expected']}, busy {s['busy_acks']}, "
                          f"errors {s['error_replies']}")
            lines.append(f"  {app + ' /crisis ' + word:22} {s['p50_ms']:8.1f} {s['p99_ms']:8.1f} {s['max_ms']:8.1f}"
                         f" {s['per_s']:7.0f} {s['client_cpu']:10.2f} {s['server_cpu_ms']:10.3f}  {notes}")
    for word in ("status", "help"):
        lines.append(f"  {word}: p99 {out[f'ratio_{word}_p99']:.2f}x the floor, p50 {out[f'ratio_{word}_p50']:.2f}x"
                     " (goal: p99 <= 1.5x)")
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    print(report(asyncio.run(measure(args[2] if len(args) > 2 else None, int(args[0]) if args else N,
                                     int(args[1]) if len(args) > 1 else CONCURRENCY))))
