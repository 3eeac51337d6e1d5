"""The pinned crisis plan, rendered within Block Kit's limits."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.domain.crisis import Crisis
from bot.domain.lessons import Lesson
from bot.domain.plan import Plan
from handlers.blocks.kit import context, divider, header, limit_blocks, section, sections, when, mention
from handlers.escape import esc


TAKE_ROLE, PHASE_SELECT, CLOSE_OPEN, REOPEN = "take_role", "phase_select", "close_open", "crisis_reopen"


def plan_marker(crisis: Crisis) -> str:
    """The block id that tells this crisis's plan message apart from any other message."""
    return f"crisis-plan-{crisis.id}"


def plan_actions(crisis: Crisis, plan: Plan, t: Catalog) -> dict:
    """The buttons on the pinned plan: take a role, record a phase, the report, close."""
    value = str(crisis.id)
    phases = [{"text": {"type": "plain_text", "text": p.name[:75]}, "value": f"{crisis.id}:{p.key}"}
              for p in plan.phases]
    return {"type": "actions", "block_id": "plan_actions", "elements": [
        {"type": "button", "action_id": TAKE_ROLE, "value": value,
         "text": {"type": "plain_text", "text": t.t("plan.actions.take_role")}},
        {"type": "static_select", "action_id": PHASE_SELECT, "options": phases[:100],
         "placeholder": {"type": "plain_text", "text": t.t("plan.actions.phase_placeholder")}},
        {"type": "button", "action_id": "sitrep_open", "value": value,
         "text": {"type": "plain_text", "text": t.t("plan.actions.sitrep")}},
        {"type": "button", "action_id": CLOSE_OPEN, "value": value, "style": "danger",
         "text": {"type": "plain_text", "text": t.t("plan.actions.close")}},
    ]}


def reopen_actions(crisis: Crisis, t: Catalog) -> dict:
    return {"type": "actions", "block_id": "crisis_reopen", "elements": [
        {"type": "button", "action_id": REOPEN, "value": str(crisis.id), "style": "primary",
         "text": {"type": "plain_text", "text": t.t("closed.reopen_button")}}]}


def closed_line(crisis: Crisis, t: Catalog) -> str:
    """*Closed*, by whom and when, with the outcome when the close form gave one."""
    by = mention(crisis.closed_by, t)
    at = when(crisis.closed_at) if crisis.closed_at else ""
    if crisis.outcome:
        return t.t("closed.plan_line_outcome", by=by, at=at, outcome=esc(crisis.outcome))
    return t.t("closed.plan_line", by=by, at=at)


def crisis_actions(crisis: Crisis, plan: Plan, t: Catalog) -> tuple[str, list[dict]]:
    """What bare `/crisis` shows in a crisis channel: the plan's buttons, or Reopen once it is closed."""
    if crisis.is_closed:
        text = t.t("closed.actions_closed", title=esc(crisis.title))
        return text, [section(text), context(closed_line(crisis, t)), reopen_actions(crisis, t)]
    text = t.t("closed.actions_open", title=esc(crisis.title))
    return text, [section(text), plan_actions(crisis, plan, t)]


def plan_message(crisis: Crisis, plan: Plan, t: Catalog, lessons: list[Lesson] | None = None,
                 holders: dict[str, str] | None = None) -> tuple[str, list[dict]]:
    """(fallback text, blocks) of the crisis plan for this crisis: who holds each role, and the
    lessons of past crises."""
    severity = plan.severity(crisis.severity)
    severity_label = severity.label if severity else crisis.severity
    blocks: list[dict] = [
        {**header(t.t("plan.header", title=crisis.title)), "block_id": plan_marker(crisis)},
        context(
            t.t("plan.context", severity=esc(severity_label), lead=mention(crisis.lead, t),
                opened_by=mention(crisis.opened_by, t), opened_at=when(crisis.opened_at))
        ),
    ]
    if crisis.is_closed:  # no buttons: a closed crisis takes no roles, phases or reports
        blocks.append(section(closed_line(crisis, t)))
    elif crisis.id is not None:
        blocks.append(plan_actions(crisis, plan, t))
    if crisis.description:
        blocks.append(section(t.t("plan.description", description=esc(crisis.description))))
    holder = {role: f"<@{user}>" for role, user in (holders or {}).items()}
    if crisis.lead:
        holder[plan.lead_role] = f"<@{crisis.lead}>"
    blocks += _body(plan, t, lessons or [], lambda role: holder.get(role.key, t.t("plan.unassigned")))
    fallback = t.t("plan.header", title=esc(crisis.title))
    return fallback, limit_blocks(blocks, t.t("plan.truncated", count="{count}"))


def reference_plan(plan: Plan, t: Catalog, lessons: list[Lesson]) -> tuple[str, list[dict]]:
    """The plan as the team reads it outside any crisis: each role with its brief."""
    blocks = [header(plan.name)]
    blocks += _body(plan, t, lessons, lambda role: esc(role.brief) or t.t("plan.unassigned"))
    return esc(plan.name), limit_blocks(blocks, t.t("plan.truncated", count="{count}"))


def _body(plan: Plan, t: Catalog, lessons: list[Lesson], holder) -> list[dict]:
    blocks = [section(t.t("plan.golden_hour", minutes=plan.first_response_minutes)), divider()]
    phase_lines = []
    for n, phase in enumerate(plan.phases, start=1):
        phase_lines.append(t.t("plan.phase_line", n=n, name=esc(phase.name), summary=esc(phase.summary)))
        phase_lines.extend(f"    ◦ {esc(a)}" for a in phase.actions)
    blocks += sections(phase_lines, t.t("plan.phases_title"))
    blocks += sections([t.t("plan.role_line", name=esc(r.name), holder=holder(r)) for r in plan.roles],
                       t.t("plan.roles_title"))
    required = t.t("plan.required_mark")
    blocks += sections([f"• {esc(f.label)}{required if f.required else ''}" for f in plan.sitrep],
                       t.t("plan.sitrep_title"))
    blocks.append(divider())
    blocks += sections([f"• {esc(d)}" for d in plan.dos], t.t("plan.dos_title"))
    blocks += sections([f"• {esc(d)}" for d in plan.donts], t.t("plan.donts_title"))
    if lessons:
        lines = [t.t("plan.lesson_line", text=esc(x.text), crisis=x.crisis_id, date=f"{x.at:%Y-%m-%d}")
                 for x in lessons]
        blocks.append(divider())
        blocks += sections(lines, t.t("plan.lessons_title"))
    return blocks
