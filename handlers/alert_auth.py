"""Who may post alerts: a sender that knows CRISISBOT_ALERT_TOKEN, shown in one of two ways.

- `Authorization: Bearer <token>`, which Alertmanager, Grafana and most tools can send as configured.
- `X-Crisisbot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` with
  `X-Crisisbot-Timestamp: <unix seconds>`, for scripts that would rather not send the secret itself:
  the signature binds the body, and the timestamp (within 5 minutes) stops a captured request being
  replayed later.

A sender the plan maps (`alerts.sources.<name>`) authenticates one way only, as its `auth` says: bearer,
hmac (the signature above), or basic (`Authorization: Basic <base64 of username:secret>`, which some
listening tools send); its secret is the environment variable its `secret_env` names, else the token.

Every comparison is constant-time, and an empty secret authenticates nobody, so a missing setting
closes the endpoint instead of opening it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Mapping

from bot.domain.plan import AlertSource

SIGNATURE_HEADER = "X-Crisisbot-Signature"
TIMESTAMP_HEADER = "X-Crisisbot-Timestamp"
TOLERANCE_SECONDS = 5 * 60
_BEARER = re.compile(r"bearer[ \t]+(\S+)[ \t]*", re.IGNORECASE)
_BASIC = re.compile(r"basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*", re.IGNORECASE)
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


def authenticate_source(headers: Mapping[str, str], body: bytes, source: AlertSource, token: str,
                        now: float) -> bool:
    """True when the request shows a mapped source's secret the one way its `auth` names."""
    secret = os.environ.get(source.secret_env, "") if source.secret_env else token
    if not secret:
        return False
    lowered = {name.lower(): value for name, value in headers.items()}
    if source.auth == "basic":
        return _basic_ok(lowered, source.username or source.name, secret)
    if source.auth == "hmac":
        return _signature_ok(lowered, body, secret, now)
    return _bearer_ok(lowered, secret)


def basic_header(username: str, secret: str) -> dict[str, str]:
    """The HTTP Basic header for a mapped source, for senders and tests."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()}


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The two headers that authenticate `body` at `timestamp`, for senders and tests."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"sha256={_digest(secret, str(timestamp), body)}",
    }


def _bearer_ok(headers: dict[str, str], secret: str) -> bool:
    match = _BEARER.fullmatch(headers.get("authorization", ""))
    return bool(match) and hmac.compare_digest(match.group(1).encode(), secret.encode())


def _basic_ok(headers: dict[str, str], username: str, secret: str) -> bool:
    match = _BASIC.fullmatch(headers.get("authorization", ""))
    if not match:
        return False
    try:
        given = base64.b64decode(match.group(1), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, colon, password = given.partition(b":")
    user_ok = hmac.compare_digest(user, username.encode())
    return bool(colon) & user_ok & hmac.compare_digest(password, secret.encode())


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
