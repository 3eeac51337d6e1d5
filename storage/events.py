"""Slack event ids already handled, so a retried event is acknowledged and not handled twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ProcessedEventRow



class SqlEventStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    async def first_time(self, event_id: str, now: datetime) -> bool:
        """Record the event id; False if it was recorded before (by this process or another)."""
        async with self.sessions() as session:
            session.add(ProcessedEventRow(event_id=event_id[:255], received_at=now))
            try:
                await session.commit()
            except IntegrityError:
                return False
            return True

    async def forget_before(self, moment: datetime) -> None:
        async with self.sessions() as session:
            await session.exec(delete(ProcessedEventRow).where(col(ProcessedEventRow.received_at) < moment))
            await session.commit()
