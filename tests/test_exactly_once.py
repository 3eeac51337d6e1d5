"""Reminders and triage requests go out exactly once, though `crisisbot serve` is killed (-9) between the Slack call
and the commit that records it, or between the claim and the post.

Each round, with a fixed seed, picks where the process dies (bot/services/failpoints.py: the process kills itself
there, since those moments last microseconds); a second process, started on the same database, finishes the
work: the claim runs out, the claim's token is looked for in the channel, and the message is posted only if it
is not there. Counted: lost (0) and doubled (0).
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from sqlalchemy import text

from bot.domain.reminders import Reminder, ReminderKind
from bot.emulator import Workspace
from storage.engine import make_engine, make_sessions
from storage.reminders import SqlReminderStore
from tests.support.processes import BotProcess
from tests.support.processes import emulator  # noqa: F401 - the processes' emulator
from tests.support.senders import Sender, sample

SEED = 20261202
ROUNDS = 4
DEADLINE = 60.0  # seconds: generous, for a loaded machine; the waits end on the event
CLAIM = {"CRISISBOT_POST_CLAIM_SECONDS": "1"}


@pytest.fixture
async def db(database_url):
    engine = make_engine(database_url)

    class Db:
        reminders = SqlReminderStore(make_sessions(engine))

        async def rows(self, sql: str) -> list:
            try:
                async with engine.connect() as conn:
                    return list(await conn.execute(text(sql)))
            except Exception as exc:  # the schema is not there yet, or SQLite is busy a moment: ask again
                if any(s in str(exc) for s in ("no such table", "does not exist", "locked")):
                    return []
                raise

    yield Db()
    await engine.dispose()


async def crashed_at(emulator, database_url, point: str) -> None:
    """A process with the crash point armed: it does the work, dies there, and is gone."""
    process = BotProcess(emulator, database_url, CRISISBOT_CRASH_AT=point, **CLAIM)
    await died(process)


async def died(process: BotProcess, started: bool = False) -> None:
    """Until the armed process has killed itself (it may do so before it even answers /healthz)."""
    if not started:
        try:
            await process.start()
        except RuntimeError:
            pass  # it exited already: checked below
    assert process.proc is not None
    await asyncio.wait_for(process.proc.wait(), DEADLINE)
    assert process.proc.returncode == -9, f"the process did not die at its crash point: {process.env}"


def said(emulator, channel: str, containing: str) -> list:
    return [m for m in emulator.messages(channel) if containing in m.text + str(m.blocks)]


async def test_reminders_survive_a_kill_between_the_post_and_the_mark(emulator, database_url, db):
    rng = random.Random(SEED)
    process = await BotProcess(emulator, database_url, **CLAIM).start()
    async with aiohttp.ClientSession() as session:
        ws = Workspace(emulator, bot_url=process.url + "/slack/events", signing_secret=process.signing_secret,
                       session=session)
        await ws.slash("U0ALICE", "C0GENERAL", "open high Leaked memo", command="/crisis")
        [crisis] = await emulator.wait_for(lambda: db.rows("SELECT id, channel_id FROM crisis WHERE status = 'open'"),
                                           timeout=DEADLINE)
    await process.stop()

    kinds = {ReminderKind.SITREP_MISSING: ("still lacks", crisis.channel_id),
             ReminderKind.GOLDEN_HOUR: ("Escalation:", "C0MANAGERS")}
    expected = {kind: 0 for kind in kinds}
    points = []
    for n in range(ROUNDS):
        kind = rng.choice(sorted(kinds))
        point = rng.choice(("claimed:reminder", "posted:reminder"))
        points.append((kind.value, point))
        due = datetime.now(timezone.utc) - timedelta(seconds=1)
        await db.reminders.schedule([Reminder(crisis.id, kind, due)])  # due now
        expected[kind] += 1

        await crashed_at(emulator, database_url, point)
        process = await BotProcess(emulator, database_url, **CLAIM).start()
        try:
            async def marked():  # the reminder moved on (or, for the one-shot escalation, is gone)
                rows = await db.rows(f"SELECT claim_token FROM reminder WHERE crisis_id = {crisis.id} "
                                     f"AND kind = '{kind.value}'")
                return not rows or rows[0].claim_token is None and len(said_(kind)) >= expected[kind]

            def said_(k):
                containing, channel = kinds[k]
                return said(emulator, channel, containing)

            await emulator.wait_for(marked, timeout=DEADLINE, message=f"round {n}: {kind.value} at {point}")
        finally:
            await process.stop()

    escalations = await db.rows(f"SELECT id FROM timeline_entry WHERE crisis_id = {crisis.id} AND kind = 'escalation'")
    counts = {kind: len(said(emulator, channel, containing)) for kind, (containing, channel) in kinds.items()}
    lost = {k.value: expected[k] - counts[k] for k in kinds if counts[k] < expected[k]}
    doubled = {k.value: counts[k] - expected[k] for k in kinds if counts[k] > expected[k]}
    lead_pings = len(said(emulator, crisis.channel_id, "golden hour has passed"))
    assert (lost, doubled) == ({}, {}), f"points {points}"
    assert lead_pings == expected[ReminderKind.GOLDEN_HOUR]  # the lead's ping too, once each
    assert len(escalations) == expected[ReminderKind.GOLDEN_HOUR]  # and the timeline's entry


async def test_triage_requests_survive_a_kill_between_the_post_and_the_record(emulator, database_url, db):
    rng = random.Random(SEED + 1)
    points = []
    for n in range(ROUNDS):
        point = rng.choice(("claimed:triage", "posted:triage"))
        points.append(point)
        process = await BotProcess(emulator, database_url, CRISISBOT_CRASH_AT=point, **CLAIM).start()
        async with aiohttp.ClientSession() as session:
            status, answer = await Sender(session, process).post(
                "generic", {**sample("generic_firing"), "severity": "low", "dedup_key": f"key-{n}",
                            "title": f"Minor spike {n}"}, token=process.alert_token)
        assert status == 202 and answer["status"] == "triaged"  # acknowledged: it must come out once
        await died(process, started=True)

        process = await BotProcess(emulator, database_url, **CLAIM).start()
        try:
            await emulator.wait_for(lambda: db.rows(f"SELECT id FROM triage WHERE key = 'key-{n}' "
                                                    "AND ts IS NOT NULL"), timeout=DEADLINE,
                                    message=f"round {n}: triage at {point}")
        finally:
            await process.stop()

    triage = await db.rows("SELECT key, ts FROM triage ORDER BY id")
    posted = {n: said(emulator, "C0MANAGERS", f"Minor spike {n}") for n in range(ROUNDS)}
    lost = [n for n in range(ROUNDS) if not posted[n]]
    doubled = [n for n in range(ROUNDS) if len(posted[n]) > 1]
    assert (lost, doubled) == ([], []), f"points {points}"
    assert [t.ts for t in triage] == [posted[n][0].ts for n in range(ROUNDS)]  # the record names the message
