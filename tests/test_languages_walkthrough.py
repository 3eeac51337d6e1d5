"""A whole crisis in Spanish and one in Italian, through the emulator: nothing a Spanish or Italian person is
shown is English, nor a catalog key.

The people's Slack language is es-ES (it-IT); the installation's stays English, so what they read in their
language comes from their own locale (private answers) and from the crisis's language (`--lang`, the channel's
shared messages). Every text the emulator recorded for them (the channel, the managers' channel, their
ephemerals, DMs, modals, App Home, the topic) is compared against the English catalog and the English plan:
a phrase of English that their language does not share is a leak.
"""

from __future__ import annotations

import re
import string

import pytest

from bot.catalog import Catalog
from bot.plan_loader import load_plan
from tests.support.languages import LOCALES, PEOPLE, SCRIPT
from tests.support.people import Person, fill_in

# Words the three languages share on purpose: product and network names, and what reads the same.
ALLOWED = {"crisisbot", "Slack", "TikTok", "Instagram", "Markdown", "PagerDuty", "CRISISBOT_ADMINS", "plan",
           "Sitrep", "stakeholder", "manager", "escalation", "workspace", "sentiment", "influencer", "Recovery"}


async def walk(lang: str, emulator, bot, workspace, clock) -> list[str]:
    """The crisis, step by step, as its people would run it; returns every text they were shown."""
    for user in PEOPLE:
        emulator.user(user).locale = LOCALES[lang]
    alice, bob = Person("U0ALICE", workspace, emulator), Person("U0BOB", workspace, emulator)
    s = SCRIPT[lang]

    await alice.types(s["open"])
    await bot.settled()
    crisis = (await bot.services.crises.active())[0]
    room = crisis.channel_id
    assert crisis.language == lang

    for step in ("role", "origin", "caused", "reduction"):
        await alice.types(s[step], channel=room)
        await bot.settled()
    await alice.types(s["sitrep"], channel=room)  # the situation-report form
    await emulator.wait_for(lambda: emulator.open_views("U0ALICE"))
    await workspace.close_view("U0ALICE", emulator.open_views("U0ALICE")[-1].id)
    clock.advance(minutes=20)
    await bot.tick()  # the reminders: required fields still missing
    await bot.settled()
    await bob.types(s["response"], channel=room)
    await bob.types(s["note"], channel=room)
    await alice.types(s["status"], channel=room)
    await alice.types(s["help"], channel=room)
    await bot.settled()
    await workspace.open_home("U0ALICE")
    await emulator.wait_for(lambda: emulator.home("U0ALICE"))
    clock.advance(minutes=40)
    await alice.types(s["close"], channel=room)
    await fill_in(alice, {"outcome": s["outcome"], "learnings": s["learnings"]})
    await bot.settled()
    closed = await bot.services.deps.crises.get(crisis.id)
    assert closed is not None and closed.is_closed

    shown: list[str] = [emulator.channel(room).topic]
    for channel in (room, "C0MANAGERS"):
        shown += [_texts(m.text, m.blocks) for m in emulator.messages(channel)]
    for user in PEOPLE:
        shown += [_texts(e.text, e.blocks) for e in emulator.ephemerals(user=user)]
        shown += [_texts(m.text, m.blocks) for m in emulator.dms(user)]
    shown += [_texts("", v.view) for v in emulator.views.values()]
    return shown


def _texts(text: str, blocks) -> str:
    found = [text or ""]

    def walk_node(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "label", "placeholder", "hint") and isinstance(value, str):
                    found.append(value)
                elif key not in ("action_id", "block_id", "value", "callback_id", "private_metadata", "url"):
                    walk_node(value)
        elif isinstance(node, list):
            for value in node:
                walk_node(value)

    walk_node(blocks)
    return "\n".join(found)


_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_NOISE = re.compile(r":[a-z0-9_+-]+:|<[^>]*>|`[^`]*`|[*_~>•·|()\[\]\"“”«»]")


def _phrases(text: str) -> list[str]:
    """The literal English of a template: its pieces between placeholders, markup and code left out."""
    pieces = []
    for piece in _PLACEHOLDER.split(text):
        for part in re.split(r"[\n.:;!?]", _NOISE.sub(" ", piece)):
            words = [w for w in part.split() if w.strip(string.punctuation)]
            if words:
                pieces.append(" ".join(words))
    return pieces


def english_phrases(lang: str) -> set[str]:
    """English phrases of the catalog and the plan that the other language's catalog and plan do not contain."""
    en, other = Catalog.load("en"), Catalog.load(lang)
    plan = load_plan(None)
    theirs = "\n".join([*other.messages.values(), *_plan_texts(plan.translated(lang))])
    ours = [*en.messages.values(), *_plan_texts(plan)]
    found = set()
    for text in ours:
        for phrase in _phrases(text):
            letters = sum(c.isalpha() for c in phrase)
            if letters < 4 or phrase in theirs or phrase.strip(string.punctuation) in ALLOWED:
                continue
            if len(phrase.split()) == 1 and letters < 6:  # a short word alone: too often a name or shared
                continue
            found.add(phrase)
    return found


def _plan_texts(plan) -> list[str]:
    texts = [plan.name, *plan.dos, *plan.donts]
    for phase in plan.phases:
        texts += [phase.name, phase.summary, *phase.actions]
    for role in plan.roles:
        texts += [role.name, role.brief]
    for field in plan.sitrep:
        texts += [field.label, *field.labels]
    for severity in plan.severities:
        texts += [severity.label, severity.description]
    return [t for t in texts if t]


def leaks(shown: list[str], lang: str) -> list[str]:
    text = "\n".join(shown)
    found = []
    for phrase in sorted(english_phrases(lang), key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text):
            found.append(phrase)
    keys = set(Catalog.load("en").messages)
    found += [f"key {k}" for k in set(re.findall(r"\b[a-z_]+(?:\.[a-z_]+)+\b", text)) if k in keys]
    return found


@pytest.mark.parametrize("lang", ["es", "it"])
async def test_a_whole_crisis_reaches_nobody_in_english(lang, emulator, bot, workspace, clock):
    shown = await walk(lang, emulator, bot, workspace, clock)

    assert len(shown) > 20, "the walk-through recorded too little to judge"
    assert leaks(shown, lang) == []


def test_the_leak_finder_finds_english():
    """The check itself: an English sentence of the catalog, and a key, among Spanish text are found."""
    en = Catalog.load("en")
    english = next(v for k, v in en.messages.items() if k == "help.unknown")
    shown = ["Hola, todo bien", english.format(word="x"), "falta open.ack aquí"]

    found = leaks(shown, "es")

    assert any(p in english for p in found if not p.startswith("key "))
    assert "key open.ack" in found
