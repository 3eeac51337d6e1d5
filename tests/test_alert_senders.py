"""More senders, end to end: PagerDuty Events v1 and change events, Grafana legacy alerting, Meltwater,
Kubernetes-style `message` annotations, senders mapped by the plan (bearer and Basic), and form bodies.
Bodies: tests/alerts/SOURCES.md."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml

from bot.domain.plan import PlanError
from bot.domain.timeline import Kind
from bot.plan_loader import load_plan
from handlers.alert_auth import basic_header
from tests.support.crisis import said_in
from tests.support.harness import ALERT_TOKEN, BotUnderTest
from tests.support.senders import SAMPLES, sample

DEFAULT_PLAN = Path(__file__).resolve().parent.parent / "bot" / "plans" / "default.yaml"
YOUSCAN_TOKEN = "youscan-own-secret"
ZAPIER_PASSWORD = "zapier-basic-password"
SOURCES = {
    "youscan": {
        "auth": "bearer", "secret_env": "TEST_YOUSCAN_TOKEN",
        "fields": {"title": "data.title", "severity": "data.level", "dedup_key": "data.id",
                   "networks": "data.platforms", "link": "data.url", "status": "data.state"},
        "severity_map": {"red": "critical", "yellow": "medium"},
        "status_map": {"open": "firing", "closed": "resolved"},
    },
    "zapier": {
        "auth": "basic", "username": "zap", "secret_env": "TEST_ZAPIER_PASSWORD", "form": True,
        "fields": {"title": "title", "severity": "severity", "dedup_key": "key", "link": "link"},
    },
    "script": {"auth": "hmac", "fields": {"title": "alert.name", "severity": "alert.level"}},
}


def plan_file(tmp_path: Path, **alerts) -> Path:
    data = yaml.safe_load(DEFAULT_PLAN.read_text())
    data["alerts"].update(alerts)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
async def bot(emulator, database_url, clock, tmp_path, monkeypatch):
    """The bot with a plan that opens a crisis from medium up and maps two senders."""
    monkeypatch.setenv("TEST_YOUSCAN_TOKEN", YOUSCAN_TOKEN)
    monkeypatch.setenv("TEST_ZAPIER_PASSWORD", ZAPIER_PASSWORD)
    plan = load_plan(plan_file(tmp_path, auto_open="medium", sources=SOURCES))
    bot = BotUnderTest(emulator, database_url, clock, plan=plan, crisisbot_managers_channel="C0MANAGERS",
                       crisisbot_alert_token=ALERT_TOKEN)
    await bot.start()
    yield bot
    await bot.stop()



def body(path: str) -> dict:
    return yaml.safe_load((SAMPLES / path).read_text())


async def channel_of(emulator, bot, crisis_id: int):
    """The crisis's channel once the bot has pinned its plan there."""
    async def ready():
        crisis = await bot.services.deps.crises.get(crisis_id)
        return crisis.channel_id if crisis and crisis.channel_id and emulator.pins(crisis.channel_id) else None

    return await emulator.wait_for(ready)


async def intro(emulator, channel: str) -> str:
    shown = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "*Opened by an alert" in m])
    return shown[0]


# --- PagerDuty Events API v1 ---------------------------------------------------------------------------


async def test_pagerduty_v1_trigger_opens_and_its_resolve_reaches_the_same_crisis(sender, emulator, bot, clock):
    status, opened = await sender.post("pagerduty", sample("pagerduty_v1_trigger"))

    assert status == 202 and opened["status"] == "opened"
    channel = await channel_of(emulator, bot, opened["crisis"])
    shown = await intro(emulator, channel)
    assert "FAILURE for production/HTTP on machine srv01.acme.com" in shown and "load avg 0.75" in shown

    status, resolved = await sender.post("pagerduty", sample("pagerduty_v1_resolve"))

    assert status == 202 and resolved["status"] == "attached" and resolved["crisis"] == opened["crisis"]
    clock.advance(seconds=61)
    await bot.tick_alerts()
    await emulator.wait_for(lambda: [m for m in said_in(emulator, channel)[1:] if "resolved*" in m.lower()])
    assert len([c for c in emulator.calls_to("conversations.create") if c.response.get("ok")]) == 1


async def test_a_v1_acknowledge_is_recorded_alone_and_attaches_to_an_open_crisis(sender, emulator, bot):
    status, alone = await sender.post("pagerduty", sample("pagerduty_v1_acknowledge"))

    assert status == 202 and alone["status"] == "recorded" and "crisis" not in alone
    await bot.settled()
    assert not emulator.messages("C0MANAGERS") and not emulator.calls_to("conversations.create")

    _, opened = await sender.post("pagerduty", sample("pagerduty_v1_trigger"))
    status, acked = await sender.post("pagerduty", sample("pagerduty_v1_acknowledge"))

    assert status == 202 and acked["status"] == "attached" and acked["crisis"] == opened["crisis"]


async def test_a_v1_event_without_its_required_fields_is_refused_by_name(sender):
    status, answer = await sender.post("pagerduty", {"service_key": "e93facc04764012d7bfb002500d5d1a6",
                                                     "event_type": "resolve"})

    assert status == 422 and answer["fields"] == ["incident_key: required to resolve"]


# --- PagerDuty change events -----------------------------------------------------------------------------


async def test_a_change_event_is_a_timeline_entry_of_the_crisis_of_its_service(sender, emulator, bot):
    trigger = sample("pagerduty_trigger")
    _, opened = await sender.post("pagerduty", trigger)
    channel = await channel_of(emulator, bot, opened["crisis"])
    await bot.settled()  # the opening's own messages are out
    change = body("changes/pagerduty_change.json")
    change["routing_key"] = trigger["routing_key"]  # the documented change, sent to the crisis's own service

    status, answer = await sender.post("pagerduty", change)

    assert status == 202 and answer == {"status": "noted", "change": answer["change"], "crisis": opened["crisis"]}
    line = await emulator.wait_for(lambda: [m for m in said_in(emulator, channel) if "Change from pagerduty" in m])
    assert "Build Success: Increase snapshot create timeout to 30 seconds" in line[0]
    assert "acme-build-pipeline-tool-default-i-9999" in line[0] and "https://acme.pagerduty.dev/build/2" in line[0]
    timeline = await bot.services.deps.dossier.timeline(opened["crisis"])
    assert [e.data["title"] for e in timeline if e.kind is Kind.CHANGE] == [change["payload"]["summary"]]
    assert await bot.services.deps.alerts.count(opened["crisis"]) == 1  # a change is not an alert


async def test_a_change_event_nothing_open_concerns_is_only_recorded(sender, emulator, bot):
    _, opened = await sender.post("pagerduty", sample("pagerduty_trigger"))
    channel = await channel_of(emulator, bot, opened["crisis"])
    await bot.settled()
    before = len(emulator.messages(channel))

    status, answer = await sender.post("pagerduty", body("changes/pagerduty_change.json"))  # another service

    assert status == 202 and answer["status"] == "recorded" and "crisis" not in answer
    await bot.settled()
    assert len(emulator.messages(channel)) == before
    assert not [m for m in emulator.messages("C0MANAGERS") if "Change from" in m.text or "triage" in m.text]
    assert len([c for c in emulator.calls_to("conversations.create") if c.response.get("ok")]) == 1


async def test_an_alert_event_without_its_action_is_refused_not_taken_for_a_change(sender):
    trigger = sample("pagerduty_trigger")
    del trigger["event_action"]

    status, answer = await sender.post("pagerduty", trigger)

    assert status == 422 and "event_action: required" in answer["fields"][0]


# --- Grafana legacy alerting ------------------------------------------------------------------------------


async def test_grafana_legacy_alerting_opens_a_crisis_and_ok_attaches_to_it(sender, emulator, bot):
    status, opened = await sender.post("grafana", sample("grafana_legacy_alerting"))

    assert status == 202 and opened["status"] == "opened"
    shown = await intro(emulator, await channel_of(emulator, bot, opened["crisis"]))
    assert "Panel Title alert" in shown and "Notification Message" in shown and "Count 1" in shown
    assert "http://localhost:3000/d/hZ7BuVbWz/test-dashboard" in shown

    status, resolved = await sender.post("grafana", sample("grafana_legacy_resolved"))

    assert status == 202 and resolved["status"] == "attached" and resolved["crisis"] == opened["crisis"]


# --- Kubernetes-style annotations ---------------------------------------------------------------------------


async def test_an_alertmanager_message_annotation_is_the_summary(sender, emulator, bot):
    status, opened = await sender.post("alertmanager", sample("alertmanager_k8s_message"))

    assert status == 202 and opened["status"] == "opened"
    shown = await intro(emulator, await channel_of(emulator, bot, opened["crisis"]))
    assert "KubePodCrashLooping" in shown
    assert "Pod pp1/dd1-0 (busybox-3jb7u6) is restarting 1.07 times / 5 minutes." in shown


# --- Meltwater ------------------------------------------------------------------------------------------------


async def test_a_meltwater_spike_shows_its_top_documents_sources_and_sentiment_escaped(sender, emulator, bot):
    status, opened = await sender.post("meltwater", sample("meltwater_documents"))

    assert status == 202 and opened["status"] == "opened"
    shown = await intro(emulator, await channel_of(emulator, bot, opened["crisis"]))
    assert "Lumina serum &lt;burns&gt; &amp; rashes" in shown
    assert "My face after Lumina serum &lt;!channel&gt; &lt;@U0ALICE&gt; · TikTok · negative" in shown
    assert "<!channel>" not in shown and "<@U0ALICE>" not in shown
    assert "https://x.com/beautywatch/status/1859" in shown and "Daily Glow · neutral" in shown
    assert "tiktok, x, daily glow" in shown and "documents 3, negative 2, neutral 1" in shown


async def test_a_meltwater_delivery_without_documents_is_refused(sender):
    status, answer = await sender.post("meltwater", {"request": {"hook_id": "h1"}, "documents": []})

    assert status == 422 and answer["fields"] == ["documents: must not be empty"]


# --- mapped senders ---------------------------------------------------------------------------------------------


async def test_a_mapped_sender_with_its_own_bearer_secret_opens_a_crisis(sender, emulator, bot):
    status, refused = await sender.post("youscan", body("mapped/youscan_mention.json"))  # the shared token
    assert status == 401 and "bearer" in refused["error"]

    status, opened = await sender.post("youscan", body("mapped/youscan_mention.json"), token=YOUSCAN_TOKEN)

    assert status == 202 and opened["status"] == "opened"
    shown = await intro(emulator, await channel_of(emulator, bot, opened["crisis"]))
    assert "Opened by an alert from youscan:* Spike in mentions: Lumina serum" in shown
    assert "instagram, tiktok" in shown and "https://app.youscan.io/themes/1234/alerts/48213" in shown
    crisis = await bot.services.deps.crises.get(opened["crisis"])
    assert crisis.severity == "critical" and crisis.alert_key == "ys-alert-48213"

    closed = copy.deepcopy(body("mapped/youscan_mention.json"))
    closed["data"]["state"] = "closed"
    status, resolved = await sender.post("youscan", closed, token=YOUSCAN_TOKEN)
    assert status == 202 and resolved["status"] == "attached" and resolved["crisis"] == opened["crisis"]


async def test_a_mapped_sender_with_basic_auth_and_a_form_body(sender, emulator, bot):
    form = (SAMPLES / "mapped" / "zapier_form.txt").read_bytes()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    status, _ = await sender.post("zapier", form, token=None, headers={**headers, **basic_header("zap", "wrong")})
    assert status == 401

    status, opened = await sender.post("zapier", form, token=None,
                                       headers={**headers, **basic_header("zap", ZAPIER_PASSWORD)})

    assert status == 202 and opened["status"] == "opened"
    shown = await intro(emulator, await channel_of(emulator, bot, opened["crisis"]))
    assert "Boycott #Lumina trending" in shown and "https://example.com/zap/1" in shown


async def test_a_mapped_sender_with_hmac_takes_only_a_signature(sender):
    payload = {"alert": {"name": "Negative share above 80% on TikTok", "level": "low"}}

    status, _ = await sender.post("script", payload)  # the right token, but as a bearer
    assert status == 401

    status, answer = await sender.post_signed("script", payload, int(time.time()))  # the endpoint's own clock

    assert status == 202 and answer["status"] == "triaged"


async def test_an_unknown_source_names_the_mapped_ones(sender):
    status, answer = await sender.post("nagios", {"title": "x"})

    assert status == 404 and {"youscan", "zapier", "meltwater"} <= set(answer["sources"])


def test_a_bad_jmespath_expression_is_a_plan_error_with_its_path(tmp_path):
    sources = {"youscan": {"fields": {"title": "data.[title", "severity": "data..level"}}}

    with pytest.raises(PlanError) as caught:
        load_plan(plan_file(tmp_path, sources=sources))

    text = str(caught.value)
    assert "alerts.sources.youscan.fields.title: 'data.[title' is not a valid JMESPath expression" in text
    assert "alerts.sources.youscan.fields.severity: 'data..level' is not a valid JMESPath expression" in text


def test_a_mapped_source_may_not_take_a_built_in_name_or_miss_its_title(tmp_path):
    sources = {"grafana": {"fields": {"title": "t"}}, "tool": {"fields": {"severity": "s"}, "auth": "token"}}

    with pytest.raises(PlanError) as caught:
        load_plan(plan_file(tmp_path, sources=sources))

    text = str(caught.value)
    assert "alerts.sources.grafana: grafana is a built-in source" in text
    assert "alerts.sources.tool.fields: must map at least title" in text
    assert "alerts.sources.tool.auth: must be one of bearer, hmac, basic" in text


# --- form bodies --------------------------------------------------------------------------------------------


async def test_a_form_encoded_body_gets_a_415_that_says_to_send_json(sender, bot):
    form = (SAMPLES / "mapped" / "zapier_form.txt").read_bytes()

    status, answer = await sender.post("generic", form, headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert status == 415
    assert "send JSON instead, with Content-Type: application/json" in answer["error"]
    assert answer["accepted"] == ["application/json"]
    assert await bot.services.deps.alerts.first_alert(1) is None  # nothing stored
