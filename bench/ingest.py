"""Alert ingest under wrk: crisisbot as a real `crisisbot serve` process against the emulator.

The emulator runs in this (the bench's) process, the bot in its own, wrk in a third. One database a call
(SQLite in a temporary file, or a scratch PostgreSQL whose public schema is emptied first):

1. warm-up: one alert on each of 20 keys: 10 critical ones open 10 crises, 10 low ones make triage requests
   (20 openings would take a minute: the bot paces conversations.create at Slack's Tier 2); then it settles;
2. ingest cost at 1k and 10k stored alerts (the table pre-filled with a bulk INSERT of copies of real rows;
   the level is the count when the run starts);
3. `POST /alerts/generic`, those 20 keys (every alert a duplicate: half attach to the crises, half to their
   triage requests), concurrency 50, a few short runs: rate, p50/p99, the bot's CPU per alert, and
   every acknowledged alert id looked up in the table;
4. ingest cost at 100k stored alerts;
5. a storm of 10,000 alerts on one new key: rate, crises opened for it, messages in its channel per second;
6. the bot's memory (RSS) idle, after 20k alerts, after a second 20k.

Every phase is bounded in time (settings below), so the code before a speed-up still finishes: a phase cut by
its bound says how many alerts it sent.

    .venv/bin/python -m bench.ingest [DATABASE_URL]
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.scratch import empty_schema
from bench.wrkload import WrkResult, acked_ids, alert_bodies, bench_keys, run_wrk, wrk_command, write_bodies

BOT_TOKEN = "xoxb-" + "5" * 12 + "-" + "8" * 13 + "-benchtokenvaluelongenough"
SIGNING_SECRET = "5f0c2a9d8e7b6a4c3d2e1f0a9b8c7d6e"
ALERT_TOKEN = "a3f9c1e7b5d2094f8e6c4a2b0d9f7e5c"
KEYS = 20
CRISIS_KEYS = 10  # of the 20, the keys whose first alert opens a crisis; the others are below auto-open (triage)
CONNECTIONS = 50


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


RUN_SECONDS = env_float("BENCH_SECONDS", 5)          # one timed run of the 20-key load
RUNS = int(env_float("BENCH_RUNS", 3))              # runs of it: min and median reported
GROWTH_SECONDS = env_float("BENCH_GROWTH_SECONDS", 3)
STORM = int(env_float("BENCH_STORM", 10_000))
STORM_CAP = env_float("BENCH_STORM_CAP", 40)         # seconds at most for the storm
MEMORY_ALERTS = int(env_float("BENCH_MEMORY_ALERTS", 20_000))
MEMORY_CAP = env_float("BENCH_MEMORY_CAP", 40)       # seconds at most for each 20k
SETTLE_CAP = env_float("BENCH_SETTLE_CAP", 30)       # seconds at most waiting for the bot to go quiet


@dataclass
class Run:
    rate: float
    p50: float | None
    p99: float | None
    sent: int
    acked: int
    other: int
    errors: int
    in_flight: int
    stored: int                 # new rows in the table after the run
    acked_stored: int | None    # acknowledged ids found in the table (None: the answers named no ids)
    cpu_ms: float | None        # the bot's CPU (user+sys) per acknowledged alert
    rows_before: int = 0

    @property
    def held(self) -> bool:
        """Every acknowledged alert is in the table, and nothing is stored that was never sent."""
        found = self.acked_stored if self.acked_stored is not None else min(self.stored, self.acked)
        return found == self.acked and self.acked <= self.stored <= self.sent


@dataclass
class Storm:
    sent: int
    acked: int
    seconds: float
    rate: float
    cut: bool
    crises: int
    messages: int
    message_seconds: float
    max_in_a_second: int
    held: bool
    opening_messages: int = 0  # what an opening alone posts in its room (a warm-up crisis's channel)

    @property
    def per_second(self) -> float:
        return self.messages / self.message_seconds if self.message_seconds else 0.0

    @property
    def alert_messages_per_second(self) -> float:
        """Messages in the room beyond the opening's own, a second: what the storm itself made the bot post."""
        extra = max(0, self.messages - self.opening_messages)
        return extra / self.message_seconds if self.message_seconds else 0.0


@dataclass
class IngestResult:
    database: str
    runs: list[Run] = field(default_factory=list)
    growth: dict[int, Run] = field(default_factory=dict)
    storm: Storm | None = None
    rss_mb: dict[str, float] = field(default_factory=dict)
    memory_alerts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def median(self, attr: str) -> float | None:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else None

    def minimum(self, attr: str) -> float | None:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return min(values) if values else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Bot:
    """`crisisbot serve` (python -m bot.cli serve) as its own process."""

    def __init__(self, emulator_api: str, database_url: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            "PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            "SLACK_API_URL": emulator_api, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "CRISISBOT_ALERT_TOKEN": ALERT_TOKEN, "DATABASE_URL": database_url, "HOST": "127.0.0.1",
            "PORT": str(self.port), "CRISISBOT_MANAGERS_CHANNEL": "C0MANAGERS", "CRISISBOT_LOG_FORMAT": "json",
        }
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, timeout: float = 120) -> None:
        with open(self.log, "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", env=self.env, stdout=log, stderr=log)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with aiohttp.ClientSession() as session:
            while loop.time() < deadline:
                try:
                    async with session.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.proc.returncode is not None:
                    raise RuntimeError(f"crisisbot serve exited with {self.proc.returncode}: see {self.log}")
                await asyncio.sleep(0.2)
        raise TimeoutError(f"crisisbot serve did not answer /healthz within {timeout} s: see {self.log}")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class Database:
    """The bot's database seen from the bench: counts, and the bulk pre-fill."""

    def __init__(self, url: str):
        self.engine: AsyncEngine = create_async_engine(url)

    async def close(self) -> None:
        await self.engine.dispose()

    async def scalar(self, sql: str, **params) -> int:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar_one()

    async def alerts(self) -> int:
        return await self.scalar("SELECT count(*) FROM alert")

    async def max_id(self) -> int:
        return await self.scalar("SELECT coalesce(max(id), 0) FROM alert")

    async def ids_after(self, after: int) -> set[int]:
        async with self.engine.connect() as conn:
            return set((await conn.execute(text("SELECT id FROM alert WHERE id > :a"), {"a": after})).scalars())

    async def open_crises(self, like: str) -> int:
        return await self.scalar("SELECT count(*) FROM crisis WHERE status = 'open' AND alert_key LIKE :k", k=like)

    async def crises_for(self, key: str) -> int:
        return await self.scalar("SELECT count(*) FROM crisis WHERE alert_key = :k", k=key)

    async def channel_of(self, key: str) -> str | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(text("SELECT channel_id FROM crisis WHERE alert_key = :k"), {"k": key})
                    ).scalar()

    async def prefill(self, upto: int, chunk: int = 5000) -> float:
        """Fill the alert table up to `upto` rows with copies of the bot's own latest rows (so every column,
        whatever the migrations made, is as the bot writes it), received over the last day; seconds taken."""
        t0 = time.perf_counter()
        async with self.engine.begin() as conn:
            table = await conn.run_sync(lambda sync: Table("alert", MetaData(), autoload_with=sync))
            have = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            if have >= upto:
                return 0.0
            models = [dict(row._mapping) for row in (await conn.execute(
                select(table).order_by(table.c.id.desc()).limit(KEYS)))]
            if not models:
                raise RuntimeError("no alert to copy: the warm-up stored none")
            for model in models:
                model.pop("id")
                model["digested"] = True
                if model.get("crisis_id") is not None:
                    model["route"] = "attached"
            start = models[0]["received_at"]
            missing = upto - have
            for offset in range(0, missing, chunk):
                rows = []
                for i in range(offset, min(missing, offset + chunk)):
                    row = dict(models[i % len(models)])
                    row["received_at"] = start.__class__.fromtimestamp(
                        start.timestamp() - 86400 + 86400 * i / missing, start.tzinfo)
                    rows.append(row)
                await conn.execute(table.insert(), rows)
        return time.perf_counter() - t0




async def pg_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), 5)
        return None
    except Exception as exc:  # the reason is the answer
        return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}"
    finally:
        await engine.dispose()


async def quiet(emu, bot: Bot, cap: float = SETTLE_CAP, still: float = 1.5) -> float:
    """Wait until the bot makes no Slack call and uses no CPU for `still` seconds (its follow-ups are done),
    at most `cap` seconds; the seconds waited."""
    t0 = time.monotonic()
    calls, cpu, since = len(emu.calls), cpu_seconds(bot.pid), time.monotonic()
    while time.monotonic() - t0 < cap:
        await asyncio.sleep(0.25)
        now_calls, now_cpu = len(emu.calls), cpu_seconds(bot.pid)
        if now_calls != calls or now_cpu - cpu > 0.25 * 0.3:  # more than 30% of a core in the last 0.25 s
            calls, since = now_calls, time.monotonic()
        cpu = now_cpu
        if time.monotonic() - since >= still:
            break
    return time.monotonic() - t0


async def settled_count(db: Database, cap: float = 15) -> int:
    """The alert count once it stops changing (requests wrk left in flight are finished by the bot)."""
    last, t0 = await db.alerts(), time.monotonic()
    while time.monotonic() - t0 < cap:
        await asyncio.sleep(0.3)
        now = await db.alerts()
        if now == last:
            return now
        last = now
    return last


async def load(bot: Bot, db: Database, bodies: Path, work: Path, *, seconds: float, quota: int = 0,
               cap: float | None = None) -> Run:
    """One wrk run against the bot, and the table checked after it."""
    before_rows, before_id = await db.alerts(), await db.max_id()
    acked_prefix = work / f"acked-{time.monotonic_ns()}"
    cpu0 = cpu_seconds(bot.pid)
    result, output = await run_wrk(wrk_command(f"{bot.url}/alerts/generic", bodies, ALERT_TOKEN, seconds=seconds,
                                               connections=CONNECTIONS, quota=quota, acked=acked_prefix), cap=cap)
    cpu = cpu_seconds(bot.pid) - cpu0
    if result.sent is None:
        raise RuntimeError(f"wrk printed no BENCH line:\n{output[-2000:]}")
    after = await settled_count(db)
    ids, unnamed = acked_ids(acked_prefix)
    stored_ids = await db.ids_after(before_id)
    acked_stored = None if unnamed else len(set(ids) & stored_ids)
    return run_from(result, stored=after - before_rows, acked_stored=acked_stored,
                    cpu_ms=1000 * cpu / result.ok2xx if result.ok2xx else None, rows_before=before_rows)


def run_from(result: WrkResult, *, stored: int, acked_stored: int | None, cpu_ms: float | None,
             rows_before: int) -> Run:
    rate = result.rate
    if result.quota_done or not rate:  # stopped by the quota or the cap: the script's own span is the time
        rate = result.ok2xx / result.span if result.span else 0.0
    return Run(rate=rate, p50=result.p50, p99=result.p99, sent=result.sent or 0, acked=result.ok2xx or 0,
               other=result.other or 0, errors=result.errors, in_flight=result.in_flight, stored=stored,
               acked_stored=acked_stored, cpu_ms=cpu_ms, rows_before=rows_before)


def crisis_messages(emu, channel: str | None, since: float, until: float) -> tuple[int, float, int]:
    """Messages posted in `channel` between the two times (the emulator's call log): count, the span they
    are counted over, and the most in any one second."""
    times = sorted(c.at for c in emu.calls if c.method == "chat.postMessage" and channel
                   and c.args.get("channel") == channel and since <= c.at <= until
                   and isinstance(c.response, dict) and c.response.get("ok"))
    most, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    return len(times), until - since, most


async def measure(database_url: str | None = None, say=print) -> IngestResult:
    from bot.emulator import SlackEmulator

    pg = bool(database_url and database_url.startswith("postgresql"))
    result = IngestResult("PostgreSQL" if pg else "SQLite")
    if pg:
        assert database_url is not None
        await empty_schema(database_url)
    emu = SlackEmulator(bot_token=BOT_TOKEN)
    await emu.start()
    with tempfile.TemporaryDirectory(prefix="crisisbot-bench-") as tmp:
        work = Path(tmp)
        url = database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
        bot = Bot(emu.base_url, url, work / "bot.log")
        db = Database(url)
        try:
            await bot.start()
            await phases(result, emu, bot, db, work, say)
        finally:
            await bot.stop()
            await db.close()
            await emu.close()
            if os.environ.get("BENCH_KEEP_LOG"):
                keep = Path(os.environ["BENCH_KEEP_LOG"]) / f"bot-{result.database}.log"
                keep.write_bytes((work / "bot.log").read_bytes())
    return result


async def phases(result: IngestResult, emu, bot: Bot, db: Database, work: Path, say) -> None:
    name = result.database
    crisis_keys, triage_keys = bench_keys("bench-crisis", CRISIS_KEYS), bench_keys("bench-triage", KEYS - CRISIS_KEYS)
    lines = alert_bodies(crisis_keys, 1000, "critical") + alert_bodies(triage_keys, 1000, "low")
    lines = [lines[i] for i in sorted(range(len(lines)), key=lambda i: (i * 7919) % len(lines))]  # interleaved
    bodies = write_bodies(work / "bodies.txt", lines)
    # 1. warm-up: 10 crises opened by their first alert, 10 triage requests, the openings left to finish
    t0 = time.monotonic()
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {ALERT_TOKEN}", "Content-Type": "application/json"}
        for body in alert_bodies(crisis_keys, CRISIS_KEYS, "critical") + alert_bodies(triage_keys, KEYS - CRISIS_KEYS,
                                                                                       "low"):
            async with session.post(f"{bot.url}/alerts/generic", data=body, headers=headers) as response:
                if response.status != 202:
                    raise RuntimeError(f"warm-up alert answered {response.status}: {await response.text()}")
    while await db.open_crises("bench-crisis-%") < CRISIS_KEYS and time.monotonic() - t0 < 60:
        await asyncio.sleep(0.2)
    opened = await db.open_crises("bench-crisis-%")
    if opened < CRISIS_KEYS:
        result.notes.append(f"{name}: only {opened} of {CRISIS_KEYS} warm-up crises open after 60 s")
    waited = await quiet(emu, bot)
    say(f"  {name}: warm-up: {opened} crises open in {time.monotonic() - t0:.1f} s (settled in {waited:.1f} s)")
    result.rss_mb["idle"] = rss_mb(bot.pid)
    opening_messages, _, _ = crisis_messages(emu, await db.channel_of(crisis_keys[0]), 0, time.time())

    async def growth(level: int) -> None:
        took = await db.prefill(level)
        run = await load(bot, db, bodies, work, seconds=GROWTH_SECONDS)
        result.growth[level] = run
        say(f"  {name}: {run.rows_before:>7,} stored (pre-filled in {took:.1f} s): {run.rate:,.0f}/s, "
            f"p99 {fmt_ms(run.p99)}")
        await quiet(emu, bot, cap=10)

    # 2. ingest at 1k and 10k stored (before the timed runs, which add tens of thousands at 1,000/s)
    await growth(1_000)
    await growth(10_000)
    # 3. the 20-key load
    for i in range(RUNS):
        run = await load(bot, db, bodies, work, seconds=RUN_SECONDS)
        result.runs.append(run)
        say(f"  {name}: 20 keys, c{CONNECTIONS}, run {i + 1}: {run.rate:,.0f}/s, p50 {fmt_ms(run.p50)}, "
            f"p99 {fmt_ms(run.p99)}, CPU {fmt(run.cpu_ms, '.2f')} ms/alert, acked {run.acked:,}, "
            f"stored {run.stored:,} ({run.stored - run.acked} of them in flight at wrk's stop), "
            f"acked ids found {run.acked_stored if run.acked_stored is not None else 'n/a'}")
        await quiet(emu, bot, cap=10)
    # 4. ingest at 100k stored
    await growth(100_000)
    # 5. the storm on one new key
    await quiet(emu, bot)
    storm_key = f"storm-{time.time_ns()}"
    storm_bodies = write_bodies(work / "storm.txt", alert_bodies([storm_key], 1000))
    since = time.time()
    run = await load(bot, db, storm_bodies, work, seconds=STORM_CAP + 5, quota=STORM, cap=STORM_CAP)
    until = time.time()
    await quiet(emu, bot, cap=10)
    channel = await db.channel_of(storm_key)
    messages, span, most = crisis_messages(emu, channel, since, until)
    storm_seconds = run.acked / run.rate if run.rate else 0.0
    result.storm = Storm(sent=run.sent, acked=run.acked, seconds=storm_seconds, rate=run.rate,
                         cut=run.acked < STORM, crises=await db.crises_for(storm_key), messages=messages,
                         message_seconds=span, max_in_a_second=most, held=run.held,
                         opening_messages=opening_messages)
    s = result.storm
    say(f"  {name}: storm: {s.acked:,} of {STORM:,} in {s.seconds:.1f} s{' (cut at the bound)' if s.cut else ''}: "
        f"{s.rate:,.0f}/s; {s.crises} crisis; {s.messages} messages in its channel in {s.message_seconds:.1f} s "
        f"(most in one second: {s.max_in_a_second}; an opening alone posts {s.opening_messages})")
    # 6. memory after 20k and a second 20k
    for label in ("after 20k", "after 2x20k"):
        run = await load(bot, db, bodies, work, seconds=MEMORY_CAP + 5, quota=MEMORY_ALERTS, cap=MEMORY_CAP)
        await quiet(emu, bot, cap=10)
        result.rss_mb[label] = rss_mb(bot.pid)
        result.memory_alerts[label] = run.acked
        say(f"  {name}: memory {label} ({run.acked:,} alerts at {run.rate:,.0f}/s): {result.rss_mb[label]:.0f} MB")


def fmt(value: float | None, spec: str = ",.0f") -> str:
    return "n/a" if value is None else format(value, spec)


def fmt_ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.1f} ms"


if __name__ == "__main__":
    asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else None))
