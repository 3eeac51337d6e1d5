"""`crisisbot demo`: a whole crisis against the built-in Slack emulator, printed as text.

The same emulator and the same signed HTTP requests as the test-suite: the bot
cannot tell it apart from Slack. The crisis clock moves on between steps, so the
story reads like a real afternoon.

The story is told in one of the languages crisisbot speaks (`run_demo(lang="es")`): a team of that language
types its own command words and its own story (`STORIES`), each person's Slack locale and the installation's
language are that language, and the crisis is opened with `--lang`. What the demo waits for is a literal piece
of that language's catalog, not a copy of it. Its own framing lines (who types what, when) stay English: they
are the operator's console, not something Slack shows.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from string import Formatter
from typing import Callable

import aiohttp

from bot.app import INFLIGHT, SERVICES, build_web_app
from bot.catalog import DEFAULT_LANGUAGE, Catalog
from bot.domain.clock import FixedClock
from bot.domain.commands import Close, Milestone, Note, Open, Role, Sitrep, words_of
from bot.emulator import SlackEmulator, Workspace, render_channel, render_message
from bot.emulator.render import unmrkdwn
from bot.emulator.state import BOT_USER_ID
from bot.serve import Running, start
from bot.settings import Settings, available_languages
from handlers.web import STORE

TOKEN = "xoxb-emulator"
SIGNING_SECRET = "demo-signing-secret"
MANAGERS = "C0MANAGERS"
START = datetime(2026, 11, 21, 14, 5, tzinfo=timezone.utc)  # a Saturday afternoon

Out = Callable[[str], None]


@dataclass(frozen=True)
class Story:
    """The demo's crisis as a team speaking one language types it: its words for the plan's severity, roles,
    report fields and phases (the plan's aliases), and what they write. The command words are the language's
    own (`words_of`)."""

    locale: str  # every person's Slack language
    title: str
    severity: str
    roles: tuple[tuple[str, str], ...]  # (role word, person): spokesperson, listening, legal
    report: tuple[tuple[str, str, str], ...]  # (person, field word, value)
    numbers: str  # what @carla posts in the channel, and @alice pins
    phases: tuple[tuple[str, str], ...]  # (phase word, note): the five R, in order
    note: str  # @alice's note, between the Response and the Reaction
    outcome: str
    learnings: str  # one a line
    late_note: str  # @dan's note once the crisis is closed: refused


STORIES: dict[str, Story] = {
    "en": Story(  # the aliases of other languages work too: "respuesta", "reazione"
        locale="en-US",
        title="Influencer video claims our serum burns skin",
        severity="high",
        roles=(("spokesperson", "bob"), ("listening", "carla"), ("legal", "dan")),
        report=(("carla", "origin", "A 2-minute TikTok by @glowwithmia (1.2M followers)"),
                ("carla", "criticism", "Product safety: says our serum burned her skin"),
                ("carla", "networks", "TikTok, Instagram, X"),
                ("dan", "caused", "unknown")),
        numbers="Negative mentions at 4,200/h and rising, 81% negative",
        phases=(("reduction", "Ads and scheduled posts paused on every network"),
                ("respuesta", "Holding statement out on TikTok and Instagram"),
                ("reazione", "Answered 140 comments; spoke with Mia by DM"),
                ("recovery", "Mentions and sentiment back to baseline"),
                ("rethink", "Brief customer care in the first 30 minutes")),
        note="El País asked for comment; Dan reviewing the answer",
        outcome="Lab results shared; Mia posted a follow-up and took the video down",
        learnings="Keep a product-safety holding statement ready\nAsk legal for a 15-minute review slot",
        late_note="Legal sign-off on the follow-up post",
    ),
    "es": Story(
        locale="es-ES",
        title="Vídeo de una influencer: dice que nuestro sérum quema la piel",
        severity="alta",
        roles=(("portavoz", "bob"), ("escucha", "carla"), ("jurídico", "dan")),
        report=(("carla", "origen", "Un TikTok de 2 minutos de @brillaconlucia (1,2 M de seguidores)"),
                ("carla", "crítica", "Seguridad del producto: dice que nuestro sérum le quemó la piel"),
                ("carla", "redes", "TikTok, Instagram, X"),
                ("dan", "causa", "no se sabe")),
        numbers="Menciones negativas: 4.200 por hora y subiendo; el 81 % son negativas",
        phases=(("reducción", "Anuncios y publicaciones programadas en pausa en todas las redes"),
                ("respuesta", "Declaración de espera publicada en TikTok e Instagram"),
                ("reacción", "Respondidos 140 comentarios; hablamos con Lucía por mensaje privado"),
                ("recuperación", "Las menciones y el sentimiento vuelven a su nivel habitual"),
                ("replanteamiento", "Avisar a atención al cliente en los primeros 30 minutos")),
        note="El País pide declaraciones; Dan revisa la respuesta",
        outcome="Compartimos los resultados del laboratorio; Lucía publicó un vídeo aclaratorio y retiró el original",
        learnings="Tener lista una declaración de espera sobre la seguridad del producto\n"
                  "Reservar con el área legal 15 minutos para revisar cada comunicado",
        late_note="Visto bueno del área legal a la publicación aclaratoria",
    ),
    "it": Story(
        locale="it-IT",
        title="Video di un'influencer: dice che il nostro siero brucia la pelle",
        severity="alta",
        roles=(("portavoce", "bob"), ("ascolto", "carla"), ("legale", "dan")),
        report=(("carla", "origine", "Un TikTok di 2 minuti di @splendiconsofia (1,2 Mln di follower)"),
                ("carla", "critica", "Sicurezza del prodotto: dice che il nostro siero le ha bruciato la pelle"),
                ("carla", "reti", "TikTok, Instagram, X"),
                ("dan", "causa", "non si sa")),
        numbers="Menzioni negative: 4.200 all'ora e in aumento; l'81% sono negative",
        phases=(("riduzione", "Annunci e post programmati sospesi su tutti i social"),
                ("risposta", "Dichiarazione di attesa pubblicata su TikTok e Instagram"),
                ("reazione", "Risposto a 140 commenti; sentita Sofia in privato"),
                ("recupero", "Menzioni e sentiment tornati ai livelli abituali"),
                ("ripensamento", "Avvisare l'assistenza clienti nei primi 30 minuti")),
        note="Il Corriere chiede un commento; Dan sta rivedendo la risposta",
        outcome="Condivisi i risultati di laboratorio; Sofia ha pubblicato un video di chiarimento e tolto l'originale",
        learnings="Tenere pronta una dichiarazione di attesa sulla sicurezza del prodotto\n"
                  "Fissare con l'ufficio legale 15 minuti per rivedere ogni comunicato",
        late_note="Via libera dell'ufficio legale al post di chiarimento",
    ),
}

_HOLE = "\x00"
_EMOJI = re.compile(r":[a-z0-9_+-]+:")


def literal(catalog: Catalog, key: str) -> str:
    """The longest literal piece of one of the catalog's messages: its text between placeholders (filled in
    by `t`), Slack's markup at its edges and its emoji left out. What the demo waits for, so that a change of
    wording in a catalog changes what it waits for too."""
    own = catalog if catalog.has(key) or catalog.fallback is None else catalog.fallback
    template = own.messages.get(key, own.messages.get(f"{key}.other", ""))  # a plural: its `other` form
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    pieces = [_EMOJI.sub("", piece).strip(" *_~<>#@|()\n") for piece in
              catalog.t(key, **{name: _HOLE for name in names}).split(_HOLE)]
    return max(pieces, key=lambda piece: sum(c.isalpha() for c in piece))


async def run_demo(out: Out = print, database: Path | None = None, lang: str = DEFAULT_LANGUAGE) -> None:
    """The demo; `database` is the SQLite file it starts afresh and keeps, ending with the command that exports
    the crisis from it (None: a temporary file, gone afterwards); `lang` the language its crisis is told in
    (one of `available_languages()` with a story in `STORIES`; any other is a ValueError)."""
    if lang not in STORIES or lang not in available_languages():
        raise ValueError(f"no demo in {lang!r}: {', '.join(demo_languages())}")
    clock = FixedClock(START)  # the crisis's time moves on when the story says so, the same on every run
    emulator = SlackEmulator(bot_token=TOKEN, clock=lambda: clock.now().timestamp())
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory(prefix="crisisbot-demo-") as tmp:
            settings = Settings(
                _env_file=None,
                slack_bot_token=TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_url=emulator.base_url,
                database_url=f"sqlite+aiosqlite:///{_afresh(database) if database else Path(tmp) / 'demo.db'}",
                crisisbot_managers_channel=MANAGERS,
                crisisbot_language=lang,
            )
            bot = await start(build_web_app(settings, clock=clock))
            try:
                async with aiohttp.ClientSession() as session:
                    ws = Workspace(emulator, bot_url=bot.url + "/slack/events",
                                   signing_secret=SIGNING_SECRET, session=session)
                    scenario = Scenario(emulator, ws, bot, clock, out, lang)
                    await scenario.run()
                crisis = await bot.app[STORE].by_ref(scenario.channel) if database else None
            finally:
                await bot.stop()
            if crisis is not None:
                out(f"\nThe demo's database is kept in {database} (started afresh on each run). "
                    "The whole story, as Markdown:")
                out(f"  DATABASE_URL=sqlite+aiosqlite:///{database} crisisbot export {crisis.id}")
    finally:
        await emulator.close()


def demo_languages() -> list[str]:
    """The languages the demo can be told in: those with a message catalog and a story."""
    return [lang for lang in available_languages() if lang in STORIES]


def _afresh(database: Path) -> Path:
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")):
        stale.unlink(missing_ok=True)
    return database


class Scenario:
    """The afternoon of a crisis, one step at a time. Each step waits until the bot has finished what it was
    asked (its acknowledged work is done), then prints what people saw because of it, oldest first."""

    def __init__(self, emu: SlackEmulator, ws: Workspace, bot: Running, clock: FixedClock, out: Out,
                 lang: str = DEFAULT_LANGUAGE):
        self.emu, self.ws, self.bot, self.clock, self.out = emu, ws, bot, clock, out
        self.lang, self.story, self.catalog = lang, STORIES[lang], Catalog.load(lang)
        self.words = words_of(lang)
        self.channel = ""
        self.started = clock.now()
        self.seen: set[tuple[str, str]] = set()

    async def run(self) -> None:
        emu, out, story, w = self.emu, self.out, self.story, self.words
        said = self.said
        for user in emu.users_by_id.values():
            if not user.is_bot:
                user.locale = story.locale
        out("crisisbot demo: the bot against a local Slack emulator, on a clock that moves with the story"
            + ("" if self.lang == DEFAULT_LANGUAGE else f" (in {self.lang}: people's Slack locale {story.locale})")
            + "\n")

        # English is the installation's default: its crisis needs no --lang.
        language = "" if self.lang == DEFAULT_LANGUAGE else f"--lang {self.lang} "
        opened = said("open.done")
        done = await self.type("alice", f"{w[Open]} {language}{story.severity} {story.title}", "C0GENERAL",
                               expect=opened)
        self.channel = next(e.text for e in done if opened in e.text).split("<#")[1].split(">")[0].split("|")[0]

        for role, who in story.roles:
            await self.type("alice", f"{w[Role]} {role} @{who}", expect=said("roles.changed"))
        for who, field, value in story.report:
            await self.type(who, f"{w[Sitrep]} {field}: {value}", expect=said("sitrep.saved"))

        self.out(f"[{self.when()}] @carla posts the listening numbers; @alice pins them with :pushpin:")
        posted = await self.ws.say("U0CARLA", self.channel, story.numbers)
        self.seen.add((self.channel, posted.ts or ""))
        await self.ws.react("U0ALICE", self.channel, posted.ts, "pushpin")
        await self.finished("U0ALICE")
        (reduction, response, reaction, recovery, rethink), recorded = story.phases, said("milestone.recorded")
        await self.later(8, "alice", f"{w[Milestone]} {reduction[0]} {reduction[1]}", expect=recorded)
        await self.later(27, "bob", f"{w[Milestone]} {response[0]} {response[1]}", expect=recorded)
        await self.type("alice", f"{w[Note]} {story.note}", expect=said("timeline.noted"))
        await self.later(40, "bob", f"{w[Milestone]} {reaction[0]} {reaction[1]}", expect=recorded)
        await self.tick(minutes=30)
        await self.later(60 * 20, "carla", f"{w[Milestone]} {recovery[0]} {recovery[1]}", expect=recorded)
        await self.later(60 * 4, "alice", f"{w[Milestone]} {rethink[0]} {rethink[1]}", expect=recorded)

        await self.type("alice", w[Close])
        views = await emu.wait_for(lambda: emu.open_views("U0ALICE"))
        out(f"[{self.when()}] @alice fills in the closing form: outcome and learnings")
        await self.ws.submit_view("U0ALICE", views[-1].id, {"outcome": story.outcome, "learnings": story.learnings})
        await self.finished("U0ALICE")
        await self.type("dan", f"{w[Note]} {story.late_note}", expect=said("error.crisis_closed"))

        for channel in (self.channel, MANAGERS):
            out("\n" + "=" * 72)
            out(render_channel(emu, channel))
        out("=" * 72)
        out("bob's direct messages from crisisbot:")
        for message in emu.dms("U0BOB"):
            out(render_message(message, emu))
        calls = [c.method for c in emu.calls]
        out(f"\nSlack calls the bot made: {len(calls)} ({', '.join(sorted(set(calls)))})")

    def said(self, key: str) -> str:
        """A literal piece of the message `key` in the demo's language: what a person waits to see."""
        return literal(self.catalog, key)

    async def type(self, who: str, text: str, channel: str | None = None, *, expect: str | None = None) -> list:
        """`/crisis <text>` as `who`, in the crisis channel unless told; returns what the bot said to them.

        `expect` is a few words of the answer a person waits for (`said`: a literal piece of the catalog's
        message), to them or in the channel: the step is over once it has come and the bot has nothing more
        in flight."""
        user = self.emu.user_by_name(who)
        where = channel or self.channel
        self.out(f"[{self.when()}] @{who} in #{self.emu.channel(where).name}: /crisis {text}")
        private, public = len(self.emu.ephemerals(user=user.id)), len(self.emu.messages(where))
        reply = await self.ws.slash(user.id, where, text, command="/crisis")
        if reply.status != 200:
            raise RuntimeError(f"the bot answered {reply.status}")
        if expect is not None:
            await self.emu.wait_for(lambda: any(
                expect in m.text for m in self.emu.ephemerals(user=user.id)[private:] + self.emu.messages(where)[public:]))
        return await self.finished(user.id)

    async def finished(self, user: str) -> list:
        """Waits for the bot's acknowledged work to end, then prints each message it caused, once."""
        await self.quiet()
        private = [e for e in self.emu.ephemerals() if ("", e.ts) not in self.seen]
        posted = [m for chan in list(self.emu.channels_by_id.values()) for m in self.emu.messages(chan.id)
                  if m.user == BOT_USER_ID and (chan.id, m.ts) not in self.seen]
        for item in sorted(private + posted, key=lambda m: float(m.ts)):
            self.seen.add(("", item.ts) if item in private else (item.channel, item.ts))
            self.out(f"  → {self.where(item, item in private, user)}{self.plain(item.text)}")
        return [e for e in private if e.user == user]

    async def quiet(self) -> None:
        """Until the bot has nothing in flight and Slack has no event left to send it (an invitation raises
        `member_joined_channel`, whose answer may raise more)."""
        while True:
            await self.bot.app[INFLIGHT].idle()
            if not self.ws.pending_deliveries:
                return
            await self.ws.delivered()

    def where(self, item, private: bool, user: str) -> str:
        if private:
            return "" if item.user == user else f"(only @{self.emu.user(item.user).name} sees) "
        chan = self.emu.channel(item.channel)
        if chan.is_im:
            return f"(DM to @{self.emu.user(chan.im_user).name}) "
        return "" if chan.id == self.channel else f"(#{chan.name}) "

    async def later(self, minutes: int, who: str, text: str, *, expect: str | None = None) -> None:
        self.clock.advance(minutes=minutes)
        await self.type(who, text, expect=expect)

    async def tick(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        fired = await self.bot.app[SERVICES].reminders.tick()
        self.out(f"[{self.when()}] the reminder job runs: {fired} reminder{'' if fired == 1 else 's'} due")
        await self.finished("U0ALICE")

    def when(self) -> str:
        now = self.clock.now()
        day = (now.date() - self.started.date()).days
        return f"{now:%H:%M}" + (f" (day {day + 1})" if day else "")

    def plain(self, text: str) -> str:
        return unmrkdwn(text, self.emu)
