"""`crisisbot export`: the whole story of a crisis as Markdown, read from the database.

The same sentences as the closing message in Slack (`handlers.blocks.story.StoryText`), in a
Markdown style, and with nothing summarised: every moment, every alert.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.catalog import Catalog, Catalogs
from bot.domain.dossier import Dossier
from bot.domain.errors import UnknownCrisis
from bot.domain.plan import Plan
from bot.domain.story import Story, build_story
from bot.services.crises import load_dossier
from handlers.blocks.story import StoryText
from storage.crises import SqlCrisisStore
from storage.dossier import SqlDossierStore
from storage.engine import make_engine, make_sessions, sqlite_file
from storage.migrate import SchemaNotReady, check_schema

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def md(text: str) -> str:
    """User text made inert in Markdown: no emphasis, links, HTML or headings; line breaks kept."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text).strip())
    return "  \n  ".join(escaped.splitlines())


class MarkdownStyle:
    def __init__(self, t: Catalog):
        self.t = t

    def user(self, user_id: str | None) -> str:
        if not user_id:
            return self.t.t("story.someone")
        return f"@{user_id}" if _USER_ID.match(user_id) else md(user_id)

    def when(self, moment: datetime) -> str:
        return self.t.moment(moment)

    def bold(self, text: str) -> str:
        return f"**{text}**"

    def code(self, text: str) -> str:
        return f"`{text}`"

    def text(self, raw: str) -> str:
        return md(raw)

    def snippet(self, raw: str) -> str:
        return md(raw)  # the export keeps everything

    def check(self, done: bool) -> str:
        return "[x]" if done else "[ ]"


def story_markdown(dossier: Dossier, plan: Plan, catalog: Catalog) -> str:
    """The whole story as a Markdown document."""
    return _markdown(build_story(dossier, plan), plan, catalog)


def _markdown(story: Story, plan: Plan, t: Catalog) -> str:
    w = StoryText(t, plan, MarkdownStyle(t))

    def title(key: str) -> list[str]:
        return ["", f"## {t.t(f'story.{key}')}", ""]

    def bullets(lines: list[str]) -> list[str]:
        return [f"- {line}" for line in lines]

    out = [f"# {t.t('story.export_title', title=md(story.crisis.title))}", ""]
    out += bullets(w.summary(story))
    out += ["", w.outcome(story)]
    if story.crisis.description:
        out += ["", md(story.crisis.description)]

    out += title("what_happened")
    out += bullets(w.report(story))
    if notes := w.report_notes(story):
        out += ["", " ".join(notes)]

    out += title("who_responded")
    out += bullets(w.team(story))
    if others := w.others(story):
        out += ["", others]

    out += title("how_it_unfolded")
    out += [w.first_response(story), ""]
    out += bullets(w.phases(story))
    out += ["", w.missed(story)]

    out += title("key_moments")
    out += bullets([w.moment_line(m) for m in story.moments]) or [t.t("story.no_moments")]

    out += title("alerts_received")
    out += [w.alerts_count(story)]
    if story.alerts:
        out += [""] + bullets([w.alert_line(m) for m in story.alerts])

    out += title("learned")
    out += bullets(w.lessons(story)) or [t.t("story.lessons_none")]
    out += ["", w.plan_change(story)]
    return "\n".join(out) + "\n"


async def export(settings, ref: str, *, plan: Plan | None = None, catalog: Catalog | None = None) -> str:
    """The Markdown story of the crisis `ref` (id, channel id or channel name); UnknownCrisis if none,
    SchemaNotReady if the database is not the bot's (a missing SQLite file is not created)."""
    from bot.plan_loader import load_plan

    plan = plan or load_plan(settings.crisisbot_plan)
    if (path := sqlite_file(settings.database_url)) is not None and not path.exists():
        raise SchemaNotReady(f"there is no database at {path}: point DATABASE_URL at the bot's database (the one "
                             "`crisisbot serve` or the demo uses), or run `crisisbot migrate` to create one")
    engine = make_engine(settings.database_url)
    try:
        await check_schema(engine)
        sessions = make_sessions(engine)
        crisis = await SqlCrisisStore(sessions).by_ref(ref)
        if crisis is None:
            raise UnknownCrisis(ref=ref)
        # in the crisis's language, as its closing story was told (or the one asked for)
        catalog = catalog or Catalogs(settings.crisisbot_language).get(crisis.language)
        spoken = plan.translated(catalog.language)
        return story_markdown(await load_dossier(SqlDossierStore(sessions), crisis, spoken), spoken, catalog)
    finally:
        await engine.dispose()
