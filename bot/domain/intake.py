"""What an incoming alert means for crises: open one, attach to one, triage, or just record it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.alerts import Alert, neutral_severity
from bot.domain.crisis import Crisis, Status
from bot.domain.plan import Plan

ALERT_PREFIX = "alert:"  # a crisis an alert opened was "opened by" alert:<source>


class Route(StrEnum):
    OPENED = "opened"  # a new crisis
    ATTACHED = "attached"  # to the open crisis of the same key
    TRIAGED = "triaged"  # below the auto-open severity: a person decides
    RECORDED = "recorded"  # resolved or acknowledged with nothing open: kept, nothing else


@dataclass(frozen=True)
class Intake:
    """Where a stored alert went; what the sender is told."""

    route: Route
    alert_id: int
    crisis_id: int | None = None
    triage_id: int | None = None
    new_triage: bool = False
    change: str = ""  # "resolved" or "acknowledged": a state change told at once, not a new alert
    digest: bool = False  # attached to an open crisis whose digest is due: tell it now rather than at the tick


def tier(alert: Alert, plan: Plan) -> str:
    """The plan tier of an alert: the tool's words read through the plan's tables."""
    table = plan.alerts.words.get(alert.source)
    neutral = neutral_severity(alert.source, alert.source_severity, table) if table else alert.severity
    return plan.alert_tier(neutral)


def opens_crisis(alert: Alert, alert_tier: str, plan: Plan) -> bool:
    return (alert.is_firing and not alert.acknowledged
            and plan.tier_rank(alert_tier) >= plan.tier_rank(plan.alerts.auto_open))


def alert_lead(plan: Plan) -> str:
    """Who leads a crisis an alert opened: the plan's alert lead, else the lead role's first default holder."""
    if plan.alerts.lead:
        return plan.alerts.lead
    return next((h for h in plan.lead.default_holders if h.startswith(("U", "W"))), "")


def crisis_from(alert: Alert, alert_tier: str, plan: Plan, now: datetime, language: str = "en") -> Crisis:
    """The crisis an alert opens, its text cut to the plan's limits (the whole alert stays stored)."""
    title = " ".join(alert.title.split())[: plan.limits.title] or alert.key[: plan.limits.title]
    return Crisis(
        title=title,
        severity=alert_tier,
        description=alert.summary.strip()[: plan.limits.description],
        opened_by=ALERT_PREFIX + alert.source,
        lead=alert_lead(plan),
        opened_at=now,
        status=Status.OPENING,
        alert_source=alert.source,
        alert_key=alert.key,
        language=language,
    )


def sitrep_prefill(alert: Alert, plan: Plan) -> dict[str, str]:
    """The report fields an alert already answers: where it spreads, where it started, the reach."""
    fields: dict[str, str] = {}
    if alert.networks and plan.sitrep_field("networks"):
        fields["networks"] = ", ".join(alert.networks)
    origin = alert.title + (f" ({alert.url})" if alert.url else "")
    if plan.sitrep_field("origin"):
        fields["origin"] = origin
    if alert.metrics and plan.sitrep_field("reach"):
        fields["reach"] = ", ".join(f"{name.replace('_', ' ')}: {value:g}" for name, value in alert.metrics.items())
    return {k: v[: plan.limits.field] for k, v in fields.items()}
