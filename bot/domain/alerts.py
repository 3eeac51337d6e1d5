"""An alert from a monitoring or social-listening tool, once translated out of the tool's own format.

Every source (`generic`, `alertmanager`, `grafana`, `pagerduty`) is read into the same `Alert`, so that
deciding what an alert means for a crisis (open one, attach to one, triage) never depends on which tool
sent it. The parsers live in `handlers/alert_formats/`; this module holds only the neutral shape, the
default severity tables and the errors, in plain Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

SEVERITIES = ("critical", "high", "medium", "low", "info")  # most severe first

# When a source gives no severity, or one its table doesn't know, the alert is "medium": below the
# default auto-open severity (high), so a human looks at it in triage. An unlabelled alert neither
# opens a crisis on its own nor disappears as "info".
UNKNOWN_SEVERITY = "medium"

TITLE_LIMIT = 300
SUMMARY_LIMIT = 3_000
KEY_LIMIT = 255  # PagerDuty's documented limit for dedup_key; longer machine keys are folded to a digest
URL_LIMIT = 2_000


class AlertStatus(StrEnum):
    """What the source says about the condition. A StrEnum, so `alert.status == "firing"` holds."""

    FIRING = "firing"
    RESOLVED = "resolved"


# The default translation of each source's own severity words (compared case-insensitively) into
# SEVERITIES. The plan may override a table; `neutral_severity` takes the override.
_NEUTRAL = {s: s for s in SEVERITIES}
_PROMETHEUS_STYLE = {  # Alertmanager and Grafana: `severity` is a free label; these are the usual words
    **_NEUTRAL,
    "page": "critical",
    "error": "high",
    "major": "high",
    "warning": "medium",
    "warn": "medium",
    "minor": "low",
    "none": "info",
}
DEFAULT_SEVERITY_TABLES: dict[str, dict[str, str]] = {
    "generic": dict(_NEUTRAL),
    "alertmanager": dict(_PROMETHEUS_STYLE),
    "grafana": dict(_PROMETHEUS_STYLE),
    "pagerduty": {"critical": "critical", "error": "high", "warning": "medium", "info": "info"},
    # Meltwater gives no severity: a delivery whose documents are mostly negative says "negative", else "spike"
    "meltwater": {"negative": "high", "spike": "medium"},
}


def neutral_severity(source: str, source_severity: str | None, table: Mapping[str, str] | None = None) -> str:
    """The neutral severity for what the source said, through `table` or the source's default one.

    Unknown words and a missing severity give UNKNOWN_SEVERITY; a table entry outside SEVERITIES is
    ignored rather than trusted, so a bad override can't produce a severity nobody handles.
    """
    if not source_severity:
        return UNKNOWN_SEVERITY
    lookup = table if table is not None else DEFAULT_SEVERITY_TABLES.get(source, _NEUTRAL)
    folded = {k.strip().lower(): v for k, v in lookup.items()}
    mapped = folded.get(source_severity.strip().lower())
    return mapped if mapped in SEVERITIES else UNKNOWN_SEVERITY


def severity_rank(severity: str) -> int:
    """0 for critical … 4 for info: lower is more severe."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Alert:
    """One notification from one source, in the neutral shape.

    `key` identifies the condition within its source (dedup across sources is on `(source, key)`).
    `fingerprints` lists the individual alerts of an Alertmanager or Grafana group (a re-send of the group
    carries the same ones, so each alert is counted once), `resolved_fingerprints` those of them that say
    resolved, and `truncated_alerts` how many more the sender left out; the count is the sum of both.
    `acknowledged` is PagerDuty's `acknowledge`: still firing, but somebody is on it.
    """

    source: str
    key: str
    title: str
    summary: str = ""
    severity: str = UNKNOWN_SEVERITY
    source_severity: str | None = None
    status: AlertStatus = AlertStatus.FIRING
    url: str | None = None
    networks: tuple[str, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)
    started_at: datetime | None = None
    fingerprints: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, repr=False)
    acknowledged: bool = False
    truncated_alerts: int = 0
    resolved_fingerprints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")
        object.__setattr__(self, "status", AlertStatus(self.status))
        if not self.key or not self.title:
            raise ValueError("an alert needs a key and a title")

    @property
    def is_firing(self) -> bool:
        return self.status is AlertStatus.FIRING

    @property
    def count(self) -> int:
        """How many individual alerts this notification stands for (1 for single-alert sources)."""
        return max(1, len(self.fingerprints) + self.truncated_alerts)


class AlertShapeError(ValueError):
    """The body is JSON but not the shape the source promises; `problems` names every field at fault.

    The endpoint answers 422 with the list; nothing is stored or sent.
    """

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class AlertJsonError(ValueError):
    """The body isn't JSON at all (the endpoint answers 400). `line` and `column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
