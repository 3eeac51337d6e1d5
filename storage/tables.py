"""SQLModel tables. Every change here comes with an Alembic revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _when(nullable: bool = False, index: bool = False):
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


class CrisisRow(SQLModel, table=True):
    __tablename__ = "crisis"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    severity: str
    description: str = ""
    is_private: bool = False
    status: str = Field(index=True)
    opened_by: str
    lead: str
    origin_channel: str | None = None
    channel_id: str | None = Field(default=None, unique=True)
    channel_name: str | None = None
    plan_ts: str | None = None
    opened_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    closed_by: str | None = None
    phase: str | None = None  # the latest recorded phase
    outcome: str | None = None  # one line, given at close
    alert_source: str | None = None  # the alert that opened it, if one did
    alert_key: str | None = Field(default=None, index=True)
    previous_crisis_id: int | None = None  # an earlier crisis of the same alert key
    digest_at: datetime | None = _when(nullable=True)  # when the next alert digest may be posted
    lease_owner: str | None = None  # the process running this crisis's opening steps
    lease_until: datetime | None = _when(nullable=True)  # ...until then; after, another may resume them
    archived_at: datetime | None = _when(nullable=True)  # the bot archived the channel after the close
    language: str = Field(default="en", sa_column_kwargs={"server_default": "en"})  # its shared messages' language


def _crisis_fk():
    return Field(sa_column=Column(Integer, ForeignKey("crisis.id", ondelete="CASCADE"), nullable=False, index=True))


class OpeningStepRow(SQLModel, table=True):
    __tablename__ = "opening_step"

    crisis_id: int = Field(
        sa_column=Column(Integer, ForeignKey("crisis.id", ondelete="CASCADE"), primary_key=True)
    )
    step: str = Field(primary_key=True)
    status: str
    attempts: int = 0
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = None
    updated_at: datetime = _when()


class RoleAssignmentRow(SQLModel, table=True):
    __tablename__ = "role_assignment"

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = _crisis_fk()
    role: str
    user_id: str
    assigned_by: str
    assigned_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)


class SitrepVersionRow(SQLModel, table=True):
    __tablename__ = "sitrep_version"
    __table_args__ = (UniqueConstraint("crisis_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = _crisis_fk()
    version: int
    fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    author: str
    created_at: datetime = _when()


class MilestoneRow(SQLModel, table=True):
    __tablename__ = "milestone"

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = _crisis_fk()
    phase: str
    note: str = ""
    recorded_by: str
    recorded_at: datetime = _when()
    out_of_order: bool = False
    skipped: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    click: str | None = Field(default=None, unique=True)  # one person, one phase, one half-minute: one record


class TimelineRow(SQLModel, table=True):
    __tablename__ = "timeline_entry"
    __table_args__ = (UniqueConstraint("crisis_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = _crisis_fk()
    kind: str
    at: datetime = _when(index=True)
    author: str | None = None
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ref: str | None = None


class ReminderRow(SQLModel, table=True):
    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("crisis_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = _crisis_fk()
    kind: str
    due_at: datetime = _when(index=True)
    fired_count: int = 0
    last_fired_at: datetime | None = _when(nullable=True)
    claim_token: str | None = None  # a process posting it (the token is carried in the message)...
    claimed_until: datetime | None = _when(nullable=True)  # ...until then (wall time)


class LessonRow(SQLModel, table=True):
    __tablename__ = "lesson"

    id: int | None = Field(default=None, primary_key=True)
    plan_name: str = Field(index=True)
    crisis_id: int = _crisis_fk()
    text: str
    author: str
    created_at: datetime = _when()
    adopted_at: datetime | None = _when(nullable=True)  # an admin shared a private crisis's lesson with all plans
    adopted_by: str | None = None


class AlertRow(SQLModel, table=True):
    """Every alert received, stored before the sender is answered."""

    __tablename__ = "alert"
    # a crisis's untold alerts (the digest's claim and count, the tick's digest_due): without scanning all its alerts
    __table_args__ = (Index("ix_alert_crisis_id_digested", "crisis_id", "digested"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    key: str
    status: str
    title: str
    summary: str = ""
    severity: str  # the plan tier
    url: str | None = None
    networks: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    metrics: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    count: int = 1  # alerts in this delivery (Alertmanager groups several)
    fingerprints: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    resolved_fingerprints: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    truncated_alerts: int = 0
    new_alerts: int = 0  # alerts of this delivery its crisis (or triage) had not seen: what counts
    resolved_alerts: int = 0  # alerts this delivery changed to resolved
    raw: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _when(index=True)
    route: str  # opened, attached, triaged, recorded
    crisis_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("crisis.id", ondelete="SET NULL"), index=True))
    triage_id: int | None = Field(default=None, index=True)
    digested: bool = Field(default=False, index=True)  # counted in a digest message already


class AlertInstanceRow(SQLModel, table=True):
    """One alert of a group (by its fingerprint) as its crisis or triage knows it: a re-send of the group
    finds it here and is not counted again; a resolve changes its status. `count` is 1, or, for the
    `~truncated` entry, the most alerts the sender left out of one delivery."""

    __tablename__ = "alert_instance"
    __table_args__ = (UniqueConstraint("crisis_id", "source", "key", "fingerprint"),
                      UniqueConstraint("triage_id", "source", "key", "fingerprint"))

    id: int | None = Field(default=None, primary_key=True)
    source: str
    key: str
    fingerprint: str
    crisis_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("crisis.id", ondelete="CASCADE"), index=True))
    triage_id: int | None = Field(default=None, index=True)
    status: str
    count: int = 1
    updated_at: datetime = _when()


class AlertKeyRow(SQLModel, table=True):
    """The open crisis of an alert key: at most one, which makes duplicates attach."""

    __tablename__ = "alert_key"

    source: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    crisis_id: int = _crisis_fk()


class TriageRow(SQLModel, table=True):
    """An alert below the auto-open severity, waiting for a person to open a crisis or dismiss it."""

    __tablename__ = "triage"

    id: int | None = Field(default=None, primary_key=True)
    source: str
    key: str
    pending_key: str | None = Field(default=None, unique=True)  # "<source>:<key>" while pending
    title: str
    severity: str
    status: str  # pending, opened, dismissed
    alert_count: int = 1
    channel: str | None = None
    ts: str | None = None  # the triage message, once posted
    claim_token: str | None = None  # a process posting it (the token is carried in the message)...
    claimed_until: datetime | None = _when(nullable=True)  # ...until then (wall time)
    decided_by: str | None = None
    decided_at: datetime | None = _when(nullable=True)
    crisis_id: int | None = None
    created_at: datetime = _when()


class ProcessedEventRow(SQLModel, table=True):
    """Slack event ids already handled: Slack retries an event it thinks was lost."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True)
    received_at: datetime = _when(index=True)


class ChannelClaimRow(SQLModel, table=True):
    """A crisis channel name, claimed by one crisis before the bot asks Slack to create it: an opening
    adopts a channel Slack says exists only under a name it claimed itself (storage/channel_claims.py)."""

    __tablename__ = "channel_claim"

    name: str = Field(primary_key=True)
    crisis_id: int = _crisis_fk()
    claimed_at: datetime = _when()


class SlackRequestRow(SQLModel, table=True):
    """A slash command, form or click, recorded before Slack is acknowledged (storage/requests.py): a replay of
    the same request finds it and changes nothing; one acknowledged but never finished (a crash) is resumed."""

    __tablename__ = "slack_request"

    key: str = Field(primary_key=True)  # slash:<trigger_id>, view:<id>:<hash>, action:<action_ts>:<user>:<id>
    kind: str
    user_id: str = ""
    body: str = Field(sa_column=Column(Text, nullable=False))  # as Slack sent it, to be handled again
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # the acknowledgement given
    state: str = Field(index=True)  # received, done
    attempts: int = 0
    received_at: datetime = _when(index=True)
    lease_until: datetime = _when()  # a process handles it until then; after, another may resume it
