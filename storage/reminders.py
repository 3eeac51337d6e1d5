"""Durable reminders: the `reminder` table, one row per (crisis, kind), with its due time.

Several bot processes may share one database, each ticking on its own. `claim_due` makes
each due reminder fire once: it reads due rows with `SELECT … FOR UPDATE SKIP LOCKED`
(PostgreSQL; SQLite has no row locks and ignores it) and then puts a claim token on every row with a
conditional UPDATE that still expects what it read. Only the process whose statement changed the row
owns that reminder; a process that read the same row a moment earlier finds it claimed and leaves it.
The token goes out in the posted message; `done` advances the row (or deletes a one-shot escalation)
after the post. A process killed between the post and `done` leaves a claim that runs out: the next
claimant gets the same token and looks for it in the channel before posting (exactly once).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.plan import Plan
from bot.domain.reminders import Reminder, ReminderKind, next_due
from storage.crises import utc
from storage.tables import ReminderRow

CLAIM_HOLD = timedelta(seconds=60)  # a claim outlives a post's slowest retries; then another process may go on
_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _to_reminder(row: ReminderRow) -> Reminder:
    return Reminder(row.crisis_id, ReminderKind(row.kind), utc(row.due_at), row.id)  # type: ignore[arg-type]


class SqlReminderStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], claim_hold: timedelta = CLAIM_HOLD):
        self.sessions = sessions
        self.claim_hold = claim_hold

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

    async def claim_due(self, now: datetime, plan: Plan, limit: int = 50, *, wall: datetime | None = None,
                        hold: timedelta | None = None) -> list[tuple[Reminder, str, bool]]:
        """The reminders due at `now` that this process now owns: (reminder, claim token, resumed).

        A claim is a token on the row until `wall + hold` (wall time: it is about processes being alive); the
        token goes out in the posted message, and `done` advances the row only then. A claim that ran out
        without `done` (a crash, or a post cut short) is taken again with the same token, `resumed`: the
        caller first looks for that token in the channel, so a message that did go out is not posted twice.
        """
        wall = wall or datetime.now(timezone.utc)
        hold = hold or self.claim_hold
        async with self.sessions() as session:
            free = or_(col(ReminderRow.claim_token).is_(None), col(ReminderRow.claimed_until) < wall)
            rows = (await session.exec(
                select(ReminderRow)
                .where(col(ReminderRow.due_at) <= now, free)
                .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )).all()
            claimed: list[tuple[Reminder, str, bool]] = []
            for row in rows:
                previous = row.claim_token
                token = previous or uuid.uuid4().hex
                seen = (col(ReminderRow.id) == row.id, col(ReminderRow.due_at) == row.due_at,
                        col(ReminderRow.claim_token).is_(None) if previous is None
                        else col(ReminderRow.claim_token) == previous,
                        or_(col(ReminderRow.claimed_until).is_(None), col(ReminderRow.claimed_until) < wall))
                result = await session.exec(
                    update(ReminderRow).where(*seen).values(claim_token=token, claimed_until=wall + hold)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    claimed.append((_to_reminder(row), token, previous is not None))
            await session.commit()
            return claimed

    async def done(self, reminder: Reminder, token: str, now: datetime, plan: Plan) -> bool:
        """The claimed reminder went out (or won't): a repeating one moves on, a one-shot escalation goes.

        Only under the claim's token; a row rescheduled meanwhile (a report changed, a snooze) keeps its new
        due time and only loses the claim. False when the claim was no longer this process's.
        """
        following = next_due(reminder.kind, plan, now)
        mine = (col(ReminderRow.id) == reminder.id, col(ReminderRow.claim_token) == token)
        async with self.sessions() as session:
            if following is None:
                statement = delete(ReminderRow).where(*mine, col(ReminderRow.due_at) == reminder.due_at)
            else:
                statement = update(ReminderRow).where(*mine, col(ReminderRow.due_at) == reminder.due_at).values(
                    due_at=following, fired_count=col(ReminderRow.fired_count) + 1, last_fired_at=now,
                    claim_token=None, claimed_until=None)
            result = await session.exec(statement.execution_options(synchronize_session=False))
            if result.rowcount != 1:
                result = await session.exec(update(ReminderRow).where(*mine)
                                            .values(claim_token=None, claimed_until=None)
                                            .execution_options(synchronize_session=False))
            await session.commit()
            return result.rowcount == 1

    async def release(self, reminder: Reminder, token: str, *, unsent: bool = False,
                      wall: datetime | None = None) -> None:
        """Give a claim back at once (Slack failed for a passing reason, or the tick's time is up). The token
        stays, and whoever claims it next checks whether the post went out; `unsent`: nothing was tried."""
        wall = wall or datetime.now(timezone.utc)
        async with self.sessions() as session:
            await session.exec(update(ReminderRow)
                               .where(col(ReminderRow.id) == reminder.id, col(ReminderRow.claim_token) == token)
                               .values(claimed_until=None if unsent else wall - timedelta(seconds=1),
                                       **({"claim_token": None} if unsent else {}))
                               .execution_options(synchronize_session=False))
            await session.commit()
