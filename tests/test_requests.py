"""Requests that are not Slack's are refused before anything reaches Slack."""

from __future__ import annotations

import time

from tests.support.people import Person, text_of


async def test_a_bad_signature_gets_401_and_no_slack_call(alice: Person, emulator):
    reply = await alice.types("/crisis open Fake", signature="v0=" + "0" * 64)

    assert reply.status == 401
    assert [c.method for c in emulator.calls if c.method != "auth.test"] == []  # the start-up's auth.test aside


async def test_a_stale_timestamp_gets_401_and_no_slack_call(alice: Person, emulator):
    reply = await alice.types("/crisis open Replayed", timestamp=int(time.time()) - 600)

    assert reply.status == 401
    assert [c.method for c in emulator.calls if c.method != "auth.test"] == []  # the start-up's auth.test aside


async def test_health_check_answers_when_the_database_does(bot, workspace):
    async with workspace.session.get(bot.url + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_help_lists_the_subcommands(alice: Person):
    reply = await alice.types("/crisis help")

    for sub in ("/crisis open", "/crisis status", "/crisis close", "/crisis help"):
        assert sub in text_of(reply)


async def test_an_unknown_subcommand_gets_the_help(alice: Person):
    reply = await alice.types("/crisis explode <!here>")

    assert reply.status == 200
    assert "I don't know `explode`" in text_of(reply)
    assert "/crisis open" in text_of(reply)
