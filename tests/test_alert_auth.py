"""Who may post alerts: the bearer token, or a fresh HMAC signature of the body, made with
CRISISBOT_ALERT_TOKEN; nobody when the secret is empty."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from multidict import CIMultiDict

from handlers import alert_auth
from handlers.alert_auth import TOLERANCE_SECONDS, authenticate, sign

SECRET = "s3cret-alert-token"
NOW = 1_795_251_600.0  # 2026-11-21T09:00:00Z
BODY = b'{"title": "Negative mentions spike on TikTok", "severity": "high"}'


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {SECRET}"},
        {"authorization": f"bearer {SECRET}"},
        {"AUTHORIZATION": f"BEARER  {SECRET} "},
        CIMultiDict({"Authorization": f"Bearer {SECRET}"}),  # aiohttp's request.headers
    ],
)
def test_the_bearer_token_authenticates(headers):
    assert authenticate(headers, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {SECRET}x"},
        {"Authorization": f"Bearer {SECRET[:-1]}"},
        {"Authorization": f"Basic {SECRET}"},
        {"Authorization": SECRET},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer tökén"},
        {"X-Crisisbot-Token": SECRET},
    ],
)
def test_a_wrong_or_missing_bearer_token_does_not(headers):
    assert not authenticate(headers, BODY, SECRET, NOW)


def test_sign_gives_the_two_headers_of_the_documented_scheme():
    headers = sign(BODY, SECRET, int(NOW))
    expected = hmac.new(SECRET.encode(), b"1795251600." + BODY, hashlib.sha256).hexdigest()
    assert headers == {"X-Crisisbot-Timestamp": "1795251600", "X-Crisisbot-Signature": f"sha256={expected}"}


def test_a_fresh_signature_authenticates():
    assert authenticate(sign(BODY, SECRET, int(NOW)), BODY, SECRET, NOW)
    lowered = {name.lower(): value for name, value in sign(BODY, SECRET, int(NOW)).items()}
    assert authenticate(lowered, BODY, SECRET, NOW)
    upper_hex = sign(BODY, SECRET, int(NOW))
    upper_hex["X-Crisisbot-Signature"] = "sha256=" + upper_hex["X-Crisisbot-Signature"][7:].upper()
    assert authenticate(upper_hex, BODY, SECRET, NOW)
    assert authenticate(sign(b"", SECRET, int(NOW)), b"", SECRET, NOW)


def test_a_signature_of_another_body_or_secret_does_not():
    assert not authenticate(sign(BODY, SECRET, int(NOW)), BODY + b" ", SECRET, NOW)
    assert not authenticate(sign(BODY, "another-secret", int(NOW)), BODY, SECRET, NOW)
    headers = sign(BODY, SECRET, int(NOW))
    headers["X-Crisisbot-Timestamp"] = str(int(NOW) + 1)  # the timestamp is part of what is signed
    assert not authenticate(headers, BODY, SECRET, NOW)


@pytest.mark.parametrize("age", [-TOLERANCE_SECONDS, 0, 1, TOLERANCE_SECONDS])
def test_a_signature_within_five_minutes_authenticates(age):
    assert authenticate(sign(BODY, SECRET, int(NOW - age)), BODY, SECRET, NOW)


@pytest.mark.parametrize("age", [TOLERANCE_SECONDS + 1, 3600, -(TOLERANCE_SECONDS + 1), -86_400])
def test_a_stale_or_future_signature_does_not(age):
    assert TOLERANCE_SECONDS == 300
    assert not authenticate(sign(BODY, SECRET, int(NOW - age)), BODY, SECRET, NOW)


def signed_as_sent(timestamp: str) -> dict[str, str]:
    """A correct signature over whatever timestamp text is sent, so only its format is at fault."""
    digest = hmac.new(SECRET.encode(), timestamp.encode() + b"." + BODY, hashlib.sha256).hexdigest()
    return {"X-Crisisbot-Timestamp": timestamp, "X-Crisisbot-Signature": f"sha256={digest}"}


@pytest.mark.parametrize("timestamp", ["", "1795251600.0", "-1795251600", "+1795251600", "soon", "1e9"])
def test_a_timestamp_that_is_not_unix_seconds_is_refused_even_when_signed(timestamp):
    assert authenticate(signed_as_sent("1795251600"), BODY, SECRET, NOW)
    assert not authenticate(signed_as_sent(timestamp), BODY, SECRET, NOW)


def test_a_missing_timestamp_or_signature_is_refused():
    headers = sign(BODY, SECRET, int(NOW))
    del headers["X-Crisisbot-Timestamp"]
    assert not authenticate(headers, BODY, SECRET, NOW)
    headers = sign(BODY, SECRET, int(NOW))
    del headers["X-Crisisbot-Signature"]
    assert not authenticate(headers, BODY, SECRET, NOW)


@pytest.mark.parametrize("form", ["{hex}", "sha1={hex}", "sha256={hex}00", "sha256=", "SHA256 {hex}"])
def test_a_signature_in_another_form_is_refused(form):
    headers = sign(BODY, SECRET, int(NOW))
    headers["X-Crisisbot-Signature"] = form.format(hex=headers["X-Crisisbot-Signature"].removeprefix("sha256="))
    assert not authenticate(headers, BODY, SECRET, NOW)


def test_an_empty_secret_authenticates_nobody():
    assert not authenticate({"Authorization": "Bearer "}, BODY, "", NOW)
    assert not authenticate({"Authorization": "Bearer"}, BODY, "", NOW)
    assert not authenticate(sign(BODY, "", int(NOW)), BODY, "", NOW)


def test_either_method_is_enough():
    headers = {**sign(BODY, SECRET, int(NOW)), "Authorization": "Bearer wrong"}
    assert authenticate(headers, BODY, SECRET, NOW)


def test_comparisons_are_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((type(a), type(b)))
        return real(a, b)

    monkeypatch.setattr(alert_auth.hmac, "compare_digest", spy)
    authenticate({"Authorization": f"Bearer {SECRET}"}, BODY, SECRET, NOW)
    authenticate(sign(BODY, SECRET, int(NOW)), BODY, SECRET, NOW)
    assert calls == [(bytes, bytes), (bytes, bytes)]
