"""Slack requests recorded before they are acknowledged (the `slack_request` table).

The key's primary-key constraint is what makes a replay, or the same request reaching two replicas,
change nothing: whichever process inserts it first handles it; the others answer as it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import SlackRequestRow

RECEIVED, DONE = "received", "done"
MAX_ATTEMPTS = 3  # a request that failed to finish this often is left, and logged, not tried forever


@dataclass(frozen=True)
class Unfinished:
    key: str
    kind: str
    body: str
    attempts: int


class SqlRequestStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    async def record(self, key: str, kind: str, user: str, body: str, now: datetime, lease: timedelta) -> bool:
        """Record a request; False when it was recorded before (a replay, or another replica has it)."""
        async with self.sessions() as session:
            session.add(SlackRequestRow(key=key[:255], kind=kind, user_id=user[:64], body=body, state=RECEIVED,
                                        received_at=now, lease_until=now + lease))
            try:
                await session.commit()
            except IntegrityError:
                return False
            return True

    async def answer_of(self, key: str) -> str | None:
        async with self.sessions() as session:
            row = await session.get(SlackRequestRow, key[:255])
            return row.answer if row is not None else None

    async def save_answer(self, key: str, answer: str) -> None:
        async with self.sessions() as session:
            await session.exec(update(SlackRequestRow).where(col(SlackRequestRow.key) == key[:255])
                               .values(answer=answer))
            await session.commit()

    async def finish(self, key: str) -> None:
        async with self.sessions() as session:
            await session.exec(update(SlackRequestRow).where(col(SlackRequestRow.key) == key[:255])
                               .values(state=DONE))
            await session.commit()

    async def claim_unfinished(self, now: datetime, lease: timedelta, limit: int = 20) -> list[Unfinished]:
        """Requests acknowledged by a process that did not finish them before its lease ran out (it died).

        Each is claimed with a conditional update of its lease, so one process resumes it."""
        claimed: list[Unfinished] = []
        async with self.sessions() as session:
            rows = (await session.exec(
                select(SlackRequestRow)
                .where(col(SlackRequestRow.state) == RECEIVED, col(SlackRequestRow.lease_until) < now,
                       col(SlackRequestRow.attempts) < MAX_ATTEMPTS)
                .order_by(col(SlackRequestRow.received_at)).limit(limit))).all()
            seen = [(row.key, row.kind, row.body, row.attempts, row.lease_until) for row in rows]
        for key, kind, body, attempts, lease_until in seen:
            async with self.sessions() as session:
                won = await session.exec(
                    update(SlackRequestRow)
                    .where(col(SlackRequestRow.key) == key, col(SlackRequestRow.state) == RECEIVED,
                           col(SlackRequestRow.lease_until) == lease_until)
                    .values(lease_until=now + lease, attempts=attempts + 1))
                await session.commit()
            if won.rowcount == 1:
                claimed.append(Unfinished(key, kind, body, attempts + 1))
        return claimed

    async def given_up(self) -> list[str]:
        """Keys of requests that could not be finished in MAX_ATTEMPTS tries."""
        async with self.sessions() as session:
            rows = await session.exec(select(SlackRequestRow.key).where(
                col(SlackRequestRow.state) == RECEIVED, col(SlackRequestRow.attempts) >= MAX_ATTEMPTS))
            return list(rows.all())

    async def state_of(self, key: str) -> str | None:
        async with self.sessions() as session:
            row = await session.get(SlackRequestRow, key[:255])
            return row.state if row is not None else None

    async def forget_before(self, moment: datetime) -> None:
        """Requests older than Slack's replay window are finished with; keep none longer than needed."""
        async with self.sessions() as session:
            await session.exec(delete(SlackRequestRow).where(col(SlackRequestRow.received_at) < moment,
                                                             col(SlackRequestRow.state) == DONE))
            await session.commit()
