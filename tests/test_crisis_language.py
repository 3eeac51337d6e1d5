"""Which language a crisis and each person are spoken to in: `--lang` and the form choose the crisis's (its
channel's shared messages); each person's private answers follow their Slack locale."""

from __future__ import annotations

import aiohttp
import yaml

from bot.catalog import Catalog
from bot.domain.plan import Plan
from bot.emulator import Workspace
from bot.export import export
from importlib import resources
from tests.support.harness import SIGNING_SECRET, BotUnderTest
from tests.support.people import Person, fill_in, text_of

ES, IT = Catalog.load("es"), Catalog.load("it")


def room_of(emulator, told) -> str:
    return told.text.split("<#")[1].split(">")[0].split("|")[0]


async def test_an_unknown_language_is_refused_with_those_there_are(alice: Person, bot):
    reply = await alice.types("/crisis open --lang pt Boicote nas redes")

    assert "`pt`" in text_of(reply) and "en, es, it" in text_of(reply)
    assert await bot.services.crises.active() == []


async def test_a_lang_without_a_language_says_how_to_write_it(alice: Person, bot):
    reply = await alice.types("/crisis open high Boycott --lang")

    assert "--lang es" in text_of(reply)
    assert await bot.services.crises.active() == []


async def test_the_form_opens_a_crisis_in_italian(alice: Person, emulator, bot):
    await alice.types("/crisis", channel="C0GENERAL")
    modal = (await emulator.wait_for(lambda: emulator.open_views("U0ALICE")))[-1]
    language = next(b for b in modal.view["blocks"] if b["block_id"] == "language")
    assert [o["value"] for o in language["element"]["options"]] == ["en", "es", "it"]

    await fill_in(alice, {"title": "Video virale sul siero", "severity": "high", "language": "it"})
    room = room_of(emulator, await alice.sees_privately("is open"))

    plan = str(emulator.messages(room)[0].blocks)
    assert "Riduzione" in plan and "Portavoce" in plan and "Reduction" not in plan
    assert emulator.channel(room).topic.endswith(":globe_with_meridians: IT")
    assert "Nuova crisi" in emulator.messages("C0MANAGERS")[-1].text  # the managers hear it in its language


async def test_a_spanish_speaker_in_an_english_room_is_answered_in_spanish(alice: Person, bob: Person, emulator,
                                                                           bot):
    emulator.user("U0BOB").locale = "es-ES"
    await alice.types("/crisis open high Boycott hashtag trending")
    room = room_of(emulator, await alice.sees_privately("is open"))
    await alice.types("/crisis role spokesperson <@U0BOB|bob>", channel=room)
    await bot.settled()

    await bob.types("/crisis status", channel=room)
    status = await bob.sees_privately("Gravedad")
    assert "Severity" not in status.text + str(status.blocks)
    brief = emulator.dms("U0BOB")[-1].text  # a role's brief: to the person, in their language
    assert "Portavoz" in brief
    assert "Role" not in brief
    plan = str(emulator.messages(room)[0].blocks)  # what everybody reads stays in the room's language
    assert "Reduction" in plan and "Reducción" not in plan
    assert not emulator.channel(room).topic.endswith("EN")  # the installation's own language is not tagged


async def test_a_plan_text_without_a_translation_is_shown_in_the_plan_language_and_said_so(
        emulator, database_url, clock):
    data = yaml.safe_load(resources.files("bot.plans").joinpath("default.yaml").read_text(encoding="utf-8"))
    del data["translations"]["es"]["phases"]["rethink"]["summary"]
    plan = Plan.from_dict(data)
    bot = await BotUnderTest(emulator, database_url, clock, plan=plan).start()
    try:
        async with aiohttp.ClientSession() as session:
            ws = Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)
            alice = Person("U0ALICE", ws, emulator)
            await alice.types("/crisis abrir --lang es alta Boicot en redes")
            await bot.settled()
            room = (await bot.services.crises.active())[0].channel_id
            plan_text = str(emulator.messages(room)[0].blocks)
    finally:
        await bot.stop()

    assert "Replanteamiento" in plan_text
    assert plan.phase("rethink").summary in plan_text  # the English text, where Spanish has none
    assert ES.t("language.untranslated", language=ES.t("language.name.es"),
                fallback=ES.t("language.name.en")) in plan_text


async def test_the_export_tells_the_story_in_the_crisis_language(alice: Person, emulator, bot):
    await alice.types("/crisis apri --lang it alta Boicottaggio sui social")
    room = room_of(emulator, await alice.sees_privately("<#"))
    await alice.types("/crisis chiudi Rispondere entro l'ora d'oro", channel=room)
    await bot.settled()

    markdown = await export(bot.settings, room)

    assert markdown.startswith("# " + IT.t("story.export_title", title="Boicottaggio sui social") + "\n")
    assert "Riduzione" in markdown and "Reduction" not in markdown
