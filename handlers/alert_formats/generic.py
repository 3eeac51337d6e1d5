"""crisisbot's own alert format, for social-listening tools and scripts (schema: generic.schema.json).

The format is ours, so it is strict: an unknown field is refused rather than ignored, because a
misspelt `severty` silently read as "medium" is worse than a 422 that names it.
"""

from __future__ import annotations

import json
from importlib import resources

from bot.domain.alerts import (
    KEY_LIMIT,
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    Alert,
    AlertStatus,
    neutral_severity,
)
from handlers.alert_formats.common import collapse, derived_key, normalise_networks, top

SOURCE = "generic"
FIELDS = ("title", "summary", "severity", "dedup_key", "status", "url", "networks", "metrics", "started_at")
SEVERITY_LIMIT = 40
MAX_NETWORKS, NETWORK_LIMIT = 20, 50
MAX_METRICS, METRIC_NAME_LIMIT = 50, 100
SCHEMA_FILE = "generic.schema.json"


def parse(data: dict) -> Alert:
    """The alert a generic body describes; AlertShapeError names every field at fault."""
    body = top(data, nulls_absent=False)
    for name in data:
        if name not in FIELDS:
            body.fail(name, f"unknown field (the fields are {', '.join(FIELDS)})")
    title = body.text("title", required=True, limit=TITLE_LIMIT, blank=False)
    summary = body.text("summary", limit=SUMMARY_LIMIT)
    severity = body.text("severity", limit=SEVERITY_LIMIT, blank=False)
    key = body.text("dedup_key", limit=KEY_LIMIT, blank=False)
    status = body.choice("status", tuple(AlertStatus))
    url = body.url("url")
    networks = body.strings("networks", max_items=MAX_NETWORKS, item_limit=NETWORK_LIMIT)
    metrics = body.numbers("metrics", max_items=MAX_METRICS, name_limit=METRIC_NAME_LIMIT)
    started_at = body.timestamp("started_at")
    body.raise_if_any()
    assert title is not None
    return Alert(
        source=SOURCE,
        key=key.strip() if key else derived_key(SOURCE, title),
        title=collapse(title),
        summary=(summary or "").strip(),
        severity=neutral_severity(SOURCE, severity),
        source_severity=severity,
        status=AlertStatus(status or AlertStatus.FIRING),
        url=url,
        networks=normalise_networks(networks),
        metrics=metrics,
        started_at=started_at,
        raw=data,
    )


def generic_schema() -> dict:
    """The JSON Schema (draft 2020-12) of the generic format, as served at `GET /alerts/schema`.

    Read from the package's data on each call, so a caller may change its copy freely.
    """
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)
