"""A sender the plan maps (`alerts.sources.<name>`): any JSON, read field by field with JMESPath.

For YouScan, Zapier, Make, n8n or a homemade script: `POST /alerts/<name>` works with no code of its own.
Each mapped field is a JMESPath expression over the body (compiled once, checked when the plan loads):

| field | becomes |
|---|---|
| title (required) | title |
| summary | summary |
| severity | source_severity, through the source's severity_map, then the usual words |
| dedup_key | key (else derived from the title) |
| networks | networks (a list, or a comma-separated text) |
| link | url |
| status | resolved when the word (or status_map) says so: resolved, ok, closed, inactive… |
| started_at | started_at (RFC 3339) |
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl

import jmespath
import jmespath.exceptions

from bot.domain.alerts import (
    KEY_LIMIT,
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    Alert,
    AlertStatus,
    neutral_severity,
)
from bot.domain.plan import AlertSource
from handlers.alert_formats.common import (
    collapse,
    derived_key,
    fit_key,
    http_url,
    normalise_networks,
    parse_timestamp,
    top,
    within,
)

RESOLVED_WORDS = ("resolved", "resolve", "ok", "closed", "close", "inactive", "ended", "recovered")
_TIMESTAMP_HINT = "must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z"


@lru_cache(maxsize=512)
def compiled(expression: str):
    return jmespath.compile(expression)


def form_fields(body: bytes) -> dict:
    """A form-encoded body as a JSON object: each field a text, a repeated field a list of texts."""
    decoded: dict[str, object] = {}
    for name, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        if name in decoded:
            previous = decoded[name]
            decoded[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            decoded[name] = value
    return decoded


def _text(value: object) -> str | None:
    """A scalar found at a path, as text (a number id is a key too); None for nothing, objects or lists."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return value if isinstance(value, str) and value.strip() else None


def parse(source: AlertSource, data: dict) -> Alert:
    """The alert `data` describes through the source's mapping; AlertShapeError names what is missing."""
    body = top(data)
    found: dict[str, object] = {}
    for name, expression in source.fields.items():
        try:
            found[name] = compiled(expression).search(data)
        except jmespath.exceptions.JMESPathError as exc:  # a plan built without the loader's check
            body.problems.append(f"alerts.sources.{source.name}.fields.{name}: {str(exc).splitlines()[0]}")
    where = {name: f"{name} ({source.fields[name]})" for name in source.fields}
    title = _text(found.get("title"))
    if title is None:
        body.problems.append(f"{where['title']}: required; the expression found no text in the body")
    elif not within(where["title"], title, TITLE_LIMIT, body.problems):
        title = None
    summary = _text(found.get("summary")) or ""
    if summary and not within(where["summary"], summary, SUMMARY_LIMIT, body.problems):
        summary = ""
    key = _text(found.get("dedup_key"))
    if key and not within(where["dedup_key"], key, KEY_LIMIT, body.problems):
        key = None
    severity = _text(found.get("severity"))
    raw_networks = found.get("networks")
    networks = (raw_networks.split(",") if isinstance(raw_networks, str)
                else [n for n in raw_networks if isinstance(n, str)] if isinstance(raw_networks, list) else [])
    url = None
    if (link := _text(found.get("link"))) is not None and (url := http_url(link)) is None:
        body.problems.append(f"{where['link']}: must be an http:// or https:// URL")
    started_at = None
    if (when := _text(found.get("started_at"))) is not None and (started_at := parse_timestamp(when)) is None:
        body.problems.append(f"{where['started_at']}: {_TIMESTAMP_HINT}")
    body.raise_if_any()
    assert title is not None

    word = (_text(found.get("status")) or "").strip().lower()
    status = source.status_map.get(word) or ("resolved" if word in RESOLVED_WORDS else "firing")
    neutral = source.severity_map.get((severity or "").strip().lower())
    return Alert(
        source=source.name,
        key=fit_key(source.name, key.strip()) if key else derived_key(source.name, title),
        title=collapse(title),
        summary=summary.strip(),
        severity=neutral or neutral_severity(source.name, severity, None),
        source_severity=severity,
        status=AlertStatus(status),
        url=url,
        networks=normalise_networks(networks)[:20],
        metrics={},
        started_at=started_at,
        raw=data,
    )

