"""Tests of the emulated Web API, through a real AsyncWebClient over HTTP."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.emulator.server import POST_BURST
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

from .helpers import MODAL, TOKEN, FakeClock, api_error, section


# ----- auth and dispatch -------------------------------------------------------------------
async def test_missing_and_wrong_token(emu: SlackEmulator, session: aiohttp.ClientSession) -> None:
    anonymous = AsyncWebClient(base_url=emu.base_url, token=None, session=session)
    assert (await api_error(anonymous.auth_test())).response["error"] == "not_authed"
    wrong = AsyncWebClient(base_url=emu.base_url, token="xoxb-wrong", session=session)
    err = await api_error(wrong.chat_postMessage(channel="C0GENERAL", text="hi"))
    assert err.response["error"] == "invalid_auth"
    assert err.response.status_code == 200
    assert emu.messages("C0GENERAL") == []
    assert [c.response["error"] for c in emu.calls] == ["not_authed", "invalid_auth"]


async def test_auth_test_and_unknown_method(client: AsyncWebClient) -> None:
    res = await client.auth_test()
    assert (res["user_id"], res["bot_id"], res["team_id"]) == ("U0CRISISBOT", "B0CRISISBOT",
                                                                "T0EMULATOR")
    assert (await api_error(client.api_call("chat.teleport"))).response["error"] == "unknown_method"


async def test_missing_required_argument(client: AsyncWebClient, emu: SlackEmulator) -> None:
    err = await api_error(client.api_call("chat.postMessage", json={"text": "no channel"}))
    assert err.response["error"] == "invalid_arguments"
    assert err.response["response_metadata"]["messages"] == [
        "[ERROR] missing required field: channel"]
    err = await api_error(client.api_call("conversations.create", params={}))
    assert err.response["error"] == "invalid_name_required"
    assert emu.calls_to("conversations.create")[0].response["ok"] is False


# ----- conversations -----------------------------------------------------------------------
async def test_create_channel_and_name_rules(client: AsyncWebClient, emu: SlackEmulator) -> None:
    res = await client.conversations_create(name="crisis-serum_1", is_private=True)
    chan = res["channel"]
    assert chan["name"] == "crisis-serum_1" and chan["is_private"] is True
    assert chan["creator"] == "U0CRISISBOT" and chan["is_archived"] is False
    assert emu.members(chan["id"]) == {"U0CRISISBOT"}
    for bad, code in [("crisis-serum_1", "name_taken"), ("general", "name_taken"),
                      ("Crisis", "invalid_name_specials"), ("two words", "invalid_name_specials"),
                      ("crisis!", "invalid_name_specials"), ("x" * 81, "invalid_name_maxlength"),
                      ("", "invalid_name_required")]:
        err = await api_error(client.conversations_create(name=bad))
        assert err.response["error"] == code, bad
    await client.conversations_create(name="x" * 80)
    await client.conversations_archive(channel=chan["id"])
    err = await api_error(client.conversations_create(name="crisis-serum_1"))
    assert err.response["error"] == "name_taken"   # archived channels keep their name


async def test_invite(client: AsyncWebClient, emu: SlackEmulator) -> None:
    cid = (await client.conversations_create(name="war-room"))["channel"]["id"]
    await client.conversations_invite(channel=cid, users=["U0ALICE", "U0CARLA"])
    assert emu.members(cid) == {"U0CRISISBOT", "U0ALICE", "U0CARLA"}
    err = await api_error(client.conversations_invite(channel=cid, users="U0ALICE,U0CARLA"))
    assert err.response["error"] == "already_in_channel"
    await client.conversations_invite(channel=cid, users="U0ALICE,U0BOB")   # partly new: ok
    assert "U0BOB" in emu.members(cid)
    for users, code in [("U0CRISISBOT", "cant_invite_self"), ("U0NOBODY", "user_not_found")]:
        assert (await api_error(client.conversations_invite(channel=cid, users=users))
                ).response["error"] == code
    err = await api_error(client.conversations_invite(channel="C0RANDOM", users="U0ALICE"))
    assert err.response["error"] == "not_in_channel"
    err = await api_error(client.conversations_invite(
        channel=cid, users=[f"U{i:04d}" for i in range(101)]))
    assert err.response["error"] == "invalid_arguments"


# ----- chat, pins --------------------------------------------------------------------------
async def test_post_pin_and_already_pinned(client: AsyncWebClient, emu: SlackEmulator) -> None:
    res = await client.chat_postMessage(channel="C0GENERAL", text="Crisis opened",
                                        blocks=[section("*Crisis opened*")])
    ts = res["ts"]
    assert res["channel"] == "C0GENERAL" and res["message"]["bot_id"] == "B0CRISISBOT"
    await client.pins_add(channel="C0GENERAL", timestamp=ts)
    assert emu.pins("C0GENERAL") == [ts]
    err = await api_error(client.pins_add(channel="C0GENERAL", timestamp=ts))
    assert err.response["error"] == "already_pinned"
    err = await api_error(client.pins_add(channel="C0GENERAL", timestamp="1.000001"))
    assert err.response["error"] == "message_not_found"
    assert (await api_error(client.pins_add(channel="C0GENERAL"))
            ).response["error"] == "no_item_specified"
    assert [i["message"]["ts"] for i in (await client.pins_list(channel="C0GENERAL"))["items"]] == [ts]
    history = await client.conversations_history(channel="C0GENERAL")
    assert [m["ts"] for m in history["messages"]] == [ts]
    err = await api_error(client.chat_postMessage(channel="C0RANDOM", text="hi"))
    assert err.response["error"] == "not_in_channel"
    err = await api_error(client.chat_postMessage(channel="C0NOPE", text="hi"))
    assert err.response["error"] == "channel_not_found"
    err = await api_error(client.api_call("chat.postMessage", json={"channel": "C0GENERAL"}))
    assert err.response["error"] == "no_text"
    err = await api_error(client.chat_postMessage(channel="C0GENERAL", text="x" * 40_001))
    assert err.response["error"] == "msg_too_long"
    assert len(emu.messages("C0GENERAL")) == 1


async def test_ts_strictly_increasing_with_frozen_clock(client: AsyncWebClient,
                                                        emu: SlackEmulator) -> None:
    first = (await client.chat_postMessage(channel="C0GENERAL", text="a"))["ts"]
    second = (await client.chat_postMessage(channel="C0MANAGERS", text="b"))["ts"]
    assert float(second) > float(first)
    assert len(first.split(".")[1]) == 6 and int(float(first)) == int(emu.clock())


async def test_dm_update_and_permalink(client: AsyncWebClient, emu: SlackEmulator,
                                       ws: Workspace) -> None:
    res = await client.chat_postMessage(channel="U0ALICE", text="You own crisis #1")
    assert res["channel"].startswith("D")
    assert [m.text for m in emu.dms("U0ALICE")] == ["You own crisis #1"]
    await client.chat_update(channel=res["channel"], ts=res["ts"], text="You own crisis #2")
    msg = emu.dms("U0ALICE")[0]
    assert (msg.text, msg.edited) == ("You own crisis #2", 1)
    said = await ws.say("U0BOB", "C0GENERAL", "hello")
    err = await api_error(client.chat_update(channel="C0GENERAL", ts=said.ts, text="hijack"))
    assert err.response["error"] == "cant_update_message"
    link = await client.chat_getPermalink(channel="C0GENERAL", message_ts=said.ts)
    assert link["permalink"] == (f"https://emulated.slack.com/archives/C0GENERAL/"
                                 f"p{said.ts.replace('.', '')}")


async def test_post_ephemeral(client: AsyncWebClient, emu: SlackEmulator) -> None:
    err = await api_error(client.chat_postEphemeral(channel="C0MANAGERS", user="U0BOB", text="x"))
    assert err.response["error"] == "user_not_in_channel"
    res = await client.chat_postEphemeral(channel="C0MANAGERS", user="U0ALICE", text="psst")
    assert res["message_ts"]
    [eph] = emu.ephemerals(user="U0ALICE")
    assert (eph.channel, eph.text, eph.source) == ("C0MANAGERS", "psst", "api")
    assert emu.messages("C0MANAGERS") == []


async def test_invalid_blocks(client: AsyncWebClient, emu: SlackEmulator) -> None:
    err = await api_error(client.chat_postMessage(
        channel="C0GENERAL", text="t", blocks=[section(f"b{i}") for i in range(51)]))
    assert err.response["error"] == "invalid_blocks"
    assert "51" in err.response["response_metadata"]["messages"][0]
    err = await api_error(client.chat_postMessage(channel="C0GENERAL", text="t",
                                                  blocks=[section("x" * 3001)]))
    assert err.response["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in err.response["response_metadata"]["messages"][0]
    for bad in ([{"text": "no type"}], [{"type": "carousel"}],
                [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
                [section("a", block_id="dup"), section("b", block_id="dup")],
                [{"type": "actions", "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}]}]):
        err = await api_error(client.chat_postMessage(channel="C0GENERAL", text="t", blocks=bad))
        assert err.response["error"] == "invalid_blocks", bad
    assert emu.messages("C0GENERAL") == []
    await client.chat_postMessage(channel="C0GENERAL", text="t",
                                  blocks=[section("x" * 3000)] + [section("y")] * 49)
    assert len(emu.messages("C0GENERAL")[0].blocks) == 50


# ----- views -------------------------------------------------------------------------------
async def test_views_open_trigger_rules(client: AsyncWebClient, emu: SlackEmulator,
                                        clock: FakeClock) -> None:
    stale = emu.issue_trigger("U0ALICE")
    clock.advance(3.5)
    err = await api_error(client.views_open(trigger_id=stale, view=MODAL))
    assert err.response["error"] == "expired_trigger_id"
    fresh = emu.issue_trigger("U0ALICE")
    bad_title = {**MODAL, "title": {"type": "plain_text", "text": "t" * 25}}
    err = await api_error(client.views_open(trigger_id=fresh, view=bad_title))
    assert err.response["error"] == "invalid_arguments"
    res = await client.views_open(trigger_id=fresh, view=MODAL)
    assert res["view"]["id"].startswith("V") and res["view"]["state"] == {"values": {}}
    assert [v.id for v in emu.open_views("U0ALICE")] == [res["view"]["id"]]
    err = await api_error(client.views_open(trigger_id=fresh, view=MODAL))
    assert err.response["error"] == "exchanged_trigger_id"
    err = await api_error(client.views_open(trigger_id="123.456.abc", view=MODAL))
    assert err.response["error"] == "invalid_trigger_id"


async def test_views_publish_home(client: AsyncWebClient, emu: SlackEmulator) -> None:
    home = {"type": "home", "blocks": [section("Open crises: 0")]}
    await client.views_publish(user_id="U0ALICE", view=home)
    assert emu.home("U0ALICE")["blocks"][0]["text"]["text"] == "Open crises: 0"
    err = await api_error(client.views_publish(
        user_id="U0ALICE", view={"type": "home", "blocks": [section("b")] * 101}))
    assert err.response["error"] == "invalid_arguments"
    assert emu.home("U0BOB") is None


# ----- faults and rate limits --------------------------------------------------------------
async def test_fault_injection(client: AsyncWebClient, emu: SlackEmulator) -> None:
    emu.inject("chat.postMessage", status=429, retry_after=2)
    err = await api_error(client.chat_postMessage(channel="C0GENERAL", text="a"))
    assert err.response.status_code == 429
    assert err.response.headers["Retry-After"] == "2"
    assert err.response["error"] == "ratelimited"
    await client.chat_postMessage(channel="C0GENERAL", text="b")   # consumed after one call
    emu.inject("pins.add", status=500)
    err = await api_error(client.pins_add(channel="C0GENERAL", timestamp="1.1"))
    assert err.response.status_code == 500
    emu.inject("conversations.create", error="restricted_action", times=None)
    for _ in range(2):
        err = await api_error(client.conversations_create(name="never"))
        assert err.response["error"] == "restricted_action"
    emu.clear_faults()
    await client.conversations_create(name="now-ok")
    assert [(c.method, c.status) for c in emu.calls[:3]] == [
        ("chat.postMessage", 429), ("chat.postMessage", 200), ("pins.add", 500)]
    assert [m.text for m in emu.messages("C0GENERAL")] == ["b"]


async def test_injected_delay_times_out_client(emu: SlackEmulator) -> None:
    emu.inject("auth.test", until=asyncio.Event())  # held until the emulator closes
    slow = AsyncWebClient(base_url=emu.base_url, token=TOKEN, timeout=2)
    with pytest.raises(asyncio.TimeoutError):
        await slow.auth_test()
    assert (await slow.auth_test())["ok"] is True


async def test_rate_limit_tiers(clock: FakeClock, session: aiohttp.ClientSession) -> None:
    async with SlackEmulator(bot_token=TOKEN, clock=clock, enforce_rate_limits=True) as emu:
        client = AsyncWebClient(base_url=emu.base_url, token=TOKEN, session=session)
        for i in range(20):   # conversations.setTopic is Tier 2: 20 per minute
            await client.conversations_setTopic(channel="C0GENERAL", topic=f"t{i}")
            clock.advance(1)
        err = await api_error(client.conversations_setTopic(channel="C0GENERAL", topic="x"))
        assert err.response.status_code == 429 and err.response["error"] == "ratelimited"
        assert err.response.headers["Retry-After"] == "40"
        await client.conversations_info(channel="C0GENERAL")   # other methods unaffected
        clock.advance(40)   # exactly Retry-After later there is room again
        await client.conversations_setTopic(channel="C0GENERAL", topic="again")
        assert emu.channel("C0GENERAL").topic == "again"
        for _ in range(POST_BURST):   # chat.postMessage: a short burst, then 1 per second per channel
            await client.chat_postMessage(channel="C0MANAGERS", text="m")
        err = await api_error(client.chat_postMessage(channel="C0MANAGERS", text="m"))
        assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "1"
        await client.chat_postMessage(channel="C0GENERAL", text="other channel")
        clock.advance(1)
        await client.chat_postMessage(channel="C0MANAGERS", text="m")
        assert [c.status for c in emu.calls_to("chat.postMessage")] == [200] * POST_BURST + [429, 200, 200]


async def test_rate_limits_off_by_default(client: AsyncWebClient) -> None:
    for i in range(25):
        await client.conversations_setTopic(channel="C0GENERAL", topic=f"t{i}")
