"""Reads the plan's `alerts.sources`: senders declared by name, each mapped field by field.

    alerts:
      sources:
        youscan:
          auth: bearer                # bearer | hmac | basic
          secret_env: YOUSCAN_TOKEN   # optional; else CRISISBOT_ALERT_TOKEN
          fields: {title: "data.title", severity: "data.level", dedup_key: "data.id"}
          severity_map: {red: critical}

Every problem names its path (`alerts.sources.youscan.fields.title: …`). Field expressions are checked by
the `check_path` the loader passes (JMESPath's compiler); the domain knows no query language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

RESERVED = ("generic", "alertmanager", "grafana", "pagerduty", "meltwater", "schema")  # built-in routes
OPTIONS = ("fields", "auth", "secret_env", "username", "severity_map", "status_map", "form")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,100}")
_STATUSES = ("firing", "resolved")


def read_sources(raw: Any, problems: list[str], check_path: Callable[[str], str | None] | None) -> dict:
    from bot.domain.plan import ALERT_AUTH, MAPPED_FIELDS, NEUTRAL_SEVERITIES, AlertSource

    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append("alerts.sources: must be a mapping of source name to its settings, "
                        "e.g. {youscan: {fields: {title: data.title}}}")
        return {}
    sources = {}
    for name, spec in raw.items():
        where = f"alerts.sources.{name}"
        before = len(problems)
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            problems.append(f"{where}: a source name is lower-case letters, digits, - or _ (at most 40)")
        elif name in RESERVED:
            problems.append(f"{where}: {name} is a built-in source; give yours another name")
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: must be a mapping with at least fields: {{title: <expression>}}")
            continue
        for option in sorted(str(k) for k in spec if k not in OPTIONS):
            close = difflib.get_close_matches(option, OPTIONS, n=1)
            hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(OPTIONS)})"
            problems.append(f"{where}.{option}: unknown setting{hint}")
        fields = spec.get("fields")
        if not isinstance(fields, Mapping) or "title" not in fields:
            problems.append(f"{where}.fields: must map at least title to an expression, e.g. {{title: data.title}}")
            fields = fields if isinstance(fields, Mapping) else {}
        for field_name, expression in fields.items():
            if field_name not in MAPPED_FIELDS:
                problems.append(f"{where}.fields.{field_name}: unknown field (the fields are {', '.join(MAPPED_FIELDS)})")
            elif not isinstance(expression, str) or not expression.strip():
                problems.append(f"{where}.fields.{field_name}: must be an expression such as data.title")
            elif check_path is not None and (problem := check_path(expression)):
                problems.append(f"{where}.fields.{field_name}: {expression!r} is not a valid JMESPath expression "
                                f"({problem})")
        auth = spec.get("auth", "bearer")
        if auth not in ALERT_AUTH:
            problems.append(f"{where}.auth: must be one of {', '.join(ALERT_AUTH)}, not {auth!r}")
        secret_env = spec.get("secret_env")
        if secret_env is not None and (not isinstance(secret_env, str) or not _ENV.fullmatch(secret_env)):
            problems.append(f"{where}.secret_env: must be the name of an environment variable, e.g. YOUSCAN_TOKEN")
        username = spec.get("username")
        if username is not None and (not isinstance(username, str) or not username or ":" in username):
            problems.append(f"{where}.username: must be a text without ':'")
        severity_map = _words(spec.get("severity_map"), f"{where}.severity_map", NEUTRAL_SEVERITIES, problems)
        status_map = _words(spec.get("status_map"), f"{where}.status_map", _STATUSES, problems)
        form = spec.get("form", False)
        if not isinstance(form, bool):
            problems.append(f"{where}.form: must be true or false")
        if len(problems) == before:
            sources[name] = AlertSource(name=name, fields={str(k): str(v) for k, v in fields.items()},
                                        auth=str(auth), secret_env=secret_env, username=username,
                                        severity_map=severity_map, status_map=status_map, form=bool(form))
    return sources


def _words(raw: Any, where: str, allowed: tuple[str, ...], problems: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: must be a mapping of the source's word to one of {', '.join(allowed)}")
        return {}
    words = {str(k).strip().lower(): str(v) for k, v in raw.items()}
    if bad := sorted({v for v in words.values() if v not in allowed}):
        problems.append(f"{where}: {', '.join(bad)} not among {', '.join(allowed)}")
    return words
