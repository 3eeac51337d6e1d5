"""The help as a person reads it in Slack: every subcommand, placeholders shown as typed, and the
manifest's usage hint within Slack's limit."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.domain import commands
from bot.emulator import render_message
from tests.support.people import Person

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yaml"
# Slack's limit for a slash command's usage_hint (app manifest reference, as typed in
# slackapi/node-slack-sdk packages/web-api/src/types/request/manifest.ts).
USAGE_HINT_LIMIT = 1000


async def seen_help(person: Person, emulator, typed: str) -> str:
    """What the person sees of the bot's answer to `typed`, rendered as Slack shows it."""
    await person.types(typed)
    answer = await emulator.wait_for(lambda: [e for e in emulator.ephemerals(user=person.id) if "crisisbot" in e.text])
    return render_message(answer[-1], emulator)


async def test_placeholders_show_as_typed_not_as_links_or_entities(alice: Person, emulator):
    shown = await seen_help(alice, emulator, "/crisis help")

    for usage in ("`/crisis open [severity] <title>`", "`/crisis role <role> [@someone]`",
                  "`/crisis sitrep <field>: <text>`", "`/crisis milestone <phase> [note]`",
                  "`/crisis update <text>`", "`/crisis close <learnings>`"):
        assert usage in shown
    assert "&lt;" not in shown and "&gt;" not in shown and "&amp;" not in shown  # never escaped twice


async def test_the_help_has_a_line_for_every_subcommand(alice: Person, emulator):
    shown = await seen_help(alice, emulator, "/crisis help")

    subcommands = {commands.word_of(kind) for kind in set(commands._WORDS.values())}
    assert {"open", "status", "role", "roles", "sitrep", "milestone", "note", "update", "severity", "plan",
            "close", "reopen", "help"} <= subcommands
    for word in subcommands:
        assert f"`/crisis {word}" in shown, f"the help has no line for /crisis {word}"


async def test_close_says_the_text_closes_at_once_and_alone_it_asks(alice: Person, emulator):
    shown = await seen_help(alice, emulator, "/crisis help")

    line = next(ln for ln in shown.splitlines() if "`/crisis close <learnings>`" in ln)
    assert "at once" in line and "learnings" in line and "`/crisis close` alone asks with a form" in line


async def test_an_unknown_word_is_named_once_escaped_then_the_help(alice: Person, emulator):
    shown = await seen_help(alice, emulator, "/crisis explode Q&A")

    assert "I don't know `explode`." in shown
    assert "`/crisis open [severity] <title>`" in shown


def test_the_manifest_usage_hint_names_the_main_commands_within_slacks_limit():
    [command] = yaml.safe_load(MANIFEST.read_text())["features"]["slash_commands"]
    hint = command["usage_hint"]

    assert len(hint) <= USAGE_HINT_LIMIT
    for word in ("open", "status", "sitrep", "milestone", "update", "close", "help"):
        assert word in hint.split() or f"{word}" in hint.replace("|", " ").split()
