"""What makes an Alertmanager or Grafana group one condition: its key, scoped to its sender, and its title
when the group's alerts don't share one."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from handlers.alert_formats.common import fit_key

_MATCHERS = re.compile(r"\{([^{}]*)\}")


def generic_group_key(key: str) -> bool:
    """True when a group key names no group: blank, or only empty matcher sets (`{}:{}`, `{}/{}:{}`),
    Grafana's own `__grafana_…` matchers aside. Every rule of a sender then shares the key."""
    text = key.strip()
    if not text:
        return True
    if not re.fullmatch(r"[/:]*", _MATCHERS.sub("", text)):
        return False
    matchers = (m.strip() for inner in _MATCHERS.findall(text) for m in inner.split(","))
    return all(m.startswith("__grafana_") for m in matchers if m)


def scoped_key(source: str, group_key: str, scope: Mapping[str, object], labels: Mapping[str, str]) -> str:
    """A group key made unique to its sender: two Grafanas (or two receivers) both sending `{}:{}` are two
    conditions. The scope (instance URL, org, receiver) and, when the group key is generic, the labels all
    the group's alerts share, are folded into a digest appended to the key; a re-send of the same group
    gives the same key."""
    parts: dict[str, object] = {"source": source}
    parts.update({name: value for name, value in scope.items() if value not in (None, "")})
    if isinstance(parts.get("externalURL"), str):
        parts["externalURL"] = str(parts["externalURL"]).rstrip("/").lower()
    if generic_group_key(group_key):
        parts["labels"] = sorted(labels.items())
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return fit_key(source, f"{group_key.strip() or '{}'}@{digest}")


def and_more(title: str, more: int) -> str:
    """"<title> (+2)": a group titled by one of its alerts, naming how many others fire with it.

    The title is made once, when the alert is parsed, and stored with it (the alert's, the triage's and the
    crisis's title), before any crisis has a language: so it says the count in no language at all."""
    if more <= 0:
        return title
    return f"{title} (+{more})"
