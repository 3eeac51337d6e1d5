"""The pinned crisis plan, rendered within Block Kit's limits."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.domain.crisis import Crisis
from bot.domain.plan import Plan
from handlers.blocks.kit import context, divider, header, limit_blocks, section, sections, when
from handlers.escape import esc


def plan_message(crisis: Crisis, plan: Plan, t: Catalog) -> tuple[str, list[dict]]:
    """(fallback text, blocks) of the crisis plan for this crisis."""
    severity = plan.severity(crisis.severity)
    severity_label = severity.label if severity else crisis.severity
    blocks: list[dict] = [
        header(t.t("plan.header", title=crisis.title)),
        context(
            t.t("plan.context", severity=esc(severity_label), lead=crisis.lead,
                opened_by=crisis.opened_by, opened_at=when(crisis.opened_at))
        ),
    ]
    if crisis.description:
        blocks.append(section(t.t("plan.description", description=esc(crisis.description))))
    blocks.append(section(t.t("plan.golden_hour", minutes=plan.first_response_minutes)))
    blocks.append(divider())

    phase_lines = []
    for n, phase in enumerate(plan.phases, start=1):
        phase_lines.append(t.t("plan.phase_line", n=n, name=esc(phase.name), summary=esc(phase.summary)))
        phase_lines.extend(f"    ◦ {esc(a)}" for a in phase.actions)
    blocks += sections(phase_lines, t.t("plan.phases_title"))

    role_lines = [
        t.t("plan.role_line", name=esc(r.name),
            holder=f"<@{crisis.lead}>" if r.key == plan.lead_role else t.t("plan.unassigned"))
        for r in plan.roles
    ]
    blocks += sections(role_lines, t.t("plan.roles_title"))

    required = t.t("plan.required_mark")
    sitrep_lines = [f"• {esc(f.label)}{required if f.required else ''}" for f in plan.sitrep]
    blocks += sections(sitrep_lines, t.t("plan.sitrep_title"))

    blocks.append(divider())
    blocks += sections([f"• {esc(d)}" for d in plan.dos], t.t("plan.dos_title"))
    blocks += sections([f"• {esc(d)}" for d in plan.donts], t.t("plan.donts_title"))
    fallback = t.t("plan.header", title=esc(crisis.title))
    return fallback, limit_blocks(blocks, t.t("plan.truncated", count="{count}"))
