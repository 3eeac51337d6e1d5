"""Grafana unified alerting's webhook contact point: Alertmanager's group body plus Grafana's fields.

What Grafana adds and crisisbot uses: each alert's `values` (the query results that crossed the
threshold) become metrics, and its `panelURL` / `dashboardURL` are better links than the rule editor
behind `generatorURL`. Grafana's own `title` ("[FIRING:2] …") is the title only when no summary or
alertname names the group; `message` is a rendered notification, so it is kept in `raw` only.
"""

from __future__ import annotations

import re

from bot.domain.alerts import TITLE_LIMIT, Alert
from handlers.alert_formats.alertmanager import read_group
from handlers.alert_formats.common import collapse, first_url, numbers_in, top, within

SOURCE = "grafana"
_STATUS_PREFIX = re.compile(r"^\s*\[(FIRING|RESOLVED)(:\d+)?\]\s*", re.IGNORECASE)


def parse(data: dict) -> Alert:
    """The alert a Grafana webhook body describes; AlertShapeError names every field at fault."""
    body = top(data)
    body.text("version")
    org_id = body.integer("orgId")
    body.text("state")
    body.text("message")
    grafana_title = body.text("title")
    group = read_group(body, SOURCE, org_id)
    values = []
    for alert in group.alerts:
        for name in ("silenceURL", "dashboardURL", "panelURL", "valueString"):
            alert.text(name)
        values.append(alert.numbers("values"))
    title = group.title
    bare_title = _STATUS_PREFIX.sub("", grafana_title or "")
    if title is None and bare_title.strip():
        title = collapse(bare_title) if within("title", grafana_title or "", TITLE_LIMIT, body.problems) else ""
    if title is None:
        body.fail("commonLabels.alertname", "required (or commonAnnotations.summary, or title), to title the alert")
    body.raise_if_any()
    url = first_url(
        *(a.data.get("panelURL") for a in group.alerts),
        *(a.data.get("dashboardURL") for a in group.alerts),
        *(a.data.get("generatorURL") for a in group.alerts),
        group.external_url,
    )
    return group.alert(SOURCE, title=title or "", url=url, metrics=numbers_in(group.metrics, *values), raw=data)
