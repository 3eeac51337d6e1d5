"""Every event Slack sends gets a 2xx: each type manifest.yaml subscribes to, and `app_rate_limited`, which
Slack sends unasked. A failed delivery is retried, and too many disable the app's event subscriptions."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ROOT / "tests" / "slack_payloads"  # Slack's documented examples; see SOURCES.md there


def subscribed_events() -> list[str]:
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    return list(manifest["settings"]["event_subscriptions"]["bot_events"])


def example(event_type: str) -> dict:
    path = PAYLOADS / f"{event_type.split('.')[0]}.json"
    assert path.exists(), f"manifest.yaml subscribes to {event_type}: add Slack's example as {path.name}"
    return json.loads(path.read_text())


def unhandled(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Unhandled request" in r.getMessage()]


def test_the_manifest_subscribes_to_events():
    assert "member_joined_channel" in subscribed_events()


@pytest.mark.parametrize("event_type", subscribed_events())
async def test_each_subscribed_event_is_acknowledged(event_type, workspace, emulator, caplog):
    event = example(event_type)
    event["user"] = "U0ALICE"  # a person the emulated workspace has; the rest as Slack's example says

    with caplog.at_level(logging.WARNING):
        reply = await workspace.send_event(event)
        if event_type == "app_home_opened":  # the listener's own work, so none is left running
            await emulator.wait_for(lambda: emulator.calls_to("views.publish"))

    assert 200 <= reply.status < 300, reply.body
    assert unhandled(caplog) == []


async def test_app_rate_limited_is_answered_and_logged_with_its_minute(workspace, caplog):
    body = example("app_rate_limited")

    with caplog.at_level(logging.WARNING):
        reply = await workspace._post(json.dumps(body), "application/json")

    assert reply.status == 200
    assert unhandled(caplog) == []
    warned = [r for r in caplog.records if r.levelno == logging.WARNING and "rate-limits" in r.getMessage()]
    assert warned and "2018-02-12 20:37 UTC" in warned[0].getMessage()


async def test_an_unsigned_app_rate_limited_is_still_refused(workspace):
    body = example("app_rate_limited")

    reply = await workspace._post(json.dumps(body), "application/json", signature="v0=forged")

    assert reply.status == 401
