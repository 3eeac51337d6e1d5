"""Tests of the user side (Workspace), response_url, wait_for and the text renderer."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator, Workspace, render_channel, render_message

from .helpers import MODAL, SECRET, Receiver, section


# ----- user side ---------------------------------------------------------------------------
async def test_workspace_signs_like_slack(ws: Workspace, receiver: Receiver,
                                          emu: SlackEmulator) -> None:
    verifier = SignatureVerifier(SECRET)
    reply = await ws.slash("U0ALICE", "C0GENERAL", "open high Serum video", command="/crisis")
    assert reply.status == 200 and reply.body is None
    headers, body = receiver.requests[-1]
    assert verifier.is_valid_request(body, headers)
    form = {k: v[0] for k, v in parse_qs(body).items()}
    assert (form["command"], form["text"], form["user_id"], form["channel_name"]) == (
        "/crisis", "open high Serum video", "U0ALICE", "general")
    assert form["trigger_id"] in emu.triggers
    assert form["response_url"].startswith(emu.url + "/_emulator/response_url/")

    await ws.slash("U0ALICE", "C0GENERAL", "x", signature="v0=bad")
    assert not verifier.is_valid_request(receiver.requests[-1][1], receiver.requests[-1][0])
    await ws.slash("U0ALICE", "C0GENERAL", "x", timestamp=int(time.time()) - 600)
    headers, body = receiver.requests[-1]
    assert not verifier.is_valid_request(body, headers)   # stale, though correctly signed
    assert headers["X-Slack-Signature"] == verifier.generate_signature(
        timestamp=headers["X-Slack-Request-Timestamp"], body=body)

    await ws.send_event({"type": "member_joined_channel", "user": "U0BOB"}, event_id="Ev1",
                        retry_num=1, retry_reason="http_timeout")
    headers, body = receiver.requests[-1]
    assert verifier.is_valid_request(body, headers)
    envelope = json.loads(body)
    assert (envelope["type"], envelope["event_id"], envelope["api_app_id"]) == (
        "event_callback", "Ev1", "A0CRISISBOT")
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")


async def test_response_url_and_ack(ws: Workspace, receiver: Receiver, emu: SlackEmulator,
                                    session: aiohttp.ClientSession) -> None:
    async def ack_text(body: str) -> web.Response:
        return web.Response(text="Working on it…")
    receiver.answer = ack_text
    await ws.slash("U0BOB", "C0GENERAL", "status")
    response_url = parse_qs(receiver.requests[-1][1])["response_url"][0]
    async with session.post(response_url, json={"text": "Only you see this"}) as resp:
        assert (resp.status, await resp.text()) == (200, "ok")
    async with session.post(response_url, json={"text": "Crisis opened",
                                                "response_type": "in_channel"}) as resp:
        assert resp.status == 200
    assert [(e.text, e.source) for e in emu.ephemerals(user="U0BOB")] == [
        ("Working on it…", "ack"), ("Only you see this", "response_url")]
    assert [m.text for m in emu.messages("C0GENERAL")] == ["Crisis opened"]
    assert [c.method for c in emu.calls] == ["response_url", "response_url"]


async def test_modal_submission_and_click(ws: Workspace, receiver: Receiver, emu: SlackEmulator,
                                          client: AsyncWebClient) -> None:
    async def open_modal(body: str) -> web.Response:
        await client.views_open(trigger_id=parse_qs(body)["trigger_id"][0], view=MODAL)
        return web.Response()
    receiver.answer = open_modal
    await ws.slash("U0ALICE", "C0GENERAL", "")
    [view] = emu.open_views("U0ALICE")

    async def errors(body: str) -> web.Response:
        return web.json_response({"response_action": "errors", "errors": {"title_block": "Too short"}})
    receiver.answer = errors
    reply = await ws.submit_view("U0ALICE", view.id, {"title_block": "x", "severity_block": "high",
                                                      "private_block": True})
    assert reply.body["errors"] == {"title_block": "Too short"}
    values = receiver.payload()["view"]["state"]["values"]
    assert values["title_block"]["title"] == {"type": "plain_text_input", "value": "x"}
    assert values["severity_block"]["severity"]["selected_option"]["value"] == "high"
    assert [o["value"] for o in values["private_block"]["private"]["selected_options"]] == ["private"]
    assert values["owner_block"]["owner"] == {"type": "users_select", "selected_user": None}
    assert emu.open_views("U0ALICE") == [view]
    with pytest.raises(AssertionError):
        await ws.submit_view("U0ALICE", view.id, {"severity_block": "catastrophic"})

    receiver.answer = Receiver._empty
    await ws.submit_view("U0ALICE", view.id, {"title_block": "Serum video"})
    assert emu.open_views("U0ALICE") == []

    posted = await client.chat_postMessage(channel="C0GENERAL", text="ack?", blocks=[
        {"type": "actions", "elements": [{"type": "button", "action_id": "ack", "value": "c1",
                                          "text": {"type": "plain_text", "text": "Ack"}}]}])
    await ws.click("U0BOB", "C0GENERAL", posted["ts"], "ack")
    payload = receiver.payload()
    assert payload["actions"][0]["value"] == "c1" and payload["user"]["id"] == "U0BOB"
    assert payload["container"]["message_ts"] == posted["ts"]
    assert SignatureVerifier(SECRET).is_valid_request(receiver.requests[-1][1],
                                                      receiver.requests[-1][0])
    with pytest.raises(AssertionError):
        await ws.click("U0BOB", "C0GENERAL", posted["ts"], "no-such-button")


async def test_react_and_say_events(ws: Workspace, receiver: Receiver, emu: SlackEmulator) -> None:
    said = await ws.say("U0BOB", "C0GENERAL", "Is the video real?")
    assert json.loads(receiver.requests[-1][1])["event"]["ts"] == said.ts
    await ws.react("U0ALICE", "C0GENERAL", said.ts, "pushpin")
    event = json.loads(receiver.requests[-1][1])["event"]
    assert (event["type"], event["item"]["ts"], event["item_user"]) == (
        "reaction_added", said.ts, "U0BOB")
    assert emu.messages("C0GENERAL")[0].reactions == {"pushpin": {"U0ALICE"}}
    quiet = await ws.say("U0BOB", "C0RANDOM", "bot is not here")
    assert quiet.delivered is False and len(receiver.requests) == 2


async def test_wait_for(emu: SlackEmulator, ws: Workspace) -> None:
    polled = asyncio.Event()

    async def later() -> None:
        await polled.wait()  # said only once wait_for is already polling
        await ws.say("U0ALICE", "C0GENERAL", "done")

    def done():
        polled.set()
        return [m for m in emu.messages("C0GENERAL") if m.text == "done"]
    task = asyncio.create_task(later())
    found = await emu.wait_for(done)
    assert found[0].user == "U0ALICE"
    await task
    with pytest.raises(AssertionError, match="not met within 0.05s"):
        await emu.wait_for(lambda: emu.dms("U0DAN"), timeout=0.05)


async def test_render(client: AsyncWebClient, emu: SlackEmulator) -> None:
    res = await client.chat_postMessage(channel="C0GENERAL", text="fallback", blocks=[
        {"type": "header", "text": {"type": "plain_text", "text": "Crisis #1"}},
        section("Owner <@U0ALICE> in <#C0MANAGERS> &amp; see <https://x.test/a|the brief>"),
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "severity high"}]},
        {"type": "actions", "elements": [{"type": "button", "action_id": "ack",
                                          "text": {"type": "plain_text", "text": "Ack"}}]}])
    await client.pins_add(channel="C0GENERAL", timestamp=res["ts"])
    text = render_channel(emu, "C0GENERAL")
    for expected in ("#general", "📌 [", "crisisbot:", "== Crisis #1 ==",
                     "Owner @alice in #managers & see the brief (https://x.test/a)",
                     "----", "  · severity high", "[Ack]"):
        assert expected in text, expected
    assert "fallback" not in text
    assert render_message(emu.messages("C0GENERAL")[0], emu).startswith("📌 [")
