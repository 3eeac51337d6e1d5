"""Alerts stored by group commit: many at once in one transaction, each sender answered only once it is stored.

What a sender can rely on: a 202 means stored (even if the process is killed the next instant); a 5xx means
nothing of it was kept and it should send again; simultaneous alerts of one key make one crisis; a duplicate
on an open crisis costs no database work after its 202 (the digest is found by the tick).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import aiohttp
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.crisis import said_in
from tests.support.harness import ALERT_TOKEN, BotUnderTest
from tests.support import processes
from tests.support.processes import BotProcess
from tests.support.senders import Sender, sample
from tests.support.tcpproxy import TcpProxy
from tests.test_alerts import opened_channel

process_emulator = processes.emulator  # the bot processes' emulator (it knows their token), by another name


def generic(key: int, severity: str) -> dict:
    return {"title": f"Spike {key}", "severity": severity, "dedup_key": f"key-{key}", "networks": ["tiktok"]}


async def rows(bot: BotUnderTest, sql: str) -> list:
    store = bot.services.deps.alerts
    async with store.sessions() as session:
        return list(await session.exec(text(sql)))


def the_store(bot: BotUnderTest):
    return bot.services.deps.alerts


async def test_200_simultaneous_alerts_on_20_keys_are_stored_in_few_transactions_one_crisis_per_key(
        sender: Sender, bot):
    # even keys are critical (each opens a crisis), odd keys low (each waits in triage)
    payloads = [generic(n % 20, "critical" if n % 2 == 0 else "low") for n in range(200)]
    batches_before = the_store(bot).batch.batches

    answers = await asyncio.gather(*(sender.post("generic", p) for p in payloads))

    assert {status for status, _ in answers} == {202}
    assert len({a["alert"] for _, a in answers}) == 200
    stored = {r.id for r in await rows(bot, "SELECT id FROM alert")}
    assert stored == {a["alert"] for _, a in answers}  # every 202 is stored, and nothing else
    assert the_store(bot).batch.batches - batches_before < 200  # grouped: far fewer commits than alerts
    crises = await rows(bot, "SELECT alert_key, id FROM crisis")
    assert sorted(k for k, _ in crises) == sorted(f"key-{n}" for n in range(0, 20, 2))  # one crisis per key
    opened = Counter(a["status"] for _, a in answers)
    assert opened["opened"] == 10 and opened["attached"] == 90 and opened["triaged"] == 100
    for key, crisis_id in crises:
        assert await the_store(bot).count(crisis_id) == 10
        assert {a["crisis"] for _, a in answers if a.get("crisis") == crisis_id} == {crisis_id}
    triage = await rows(bot, "SELECT key, alert_count FROM triage")
    assert sorted(triage) == sorted((f"key-{n}", 10) for n in range(1, 20, 2))  # counted exactly, once each
    assert sum(1 for _, a in answers if a["status"] == "triaged" and a.get("triage")) == 100


class FailingCommits:
    """While `failing`, the commit of a transaction that inserted alerts fails, as when the database goes away at
    that moment (a SQLAlchemy event on the bot's own engine; nothing of the bot is replaced)."""

    def __init__(self, bot: BotUnderTest):
        self.engine = the_store(bot).batch.engine.sync_engine
        self.failing = True

    def _commit(self, conn) -> None:
        if conn.info.pop("wrote_alerts", False) and self.failing:
            raise OperationalError("COMMIT", {}, ConnectionResetError("the database went away"))

    @staticmethod
    def _wrote(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ALERT "):
            conn.info["wrote_alerts"] = True

    def __enter__(self) -> "FailingCommits":
        event.listen(self.engine, "before_cursor_execute", self._wrote)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "before_cursor_execute", self._wrote)


async def test_a_batch_whose_commit_fails_answers_its_senders_503_and_keeps_nothing(sender: Sender, bot):
    with FailingCommits(bot) as commits:
        answers = await asyncio.gather(*(sender.post("generic", generic(n % 3, "critical")) for n in range(30)))
        assert {status for status, _ in answers} == {503}
        assert all("send it again" in a["error"] for _, a in answers)
        assert await rows(bot, "SELECT id FROM alert") == []
        assert await rows(bot, "SELECT id FROM crisis") == []  # no crisis half-opened
        assert await rows(bot, "SELECT key FROM alert_key") == []

        commits.failing = False  # the senders send again
        answers = await asyncio.gather(*(sender.post("generic", generic(n % 3, "critical")) for n in range(30)))
    assert {status for status, _ in answers} == {202}
    assert len(await rows(bot, "SELECT id FROM alert")) == 30
    assert len(await rows(bot, "SELECT id FROM crisis")) == 3


async def test_the_retry_after_header_comes_with_a_503(sender: Sender, bot):
    with FailingCommits(bot):
        headers = {"Authorization": f"Bearer {ALERT_TOKEN}", "Content-Type": "application/json"}
        async with sender.session.post(f"{bot.url}/alerts/generic", data=json.dumps(generic(1, "low")),
                                       headers=headers) as response:
            assert response.status == 503
            assert int(response.headers["Retry-After"]) >= 1


async def test_a_full_queue_answers_503_and_stores_exactly_what_it_answered_202(emulator, database_url, clock):
    bot = await BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel="C0MANAGERS",
                             crisisbot_alert_token=ALERT_TOKEN, crisisbot_alert_queue=1,
                             crisisbot_alert_batch=1).start()
    try:
        async with aiohttp.ClientSession() as session:
            sender = Sender(session, bot)
            answers = await asyncio.gather(*(sender.post("generic", generic(n % 5, "low")) for n in range(60)))
            accepted = {a["alert"] for status, a in answers if status == 202}
            refused = [status for status, _ in answers if status != 202]
            assert refused and set(refused) == {503}  # a bounded queue: some were told to come back
            assert accepted
            assert {r.id for r in await rows(bot, "SELECT id FROM alert")} == accepted
    finally:
        await bot.stop()


async def test_duplicates_after_the_202_cost_no_digest_claim_and_the_channel_gets_one_digest(
        sender: Sender, emulator, bot, clock):
    payload = sample("generic_firing")
    await sender.post("generic", payload)
    channel = await opened_channel(emulator)
    await bot.settled()
    engine = the_store(bot).batch.engine.sync_engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()).upper())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        clock.advance(seconds=61)  # a digest is due: the first duplicate says so, once
        answers = await asyncio.gather(*(sender.post("generic", payload) for _ in range(100)))
        assert {status for status, _ in answers} == {202}
        await bot.settled()
        claims = [s for s in statements if s.startswith("UPDATE CRISIS SET DIGEST_AT")]
        lookups = [s for s in statements if s.startswith("SELECT") and "FROM CRISIS WHERE CRISIS.ID =" in s]
        assert len(claims) <= 1
        assert len(lookups) <= 5  # not one (let alone two sessions) per duplicate
        statements.clear()

        answers = await asyncio.gather(*(sender.post("generic", payload) for _ in range(100)))  # within the interval
        await bot.settled()
        assert not [s for s in statements if "DIGEST_AT" in s and s.startswith("UPDATE")]
        assert not [s for s in statements if "FROM CRISIS WHERE CRISIS.ID =" in s]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len([m for m in said_in(emulator, channel.id) if " in all" in m]) <= 1
    clock.advance(seconds=61)
    await bot.tick_alerts()  # the tick tells the rest, exactly
    digests = [m for m in said_in(emulator, channel.id) if " in all" in m]
    assert sum(int(d.split("*+")[1].split(" ")[0].replace(",", "")) for d in digests) == 200
    assert "201 in all" in digests[-1]


async def flood(bot: BotProcess, acked: list[int], concurrency: int = 40) -> None:
    headers = {"Authorization": f"Bearer {bot.alert_token}", "Content-Type": "application/json"}

    async def one_sender(session: aiohttp.ClientSession, n: int) -> None:
        i = 0
        while True:
            body = json.dumps(generic((n * 1000 + i) % 7, "critical" if i % 2 else "low"))
            i += 1
            try:
                async with session.post(bot.url + "/alerts/generic", data=body, headers=headers) as response:
                    if response.status == 202:
                        acked.append((await response.json())["alert"])
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return  # the process is gone

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(one_sender(session, n) for n in range(concurrency)))


async def test_a_process_killed_during_a_flood_has_stored_every_alert_it_acknowledged(
        process_emulator, database_url):
    bot = await BotProcess(process_emulator, database_url).start()
    acked: list[int] = []
    try:
        flooding = asyncio.ensure_future(flood(bot, acked))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while len(acked) < 300 and loop.time() < deadline and not flooding.done():
            await asyncio.sleep(0.01)
        await bot.kill()
        await asyncio.wait_for(flooding, 30)
    finally:
        await bot.kill()
    assert len(acked) >= 300
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            stored = {r.id for r in await conn.execute(text("SELECT id FROM alert"))}
            keys = list(await conn.execute(text("SELECT alert_key, count(*) FROM crisis GROUP BY alert_key")))
    finally:
        await engine.dispose()
    assert set(acked) <= stored  # every 202 is there
    assert len(stored) - len(set(acked)) <= 40  # at most those in flight when it died: committed, not yet answered
    assert all(n == 1 for _, n in keys)


async def test_two_replicas_batching_the_same_keys_make_one_crisis_per_key(process_emulator, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL server")
    replicas = [BotProcess(process_emulator, database_url), BotProcess(process_emulator, database_url)]
    await asyncio.gather(*(r.start() for r in replicas))
    try:
        async with aiohttp.ClientSession() as session:
            async def send(n: int):
                replica = replicas[n % 2]
                headers = {"Authorization": f"Bearer {replica.alert_token}", "Content-Type": "application/json"}
                body = json.dumps(generic(n // 2 % 10, "critical" if n // 2 % 10 < 5 else "low"))
                async with session.post(replica.url + "/alerts/generic", data=body, headers=headers) as response:
                    return response.status, await response.json()

            answers = await asyncio.gather(*(send(n) for n in range(300)))
    finally:
        await asyncio.gather(*(r.stop() for r in replicas))
    assert {status for status, _ in answers} == {202}
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            stored = {r.id for r in await conn.execute(text("SELECT id FROM alert"))}
            crises = list(await conn.execute(text("SELECT alert_key, count(*) FROM crisis GROUP BY alert_key")))
            triage = list(await conn.execute(text("SELECT key, count(*), sum(alert_count) FROM triage GROUP BY key")))
    finally:
        await engine.dispose()
    assert stored == {a["alert"] for _, a in answers}
    assert sorted(crises) == [(f"key-{k}", 1) for k in range(5)]  # one crisis per key, across both replicas
    assert sorted(triage) == [(f"key-{k}", 1, 30) for k in range(5, 10)]  # one triage per key, counted exactly
    assert sum(1 for _, a in answers if a["status"] == "opened") == 5


async def test_alerts_sent_while_the_database_is_cut_are_refused_and_taken_once_it_is_back(
        emulator, database_url, clock):
    if not database_url.startswith("postgresql"):
        pytest.skip("a TCP cut needs a database over TCP: set TEST_DATABASE_URL")
    url = make_url(database_url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    bot = await BotUnderTest(emulator, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                             clock, crisisbot_managers_channel="C0MANAGERS", crisisbot_alert_token=ALERT_TOKEN).start()
    try:
        async with aiohttp.ClientSession() as session:
            sender = Sender(session, bot)
            before = await asyncio.gather(*(sender.post("generic", generic(n % 4, "critical")) for n in range(20)))
            assert {status for status, _ in before} == {202}

            proxy.cut()
            during = await asyncio.gather(*(sender.post("generic", generic(n % 4, "critical")) for n in range(20)))
            assert {status for status, _ in during} == {503}  # never a 202 for what could not be committed
            proxy.heal()

            after = await asyncio.gather(*(sender.post("generic", generic(n % 4, "critical")) for n in range(20)))
            assert {status for status, _ in after} == {202}
            stored = {r.id for r in await rows(bot, "SELECT id FROM alert")}
            assert {a["alert"] for _, a in before + after} <= stored
            crises = await rows(bot, "SELECT alert_key, count(*) FROM crisis GROUP BY alert_key")
            assert sorted(crises) == [(f"key-{n}", 1) for n in range(4)]
    finally:
        await bot.stop()
        await proxy.close()
