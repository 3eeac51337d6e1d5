"""Who may post alerts: a sender that knows CRISISBOT_ALERT_TOKEN, shown in one of two ways.

- `Authorization: Bearer <token>`, which Alertmanager, Grafana and most tools can send as configured.
- `X-Crisisbot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` with
  `X-Crisisbot-Timestamp: <unix seconds>`, for scripts that would rather not send the secret itself:
  the signature binds the body, and the timestamp (within 5 minutes) stops a captured request being
  replayed later.

Every comparison is constant-time, and an empty secret authenticates nobody, so a missing setting
closes the endpoint instead of opening it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Crisisbot-Signature"
TIMESTAMP_HEADER = "X-Crisisbot-Timestamp"
TOLERANCE_SECONDS = 5 * 60
_BEARER = re.compile(r"bearer[ \t]+(\S+)[ \t]*", re.IGNORECASE)
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def authenticate(headers: Mapping[str, str], body: bytes, secret: str, now: float) -> bool:
    """True when the request carries the secret as a bearer token, or a fresh signature made with it.

    Header names are compared case-insensitively; `now` is unix seconds (the caller's clock).
    """
    if not secret:
        return False
    lowered = {name.lower(): value for name, value in headers.items()}
    return _bearer_ok(lowered, secret) or _signature_ok(lowered, body, secret, now)


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The two headers that authenticate `body` at `timestamp`, for senders and tests."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"sha256={_digest(secret, str(timestamp), body)}",
    }


def _bearer_ok(headers: dict[str, str], secret: str) -> bool:
    match = _BEARER.fullmatch(headers.get("authorization", ""))
    return bool(match) and hmac.compare_digest(match.group(1).encode(), secret.encode())


def _signature_ok(headers: dict[str, str], body: bytes, secret: str, now: float) -> bool:
    signature = _SIGNATURE.fullmatch(headers.get(SIGNATURE_HEADER.lower(), "").strip())
    timestamp = headers.get(TIMESTAMP_HEADER.lower(), "").strip()
    if not signature or not _TIMESTAMP.fullmatch(timestamp):
        return False
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = _digest(secret, timestamp, body)
    return hmac.compare_digest(signature.group(1).lower().encode(), expected.encode())


def _digest(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
