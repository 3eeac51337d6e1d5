"""Change events: stored before the sender is answered, matched to the open crisis they concern."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.changes import Change
from bot.domain.crisis import Status
from storage.tables import AlertKeyRow, AlertRow, CrisisRow

CHANGE = "change"  # an alert row's route and status for a change event: never counted (count 0), never digested
RECENT_ALERTS = 500  # the open crises' latest alerts a change's service is looked for in


class SqlChangeStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    async def open_crisis_of(self, change: Change) -> int | None:
        """The open crisis the change concerns: the alert key it names, else the latest open crisis whose
        alerts came from the same service (routing or service key) or the same `payload.source`."""
        async with self.sessions() as session:
            if change.key:
                row = await session.get(AlertKeyRow, (change.source, change.key))
                if row is not None:
                    return row.crisis_id
            rows = await session.exec(
                select(AlertRow.crisis_id, AlertRow.raw)
                .join(CrisisRow, col(CrisisRow.id) == col(AlertRow.crisis_id))
                .where(AlertRow.source == change.source, CrisisRow.status != Status.CLOSED.value)
                .order_by(col(AlertRow.id).desc()).limit(RECENT_ALERTS))
            for crisis_id, raw in rows:
                if _concerns(change, raw or {}):
                    return crisis_id
            return None

    async def record(self, change: Change, now: datetime) -> int:
        async with self.sessions() as session:
            row = AlertRow(source=change.source, key=f"{CHANGE}:{(change.origin or change.service or '')[:240]}",
                           status=CHANGE, title=change.summary[:300], severity="", url=change.url, count=0,
                           raw=change.raw, received_at=now, route=CHANGE, digested=True)
            session.add(row)
            await session.commit()
            return row.id  # type: ignore[return-value]


def _concerns(change: Change, raw: dict) -> bool:
    service = raw.get("routing_key") or raw.get("service_key")
    payload = raw.get("payload") if isinstance(raw.get("payload"), dict) else {}
    same_service = bool(change.service) and service == change.service
    same_origin = bool(change.origin) and payload.get("source") == change.origin
    return same_service or same_origin
