"""The screens of a crisis in one language, as the emulator recorded them: the pinned plan, the situation-report
form, a reminder and the closing story. `python -m tests.support.screens es it > docs/screens.md` writes the page
that shows them (the same walk as tests/test_languages_walkthrough.py, on the built-in emulator)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

from bot.catalog import Catalog
from bot.domain.clock import FixedClock
from bot.emulator import SlackEmulator, Workspace
from bot.emulator.render import render_blocks
from tests.support.harness import SIGNING_SECRET, TOKEN, BotUnderTest
from tests.support.people import Person, fill_in
from tests.support.languages import LOCALES, PEOPLE, SCRIPT


async def screens(lang: str) -> dict[str, list[str]]:
    clock = FixedClock(datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc))
    emu = SlackEmulator(bot_token=TOKEN, clock=lambda: clock.now().timestamp())
    await emu.start()
    shown: dict[str, list[str]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bot = await BotUnderTest(emu, f"sqlite+aiosqlite:///{Path(tmp) / 'screens.db'}", clock,
                                     crisisbot_managers_channel="C0MANAGERS").start()
            try:
                async with aiohttp.ClientSession() as session:
                    ws = Workspace(emu, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)
                    for user in PEOPLE:
                        emu.user(user).locale = LOCALES[lang]
                    alice, s = Person("U0ALICE", ws, emu), SCRIPT[lang]
                    await alice.types(s["open"])
                    await bot.settled()
                    room = (await bot.services.crises.active())[0].channel_id
                    shown["the pinned plan"] = render_blocks(emu.messages(room)[0].blocks, emu)
                    for step in ("role", "origin", "reduction"):
                        await alice.types(s[step], channel=room)
                        await bot.settled()
                    await alice.types(s["sitrep"], channel=room)
                    form = (await emu.wait_for(lambda: emu.open_views("U0ALICE")))[-1].view
                    shown["the situation-report form"] = [_plain(form["title"]), *_form(form),
                                                          f"[{_plain(form['submit'])}] [{_plain(form['close'])}]"]
                    await ws.close_view("U0ALICE", emu.open_views("U0ALICE")[-1].id)
                    before = len(emu.messages(room))
                    clock.advance(minutes=20)
                    await bot.tick()
                    await bot.settled()
                    shown["a reminder"] = [line for m in emu.messages(room)[before:]
                                           for line in render_blocks(m.blocks, emu)]
                    clock.advance(minutes=40)
                    await alice.types(s["close"], channel=room)
                    await fill_in(alice, {"outcome": s["outcome"], "learnings": s["learnings"]})
                    await bot.settled()
                    shown["the closing story"] = render_blocks(emu.messages(room)[-1].blocks, emu)
            finally:
                await bot.stop()
    finally:
        await emu.close()
    return shown


def _plain(text: dict) -> str:
    return text.get("text", "")


def _form(view: dict) -> list[str]:
    lines = []
    for block in view["blocks"]:
        if block.get("type") != "input":
            lines += render_blocks([block])
            continue
        element = block.get("element") or {}
        options = " / ".join(_plain(o["text"]) for o in element.get("options") or [])
        lines.append(f"<{_plain(block['label'])}>" + (f" ({options})" if options else ""))
    return lines


async def page(languages: list[str]) -> str:
    out = ["# The screens of a crisis in Spanish and Italian", "",
           "As the emulator recorded them, by `python -m tests.support.screens es it > docs/screens.md`: the walk of",
           "tests/test_languages_walkthrough.py, whose people have their Slack set to the language, and whose",
           "crisis was opened with `--lang`. Slack's own rendering is approximated as text (mrkdwn markers kept,",
           "buttons in brackets).", ""]
    for lang in languages:
        name = Catalog.load(lang).t(f"language.name.{lang}")
        for title, lines in (await screens(lang)).items():
            out += [f"## {name}: {title}", "", "```", *lines, "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(asyncio.run(page(sys.argv[1:] or ["es", "it"])))
