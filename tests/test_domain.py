"""The domain's own rules: channel names, the plan, command parsing."""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import islice

import pytest

from bot.domain import commands
from bot.domain.naming import base_channel_name, channel_names
from bot.domain.plan import Plan, PlanError
from bot.plan_loader import load_plan

NOV21 = datetime(2026, 11, 21, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def test_channel_names_follow_slacks_rules():
    assert base_channel_name("Influencer video: claims our serum BURNS skin!", NOV21) == (
        "crisis-20261121-influencer-video-claims-our-serum-burns-skin"
    )
    assert base_channel_name("Ünïcödé — straße", NOV21) == "crisis-20261121-unicode-strasse"
    assert base_channel_name("🔥🔥🔥", NOV21) == "crisis-20261121"


def test_numbered_names_stay_within_80_characters():
    names = list(islice(channel_names("word " * 40, NOV21), 12))
    assert names[0].startswith("crisis-20261121-word-word")
    assert names[1].endswith("-2") and names[11].endswith("-12")
    assert all(len(n) <= 80 and not n.startswith("-") for n in names)
    assert len(set(names)) == 12


def test_the_default_plan_has_the_five_phases_in_three_languages(plan: Plan):
    assert [p.name for p in plan.phases] == ["Reduction", "Response", "Reaction", "Recovery", "Rethink"]
    assert plan.phase("Reducción").key == "reduction"
    assert plan.phase("reduccion").key == "reduction"
    assert plan.phase("ripensamento").key == "rethink"
    assert plan.phase("RECUPERACIÓN").key == "recovery"
    assert plan.first_response_minutes == 60
    assert plan.lead.name == "Crisis lead"
    assert plan.sitrep_field("caused_by_us").choices == ("yes", "no", "unknown")
    assert {f.key for f in plan.sitrep if f.required} == {"origin", "criticism", "networks", "caused_by_us"}


def test_a_broken_plan_lists_all_its_problems():
    with pytest.raises(PlanError) as caught:
        Plan.from_dict({"phases": [{"key": "a"}], "severities": [], "roles": [{"key": "x", "name": "X"}],
                        "sitrep": [{"key": "s", "label": "S"}], "lead_role": "nobody",
                        "dos": ["Stay calm", {"Listen": "to everyone"}]})
    message = str(caught.value)
    assert "phases[0]: missing name, summary" in message
    assert "severities: a non-empty list is required" in message
    assert "dos: must be a list of texts (quote any with a colon)" in message


def test_a_team_plan_file_replaces_the_default(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "name: Acme plan\nfirst_response_minutes: 30\n"
        "phases: [{key: reduction, name: Reduction, summary: Contain}, {key: response, name: Response, summary: Out},\n"
        "         {key: rethink, name: Rethink, summary: Learn}]\n"
        "severities: [{key: sev1, label: SEV1}, {key: sev2, label: SEV2}]\ndefault_severity: sev2\n"
        "roles: [{key: lead, name: Lead}]\nsitrep: [{key: origin, label: Origin, required: true}]\n"
    )
    plan = load_plan(path)
    assert plan.name == "Acme plan" and plan.first_response_minutes == 30
    assert commands.parse("open sev1 Outage", plan) == commands.Open(title="Outage", severity="sev1")


def test_commands_parse(plan: Plan):
    assert commands.parse("", plan) == commands.Open(title="")
    assert commands.parse("open", plan) == commands.Open(title="")
    assert commands.parse("open high Boycott", plan) == commands.Open(title="Boycott", severity="high")
    # a Spanish verb reads Spanish severities ("abrir alta …" is a high crisis); in English, "Alta" is a word
    assert commands.parse("abrir Alta costura", plan) == commands.Open(title="costura", severity="high")
    assert commands.parse("open Alta costura", plan) == commands.Open(title="Alta costura")
    assert commands.parse("apri critica Boicottaggio", plan) == commands.Open(title="Boicottaggio",
                                                                             severity="critical")
    assert commands.parse("open High", plan) == commands.Open(title="", severity="high")
    assert commands.parse("STATUS", plan) == commands.Status()
    assert commands.parse("chiudi", plan) == commands.Close()
    assert commands.parse("dance now", plan) == commands.Help(unknown="dance")


def test_alert_severities_map_onto_the_plan_through_its_tables(plan: Plan):
    from dataclasses import replace

    from bot.domain.alerts import Alert
    from bot.domain.intake import opens_crisis, tier

    paged = Alert(source="pagerduty", key="k", title="t", severity="high", source_severity="error")
    assert tier(paged, plan) == "high" and opens_crisis(paged, "high", plan)
    info = Alert(source="generic", key="k", title="t", severity="info")
    assert tier(info, plan) == "low" and not opens_crisis(info, "low", plan)

    stricter = replace(plan, alerts=replace(plan.alerts, words={"pagerduty": {"error": "medium"}},
                                            auto_open="critical"))
    assert tier(paged, stricter) == "medium"
    assert not opens_crisis(Alert(source="generic", key="k", title="t", severity="high"), "high", stricter)


def test_a_plan_without_the_default_tier_names_gets_alert_tiers_by_rank(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "phases: [{key: reduction, name: Reduction, summary: Contain}, {key: response, name: Response, summary: Out},\n"
        "         {key: rethink, name: Rethink, summary: Learn}]\n"
        "severities: [{key: sev3, label: SEV3}, {key: sev2, label: SEV2}, {key: sev1, label: SEV1}]\n"
        "roles: [{key: lead, name: Lead}]\nsitrep: [{key: origin, label: Origin}]\n"
    )
    plan = load_plan(path)
    assert plan.alerts.tiers["critical"] == "sev1" and plan.alerts.tiers["info"] == "sev3"
    assert plan.alerts.auto_open == "sev2"
