"""Connection hygiene: half-open and slow-header connections are closed, idle keep-alive ones are bounded,
and /healthz stays fast meanwhile. Every wait is on the event (the socket's EOF), with a generous deadline."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.app import build_web_app
from bot.serve import Limits, start
from tests.support.harness import BotUnderTest

HEADER_SECONDS = 1.0
DEADLINE = 30.0  # generous: a loaded 2-core machine is slow, but a socket never closed waits forever
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n"


@pytest.fixture
async def served(emulator, database_url, clock):
    settings = BotUnderTest(emulator, database_url, clock).settings
    running = await start(build_web_app(settings, clock=clock),
                          limits=Limits(header_seconds=HEADER_SECONDS, keepalive_seconds=600, max_idle=3))  # past DEADLINE
    yield running
    await running.stop()


async def connect(running):
    host, port = running.url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent until it closed the connection."""
    got = b""
    while chunk := await reader.read(65536):
        got += chunk
    return got


async def healthz_is_fast(running) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(running.url + "/healthz", timeout=aiohttp.ClientTimeout(total=DEADLINE)) as r:
            assert r.status == 200


async def test_half_open_connections_are_closed_and_healthz_stays_fast(served):
    loop = asyncio.get_running_loop()
    silent = [await connect(served) for _ in range(20)]
    half = [await connect(served) for _ in range(20)]
    for _, writer in half:
        writer.write(b"GET /healthz HT")  # half a request line, never finished
    await asyncio.gather(*(w.drain() for _, w in half))
    opened = loop.time()

    await healthz_is_fast(served)  # while 40 connections hang
    assert served.connections >= 40  # they were still open when the probe was answered

    sent = await asyncio.wait_for(asyncio.gather(*(closed(r) for r, _ in silent + half)), DEADLINE)
    took = loop.time() - opened
    print(f"half-open connections closed: {len(sent)} of 40 after {took:.1f} s")
    assert all(data == b"" for data in sent)  # closed, not answered
    assert took >= HEADER_SECONDS * 0.5  # by the header timer, not at once
    for _, writer in silent + half:
        writer.close()
    await healthz_is_fast(served)


async def test_headers_dribbled_past_the_timeout_are_cut(served):
    reader, writer = await connect(served)
    writer.write(b"GET /healthz HTTP/1.1\r\n")
    sent = await asyncio.wait_for(closed(reader), DEADLINE)  # the header block never ends
    assert sent == b""
    writer.close()


async def test_a_kept_alive_connection_survives_the_header_timer_between_requests(served):
    kept_reader, kept = await connect(served)
    kept.write(HEALTHZ)
    assert b"200 OK" in await kept_reader.readuntil(b"}")  # the first answer (a JSON body)
    witness, witness_writer = await connect(served)  # opened after: its header timer runs out later
    await asyncio.wait_for(closed(witness), DEADLINE)

    kept.write(HEALTHZ)  # the same connection, idle past the header timeout, is still served
    assert b"200 OK" in await asyncio.wait_for(kept_reader.readuntil(b"}"), DEADLINE)
    kept.close()
    witness_writer.close()


async def test_idle_keep_alive_connections_are_bounded(served):
    idle = []
    for _ in range(5):
        reader, writer = await connect(served)
        writer.write(HEALTHZ)
        await reader.readuntil(b"}")
        idle.append((reader, writer))
    # the 5th connection found 4 idle ones: the oldest went, at most 3 idle stay (the keep-alive timeout, 600 s,
    # is past the deadline, so only the limit can have closed it)
    assert await asyncio.wait_for(closed(idle[0][0]), DEADLINE) == b""
    assert served.connections <= 4
    newest_reader, newest = idle[-1]
    newest.write(HEALTHZ)
    assert b"200 OK" in await asyncio.wait_for(newest_reader.readuntil(b"}"), DEADLINE)
    for _, writer in idle:
        writer.close()
