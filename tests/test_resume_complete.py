"""A crisis resumed after a kill -9 gets every step it lacks, the database's included: its first timeline entries,
its lead, its reminders and golden-hour escalation, and (opened by an alert) the alert's entry and context. Once.

The process kills itself at points of the start drawn with a fixed seed (bot/services/failpoints.py): just after
a step did its work but before it was recorded (`did:`), or just after it was recorded (`step:`), such as right
after the "opened" timeline entry. A second process on the same database resumes the opening.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import text

from bot.emulator import Workspace
from storage.crises import utc
from storage.engine import make_engine
from tests.support.crisis import crisis_channels
from tests.support.processes import BotProcess
from tests.support.processes import emulator  # noqa: F401 - the processes' emulator
from tests.support.senders import Sender, sample

SEED = 20261202
ROUNDS = 8
DEADLINE = 60.0  # seconds: generous, for a loaded machine; the waits end on the event
STEPS = ("alert_entry", "opened_entry", "lead_role", "reminders", "create_channel", "post_plan", "pin_plan",
         "alert_context", "default_roles")
REMINDERS = {"sitrep_missing": 15, "sitrep_refresh": 60, "golden_hour": 60}  # minutes after the opening


@pytest.fixture
async def rows(database_url):
    engine = make_engine(database_url)

    async def rows(sql: str) -> list:
        try:
            async with engine.connect() as conn:
                return list(await conn.execute(text(sql)))
        except Exception as exc:  # the schema is not there yet, or SQLite is busy a moment: ask again
            if any(s in str(exc) for s in ("no such table", "does not exist", "locked")):
                return []
            raise

    yield rows
    await engine.dispose()


async def test_kill_9_at_the_points_of_the_start_then_every_step_once(emulator, database_url, rows):
    rng = random.Random(SEED)
    rounds = [(rng.choice(("did", "step")), rng.choice(STEPS), rng.choice(("slash", "alert"))) for _ in range(ROUNDS)]
    rounds[:2] = [("step", "opened_entry", "slash"), ("step", "opened_entry", "alert")]  # the reported case, both ways
    for n, (when, step, how) in enumerate(rounds):
        title = f"Leaked memo {n}"
        process = BotProcess(emulator, database_url, CRISISBOT_CRASH_AT=f"{when}:{step}")
        await process.start()
        async with aiohttp.ClientSession() as session:
            if how == "slash":
                ws = Workspace(emulator, bot_url=process.url + "/slack/events", signing_secret=process.signing_secret,
                               session=session)
                reply = await ws.slash("U0ALICE", "C0GENERAL", f"open high {title}", command="/crisis")
                assert reply.status == 200
            else:
                status, answer = await Sender(session, process).post(
                    "generic", {**sample("generic_firing"), "dedup_key": f"key-{n}", "title": title},
                    token=process.alert_token)
                assert status == 202 and answer["status"] == "opened"
        assert process.proc is not None
        try:  # the step is reached unless it has nothing to do (alert_entry for a slash command still runs)
            await asyncio.wait_for(process.proc.wait(), DEADLINE / 4)
        except asyncio.TimeoutError:
            pass
        killed = process.proc.returncode == -9
        await process.kill()

        process = await BotProcess(emulator, database_url).start()
        try:
            await emulator.wait_for(lambda: rows(f"SELECT id FROM crisis WHERE title = '{title}' AND status = 'open'"),
                                    timeout=DEADLINE, message=f"round {n}: killed at {when}:{step} ({how})")
        finally:
            await process.stop()
        assert killed or step == "alert_context", f"round {n}: the process never reached {when}:{step}"

    crises = await rows("SELECT id, title, opened_at, alert_key, lead FROM crisis ORDER BY id")
    problems = {"lost": [f"Leaked memo {n}" for n in range(ROUNDS) if f"Leaked memo {n}" not in [c.title for c in crises]],
                "doubled crises": [c.title for c in crises if [d.title for d in crises].count(c.title) > 1],
                "channels": [] if len(crisis_channels(emulator)) == ROUNDS else [len(crisis_channels(emulator))]}
    for crisis in crises:
        opened = stored_time(crisis.opened_at)
        entries = [r.kind for r in await rows(f"SELECT kind FROM timeline_entry WHERE crisis_id = {crisis.id}")]
        leads = await rows(f"SELECT user_id FROM role_assignment WHERE crisis_id = {crisis.id} AND role = 'lead'")
        reminders = {r.kind: r.due_at for r in await rows(f"SELECT kind, due_at FROM reminder "
                                                          f"WHERE crisis_id = {crisis.id}")}
        sitreps = await rows(f"SELECT id FROM sitrep_version WHERE crisis_id = {crisis.id}")
        if entries.count("opened") != 1:
            problems.setdefault("opened entries not 1", []).append((crisis.title, entries.count("opened")))
        if crisis.alert_key and entries.count("alert") != 1:
            problems.setdefault("alert entries not 1", []).append((crisis.title, entries.count("alert")))
        if len(leads) != (1 if crisis.lead else 0):  # an alert's crisis has no lead until someone takes it
            problems.setdefault("lead roles not 1", []).append((crisis.title, len(leads)))
        if sorted(reminders) != sorted(REMINDERS):
            problems.setdefault("reminders", []).append((crisis.title, sorted(reminders)))
        else:
            for kind, minutes in REMINDERS.items():
                if stored_time(reminders[kind]) != opened + timedelta(minutes=minutes):
                    problems.setdefault("reminder due times", []).append((crisis.title, kind))
        if crisis.alert_key and len(sitreps) != 1:
            problems.setdefault("alert context not once", []).append((crisis.title, len(sitreps)))
    assert {k: v for k, v in problems.items() if v} == {}, f"rounds {rounds}"


def stored_time(value) -> datetime:
    """A stored time as an aware datetime (SQLite hands text to a raw query)."""
    return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
