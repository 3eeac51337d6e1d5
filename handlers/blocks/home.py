"""The App Home tab: the active crises and the last ones closed."""

from __future__ import annotations

from datetime import datetime

from bot.catalog import Catalog
from bot.domain.crisis import Crisis
from bot.domain.plan import Plan
from bot.domain.story import FirstResponse
from handlers.blocks.kit import context, divider, header, section, when, mention
from handlers.blocks.messages import severity_label
from handlers.escape import esc

MAX_VIEW_BLOCKS = 100
MAX_ACTIVE = 60  # the rest of the 100 blocks go to the frame and the closed crises
MAX_CLOSED = 10  # each may bring an adoption button: 60 + 10 * 2 + the frame stays under 100


def _link(crisis: Crisis, t: Catalog) -> str:
    lock = t.t("home.private") if crisis.private else ""
    return lock + (f"<#{crisis.channel_id}>" if crisis.channel_id else "")


def phase_name(crisis: Crisis, plan: Plan, t: Catalog) -> str:
    phase = plan.phase(crisis.phase) if crisis.phase else None
    return phase.name if phase else t.t("home.not_started")


def first_response_text(fr: FirstResponse, t: Catalog) -> str:
    if fr.took is None:
        return t.t("home.first_response_none")
    key = "home.first_response_within" if fr.within_target else "home.first_response_late"
    return t.t(key, took=t.duration(fr.took))


ADOPT_LESSONS = "lessons_adopt"  # an admin shares a private crisis's lessons with every later plan


def adopt_button(crisis: Crisis, count: int, t: Catalog) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": t.t("privacy.adopt_line", count=count)},
            "accessory": {"type": "button", "action_id": ADOPT_LESSONS, "value": str(crisis.id),
                          "text": {"type": "plain_text", "text": t.t("privacy.adopt_button")}}}


def home_view(active: list[Crisis], closed: list[tuple[Crisis, FirstResponse]], plan: Plan, t: Catalog,
              now: datetime, adoptable: dict[int, int] | None = None) -> dict:
    """The Home view for one person: only the crises they may see are passed in; `adoptable` (for an admin)
    counts the lessons of private crises they may share with every plan."""
    blocks: list[dict] = [header(t.t("home.header")), section(t.t("home.intro")), divider(),
                          section(t.t("home.active_title"))]
    for crisis in active[:MAX_ACTIVE]:
        blocks.append(section(t.t(
            "home.active_line", link=_link(crisis, t), title=esc(crisis.title), phase=esc(phase_name(crisis, plan, t)),
            lead=mention(crisis.lead, t), severity=esc(severity_label(crisis, plan)), age=t.duration(crisis.age(now)))))
    if not active:
        blocks.append(context(t.t("home.no_active")))
    elif len(active) > MAX_ACTIVE:
        blocks.append(context(t.t("home.more_active", count=len(active) - MAX_ACTIVE)))

    blocks += [divider(), section(t.t("home.closed_title"))]
    for crisis, fr in closed[:MAX_CLOSED]:
        assert crisis.closed_at is not None
        blocks.append(section(t.t(
            "home.closed_line", link=_link(crisis, t), title=esc(crisis.title),
            first_response=first_response_text(fr, t), duration=t.duration(crisis.age(crisis.closed_at)),
            closed_at=when(crisis.closed_at))))
        if (adoptable or {}).get(crisis.id or 0):
            blocks.append(adopt_button(crisis, (adoptable or {})[crisis.id or 0], t))
    if not closed:
        blocks.append(context(t.t("home.no_closed")))
    blocks.append(context(t.t("home.updated", when=when(now))))
    assert len(blocks) <= MAX_VIEW_BLOCKS
    return {"type": "home", "blocks": blocks}
