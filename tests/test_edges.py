"""Bad input on every edge is a 4xx with a clear answer, never a 500: /slack/events and the alert routes."""

from __future__ import annotations

import hashlib
import hmac
import io
import time
from urllib.parse import urlencode

import pytest

from bot.app import MAX_BODY
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET

COMMAND = urlencode({"command": "/crisis", "text": "help", "user_id": "U0ALICE", "channel_id": "C0GENERAL",
                     "team_id": "T0EMULATOR", "response_url": "http://127.0.0.1:1/nowhere", "trigger_id": "1.2.3"})


def signed(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp if timestamp is not None else str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def post(workspace, url: str, body: bytes, headers: dict[str, str],
               content_type: str = "application/x-www-form-urlencoded") -> tuple[int, str]:
    data = io.BytesIO(body) if len(body) > 64 * 1024 else body  # aiohttp warns on large raw bytes
    async with workspace.session.post(url, data=data, headers={"Content-Type": content_type, **headers}) as r:
        return r.status, await r.text()


BAD_SLACK_HEADERS = {
    "non-numeric timestamp": {"X-Slack-Request-Timestamp": "abc"},
    "timestamp with a sign": {"X-Slack-Request-Timestamp": "-1"},
    "float timestamp": {"X-Slack-Request-Timestamp": "1.5e9"},
    "huge timestamp": {"X-Slack-Request-Timestamp": "9" * 400},
    "empty timestamp": {"X-Slack-Request-Timestamp": ""},
    "no timestamp": {"X-Slack-Request-Timestamp": None},
    "empty signature": {"X-Slack-Signature": ""},
    "no signature": {"X-Slack-Signature": None},
    "signature without v0": {"X-Slack-Signature": "abc"},
    "non-ascii signature": {"X-Slack-Signature": "v0=é"},
    "old timestamp": {"X-Slack-Request-Timestamp": str(int(time.time()) - 3600)},
}


@pytest.mark.parametrize("case", list(BAD_SLACK_HEADERS))
async def test_a_bad_signature_header_is_401_never_500(workspace, bot, case):
    headers = signed(COMMAND.encode())
    for name, value in BAD_SLACK_HEADERS[case].items():
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    status, text = await post(workspace, bot.events_url, COMMAND.encode(), headers)
    assert status == 401, (case, status, text)


@pytest.mark.parametrize("casing", [str.lower, str.upper, lambda s: s])
async def test_header_names_in_any_casing_are_read(workspace, bot, casing):
    """HTTP header names are case-insensitive (RFC 9110 §5.1); Slack's own are sent in several casings
    by proxies (HTTP/2 lowercases every name)."""
    headers = {casing(k): v for k, v in signed(COMMAND.encode()).items()}
    status, text = await post(workspace, bot.events_url, COMMAND.encode(), headers)
    assert status == 200, text
    assert "/crisis open" in text  # the help


async def test_a_body_that_is_not_utf8_is_400(workspace, bot):
    body = COMMAND.encode() + b"&x=\xff\xfe\xc3"
    status, text = await post(workspace, bot.events_url, body, signed(body))
    assert status == 400, text
    assert "UTF-8" in text


async def test_a_body_over_the_limit_is_413(workspace, bot):
    body = b"x=" + b"a" * (MAX_BODY + 10)
    status, _ = await post(workspace, bot.events_url, body, signed(body))
    assert status == 413


async def test_an_unsigned_json_body_is_401(workspace, bot):
    status, _ = await post(workspace, bot.events_url, b'{"type": "url_verification"}', {},
                           content_type="application/json")
    assert status == 401


ALERT_BODY = b'{"title": "Spike", "severity": "low", "dedup_key": "k1"}'


@pytest.mark.parametrize("headers", [
    {"X-Crisisbot-Timestamp": "abc", "X-Crisisbot-Signature": "sha256=" + "0" * 64},
    {"X-Crisisbot-Timestamp": "", "X-Crisisbot-Signature": ""},
    {"X-Crisisbot-Timestamp": "9" * 400, "X-Crisisbot-Signature": "sha256=zz"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer é"},
    {"authorization": "bearer wrong"},
    {},
], ids=["ts-abc", "empty", "huge-ts", "bearer-empty", "bearer-non-ascii", "wrong-token"] + ["none"])
async def test_a_bad_alert_credential_is_401(workspace, bot, headers):
    status, text = await post(workspace, f"{bot.url}/alerts/generic", ALERT_BODY, headers,
                              content_type="application/json")
    assert status == 401, text


async def test_alert_header_names_in_any_casing(workspace, bot):
    status, text = await post(workspace, f"{bot.url}/alerts/generic", ALERT_BODY,
                              {"AUTHORIZATION": f"bearer {ALERT_TOKEN}"}, content_type="application/json")
    assert status == 202, text


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"title": "\xff"}', b"", b"[1, 2", b"null", b'"x"' * 3])
async def test_a_bad_alert_body_is_4xx(workspace, bot, body):
    status, text = await post(workspace, f"{bot.url}/alerts/generic", body,
                              {"Authorization": f"Bearer {ALERT_TOKEN}"}, content_type="application/json")
    assert 400 <= status < 500, (status, text)


async def test_an_alert_body_over_the_limit_is_413(workspace, bot):
    body = b'{"title": "' + b"a" * (MAX_BODY + 10) + b'"}'
    status, _ = await post(workspace, f"{bot.url}/alerts/generic", body,
                           {"Authorization": f"Bearer {ALERT_TOKEN}"}, content_type="application/json")
    assert status == 413


async def test_unknown_routes_and_methods_are_4xx(workspace, bot):
    async with workspace.session.get(bot.events_url) as r:
        assert r.status == 405
    async with workspace.session.post(f"{bot.url}/alerts/", data=b"{}") as r:
        assert 400 <= r.status < 500
