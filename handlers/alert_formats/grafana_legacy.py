"""Grafana's legacy (dashboard) alerting webhook, still sent by Grafana before 9 and by instances that
never migrated to unified alerting: one rule, one state, no `alerts` list.

`state`: `alerting` and `no_data` are firing (no data from a listening query is itself news);
`pending` is firing too, but below anyone's auto-open severity unless the rule's tags say otherwise
(it is "info" by default); `ok` is resolved. `evalMatches` (the series that crossed the threshold)
become metrics, one per series; `ruleUrl` is the link; the rule's `tags.severity` is the severity.
"""

from __future__ import annotations

from bot.domain.alerts import SUMMARY_LIMIT, TITLE_LIMIT, Alert, AlertStatus, neutral_severity
from handlers.alert_formats.common import as_number, collapse, fit_key, first_url, networks_in, top, within
from handlers.alert_formats.grafana import SOURCE

STATES = ("alerting", "ok", "no_data", "pending", "paused")
_STATUS = {"ok": AlertStatus.RESOLVED, "paused": AlertStatus.RESOLVED}


def is_legacy(data: dict) -> bool:
    return isinstance(data, dict) and "alerts" not in data and ("ruleName" in data or "evalMatches" in data or "ruleId" in data)


def parse(data: dict) -> Alert:
    """The alert a legacy Grafana notification describes; AlertShapeError names every field at fault."""
    body = top(data)
    name = body.text("ruleName", required=True, limit=TITLE_LIMIT, blank=False)
    rule_id = body.integer("ruleId")
    state = body.choice("state", STATES, required=True)
    message = body.text("message") or ""
    if not within("message", message, SUMMARY_LIMIT, body.problems):
        message = ""
    body.text("title")
    body.text("imageUrl")
    rule_url = body.text("ruleUrl")
    org, dashboard, panel = body.integer("orgId"), body.integer("dashboardId"), body.integer("panelId")
    metrics: dict[str, float] = {}
    for match in body.objects("evalMatches"):
        metric = match.text("metric")
        value = as_number(match.data.get("value"))
        if metric and value is not None:
            metrics[metric] = max(value, metrics.get(metric, value))
    tags = data.get("tags") if isinstance(data.get("tags"), dict) else {}
    tags = {k: v for k, v in tags.items() if isinstance(v, str)}
    body.raise_if_any()

    severity = tags.get("severity") or ("info" if state == "pending" else None)
    # one rule is one condition; the rule id (0 for Grafana's "Test notification") scoped by org and panel
    rule = str(rule_id) if rule_id else f"name:{collapse(name or '')}"
    key = fit_key(SOURCE, f"legacy:{org or 0}:{dashboard or 0}:{panel or 0}:{rule}")
    return Alert(
        source=SOURCE,
        key=key,
        title=collapse(name or ""),
        summary=message.strip(),
        severity=neutral_severity(SOURCE, severity),
        source_severity=severity,
        status=_STATUS.get(state or "", AlertStatus.FIRING),
        url=first_url(rule_url),
        networks=networks_in(tags),
        metrics=metrics,
        raw=data,
    )
