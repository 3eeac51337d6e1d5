"""Who may do what: closing a crisis, handing over the lead and changing severity are the lead's and admins'."""

from __future__ import annotations

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError


class NotAllowed(CrisisError):
    key = "error.not_allowed"


def may_steer(crisis: Crisis, user: str, admins: frozenset[str]) -> bool:
    """The lead and admins may; when nobody leads yet (an alert opened it), anyone in the room may."""
    return user in admins or user == crisis.lead or not crisis.lead


def check_steer(crisis: Crisis, user: str, admins: frozenset[str], action: str) -> None:
    if not may_steer(crisis, user, admins):
        raise NotAllowed(action=action, lead=crisis.lead)
