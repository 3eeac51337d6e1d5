"""The closing story: the facts of `bot.domain.story` told in sentences, and the Slack message.

`StoryText` phrases a Story with the catalog in a `Style` (how a mention, a time, bold text and
user text look where the story is shown). The Slack message uses `SlackStyle`; the Markdown
export (`bot.export`) uses the same sentences in its own style.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.catalog import Catalog
from bot.domain.notices import Notice
from bot.domain.plan import Plan
from bot.domain.story import Moment, Story, build_story
from bot.domain.timeline import Kind
from handlers.blocks.kit import context, divider, header, limit_blocks, section, sections, when
from handlers.blocks.notices import RenderContext, Rendered
from handlers.escape import cut, esc

MAX_MOMENTS = 15  # key moments in the Slack message; the export keeps them all
MAX_ALERTS = 5  # alerts listed in the Slack message
MAX_SNIPPET = 280  # characters of a note or a pinned message in the Slack message

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class Style(Protocol):
    def user(self, user_id: str | None) -> str: ...
    def when(self, moment: datetime) -> str: ...
    def bold(self, text: str) -> str: ...  # text already in this style
    def code(self, text: str) -> str: ...  # text without user input
    def text(self, raw: str) -> str: ...  # user text, made safe
    def snippet(self, raw: str) -> str: ...  # long user text inside a list of moments
    def check(self, done: bool) -> str: ...


class SlackStyle:
    def __init__(self, t: Catalog):
        self.t = t

    def user(self, user_id: str | None) -> str:
        if not user_id:
            return self.t.t("story.someone")
        return f"<@{user_id}>" if _USER_ID.match(user_id) else esc(user_id)

    def when(self, moment: datetime) -> str:
        return when(moment)

    def bold(self, text: str) -> str:
        return f"*{text}*"

    def code(self, text: str) -> str:
        return f"`{text}`"

    def text(self, raw: str) -> str:
        return esc(raw)

    def snippet(self, raw: str) -> str:
        return esc(cut(" ".join(raw.split()), MAX_SNIPPET))

    def check(self, done: bool) -> str:
        return ":white_check_mark:" if done else ":white_large_square:"


def export_command(story: Story) -> str:
    return f"crisisbot export {story.crisis.id}"


@dataclass(frozen=True)
class StoryText:
    """The sentences of a story, in one style."""

    t: Catalog
    plan: Plan
    s: Style
    # the plan's words for the keys met so far: a story names the same few roles and phases thousands of times
    _words: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    def _(self, key: str, **params: object) -> str:
        return self.t.t(f"story.{key}", **params)

    # the opening lines -------------------------------------------------------------------
    def summary(self, story: Story) -> list[str]:
        c, s = story.crisis, self.s
        lines = [self._("severity", severity=s.bold(s.text(story.severity)))]
        if story.closed_at is not None and story.duration is not None:
            lines.append(self._("summary", opened_by=s.user(c.opened_by), opened_at=s.when(story.opened_at),
                                closed_by=s.user(c.closed_by), closed_at=s.when(story.closed_at),
                                duration=s.bold(self.t.duration(story.duration))))
        else:
            lines.append(self._("still_active", opened_by=s.user(c.opened_by), opened_at=s.when(story.opened_at)))
        return lines

    def outcome(self, story: Story) -> str:
        if story.outcome:
            return self._("outcome", outcome=self.s.text(story.outcome))
        return self._("no_outcome")

    # what happened ----------------------------------------------------------------------
    def report(self, story: Story) -> list[str]:
        s = self.s
        if not story.report:
            lines = [self._("report_empty")]
        else:
            lines = [self._("report_line", label=s.bold(s.text(f.label)), value=s.text(f.value)) for f in story.report]
        return lines

    def report_notes(self, story: Story) -> list[str]:
        notes = []
        if story.report_versions:
            notes.append(self._("report_source", version=story.report_versions))
        if story.report_missing:
            notes.append(self._("report_missing", fields=", ".join(self.s.text(f) for f in story.report_missing)))
        return notes

    # who responded ----------------------------------------------------------------------
    def team(self, story: Story) -> list[str]:
        s = self.s
        lines = [self._("holder_line", role=s.bold(s.text(h.name)),
                        user=s.user(h.user) if h.user else self._("nobody")) for h in story.holders]
        lines += [self._("handoff_line", role=s.text(h.name), previous=s.user(h.previous), user=s.user(h.user),
                         at=s.when(h.at), offset=self.t.duration(h.since_open)) for h in story.handoffs]
        return lines

    def others(self, story: Story) -> str | None:
        if not story.others:
            return None
        return self._("also", people=", ".join(self.s.user(p) for p in story.others))

    # how it unfolded --------------------------------------------------------------------
    def first_response(self, story: Story) -> str:
        fr, s = story.first_response, self.s
        target = self.t.duration(fr.target)
        if fr.took is None:
            return self._("first_response_none", target=s.bold(target))
        if fr.within_target:
            return self._("first_response_within", took=s.bold(self.t.duration(fr.took)), target=target)
        assert fr.over_by is not None
        return self._("first_response_late", took=s.bold(self.t.duration(fr.took)),
                      over=s.bold(self.t.duration(fr.over_by)), target=target)

    def phases(self, story: Story) -> list[str]:
        s, lines = self.s, []
        for p in story.phases:
            name = s.bold(s.text(p.name))
            if p.at is None or p.since_open is None:
                lines.append(self._("phase_missed", check=s.check(False), number=p.number, name=name))
                continue
            line = self._("phase_reached", check=s.check(True), number=p.number, name=name, at=s.when(p.at),
                          offset=self.t.duration(p.since_open))
            if p.times > 1:
                line += self._("phase_times", times=p.times)
            if p.out_of_order:
                line += self._("phase_early")
            if p.note:
                line += self._("phase_note", note=s.snippet(p.note))
            lines.append(line)
        return lines

    def missed(self, story: Story) -> str:
        if not story.missed:
            return self._("none_missed")
        return self._("missed", phases=", ".join(self.s.bold(self.s.text(p.name)) for p in story.missed))

    # key moments ------------------------------------------------------------------------
    def moment_line(self, m: Moment) -> str:
        return self._("moment_line", when=self.s.when(m.at), offset=self.t.duration(m.since_open), sentence=self.moment(m))

    def moment(self, m: Moment) -> str:
        s, d = self.s, m.data
        author = s.user(m.author)
        if m.kind is Kind.OPENED:
            return self._("moment.opened", author=author, severity=s.text(self._severity(d.get("severity"))))
        if m.kind is Kind.ROLE:
            role, user = s.bold(s.text(self._role(d.get("role")))), s.user(d.get("user"))
            if d.get("previous") and d.get("previous") != d.get("user"):
                return self._("moment.role_handoff", user=user, role=role, previous=s.user(d["previous"]))
            return self._("moment.role_default" if d.get("default") else "moment.role", user=user, role=role)
        if m.kind is Kind.SITREP:
            fields = ", ".join(s.text(self._field(k)) for k in d.get("changed") or [])
            return self._("moment.sitrep", author=author, version=d.get("version", "?"), fields=fields)
        if m.kind is Kind.MILESTONE:
            phase = s.bold(s.text(self._phase(d.get("phase"))))
            note = str(d.get("note") or "")
            if note:
                line = self._("moment.milestone_note", author=author, phase=phase, note=s.snippet(note))
            else:
                line = self._("moment.milestone", author=author, phase=phase)
            if d.get("repeated"):
                line += self._("moment.again")
            if d.get("skipped"):
                line += self._("moment.skipped",
                               phases=", ".join(s.text(self._phase(k)) for k in d["skipped"]))
            return line
        if m.kind is Kind.NOTE:
            return self._("moment.note", author=author, text=s.snippet(str(d.get("text") or "")))
        if m.kind is Kind.UPDATE:
            return self._("moment.update", author=author, text=s.snippet(str(d.get("text") or "")))
        if m.kind is Kind.PINNED:
            return self._("moment.pinned", author=author, text=s.snippet(str(d.get("text") or "")),
                          pinned_by=s.user(d.get("pinned_by")))
        if m.kind is Kind.ESCALATION:
            if d.get("kind") == "golden_hour" or d.get("reason") == "golden_hour":
                return self._("moment.escalation_golden_hour")
            if d.get("reason"):
                return self._("moment.escalation_reason", reason=s.snippet(str(d["reason"])))
            return self._("moment.escalation")
        if m.kind is Kind.ALERT:
            return self.alert(m)
        if m.kind is Kind.CHANGE:
            return self._("moment.change", source=s.text(str(d.get("source") or "")),
                          title=s.snippet(str(d.get("title") or "")))
        if m.kind is Kind.CLOSED:
            return self._("moment.closed", author=author)
        if m.kind is Kind.INVITED:
            return self._("moment.invited", author=author, users=", ".join(s.user(u) for u in d.get("users") or []))
        if m.kind in (Kind.REOPENED, Kind.ARCHIVED):
            return self._(f"moment.{m.kind.value}", author=author)
        if m.kind is Kind.SEVERITY:
            return self._("moment.severity", author=author, severity=s.text(self._severity(d.get("severity"))),
                          previous=s.text(self._severity(d.get("previous"))))
        return self._("moment.other", author=author, kind=s.text(m.kind.value))

    def more_moments(self, story: Story, count: int) -> str:
        return self._("more_moments", count=self.t.number(count), command=self.s.code(export_command(story)))

    # alerts -----------------------------------------------------------------------------
    def alert(self, m: Moment) -> str:
        s, d = self.s, m.data
        title = s.snippet(str(d.get("title") or ""))
        if d.get("source"):
            line = self._("moment.alert", source=s.text(str(d["source"])), title=title)
        else:
            line = self._("moment.alert_no_source", title=title)
        count = d.get("count")
        if isinstance(count, int) and count > 1:
            line += self._("moment.alert_repeats", count=self.t.number(count))
        return line

    def alert_line(self, m: Moment) -> str:
        return self._("moment_line", when=self.s.when(m.at), offset=self.t.duration(m.since_open), sentence=self.alert(m))

    def alerts_count(self, story: Story) -> str:
        return self._("alerts_count", count=self.t.number(story.alert_count)) if story.alerts else self._("alerts_none")

    # what we learned --------------------------------------------------------------------
    def lessons(self, story: Story) -> list[str]:
        return [self.s.text(lesson) for lesson in story.lessons]

    def plan_change(self, story: Story) -> str:
        return self._("plan_changes") if story.lessons else self._("plan_unchanged")

    # plan words -------------------------------------------------------------------------
    def _word(self, what: str, key: object) -> str:
        key = str(key or "")
        word = self._words.get((what, key))
        if word is None:
            word = self._words[(what, key)] = self._look_up(what, key)
        return word

    def _look_up(self, what: str, key: str) -> str:
        if what == "role":
            role = self.plan.role(key)
            return role.name if role else key
        if what == "phase":
            phase = self.plan.phase(key)
            return phase.name if phase else key
        if what == "field":
            spec = self.plan.sitrep_field(key)
            return spec.label if spec else key
        severity = self.plan.severity(key)
        return severity.label if severity else key

    def _role(self, key: object) -> str:
        return self._word("role", key)

    def _phase(self, key: object) -> str:
        return self._word("phase", key)

    def _field(self, key: object) -> str:
        return self._word("field", key)

    def _severity(self, key: object) -> str:
        return self._word("severity", key)


def story_blocks(story: Story, plan: Plan, t: Catalog) -> Rendered:
    """(fallback text, blocks) of the closing story, within Block Kit's limits."""
    w = StoryText(t, plan, SlackStyle(t))
    crisis = story.crisis

    def title(key: str) -> str:
        return f"*{t.t(f'story.{key}')}*"

    def bullets(lines: list[str]) -> list[str]:
        return [f"• {line}" for line in lines]

    blocks: list[dict] = [
        header(t.t("story.header", title=crisis.title)),
        section("\n".join([*w.summary(story), w.outcome(story)])),
        divider(),
    ]
    blocks += sections(bullets(w.report(story)), title("what_happened"))
    if notes := w.report_notes(story):
        blocks.append(context(" ".join(notes)))
    blocks += sections(bullets(w.team(story)), title("who_responded"))
    if others := w.others(story):
        blocks.append(context(others))
    blocks += sections([w.first_response(story), *w.phases(story), w.missed(story)], title("how_it_unfolded"))

    shown = story.highlights(MAX_MOMENTS)
    moments = bullets([w.moment_line(m) for m in shown]) or [t.t("story.no_moments")]
    if len(shown) < len(story.moments):
        moments.append(w.more_moments(story, len(story.moments) - len(shown)))
    blocks += sections(moments, title("key_moments"))

    alerts = [w.alerts_count(story), *bullets([w.alert_line(m) for m in story.alerts[:MAX_ALERTS]])]
    if story.alert_count > MAX_ALERTS:
        alerts.append(t.t("story.more_alerts", count=t.number(story.alert_count - MAX_ALERTS)))
    blocks += sections(alerts, title("alerts_received"))

    learned = bullets(w.lessons(story)) or [t.t("story.lessons_none")]
    blocks += sections([*learned, w.plan_change(story)], title("learned"))
    blocks.append(context(t.t("story.export_hint", command=f"`{export_command(story)}`")))

    duration = t.duration(story.duration) if story.duration is not None else "?"
    fallback = t.t("story.fallback", title=esc(crisis.title), duration=duration)
    return fallback, limit_blocks(blocks, t.t("story.truncated", count="{count}"))


# The last story rendered, by identity: closing posts one Story to the room and to the managers, and it is
# rendered once for both. One entry, and only a weak reference to the story, so nothing piles up and no
# story is kept alive by it; a Story is never changed once built.
_last_rendered: tuple[weakref.ref[Story], Plan, Catalog, Rendered] | None = None


def render_story(notice: Notice, ctx: RenderContext) -> Rendered:
    """The closing story of a notice that carries the `story` (built once by the close) or its `dossier`."""
    global _last_rendered
    story = notice.data.get("story")
    if story is None:
        return story_blocks(build_story(notice.data["dossier"], ctx.plan), ctx.plan, ctx.catalog)
    last = _last_rendered
    if last is not None and last[0]() is story and last[1] is ctx.plan and last[2] is ctx.catalog:
        text, blocks = last[3]
    else:
        text, blocks = story_blocks(story, ctx.plan, ctx.catalog)
        _last_rendered = (weakref.ref(story), ctx.plan, ctx.catalog, (text, blocks))
    return text, list(blocks)


RENDERERS = {"story": render_story}
