"""Prometheus Alertmanager's webhook, version 4: one notification per alert group.

A group is one condition for crisisbot (its `groupKey` is the dedup key); its alerts are the instances
(one per brand or network, say), counted through their fingerprints. Grafana's webhook is this format
with extra fields, so `read_group` serves both parsers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.domain.alerts import SUMMARY_LIMIT, TITLE_LIMIT, Alert, AlertStatus, neutral_severity, severity_rank
from handlers.alert_formats.common import (
    Reader,
    annotation_text,
    collapse,
    first_url,
    networks_in,
    numbers_in,
    top,
    within,
)
from handlers.alert_formats.groups import and_more, scoped_key

SOURCE = "alertmanager"
VERSION = "4"


@dataclass
class Group:
    """What an Alertmanager-style body says, before a parser adds its own fields and builds the Alert."""

    key: str
    status: AlertStatus
    title: str | None  # None when nothing names the group: the parser decides on a fallback or a refusal
    summary: str
    source_severity: str | None
    networks: tuple[str, ...]
    metrics: dict[str, float]
    started_at: datetime | None
    fingerprints: tuple[str, ...]
    resolved_fingerprints: tuple[str, ...]
    truncated: int
    alerts: list[Reader]
    external_url: str | None

    def alert(self, source: str, *, title: str, url: str | None, metrics: dict[str, float], raw: dict) -> Alert:
        return Alert(
            source=source,
            key=self.key,
            title=title,
            summary=self.summary,
            severity=neutral_severity(source, self.source_severity),
            source_severity=self.source_severity,
            status=self.status,
            url=url,
            networks=self.networks,
            metrics=metrics,
            started_at=self.started_at,
            fingerprints=self.fingerprints,
            resolved_fingerprints=self.resolved_fingerprints,
            raw=raw,
            truncated_alerts=self.truncated,
        )


def parse(data: dict) -> Alert:
    """The alert an Alertmanager webhook body describes; AlertShapeError names every field at fault."""
    body = top(data)
    version = body.text("version", required=True)
    if version is not None and version != VERSION:
        body.fail("version", f'must be "{VERSION}" (Alertmanager webhook version {VERSION})')
    group = read_group(body, SOURCE)
    if group.title is None:
        body.fail("commonLabels.alertname", "required (or commonAnnotations.summary), to title the alert")
    body.raise_if_any()
    url = first_url(*(a.data.get("generatorURL") for a in group.alerts), group.external_url)
    return group.alert(SOURCE, title=group.title or "", url=url, metrics=group.metrics, raw=data)


def read_group(body: Reader, source: str, org_id: int | None = None) -> Group:
    """The fields Alertmanager and Grafana share, each checked; problems go to `body.problems`.

    The key is the `groupKey` scoped to its sender (`externalURL`, `receiver`, Grafana's `orgId`, and the
    alerts' shared labels when the group key is generic), so two senders' `{}:{}` never merge.
    """
    group_key = body.text("groupKey", required=True) or ""
    status = body.choice("status", tuple(AlertStatus), required=True)
    receiver = body.text("receiver")
    group_labels = body.labels("groupLabels")
    common_labels = body.labels("commonLabels")
    common_annotations = body.labels("commonAnnotations")
    external_url = body.text("externalURL")
    truncated = body.integer("truncatedAlerts") or 0
    alerts = body.objects("alerts", required=True, non_empty=True)
    instances = [_Instance.read(alert) for alert in alerts]
    group_status = AlertStatus(status or AlertStatus.FIRING)
    for instance in instances:
        instance.resolved = instance.status == AlertStatus.RESOLVED or (
            instance.status is None and group_status is AlertStatus.RESOLVED)
    titling = _titling(source, alerts, instances, group_status)

    title = _title(body, [
        ("commonAnnotations.summary", common_annotations.get("summary")),
        ("commonLabels.alertname", common_labels.get("alertname")),
        ("groupLabels.alertname", group_labels.get("alertname")),
    ])
    if title is None:
        title = _title(body, [
            *((f"{a.path}.annotations.summary", i.annotations.get("summary")) for a, i in titling),
            *((f"{a.path}.labels.alertname", i.labels.get("alertname")) for a, i in titling),
        ])
        if title:
            title = and_more(title, len(titling) - 1)
    where, summary = annotation_text(("commonAnnotations", common_annotations),
                                     *((f"{a.path}.annotations", i.annotations) for a, i in list(zip(alerts, instances))[:1]))
    if not within(where, summary, SUMMARY_LIMIT, body.problems):
        summary = ""
    starts = [i.starts_at for i in instances if i.starts_at is not None]
    shared = dict(instances[0].labels) if instances else {}
    for instance in instances[1:]:
        shared = {k: v for k, v in shared.items() if instance.labels.get(k) == v}
    scope = {"externalURL": external_url, "receiver": receiver, "orgId": org_id}
    return Group(
        key=scoped_key(source, group_key, scope, shared),
        status=group_status,
        title=title,
        summary=summary.strip(),
        source_severity=_severity(source, common_labels, [i for _, i in titling]),
        networks=networks_in(
            common_labels, common_annotations, *(m for i in instances for m in (i.labels, i.annotations))
        ),
        metrics=numbers_in(common_annotations, *(i.annotations for i in instances)),
        started_at=min(starts, default=None),
        fingerprints=tuple(dict.fromkeys(i.fingerprint for i in instances)),
        resolved_fingerprints=tuple(dict.fromkeys(i.fingerprint for i in instances if i.resolved)),
        truncated=truncated,
        alerts=alerts,
        external_url=external_url,
    )


@dataclass
class _Instance:
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime | None
    fingerprint: str
    status: str | None = None
    resolved: bool = False

    @classmethod
    def read(cls, alert: Reader) -> _Instance:
        status = alert.choice("status", tuple(AlertStatus))
        labels = alert.labels("labels")
        annotations = alert.labels("annotations")
        starts_at = alert.timestamp("startsAt")
        alert.timestamp("endsAt")
        alert.text("generatorURL")
        fingerprint = alert.text("fingerprint", blank=False) or _fingerprint(labels)
        return cls(labels, annotations, starts_at, fingerprint, status)


def _fingerprint(labels: dict[str, str]) -> str:
    """Alertmanagers before 0.19 send no fingerprint: one derived from the label set, stable like theirs."""
    text = "\x00".join(f"{k}\x01{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _titling(source: str, alerts: list[Reader], instances: list[_Instance],
             status: AlertStatus) -> list[tuple[Reader, _Instance]]:
    """The alerts that may title a group, most severe first: its firing ones (a resolved alert never titles
    a firing group), or all of them once the group is resolved."""
    pairs = list(zip(alerts, instances))
    if status is AlertStatus.FIRING:
        pairs = [(a, i) for a, i in pairs if not i.resolved] or pairs
    return sorted(pairs, key=lambda p: severity_rank(neutral_severity(source, p[1].labels.get("severity"))))


def _title(body: Reader, candidates: list[tuple[str, str | None]]) -> str | None:
    """The first non-blank candidate, refused (never cut) when over the title limit."""
    for where, value in candidates:
        if value and value.strip():
            return collapse(value) if within(where, value, TITLE_LIMIT, body.problems) else ""
    return None


def _severity(source: str, common_labels: dict[str, str], instances: list[_Instance]) -> str | None:
    """`commonLabels.severity`; when the alerts disagree (so it isn't common), the most severe of theirs."""
    if common_labels.get("severity"):
        return common_labels["severity"]
    words = [i.labels["severity"] for i in instances if i.labels.get("severity")]
    return min(words, key=lambda w: severity_rank(neutral_severity(source, w)), default=None)
