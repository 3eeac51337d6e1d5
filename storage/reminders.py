"""Durable reminders: the `reminder` table, one row per (crisis, kind), with its due time.

Several bot processes may share one database, each ticking on its own. `claim_due` makes
each due reminder fire once: it reads due rows with `SELECT … FOR UPDATE SKIP LOCKED`
(PostgreSQL; SQLite has no row locks and ignores it) and then advances every row with a
conditional UPDATE (or DELETE for a one-shot escalation) that still expects the due time it
read. Only the process whose statement changed the row owns that reminder; a process that
read the same row a moment earlier finds the due time moved and leaves it alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.plan import Plan
from bot.domain.reminders import Reminder, ReminderKind, next_due
from storage.crises import utc
from storage.tables import ReminderRow

_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _to_reminder(row: ReminderRow) -> Reminder:
    return Reminder(row.crisis_id, ReminderKind(row.kind), utc(row.due_at), row.id)  # type: ignore[arg-type]


class SqlReminderStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    async def schedule(self, reminders: list[Reminder]) -> None:
        """Set each reminder's due time, creating its row or moving the existing one."""
        if not reminders:
            return
        async with self.sessions() as session:
            dialect = (await session.connection()).dialect.name
            insert = _UPSERTS.get(dialect)
            if insert is None:  # pragma: no cover - the app supports SQLite and PostgreSQL
                raise RuntimeError(f"reminders need SQLite or PostgreSQL, not {dialect}")
            for reminder in reminders:
                statement = insert(ReminderRow).values(
                    crisis_id=reminder.crisis_id, kind=reminder.kind.value, due_at=reminder.due_at, fired_count=0,
                )
                await session.exec(statement.on_conflict_do_update(
                    index_elements=["crisis_id", "kind"], set_={"due_at": statement.excluded.due_at},
                ))
            await session.commit()

    async def cancel(self, crisis_id: int, kinds: list[ReminderKind] | None = None) -> None:
        """Forget a crisis's reminders (all of them, or only `kinds`)."""
        async with self.sessions() as session:
            statement = delete(ReminderRow).where(col(ReminderRow.crisis_id) == crisis_id)
            if kinds is not None:
                statement = statement.where(col(ReminderRow.kind).in_([k.value for k in kinds]))
            await session.exec(statement.execution_options(synchronize_session=False))
            await session.commit()

    async def snooze(self, crisis_id: int, kind: ReminderKind, until: datetime) -> bool:
        """Postpone a pending reminder to `until` (never bring it forward); False when none is pending."""
        async with self.sessions() as session:
            moved = await session.exec(
                update(ReminderRow)
                .where(col(ReminderRow.crisis_id) == crisis_id, col(ReminderRow.kind) == kind.value,
                       col(ReminderRow.due_at) < until)
                .values(due_at=until)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if moved.rowcount:
                return True
            later = await session.exec(
                select(ReminderRow.id).where(ReminderRow.crisis_id == crisis_id, ReminderRow.kind == kind.value)
            )
            return later.first() is not None

    async def pending(self, crisis_id: int) -> list[Reminder]:
        async with self.sessions() as session:
            rows = await session.exec(
                select(ReminderRow).where(ReminderRow.crisis_id == crisis_id)
                .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
            )
            return [_to_reminder(r) for r in rows]

    async def claim_due(self, now: datetime, plan: Plan, limit: int = 50) -> list[Reminder]:
        """The reminders due at `now` that this process now owns, each with the due time it had.

        A repeating reminder moves on to its next due time; a one-shot escalation is deleted.
        """
        async with self.sessions() as session:
            rows = (await session.exec(
                select(ReminderRow)
                .where(col(ReminderRow.due_at) <= now)
                .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )).all()
            claimed: list[Reminder] = []
            for row in rows:
                seen = (row.id, row.due_at)
                reminder = _to_reminder(row)
                following = next_due(reminder.kind, plan, now)
                if following is None:
                    statement = delete(ReminderRow)
                else:
                    statement = update(ReminderRow).values(
                        due_at=following, fired_count=col(ReminderRow.fired_count) + 1, last_fired_at=now,
                    )
                result = await session.exec(
                    statement.where(col(ReminderRow.id) == seen[0], col(ReminderRow.due_at) == seen[1])
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    claimed.append(reminder)
            await session.commit()
            return claimed
