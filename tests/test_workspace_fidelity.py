"""What a real workspace checks and the tests must too: the manifest's scopes against the Web API
methods the code calls, its events against the listeners, and scopes enforced by the emulator."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
import slack_sdk.web.async_client
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import INFLIGHT
from bot.emulator import SlackEmulator
from bot.emulator.manifest import DEFAULT_PATH, Manifest
from bot.emulator.methods import api_ref
from bot.emulator.scopes import alternatives, event_scopes
from tests.support.crisis import open_crisis, said_in
from tests.support.people import Person

ROOT = Path(__file__).resolve().parents[1]
CODE = [p for d in ("bot", "handlers", "storage") for p in (ROOT / d).rglob("*.py")
        if "emulator" not in p.relative_to(ROOT).parts]
METHOD = re.compile(r"^[a-z]+(\.[a-zA-Z]+)+$")
KINDS = ("public", "private")  # crisis rooms are either; the bot opens no DMs or group DMs by API


def client_methods() -> dict[str, str]:
    """slack-sdk's AsyncWebClient method names → Web API method names, from its own source."""
    tree = ast.parse(inspect.getsource(slack_sdk.web.async_client))
    found = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.AsyncFunctionDef):
            for call in ast.walk(fn):
                if (isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "api_call"
                        and call.args and isinstance(call.args[0], ast.Constant)):
                    found[fn.name] = call.args[0].value
                    break
    return found


def called_methods(files: list[Path]) -> dict[str, str]:
    """Every Web API method the code calls → one place it does: `client.chat_postMessage(…)`,
    `self.call("chat.postMessage", …)`, `api_call("…")`."""
    by_attr = client_methods()
    found: dict[str, str] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Attribute, ast.Name)):
                continue
            attr = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            name = None
            if attr in ("call", "api_call") and node.args and isinstance(node.args[0], ast.Constant):
                name = node.args[0].value if METHOD.match(str(node.args[0].value)) else None
            elif attr in by_attr and attr != "api_call":
                name = by_attr[attr]
            if name:
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.setdefault(name, f"{shown}:{node.lineno}")
    return found


def requirements(methods: dict[str, str], manifest: Manifest) -> list[tuple[frozenset[str], str]]:
    """(scopes of which one is needed, why) for every call, event and command."""
    needs = []
    for name, where in sorted(methods.items()):
        if api_ref(name) is None:
            needs.append((frozenset({f"<no api_ref for {name}>"}), where))
            continue
        for kind in KINDS:
            if alt := alternatives(name, kind):
                needs.append((alt, f"{name} on a {kind} channel ({where})"))
    for event in sorted(manifest.bot_events):
        if scopes := event_scopes(event):
            for kind in KINDS:   # member_joined_channel: channels:read for public rooms, groups:read for private
                family = {"public": "channels:", "private": "groups:"}[kind]
                alt = frozenset(s for s in scopes if s.startswith(family)) or frozenset(scopes)
                needs.append((alt, f"the {event} event in {kind} channels"))
    if manifest.should_escape:
        needs.append((frozenset({"commands"}), "the slash commands"))
    return needs


def problems(manifest: Manifest, methods: dict[str, str]) -> list[str]:
    granted = set(manifest.scopes)
    needs = requirements(methods, manifest)
    out = [f"the manifest lacks one of {sorted(alt)}: {why}" for alt, why in needs if not alt & granted]
    used = {s for alt, _ in needs for s in alt & granted}
    out += [f"the manifest asks for {s}, which no call, event or command needs" for s in sorted(granted - used)]
    return out


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs():
    methods = called_methods(CODE)
    assert {"conversations.history", "chat.postMessage", "views.open", "users.list"} <= methods.keys()

    assert problems(Manifest.load(DEFAULT_PATH), methods) == []


def test_the_scope_check_sees_a_missing_and_an_unused_scope():
    manifest = Manifest.load(DEFAULT_PATH)
    lacking = Manifest(tuple(s for s in manifest.scopes if s != "groups:history") + ("team:read",),
                       manifest.bot_events, manifest.should_escape)

    found = problems(lacking, called_methods(CODE))

    assert any("lacks one of ['groups:history']: conversations.history on a private channel" in p for p in found)
    assert "the manifest asks for team:read, which no call, event or command needs" in found


def test_calls_are_found_however_they_are_written(tmp_path):
    code = tmp_path / "x.py"
    code.write_text('async def f(client, gw):\n    await client.conversations_setTopic(channel="C", topic="t")\n'
                    '    await gw.call("pins.add", channel="C")\n    await client.api_call("team.info")\n')
    assert set(called_methods([code])) == {"conversations.setTopic", "pins.add", "team.info"}


def listened_events() -> set[str]:
    """The event types the Bolt listeners wait for: `@app.event("…")` in handlers/."""
    found = set()
    for path in (ROOT / "handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "event" and node.args):
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    found.add(arg.value)
                elif isinstance(arg, ast.Dict):
                    found |= {v.value for k, v in zip(arg.keys, arg.values)
                              if isinstance(k, ast.Constant) and k.value == "type" and isinstance(v, ast.Constant)}
    return found


def test_every_subscribed_event_has_a_listener_and_no_listener_waits_for_another():
    subscribed = {e.split(".")[0] for e in Manifest.load(DEFAULT_PATH).bot_events}
    assert listened_events() == subscribed


async def test_the_emulator_answers_missing_scope_as_slack_does():
    async with SlackEmulator(bot_token="xoxb-t", scopes=["chat:write", "channels:history"]) as emu:
        chan = emu.add_channel("war-room", ["U0ALICE", "U0CRISISBOT"], is_private=True)
        client = AsyncWebClient(token="xoxb-t", base_url=emu.base_url)
        public = await client.conversations_history(channel="C0GENERAL")
        assert public.headers["X-OAuth-Scopes"] == "chat:write,channels:history"

        with pytest.raises(SlackApiError) as refused:
            await client.conversations_history(channel=chan.id)   # private: groups:history

        body = refused.value.response.data
        assert (body["error"], body["needed"], body["provided"]) == (
            "missing_scope", "groups:history", "chat:write,channels:history")
        with pytest.raises(SlackApiError, match="missing_scope"):
            await client.conversations_invite(channel="C0GENERAL", users="U0BOB")
        assert "U0BOB" in emu.members("C0GENERAL") and "U0BOB" not in emu.members(chan.id)


async def test_the_bot_works_under_the_manifest_scopes(alice: Person, emulator, workspace, bot):
    assert set(emulator.scopes) == set(Manifest.load(DEFAULT_PATH).scopes)
    channel = await open_crisis(alice)
    await alice.types("/crisis role legal @bob", channel=channel)
    await emulator.wait_for(lambda: any("is now *Legal*" in m for m in said_in(emulator, channel)))
    await workspace.delivered()
    await bot.running.app[INFLIGHT].idle()
    assert not [e for e in emulator.ephemerals(user="U0BOB") if "Welcome" in e.text]  # the brief tells them

    assert not [c for c in emulator.calls if isinstance(c.response, dict)
                and c.response.get("error") == "missing_scope"]


async def test_someone_joining_a_crisis_room_is_welcomed_privately(alice: Person, bob: Person, emulator):
    channel = await open_crisis(alice)

    await alice.types("/crisis invite @bob", channel=channel)

    welcome = await bob.sees_privately("Welcome to the crisis room for *Serum video*")
    assert welcome.channel == channel
    assert "Lead: <@U0ALICE>" in welcome.text and "/crisis role &lt;role&gt;" in welcome.text
    assert not [e for e in emulator.ephemerals(user="U0ALICE") if "Welcome" in e.text]  # the lead opened it


async def test_someone_joining_by_themselves_is_welcomed_but_not_in_a_closed_room(alice: Person, workspace, emulator,
                                                                                 bot):
    channel = await open_crisis(alice)
    dan = Person("U0DAN", workspace, emulator)

    await workspace.join("U0DAN", channel)

    await dan.sees_privately("Welcome to the crisis room for *Serum video*")
    await workspace.join("U0BOB", channel, inviter="U0ALICE")   # added from Slack's client by a person
    await Person("U0BOB", workspace, emulator).sees_privately("Welcome to the crisis room")
    await alice.types("/crisis close Done", channel=channel)
    await alice.sees_privately("is closed")
    await workspace.join("U0CARLA", channel)
    await workspace.delivered()
    await bot.running.app[INFLIGHT].idle()   # the bot has done all it was going to do about it
    assert not [e for e in emulator.ephemerals(user="U0CARLA") if "Welcome" in e.text]
