"""A change event: something a team did (a deploy, a config change), not a problem.

PagerDuty's Events API v2 sends them to `/v2/change/enqueue`; crisisbot takes the same body at
`POST /alerts/pagerduty`. A change never opens a crisis or asks for triage: it is a timeline entry of the
open crisis it concerns (same service, same `payload.source`, or the alert key it names), or it is only
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChangeRoute(StrEnum):
    NOTED = "noted"  # a timeline entry of an open crisis
    RECORDED = "recorded"  # no open crisis it concerns: kept, nothing else


@dataclass(frozen=True)
class Change:
    source: str
    summary: str
    service: str | None = None  # PagerDuty's routing_key: the service the change was made to
    origin: str | None = None  # payload.source: where the change happened
    key: str | None = None  # an alert key the change names (custom_details.dedup_key)
    at: datetime | None = None
    url: str | None = None
    raw: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ChangeIntake:
    route: ChangeRoute
    change_id: int
    crisis_id: int | None = None
