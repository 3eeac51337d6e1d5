"""SQLModel tables. Every change here comes with an Alembic revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, JSON
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
