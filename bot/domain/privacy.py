"""What may leave a private crisis: to the managers' channel, only the line the plan allows; to a person,
only what a member of the crisis may see. The rule is here; bot/services/privacy.py finds the members."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError
from bot.domain.notices import Audience, Notice
from bot.domain.plan import Plan

PRIVATE_LINE = "private_line"
# The moments the managers hear of a private crisis at all: that one opened, and that it closed.
TOLD = {"announce": "opened", "story": "closed"}


def for_audience(notice: Notice, plan: Plan) -> Notice | None:
    """The notice as its audience may see it; None when they may not see it at all."""
    crisis = notice.crisis
    if notice.audience is not Audience.MANAGERS or crisis is None or not crisis.private:
        return notice
    moment = TOLD.get(notice.kind)
    if moment is None or plan.private_managers_line == "":
        return None
    return replace(notice, kind=PRIVATE_LINE, data={"moment": moment})


class NotAMember(CrisisError):
    """Somebody outside a private crisis named it (a button, a form, a typed id)."""

    key = "privacy.not_a_member"


class NotAnAdmin(CrisisError):
    key = "privacy.adopt_admins_only"


def may_see(crisis: Crisis, user: str, members: frozenset[str]) -> bool:
    """A public crisis is anyone's; a private one only its members' (its channel's members and its
    recorded team: who opened it, its lead, its role holders)."""
    return not crisis.private or user in members or user in (crisis.opened_by, crisis.lead)


def check_member(crisis: Crisis, user: str, members: frozenset[str]) -> None:
    if not may_see(crisis, user, members):
        raise NotAMember()
