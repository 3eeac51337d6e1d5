"""kill -9 at random points of an opening, then a restart: every acknowledged opening ends as exactly one
crisis with one channel, one plan, one pin, and its reminders.

The points are drawn with a fixed seed, so a failure names a round that fails again: right after the
crisis is recorded, right after its "opened" timeline entry, or after the N-th Slack call of the opening.
"""

from __future__ import annotations

import random

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.emulator import Workspace
from tests.support.crisis import crisis_channels
from tests.support.processes import BotProcess
from tests.support.processes import emulator  # noqa: F401 - the processes' emulator

SEED = 20261202
ROUNDS = 8
DEADLINE = 60.0  # seconds: generous, for a loaded machine; the waits end on the event, not the deadline




@pytest.fixture
async def db(database_url):
    engine = create_async_engine(database_url)

    async def rows(sql: str) -> list:
        try:
            async with engine.connect() as conn:
                return list(await conn.execute(text(sql)))
        except Exception as exc:  # the schema is not there yet, or SQLite is busy a moment: ask again
            if "no such table" in str(exc) or "does not exist" in str(exc) or "locked" in str(exc):
                return []
            raise

    yield rows
    await engine.dispose()


def plans(emulator, channel_id: str) -> list:
    return [m for m in emulator.messages(channel_id) if "The 5 R method" in str(m.blocks)]


def kill_point(rng: random.Random) -> tuple[str, int]:
    """Where this round's kill lands: ("recorded", 0), ("opened", 0) or ("slack", n)."""
    kind = rng.choice(("recorded", "opened", "slack", "slack"))
    return (kind, rng.randint(1, 12) if kind == "slack" else 0)


async def test_kill_9_at_random_points_of_the_opening(emulator, database_url, db):
    rng = random.Random(SEED)
    process = await BotProcess(emulator, database_url).start()
    acknowledged: list[str] = []
    points: list[tuple[str, int]] = []
    try:
        async with aiohttp.ClientSession() as session:
            # A first opening, not killed, tells what every opening should end with.
            ws = Workspace(emulator, bot_url=process.url + "/slack/events", signing_secret=process.signing_secret,
                           session=session)
            reply = await ws.slash("U0ALICE", "C0GENERAL", "open high Control opening", command="/crisis")
            assert reply.status == 200
            acknowledged.append("Control opening")
            await emulator.wait_for(lambda: told_open(emulator) >= 1, timeout=DEADLINE)
            expected_reminders = sorted(r.kind for r in await db("SELECT kind FROM reminder"))
            assert expected_reminders, "an opening schedules its reminders"

            for n in range(ROUNDS):
                point = kill_point(rng)
                points.append(point)
                title = f"Leaked memo {n}"
                ws.bot_url = process.url + "/slack/events"
                calls_before = len(emulator.calls)
                reply = await ws.slash("U0ALICE", "C0GENERAL", f"open high {title}", command="/crisis")
                if reply.status == 200:
                    acknowledged.append(title)

                async def reached():
                    found = await db(f"SELECT id, status FROM crisis WHERE title = '{title}'")
                    if found and found[0].status == "open":
                        return True  # the opening finished before the point: the kill lands after it
                    kind, k = point
                    if kind == "slack":
                        return len(emulator.calls) - calls_before >= k
                    if kind == "recorded" or not found:
                        return bool(found)
                    return bool(await db(f"SELECT id FROM timeline_entry WHERE crisis_id = {found[0].id} "
                                         "AND kind = 'opened'"))

                await emulator.wait_for(reached, timeout=DEADLINE, message=f"round {n}: kill point {point}")
                await process.kill()
                process = await BotProcess(emulator, database_url).start()

                async def all_open():
                    rows = await db("SELECT title, status FROM crisis")
                    return rows and all(r.status == "open" for r in rows)

                async def all_recorded():
                    return len(await db("SELECT id FROM crisis")) >= len(acknowledged)

                try:  # every opening recorded is finished by the new process...
                    await emulator.wait_for(all_open, timeout=DEADLINE)
                except AssertionError:
                    steps = await db("SELECT crisis_id, step, status, error FROM opening_step WHERE status != 'done'")
                    raise AssertionError(f"round {n} (kill point {point}): recorded "
                                         f"{await db('SELECT id, title, status FROM crisis')}, steps {steps}") from None
                try:  # ...and every acknowledged one was recorded (on failure only, this waits out its deadline)
                    await emulator.wait_for(all_recorded, timeout=DEADLINE / 3)
                except AssertionError:
                    pass  # counted below as lost
    finally:
        await process.stop()

    crises = await db("SELECT id, title, channel_id, plan_ts FROM crisis ORDER BY id")
    recorded = [c.title for c in crises]
    lost = [(t, p) for t, p in zip(acknowledged[1:], points) if t not in recorded]
    duplicated = sorted({t for t in recorded if recorded.count(t) > 1})
    channels = crisis_channels(emulator)
    problems = {
        "acknowledged but never a crisis (title, kill point)": lost,
        "duplicated crises": duplicated,
        "channels not of exactly one crisis": sorted({c.id for c in channels} ^ {c.channel_id for c in crises}),
        "crises without exactly one plan": [c.title for c in crises if len(plans(emulator, c.channel_id)) != 1],
        "crises without exactly their plan pinned": [c.title for c in crises
                                                      if emulator.pins(c.channel_id) != [c.plan_ts]],
        "crises without their reminders": [
            c.title for c in crises
            if sorted(r.kind for r in await db(f"SELECT kind FROM reminder WHERE crisis_id = {c.id}"))
            != expected_reminders],
    }
    assert {k: v for k, v in problems.items() if v} == {}, f"kill points {points}"


def told_open(emulator) -> int:
    """How many times Alice was told a room is open (or, after a restart, is ready now)."""
    return (len([e for e in emulator.ephemerals(user="U0ALICE") if "is open" in e.text])
            + len([m for m in emulator.dms("U0ALICE") if "is ready now" in m.text]))
