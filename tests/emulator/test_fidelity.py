"""The emulator as strict as Slack: scopes per kind of channel, slash text escaped as the manifest
says, events only when subscribed."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator, Workspace
from bot.emulator.escaping import escape_typed
from bot.emulator.manifest import Manifest, project_manifest

from .helpers import SECRET, TOKEN, Receiver, api_error


def test_escaping_turns_what_slack_recognises_into_tokens(emu: SlackEmulator) -> None:
    typed = "role legal @bob, tell #general and @here; see https://x.test/a?b=1 @nobody #nowhere"
    assert escape_typed(emu, typed) == (
        "role legal <@U0BOB|bob>, tell <#C0GENERAL|general> and <!here>; see <https://x.test/a?b=1> "
        "@nobody #nowhere")
    assert escape_typed(emu, "@channel @everyone @comms") == "<!channel> <!everyone> <!subteam^S0COMMS|@comms>"
    assert escape_typed(emu, "already <@U0BOB|bob> and mail bob@x.test.") == "already <@U0BOB|bob> and mail bob@x.test."
    assert escape_typed(emu, "ask @carla.") == "ask <@U0CARLA|carla>."


async def test_slash_text_follows_the_manifest(emu: SlackEmulator, receiver: Receiver,
                                               session: aiohttp.ClientSession) -> None:
    escaping = Workspace(emu, receiver.url, SECRET, session, manifest=Manifest(should_escape={"/crisis": True}))
    plain = Workspace(emu, receiver.url, SECRET, session, manifest=Manifest(should_escape={"/crisis": False}))

    await escaping.slash("U0ALICE", "C0GENERAL", "role legal @bob")
    assert parse_qs(receiver.requests[-1][1])["text"] == ["role legal <@U0BOB|bob>"]
    await escaping.slash("U0ALICE", "C0GENERAL", "role legal @bob", escape=False)   # copy-paste, Grid
    assert parse_qs(receiver.requests[-1][1])["text"] == ["role legal @bob"]
    await plain.slash("U0ALICE", "C0GENERAL", "role legal @bob")
    assert parse_qs(receiver.requests[-1][1])["text"] == ["role legal @bob"]
    assert project_manifest().should_escape == {"/crisis": True}


async def test_only_subscribed_events_reach_the_app(emu: SlackEmulator, receiver: Receiver,
                                                    session: aiohttp.ClientSession) -> None:
    ws = Workspace(emu, receiver.url, SECRET, session, manifest=Manifest(bot_events=frozenset({"reaction_added"})))
    said = await ws.say("U0BOB", "C0GENERAL", "hello")
    assert said.delivered is False and not receiver.requests   # message.channels is not subscribed
    await ws.react("U0ALICE", "C0GENERAL", said.ts, "pushpin")
    assert json.loads(receiver.requests[-1][1])["event"]["type"] == "reaction_added"
    assert (await ws.unreact("U0ALICE", "C0GENERAL", said.ts, "pushpin")).delivered is False
    assert len(receiver.requests) == 1


async def test_an_invite_raises_member_joined_channel(emu: SlackEmulator, ws: Workspace, receiver: Receiver,
                                                      client: AsyncWebClient) -> None:
    cid = (await client.conversations_create(name="war-room", is_private=True))["channel"]["id"]
    await client.conversations_invite(channel=cid, users="U0BOB")
    await ws.delivered()
    event = json.loads(receiver.requests[-1][1])["event"]
    assert (event["type"], event["user"], event["channel"], event["channel_type"], event["inviter"]) == (
        "member_joined_channel", "U0BOB", cid, "G", "U0CRISISBOT")


async def test_scopes_are_checked_by_kind_of_conversation(clock) -> None:
    async with SlackEmulator(bot_token=TOKEN, clock=clock, scopes=["channels:manage", "channels:read"]) as emu:
        client = AsyncWebClient(base_url=emu.base_url, token=TOKEN)
        await client.conversations_create(name="public-room")
        err = await api_error(client.conversations_create(name="private-room", is_private=True))
        assert (err.response["error"], err.response["needed"]) == ("missing_scope", "groups:write")
        await client.conversations_list(types="public_channel")
        err = await api_error(client.conversations_list(types="public_channel,private_channel"))
        assert err.response["needed"] == "groups:read"
        err = await api_error(client.chat_postMessage(channel="C0GENERAL", text="hi"))
        assert (err.response["needed"], err.response["provided"]) == ("chat:write", "channels:manage,channels:read")
        assert err.response.headers["X-OAuth-Scopes"] == "channels:manage,channels:read"
        await client.auth_test()   # needs no scope
