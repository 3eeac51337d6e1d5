"""A PagerDuty Events API v2 event, so any tool that can page PagerDuty can alert crisisbot instead.

`trigger` is firing and `resolve` resolved. `acknowledge` means somebody is on it, not that it is over:
it stays firing, flagged `acknowledged`, so it can attach to a crisis but should never open one.
`routing_key` is accepted and ignored: crisisbot authenticates the request, not the event.
"""

from __future__ import annotations

from bot.domain.alerts import KEY_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT, Alert, AlertStatus, neutral_severity
from handlers.alert_formats.common import collapse, derived_key, first_url, networks_in, numbers_in, top, within

SOURCE = "pagerduty"
ACTIONS = ("trigger", "acknowledge", "resolve")
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
_STATUS = {"trigger": AlertStatus.FIRING, "acknowledge": AlertStatus.FIRING, "resolve": AlertStatus.RESOLVED}


def parse(data: dict) -> Alert:
    """The alert a PagerDuty event describes; AlertShapeError names every field at fault."""
    body = top(data)
    body.text("routing_key")
    action = body.choice("event_action", ACTIONS, required=True)
    key = body.text("dedup_key", limit=KEY_LIMIT, blank=False)
    if action in ("acknowledge", "resolve") and not body.present("dedup_key"):
        body.fail("dedup_key", f"required to {action}")
    body.text("client")
    body.text("client_url")
    for link in body.objects("links"):
        link.text("href", required=True)
        link.text("text")
    for image in body.objects("images"):
        image.text("src", required=True)

    trigger = action == "trigger"
    payload = body.obj("payload", required=trigger)
    summary = severity = source = None
    started_at = None
    details: dict = {}
    if payload is not None:
        summary = payload.text("summary", required=trigger, limit=TITLE_LIMIT, blank=False)
        severity = payload.choice("severity", PAGERDUTY_SEVERITIES, required=trigger)
        source = payload.text("source")
        for name in ("component", "group", "class"):
            payload.text(name)
        started_at = payload.timestamp("timestamp")
        if isinstance(payload.data.get("custom_details"), dict):  # any JSON is allowed there
            details = payload.data["custom_details"]
    description = details.get("description")
    if not isinstance(description, str) or not within(
        "payload.custom_details.description", description, SUMMARY_LIMIT, body.problems
    ):
        description = ""
    body.raise_if_any()

    if key is None:  # a trigger without a key: PagerDuty would make one up; ours is stable instead
        key = derived_key(SOURCE, source or "", summary or "")
    links = data.get("links") or []
    return Alert(
        source=SOURCE,
        key=key.strip(),
        title=collapse(summary) if summary else key.strip(),
        summary=description.strip(),
        severity=neutral_severity(SOURCE, severity),
        source_severity=severity,
        status=_STATUS[action or "trigger"],
        url=first_url(*(link.get("href") for link in links), data.get("client_url")),
        networks=networks_in(details),
        metrics=numbers_in(details),
        started_at=started_at,
        raw=data,
        acknowledged=action == "acknowledge",
    )
