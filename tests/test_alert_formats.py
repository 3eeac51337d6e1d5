"""The four alert formats: each documented sample read into the right Alert, every refusal naming its
field, and the generic format's JSON Schema agreeing with its parser."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.domain.alerts import (
    DEFAULT_SEVERITY_TABLES,
    SEVERITIES,
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    Alert,
    AlertJsonError,
    AlertShapeError,
    AlertStatus,
    neutral_severity,
)
from handlers.alert_formats import SOURCES, decode, generic, generic_schema, parse

SAMPLES = Path(__file__).parent / "alerts"
UTC = timezone.utc


def sample(name: str) -> dict:
    return decode((SAMPLES / f"{name}.json").read_bytes())


def problems(source: str, data: object) -> list[str]:
    with pytest.raises(AlertShapeError) as caught:
        parse(source, data)  # type: ignore[arg-type]
    return caught.value.problems


# --- the samples ---------------------------------------------------------------------------------


def test_every_source_has_a_firing_and_a_resolved_sample():
    assert set(SOURCES) == {"generic", "alertmanager", "grafana", "pagerduty", "meltwater"}
    names = {p.stem for p in SAMPLES.glob("*.json")}
    for source in SOURCES:
        assert {n for n in names if n.startswith(source + "_")}, source
    for name in names:
        source = name.split("_")[0]
        alert = parse(source, sample(name))
        assert alert.source == source and alert.raw == sample(name)
        assert alert.status == ("resolved" if name.endswith(("resolved", "resolve")) else "firing")


def test_generic_firing():
    alert = parse("generic", sample("generic_firing"))
    assert alert == Alert(
        source="generic",
        key="lumina-serum-burn-claims",
        title="Negative mentions spike: influencer video says Lumina serum burns skin",
        summary=alert.summary,
        severity="high",
        source_severity="high",
        status=AlertStatus.FIRING,
        url="https://listening.example.com/searches/lumina-serum?range=24h",
        networks=("tiktok", "x"),
        metrics={"mentions_per_hour": 4200.0, "negative_share": 0.81, "baseline_ratio": 14.2},
        started_at=datetime(2026, 11, 21, 8, 45, tzinfo=UTC),
        raw=sample("generic_firing"),
    )
    assert alert.summary.startswith("Mentions of Lumina serum are 14 times")
    assert alert.is_firing and alert.count == 1 and not alert.acknowledged


def test_generic_resolved_has_the_firing_key():
    firing, resolved = parse("generic", sample("generic_firing")), parse("generic", sample("generic_resolved"))
    assert resolved.status == "resolved" and not resolved.is_firing
    assert resolved.key == firing.key
    assert resolved.url is None and resolved.metrics == {"mentions_per_hour": 310.0, "negative_share": 0.35}


def test_generic_defaults_and_normalisation():
    alert = parse("generic", {"title": "  Boycott\n call   on X ", "networks": ["TikTok", " x ", "tiktok"]})
    assert alert.title == "Boycott call on X"
    assert alert.status == "firing" and alert.severity == "medium" and alert.source_severity is None
    assert alert.networks == ("tiktok", "x")
    assert alert.summary == "" and alert.url is None and alert.metrics == {} and alert.started_at is None


def test_generic_key_is_derived_from_the_normalised_title():
    key = parse("generic", {"title": "Negative mentions spike on TikTok"}).key
    assert re.fullmatch(r"generic:negative-mentions-spike-on-tiktok-[0-9a-f]{12}", key)
    assert parse("generic", {"title": "negative  MENTIONS spike on tiktok"}).key == key
    assert parse("generic", {"title": "Negative mentions spike on Instagram"}).key != key
    assert re.fullmatch(r"generic:[0-9a-f]{12}", parse("generic", {"title": "炎上"}).key)
    assert parse("generic", {"title": "炎上"}).key != parse("generic", {"title": "批判"}).key


def test_generic_started_at_accepts_rfc3339_offsets():
    alert = parse("generic", {"title": "t", "started_at": "2026-11-21T10:45:00.5+02:00"})
    assert alert.started_at == datetime(2026, 11, 21, 8, 45, 0, 500000, tzinfo=UTC)
    for impossible in ("2026-13-45T00:00:00Z", "0001-01-01T00:00:00+02:00"):
        assert problems("generic", {"title": "t", "started_at": impossible}) == [
            "started_at: must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z"
        ]


def test_alertmanager_firing_counts_the_fingerprints():
    alert = parse("alertmanager", sample("alertmanager_firing"))
    # the group key, scoped to its sender (externalURL, receiver) by a digest
    assert re.fullmatch(r'\{\}/\{team="social"\}:\{alertname="NegativeMentionsSpike", brand="lumina"\}@[0-9a-f]{16}',
                        alert.key)
    assert alert.title == "Negative mentions of Lumina are spiking"
    assert alert.summary.startswith("Negative mentions of Lumina are more than 10 times")
    assert alert.fingerprints == ("5f2c1e0a9b7d3c41", "a83e6b2d47f1c905") and alert.count == 2
    assert (alert.severity, alert.source_severity) == ("critical", "critical")
    assert alert.networks == ("tiktok", "x")
    assert alert.metrics == {"mentions_per_hour": 4200.0}  # the higher of the two annotations
    assert alert.started_at == datetime(2026, 11, 21, 8, 45, 12, 345678, tzinfo=UTC)  # the earliest, ns cut
    assert alert.url.startswith("http://prometheus.example.com:9090/graph?")
    assert alert.status == "firing"


def test_alertmanager_resolved_keeps_the_group_key():
    firing = parse("alertmanager", sample("alertmanager_firing"))
    resolved = parse("alertmanager", sample("alertmanager_resolved"))
    assert resolved.status == "resolved" and resolved.key == firing.key
    assert resolved.fingerprints == firing.fingerprints


def test_an_alertmanager_group_is_resolved_only_when_the_group_says_so():
    data = sample("alertmanager_firing")
    data["alerts"][0]["status"] = "resolved"
    assert parse("alertmanager", data).status == "firing"


def test_alertmanager_title_and_severity_fallbacks():
    data = sample("alertmanager_firing")
    del data["commonAnnotations"]["summary"], data["commonLabels"]["severity"]
    data["alerts"][0]["labels"]["severity"] = "warning"
    alert = parse("alertmanager", data)
    assert alert.title == "NegativeMentionsSpike"
    assert (alert.severity, alert.source_severity) == ("critical", "critical")  # the most severe alert's word


def test_alertmanager_without_fingerprints_derives_them_from_the_labels():
    data = sample("alertmanager_firing")
    for alert in data["alerts"]:
        del alert["fingerprint"]
    first, again = parse("alertmanager", data), parse("alertmanager", copy.deepcopy(data))
    assert len(set(first.fingerprints)) == 2 and first.fingerprints == again.fingerprints
    assert all(re.fullmatch(r"[0-9a-f]{16}", f) for f in first.fingerprints)


def test_alertmanager_truncated_alerts_are_counted():
    data = sample("alertmanager_firing")
    data["truncatedAlerts"] = 3
    alert = parse("alertmanager", data)
    assert alert.truncated_alerts == 3 and alert.count == 5


def test_an_overlong_group_key_is_folded_to_a_stable_digest():
    data = sample("alertmanager_firing")
    data["groupKey"] = "{}:{" + ", ".join(f'label{i}="value{i}"' for i in range(40)) + "}"
    key = parse("alertmanager", data).key
    assert re.fullmatch(r"alertmanager:sha256:[0-9a-f]{64}", key)
    assert parse("alertmanager", copy.deepcopy(data)).key == key


def test_grafana_firing():
    alert = parse("grafana", sample("grafana_firing"))
    assert alert.key.startswith("{}/{__grafana_autogenerated__=")
    assert alert.title == "More than 70% of Lumina mentions are negative"
    assert alert.fingerprints == ("9d1c3f62a7e04b58", "2b7e4d19c0f5a863")
    assert (alert.severity, alert.source_severity) == ("medium", "warning")
    assert alert.networks == ("tiktok", "instagram")
    assert alert.metrics == {"mentions_per_hour": 3900.0, "negative_share": 0.83}  # worst value per name
    assert alert.url == "https://grafana.example.com/d/brand-health?orgId=1&viewPanel=4"
    assert alert.started_at == datetime(2026, 11, 21, 7, 50, tzinfo=UTC)


def test_grafana_resolved_with_null_values():
    alert = parse("grafana", sample("grafana_resolved"))
    assert alert.status == "resolved" and alert.key == parse("grafana", sample("grafana_firing")).key
    assert alert.metrics == {"mentions_per_hour": 420.0, "negative_share": 0.41}


def test_grafana_falls_back_to_its_title_without_the_status_marker():
    data = sample("grafana_firing")
    del data["commonAnnotations"]["summary"], data["commonLabels"]["alertname"], data["groupLabels"]["alertname"]
    for alert in data["alerts"]:
        del alert["annotations"]["summary"], alert["labels"]["alertname"]
    assert parse("grafana", data).title == "NegativeShareHigh Brand health (lumina warning)"
    for name in ("panelURL", "dashboardURL"):
        for alert in data["alerts"]:
            alert[name] = ""
    assert parse("grafana", data).url.startswith("https://grafana.example.com/alerting/grafana/")


def test_pagerduty_trigger():
    alert = parse("pagerduty", sample("pagerduty_trigger"))
    assert alert.key == "lumina/boycott-hashtag/dumplumina"
    assert alert.title == "Boycott hashtag #DumpLumina is trending in France on X"
    assert alert.summary.startswith("#DumpLumina entered the top 10 trends")
    assert (alert.severity, alert.source_severity) == ("critical", "critical")
    assert alert.status == "firing" and not alert.acknowledged
    assert alert.started_at == datetime(2026, 11, 21, 9, 2, 11, tzinfo=UTC)  # "+0000", as PagerDuty writes it
    assert alert.networks == ("x", "instagram")
    assert alert.metrics == {"posts_per_hour": 2600.0, "negative_share": 0.9, "top_account_followers": 1200000.0}
    assert alert.url == "https://listening.example.com/hashtags/DumpLumina"


def test_pagerduty_resolve_and_acknowledge():
    resolved = parse("pagerduty", sample("pagerduty_resolve"))
    assert resolved.status == "resolved" and resolved.key == "lumina/boycott-hashtag/dumplumina"
    assert resolved.title == resolved.key and resolved.source_severity is None
    acknowledged = parse("pagerduty", {**sample("pagerduty_resolve"), "event_action": "acknowledge"})
    assert acknowledged.status == "firing" and acknowledged.acknowledged


def test_a_pagerduty_trigger_without_a_key_gets_a_stable_one():
    data = sample("pagerduty_trigger")
    del data["dedup_key"]
    key = parse("pagerduty", data).key
    assert key.startswith("pagerduty:listening-example-com-boycott-hashtag")
    assert parse("pagerduty", copy.deepcopy(data)).key == key


# --- severities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "word", "expected"),
    [
        ("generic", "critical", "critical"),
        ("generic", "Low", "low"),
        ("generic", "sev1", "medium"),  # a plan tier the default table doesn't know
        ("alertmanager", "critical", "critical"),
        ("alertmanager", "page", "critical"),
        ("alertmanager", "error", "high"),
        ("alertmanager", "warning", "medium"),
        ("alertmanager", "info", "info"),
        ("alertmanager", "none", "info"),
        ("grafana", "warning", "medium"),
        ("grafana", "whatever", "medium"),
        ("pagerduty", "critical", "critical"),
        ("pagerduty", "error", "high"),
        ("pagerduty", "warning", "medium"),
        ("pagerduty", "info", "info"),
        ("pagerduty", None, "medium"),
    ],
)
def test_default_severity_tables(source, word, expected):
    assert neutral_severity(source, word) == expected


def test_every_default_table_maps_into_the_neutral_severities():
    assert set(DEFAULT_SEVERITY_TABLES) == set(SOURCES)
    for table in DEFAULT_SEVERITY_TABLES.values():
        assert set(table.values()) <= set(SEVERITIES)


def test_a_plan_table_overrides_the_default():
    alert = parse("generic", {"title": "t", "severity": "SEV1"})
    assert (alert.severity, alert.source_severity) == ("medium", "SEV1")  # kept as the source said it
    assert neutral_severity("generic", alert.source_severity, {"sev1": "critical"}) == "critical"
    assert neutral_severity("pagerduty", "warning", {"warning": "high"}) == "high"
    assert neutral_severity("pagerduty", "warning", {"warning": "urgent"}) == "medium"  # not a neutral word


def test_an_alert_refuses_a_severity_outside_the_neutral_set():
    with pytest.raises(ValueError):
        Alert(source="generic", key="k", title="t", severity="urgent")


# --- refusals ------------------------------------------------------------------------------------


def test_generic_title_is_required():
    assert problems("generic", {"summary": "no title"}) == ["title: required"]
    assert problems("generic", {"title": "   "}) == ["title: must not be blank"]


def test_generic_names_every_wrong_field():
    assert problems("generic", {
        "title": 5,
        "summary": None,
        "severity": 3,
        "dedup_key": "",
        "status": "open",
        "url": "javascript:alert(1)",
        "networks": "tiktok",
        "metrics": {"mentions_per_hour": 4200, "negative_share": "0.81", "viral": True},
        "started_at": "yesterday",
        "sumary": "typo",
    }) == [
        "sumary: unknown field (the fields are title, summary, severity, dedup_key, status, url, networks, "
        "metrics, started_at)",
        "title: must be a string",
        "summary: must be a string",
        "severity: must be a string",
        "dedup_key: must not be blank",
        "status: must be firing or resolved",
        "url: must be an http:// or https:// URL",
        "networks: must be a list of strings",
        "metrics.negative_share: must be a number",
        "metrics.viral: must be a number",
        "started_at: must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z",
    ]


def test_generic_refuses_lists_of_the_wrong_things():
    assert problems("generic", {"title": "t", "networks": ["tiktok", 3]}) == ["networks: must be a list of strings"]
    assert problems("generic", {"title": "t", "networks": ["tiktok", " "]}) == ["networks[1]: must not be blank"]
    assert problems("generic", {"title": "t", "metrics": [1, 2]}) == ["metrics: must be an object"]
    assert problems("generic", {"title": "t", "started_at": "2026-11-21T09:30:00"}) == [
        "started_at: must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z"
    ]


def test_overlong_text_is_refused_not_cut():
    assert problems("generic", {"title": "x" * (TITLE_LIMIT + 1), "summary": "y" * (SUMMARY_LIMIT + 5)}) == [
        "title: at most 300 characters (got 301)",
        "summary: at most 3000 characters (got 3005)",
    ]
    parse("generic", {"title": "x" * TITLE_LIMIT, "summary": "y" * SUMMARY_LIMIT})
    assert problems("generic", {"title": "t", "dedup_key": "k" * 256}) == [
        "dedup_key: at most 255 characters (got 256)"
    ]
    assert problems("generic", {"title": "t", "networks": ["n" * 51]}) == [
        "networks[0]: at most 50 characters (got 51)"
    ]
    data = sample("alertmanager_firing")
    data["commonAnnotations"]["summary"] = "s" * 301
    assert problems("alertmanager", data) == ["commonAnnotations.summary: at most 300 characters (got 301)"]
    data = sample("pagerduty_trigger")
    data["payload"]["summary"] = "s" * 1024  # PagerDuty's own limit, above ours
    assert problems("pagerduty", data) == ["payload.summary: at most 300 characters (got 1024)"]


def test_alertmanager_names_every_missing_field():
    assert problems("alertmanager", {}) == [
        "version: required",
        "groupKey: required",
        "status: required",
        "alerts: required",
        "commonLabels.alertname: required (or commonAnnotations.summary), to title the alert",
    ]


def test_alertmanager_refusals():
    data = sample("alertmanager_firing")
    data["version"] = "3"
    data["status"] = "pending"
    data["truncatedAlerts"] = -1
    data["alerts"][1]["labels"]["severity"] = 2
    data["alerts"][1]["startsAt"] = "21/11/2026"
    assert problems("alertmanager", data) == [
        'version: must be "4" (Alertmanager webhook version 4)',
        "status: must be firing or resolved",
        "truncatedAlerts: must be an integer of at least 0",
        "alerts[1].labels.severity: must be a string",
        "alerts[1].startsAt: must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z",
    ]
    data = sample("alertmanager_firing")
    data["alerts"] = []
    assert problems("alertmanager", data) == ["alerts: must not be empty"]
    data["alerts"] = ["firing"]
    assert problems("alertmanager", data) == ["alerts: must be a list of objects"]


def test_grafana_refusals():
    data = sample("grafana_firing")
    data["alerts"][0]["values"] = {"B": "high", "C": 1}
    data["orgId"] = "one"
    assert problems("grafana", data) == [
        "orgId: must be an integer of at least 0",
        "alerts[0].values.B: must be a number",
    ]


def test_pagerduty_refusals():
    assert problems("pagerduty", {"event_action": "trigger"}) == ["payload: required"]
    assert problems("pagerduty", {"event_action": "trigger", "payload": {"source": "x"}}) == [
        "payload.summary: required",
        "payload.severity: required",
    ]
    data = sample("pagerduty_trigger")
    data["payload"]["severity"] = "high"
    data["payload"]["timestamp"] = "now"
    data["links"] = [{"text": "no href"}]
    assert problems("pagerduty", data) == [
        "links[0].href: required",
        "payload.severity: must be critical, error, warning or info",
        "payload.timestamp: must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z",
    ]
    assert problems("pagerduty", {"event_action": "resolve"}) == ["dedup_key: required to resolve"]
    assert problems("pagerduty", {"event_action": "acknowledge"}) == ["dedup_key: required to acknowledge"]
    assert problems("pagerduty", {"event_action": "escalate", "dedup_key": "k"}) == [
        "event_action: must be trigger, acknowledge or resolve"
    ]
    assert problems("pagerduty", {"dedup_key": "k"}) == ["event_action: required"]


@pytest.mark.parametrize("source", ["generic", "alertmanager", "grafana", "pagerduty"])
@pytest.mark.parametrize("body", [[], ["title"], "title", 42, None])
def test_a_top_level_that_is_not_an_object_is_refused(source, body):
    assert problems(source, body) == ["body: must be a JSON object"]


def test_an_unknown_source_is_a_key_error():
    with pytest.raises(KeyError):
        parse("splunk", {"title": "t"})


# --- decoding ------------------------------------------------------------------------------------


def test_decode_returns_the_object():
    assert decode(b'{"title": "Boycott call"}') == {"title": "Boycott call"}
    assert decode('\ufeff{"title": "Boicot à Lumina"}'.encode()) == {"title": "Boicot à Lumina"}  # BOM tolerated


def test_malformed_json_gives_its_position():
    with pytest.raises(AlertJsonError) as caught:
        decode(b'{\n  "title": "Boycott call",\n  "severity": \n}')
    assert (caught.value.line, caught.value.column) == (4, 1)
    assert "line 4 column 1" in caught.value.message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "line 1 column 1"),
        (b'{"title": "caf\xe9"}', "not UTF-8"),
        (b'{"metrics": {"x": NaN}}', "NaN is not JSON"),
        (b'{"metrics": {"x": -Infinity}}', "-Infinity is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_what_is_not_json(body, says):
    with pytest.raises(AlertJsonError) as caught:
        decode(body)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("body", "kind"), [(b"[]", "an array"), (b'"x"', "a string"), (b"3", "a number"), (b"null", "null")]
)
def test_json_that_is_not_an_object_is_a_shape_error(body, kind):
    with pytest.raises(AlertShapeError) as caught:
        decode(body)
    assert caught.value.problems == [f"body: must be a JSON object, not {kind}"]


# --- the generic format's JSON Schema ------------------------------------------------------------

_ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "examples", "format"}


def schema_errors(schema: dict, value: object, path: str = "") -> list[str]:
    """A small draft 2020-12 validator for the keywords generic.schema.json uses, so the samples are
    checked without the `jsonschema` package (see test_the_schema_uses_only_known_keywords)."""
    types = {"object": dict, "array": list, "string": str, "number": (int, float)}
    errors = []
    kind = schema.get("type")
    if kind and (not isinstance(value, types[kind]) or isinstance(value, bool)):
        return [f"{path}: not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not in enum")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            errors.append(f"{path}: length")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: pattern")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            errors.append(f"{path}: too many items")
        for i, item in enumerate(value):
            errors += schema_errors(schema.get("items", {}), item, f"{path}[{i}]")
    if isinstance(value, dict):
        if len(value) > schema.get("maxProperties", len(value)):
            errors.append(f"{path}: too many properties")
        errors += [f"{path}.{name}: required" for name in schema.get("required", []) if name not in value]
        properties = schema.get("properties", {})
        for name, item in value.items():
            errors += schema_errors(schema.get("propertyNames", {}), name, f"{path}.{name}(name)")
            if name in properties:
                errors += schema_errors(properties[name], item, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{name}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(schema["additionalProperties"], item, f"{path}.{name}")
    return errors


def _keywords(schema: dict) -> set[str]:
    found = set(schema)
    for name in ("items", "additionalProperties", "propertyNames"):
        if isinstance(schema.get(name), dict):
            found |= _keywords(schema[name])
    for sub in schema.get("properties", {}).values():
        found |= _keywords(sub)
    return found


def test_the_schema_loads_and_matches_the_parser():
    schema = generic_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["title"] and schema["additionalProperties"] is False
    assert tuple(schema["properties"]) == generic.FIELDS
    props = schema["properties"]
    assert props["title"]["maxLength"] == TITLE_LIMIT and props["summary"]["maxLength"] == SUMMARY_LIMIT
    assert props["dedup_key"]["maxLength"] == 255 and props["severity"]["maxLength"] == generic.SEVERITY_LIMIT
    assert props["status"]["enum"] == [s.value for s in AlertStatus]
    assert props["networks"]["maxItems"] == generic.MAX_NETWORKS
    assert props["networks"]["items"]["maxLength"] == generic.NETWORK_LIMIT
    assert props["metrics"]["maxProperties"] == generic.MAX_METRICS
    assert props["metrics"]["propertyNames"]["maxLength"] == generic.METRIC_NAME_LIMIT
    schema["required"].append("mutated")
    assert generic_schema()["required"] == ["title"]  # a fresh copy per call


def test_the_schema_uses_only_known_keywords():
    known = {"type", "enum", "minLength", "maxLength", "pattern", "maxItems", "items", "maxProperties",
             "required", "properties", "propertyNames", "additionalProperties"}
    assert _keywords(generic_schema()) <= known | _ANNOTATIONS


@pytest.mark.parametrize("name", ["generic_firing", "generic_resolved"])
def test_the_generic_samples_validate_against_the_schema(name):
    assert schema_errors(generic_schema(), sample(name)) == []
    for example in generic_schema()["examples"]:
        assert schema_errors(generic_schema(), example) == []
        parse("generic", example)


@pytest.mark.parametrize(
    "body",
    [
        {"summary": "no title"},
        {"title": " "},
        {"title": "t" * 301},
        {"title": "t", "summary": "s" * 3001},
        {"title": "t", "status": "open"},
        {"title": "t", "networks": "tiktok"},
        {"title": "t", "networks": [""]},
        {"title": "t", "networks": ["n"] * 21},
        {"title": "t", "metrics": {"negative_share": "0.81"}},
        {"title": "t", "metrics": {"viral": True}},
        {"title": "t", "metrics": {f"m{i}": i for i in range(51)}},
        {"title": "t", "url": "javascript:alert(1)"},
        {"title": "t", "url": "https://example.com/a b"},
        {"title": "t", "dedup_key": ""},
        {"title": "t", "severity": None},
        {"title": "t", "sumary": "typo"},
    ],
)
def test_the_schema_and_the_parser_refuse_the_same_bodies(body):
    assert schema_errors(generic_schema(), body)
    assert problems("generic", body)


def test_the_schema_is_valid_draft_2020_12_when_jsonschema_is_installed():
    jsonschema = pytest.importorskip("jsonschema")
    schema = generic_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("generic_firing", "generic_resolved"):
        assert list(validator.iter_errors(sample(name))) == []
    assert not validator.is_valid({"summary": "no title"})

