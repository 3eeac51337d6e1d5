"""Status, closing summary, help and topic texts."""

from __future__ import annotations

from datetime import datetime

from bot.catalog import Catalog
from bot.domain.crisis import Crisis
from bot.domain.plan import Plan, Role
from bot.domain.sitrep import Sitrep
from bot.domain.words import fold
from handlers.blocks.kit import context, section, sections, mention
from handlers.escape import cut, esc

MAX_TOPIC = 250


def severity_label(crisis: Crisis, plan: Plan) -> str:
    severity = plan.severity(crisis.severity)
    return severity.label if severity else crisis.severity


def phase_name(crisis: Crisis, plan: Plan, t: Catalog) -> str:
    phase = plan.phase(crisis.phase) if crisis.phase else None
    return esc(phase.name) if phase else t.t("open.no_phase")


def topic(crisis: Crisis, plan: Plan, t: Catalog) -> str:
    """lead · phase · severity, kept current; Slack allows 250 characters."""
    if crisis.is_closed:
        key = "closed.topic_outcome" if crisis.outcome else "closed.topic"
        return cut(t.t(key, outcome=esc(crisis.outcome or ""), title=esc(crisis.title)), MAX_TOPIC)
    return cut(t.t("open.topic", severity=esc(severity_label(crisis, plan)), lead=mention(crisis.lead, t),
                   phase=phase_name(crisis, plan, t), title=esc(crisis.title)), MAX_TOPIC)


def status_blocks(crisis: Crisis, plan: Plan, t: Catalog, now: datetime, sitrep: Sitrep | None = None) -> list[dict]:
    blocks = [
        section(t.t("status.header", title=esc(crisis.title))),
        section(t.t("status.line", status=t.t(f"status.state.{crisis.status.value}"),
                    severity=esc(severity_label(crisis, plan)), lead=mention(crisis.lead, t),
                    phase=phase_name(crisis, plan, t), age=t.duration(crisis.age(now)))),
    ]
    if sitrep is not None:
        blocks += sitrep_blocks(sitrep, plan, t)
    if crisis.is_closed:
        blocks.append(context(t.t("status.closed_line", closed_by=crisis.closed_by, age=t.duration(crisis.age(now)))))
    return blocks


def sitrep_blocks(sitrep: Sitrep, plan: Plan, t: Catalog) -> list[dict]:
    if not sitrep.versions:
        return [context(t.t("status.sitrep_empty"))]
    current = sitrep.current
    lines = [t.t("status.sitrep_line", label=esc(f.label),
                 value=esc(f.choice_label(current[f.key])))
             for f in plan.sitrep if current.get(f.key)]
    blocks = sections(lines, t.t("status.sitrep_title", version=sitrep.versions[-1].version))
    if missing := sitrep.missing(plan):
        blocks.append(context(t.t("status.sitrep_missing", fields=", ".join(esc(f.label) for f in missing))))
    return blocks


def roster_text(roster: list[tuple[Role, str | None]], t: Catalog) -> str:
    lines = [t.t("roles.line", role=esc(r.name), user=u) if u else t.t("roles.unfilled", role=esc(r.name))
             for r, u in roster]
    return "\n".join([t.t("roles.title"), *lines])


def active_list(crises: list[Crisis], plan: Plan, t: Catalog, now: datetime) -> str:
    if not crises:
        return t.t("status.none_here") + "\n" + t.t("status.no_active")
    lines = [
        t.t("status.active_line", channel=c.channel_id, title=esc(c.title),
            severity=esc(severity_label(c, plan)), age=t.duration(c.age(now)))
        for c in crises if c.channel_id
    ]
    return "\n".join([t.t("status.none_here"), t.t("status.active_title"), *lines])


def _choices(plan: Plan) -> dict[str, str]:
    """The plan's words a help or usage line lists, escaped once (the templates carry no user text), in the
    plan's language where a word of it is one the plan takes (`portavoz`, `origen`), else the key."""
    translated = plan.text_language != plan.language  # the plan as written lists its keys

    def word(name: str, key: str, aliases, find) -> str:
        return esc(typed_word(name, key, aliases, find) if translated else key)

    return {"severities": ", ".join(word(s.label, s.key, (), plan.severity) for s in plan.severities),
            "roles": ", ".join(word(r.name, r.key, r.aliases, plan.role) for r in plan.roles),
            "fields": ", ".join(word(f.label, f.key, f.aliases, plan.sitrep_field) for f in plan.sitrep),
            "phases": ", ".join(esc(p.name.lower()) for p in plan.phases)}


def typed_word(name: str, key: str, aliases, find) -> str:
    """One word a person can type for a plan entry: a word of its shown name that names it (an alias, the key,
    or the name itself when it is one word), else its key."""
    words = [w.strip(".,;:()") for w in name.lower().split()]
    folded = {fold(w): w for w in words}
    for word in (*aliases, key):
        if fold(word) in folded and find(word) is not None:
            return folded[fold(word)]
    if len(words) == 1 and find(words[0]) is not None:
        return words[0]
    return key


def help_text(plan: Plan, t: Catalog, unknown: str | None = None) -> str:
    text = t.t("help.text", **_choices(plan))
    if unknown:
        text = t.t("help.unknown", word=esc(unknown)) + "\n" + text
    return text


def usage_text(command: str, plan: Plan, t: Catalog) -> str:
    """A subcommand's usage line (typed without its argument); the whole help for one that has none."""
    try:
        return t.t(f"commands.usage.{command}", **_choices(plan))
    except KeyError:
        return help_text(plan, t)
