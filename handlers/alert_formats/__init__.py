"""Alert formats: from a request body to the neutral `Alert`, one module per source.

The endpoint (`POST /alerts/{source}`) calls `decode` on the body (400 on AlertJsonError), then
`parse` (404 on KeyError, 422 on AlertShapeError). Nothing here touches HTTP, Slack or the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace

from bot.domain.alerts import Alert, AlertJsonError, AlertShapeError
from bot.domain.words import clean, clean_json
from bot.domain.plan import AlertSource
from handlers.alert_formats import (
    alertmanager,
    generic,
    grafana,
    grafana_legacy,
    mapped,
    meltwater,
    pagerduty,
    pagerduty_v1,
)
from handlers.alert_formats.generic import generic_schema

MAX_BODY_BYTES = 1024 * 1024  # the endpoint answers 413 above this, before decoding

SOURCES: dict[str, Callable[[dict], Alert]] = {
    generic.SOURCE: generic.parse,
    alertmanager.SOURCE: alertmanager.parse,
    grafana.SOURCE: lambda data: (grafana_legacy.parse if grafana_legacy.is_legacy(data) else grafana.parse)(data),
    pagerduty.SOURCE: lambda data: (pagerduty_v1.parse if pagerduty_v1.is_v1(data) else pagerduty.parse)(data),
    meltwater.SOURCE: meltwater.parse,
}

__all__ = ["MAX_BODY_BYTES", "SOURCES", "decode", "generic_schema", "is_change", "parse", "parse_change"]


def is_change(source: str, data: dict) -> bool:
    """A PagerDuty change event (`/v2/change/enqueue` shape), which is not an alert."""
    return source == pagerduty.SOURCE and pagerduty_v1.is_change(data)


def parse_change(data: dict):
    change = pagerduty_v1.parse_change(data)
    return replace(change, summary=clean(change.summary) or change.service or "-", raw=clean_json(change.raw))


def parse(source: str, data: dict, mapping: AlertSource | None = None) -> Alert:
    """The neutral alert from a source's payload (or a plan-mapped sender's), control characters removed."""
    alert = mapped.parse(mapping, data) if mapping is not None else _parse(source, data)
    return replace(alert, title=clean(alert.title) or alert.key, summary=clean(alert.summary),
                   raw=clean_json(alert.raw), networks=tuple(clean(n) for n in alert.networks))


def _parse(source: str, data: dict) -> Alert:
    """The alert `data` describes in `source`'s format. KeyError for an unknown source."""
    return SOURCES[source](data)


def decode(body: bytes) -> dict:
    """The JSON object in `body`.

    AlertJsonError when it isn't JSON (not UTF-8, a syntax error with its line and column, NaN or
    Infinity, nesting too deep); AlertShapeError when it is JSON but not an object, since the body
    parsed fine and only its shape is wrong.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AlertJsonError(f"the body is not UTF-8 (byte {error.start + 1})") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise AlertJsonError(
            f"{error.msg} at line {error.lineno} column {error.colno}", error.lineno, error.colno
        ) from None
    except RecursionError:
        raise AlertJsonError("the JSON is nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise AlertJsonError(str(error).split(";")[0]) from None
    if not isinstance(data, dict):
        raise AlertShapeError([f"body: must be a JSON object, not {_kind(data)}"])
    return data


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise AlertJsonError(f"{text[:20]} is too large a number")
    return value


def _refuse_constant(name: str) -> None:
    raise AlertJsonError(f"{name} is not JSON (use a number or null)")


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"
