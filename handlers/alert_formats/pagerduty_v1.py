"""PagerDuty's Events API v1 (`service_key`, `event_type`), as Alertmanager's `pagerduty_configs` sends it
when configured with a `service_key`, and PagerDuty's v2 change events (`/v2/change/enqueue`).

Both arrive at `POST /alerts/pagerduty` beside v2 alert events; `handlers.alert_formats` tells them apart by
shape. A v1 event becomes the same Alert a v2 event would: `trigger` firing, `resolve` resolved,
`acknowledge` firing and flagged `acknowledged`. v1 has no severity field; `details.severity`, when a
tool puts one there, is read as PagerDuty's words.
"""

from __future__ import annotations

from bot.domain.alerts import KEY_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT, Alert, AlertStatus, neutral_severity
from bot.domain.changes import Change
from handlers.alert_formats.common import (
    collapse,
    derived_key,
    first_url,
    networks_in,
    numbers_in,
    top,
    within,
)
from handlers.alert_formats.pagerduty import SOURCE

EVENT_TYPES = ("trigger", "acknowledge", "resolve")
_STATUS = {"trigger": AlertStatus.FIRING, "acknowledge": AlertStatus.FIRING, "resolve": AlertStatus.RESOLVED}
_COUNTS = ("num_firing", "num_resolved")  # Alertmanager's bookkeeping in details, not metrics


def is_v1(data: dict) -> bool:
    return isinstance(data, dict) and "event_action" not in data and ("event_type" in data or "service_key" in data)


def is_change(data: dict) -> bool:
    """The change-event shape: a routing key and a payload, but no event_action (nor v1's event_type).

    A payload with a `severity` is an alert event that forgot its event_action: refused by name as one,
    rather than quietly recorded as a change."""
    return (isinstance(data, dict) and "event_action" not in data and "event_type" not in data
            and "service_key" not in data and "routing_key" in data
            and isinstance(data.get("payload"), dict) and "severity" not in data["payload"])


def parse(data: dict) -> Alert:
    """The alert a v1 event describes; AlertShapeError names every field at fault."""
    body = top(data)
    body.text("service_key", required=True, blank=False)
    action = body.choice("event_type", EVENT_TYPES, required=True)
    key = body.text("incident_key", limit=KEY_LIMIT, blank=False)
    if action in ("acknowledge", "resolve") and key is None and not body.present("incident_key"):
        body.fail("incident_key", f"required to {action}")
    description = body.text("description", required=action == "trigger", limit=TITLE_LIMIT, blank=False)
    body.text("client")
    client_url = body.text("client_url")
    links = []
    for context in body.objects("contexts"):
        kind = context.choice("type", ("link", "image"), required=True)
        href = context.text("href", required=kind == "link")
        context.text("src", required=kind == "image")
        context.text("text")
        if kind == "link" and href:
            links.append(href)
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    severity = details.get("severity") if isinstance(details.get("severity"), str) else None
    summary = next((details[n] for n in ("description", "firing") if isinstance(details.get(n), str)), "")
    if not within("details.description", summary, SUMMARY_LIMIT, body.problems):
        summary = ""
    body.raise_if_any()

    if key is None:  # PagerDuty would use a hash of the description; so do we, readable
        key = derived_key(SOURCE, description or "")
    return Alert(
        source=SOURCE,
        key=key.strip(),
        title=collapse(description) if description else key.strip(),
        summary=summary.strip(),
        severity=neutral_severity(SOURCE, severity),
        source_severity=severity,
        status=_STATUS[action or "trigger"],
        url=first_url(*links, client_url),
        networks=networks_in(details),
        metrics={k: v for k, v in numbers_in(details).items() if k not in _COUNTS},
        raw=data,
        acknowledged=action == "acknowledge",
    )


def parse_change(data: dict) -> Change:
    """The change a `/v2/change/enqueue` body describes; AlertShapeError names every field at fault."""
    body = top(data)
    service = body.text("routing_key", required=True, blank=False)
    payload = body.obj("payload", required=True)
    summary = origin = None
    at = None
    details: dict = {}
    if payload is not None:
        summary = payload.text("summary", required=True, limit=TITLE_LIMIT, blank=False)
        origin = payload.text("source")
        at = payload.timestamp("timestamp")
        if isinstance(payload.data.get("custom_details"), dict):
            details = payload.data["custom_details"]
    hrefs = [link.text("href", required=True) for link in body.objects("links")]
    key = next((details[n] for n in ("dedup_key", "incident_key")
                if isinstance(details.get(n), str) and details[n].strip()), None)
    body.raise_if_any()
    return Change(source=SOURCE, summary=collapse(summary or ""), service=service, origin=origin,
                  key=key.strip() if key else None, at=at, url=first_url(*hrefs), raw=data)
