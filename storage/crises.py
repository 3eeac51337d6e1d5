"""The crisis repository: the only place crises and their opening steps are written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import case, text, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.crisis import Crisis, Status
from bot.domain.opening import StepState, StepStatus
from storage.channel_claims import SqlChannelClaims
from storage.tables import CrisisRow, OpeningStepRow, SlackRequestRow


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


_FIELDS = (
    "title", "severity", "description", "opened_by", "lead", "origin_channel",
    "channel_id", "channel_name", "plan_ts", "opened_at", "closed_at", "closed_by", "phase", "outcome",
    "alert_source", "alert_key", "previous_crisis_id", "archived_at", "language",
)


def to_row(crisis: Crisis, row: CrisisRow | None = None) -> CrisisRow:
    row = row or CrisisRow(status=crisis.status.value, title=crisis.title, severity=crisis.severity,
                           opened_by=crisis.opened_by, lead=crisis.lead, opened_at=crisis.opened_at)
    for name in _FIELDS:
        setattr(row, name, getattr(crisis, name))
    row.is_private = crisis.private
    row.status = crisis.status.value
    return row


def to_crisis(row: CrisisRow) -> Crisis:
    values = {name: getattr(row, name) for name in _FIELDS}
    values["opened_at"] = utc(row.opened_at)
    values["closed_at"] = utc(row.closed_at)
    values["archived_at"] = utc(row.archived_at)
    return Crisis(id=row.id, private=row.is_private, status=Status(row.status), **values)


class SqlCrisisStore(SqlChannelClaims):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    async def add(self, crisis: Crisis, lease: tuple[str, datetime] | None = None,
                  request_key: str | None = None) -> Crisis:
        """Record a new crisis; with `lease`, the recording process owns its opening until then. With
        `request_key`, the Slack request that asked for it is finished in the same transaction, so a crash
        can neither lose the crisis nor open it twice."""
        async with self.sessions() as session:
            row = to_row(crisis)
            if lease is not None:
                row.lease_owner, row.lease_until = lease
            session.add(row)
            if request_key is not None:
                await session.exec(update(SlackRequestRow).where(col(SlackRequestRow.key) == request_key[:255])
                                   .values(state="done"))
            await session.commit()
            crisis.id = row.id
        return crisis

    async def get(self, crisis_id: int) -> Crisis | None:
        async with self.sessions() as session:
            row = await session.get(CrisisRow, crisis_id)
            return to_crisis(row) if row else None

    async def by_channel(self, channel_id: str) -> Crisis | None:
        async with self.sessions() as session:
            rows = await session.exec(select(CrisisRow).where(CrisisRow.channel_id == channel_id))
            row = rows.first()
            return to_crisis(row) if row else None

    async def by_ref(self, ref: str) -> Crisis | None:
        """A crisis by its id, its channel id, or its channel name (with or without '#')."""
        ref = ref.strip()
        if ref.isdigit() and (found := await self.get(int(ref))) is not None:
            return found
        name = ref.removeprefix("#")
        async with self.sessions() as session:
            rows = await session.exec(
                select(CrisisRow).where((CrisisRow.channel_id == ref) | (CrisisRow.channel_name == name))
            )
            row = rows.first()
            return to_crisis(row) if row else None

    async def active(self) -> list[Crisis]:
        async with self.sessions() as session:
            rows = await session.exec(
                select(CrisisRow)
                .where(CrisisRow.status != Status.CLOSED.value)
                .order_by(col(CrisisRow.opened_at).desc())
            )
            return [to_crisis(r) for r in rows]

    async def recently_closed(self, limit: int) -> list[Crisis]:
        async with self.sessions() as session:
            rows = await session.exec(
                select(CrisisRow)
                .where(CrisisRow.status == Status.CLOSED.value)
                .order_by(col(CrisisRow.closed_at).desc())
                .limit(limit)
            )
            return [to_crisis(r) for r in rows]

    async def _set(self, crisis_id: int | None, *conditions, **values) -> bool:
        """Change only the named columns, so a stale copy of a crisis never overwrites newer facts."""
        async with self.sessions() as session:
            result = await session.exec(
                update(CrisisRow).where(col(CrisisRow.id) == crisis_id, *conditions).values(**values))
            await session.commit()
            return result.rowcount == 1

    async def set_lead(self, crisis: Crisis) -> None:
        await self._set(crisis.id, lead=crisis.lead)

    async def set_severity(self, crisis: Crisis) -> None:
        await self._set(crisis.id, severity=crisis.severity)

    async def set_phase(self, crisis: Crisis) -> None:
        await self._set(crisis.id, phase=crisis.phase)

    async def mark_open(self, crisis: Crisis) -> None:
        """Every opening step is done (the lease no longer marks steps left); a crisis closed meanwhile stays
        closed."""
        opening = col(CrisisRow.status) == Status.OPENING.value
        await self._set(crisis.id, lease_owner=None, lease_until=None,
                        status=case((opening, Status.OPEN.value), else_=col(CrisisRow.status)))

    async def take_lease(self, crisis: Crisis, owner: str, now: datetime, until: datetime) -> bool:
        """Claim (or renew) the right to run a crisis's opening steps; False while another process holds it."""
        free = (col(CrisisRow.lease_owner).is_(None) | (col(CrisisRow.lease_owner) == owner)
                | (col(CrisisRow.lease_until) < now))
        return await self._set(crisis.id, free, lease_owner=owner, lease_until=until)

    async def release_lease(self, crisis: Crisis, owner: str) -> None:
        """Let another process (the tick) go on at once: the lease runs out now. It stays on an open crisis
        (a crisis whose room is ready but whose steps beside it are not all done) to mark what is left;
        `mark_open` clears it."""
        await self._set(crisis.id, col(CrisisRow.lease_owner) == owner,
                        lease_until=datetime.now(timezone.utc) - timedelta(seconds=1))

    async def unfinished(self, now: datetime) -> list[Crisis]:
        """Crises whose opening steps have not all finished (a crash, or Slack refusing), and which no live
        process is opening right now: still opening, or open (the room ready) with a lease left on it
        because a step beside the room (the managers' announcement) is not done."""
        expired = col(CrisisRow.lease_until) < now
        async with self.sessions() as session:
            rows = await session.exec(select(CrisisRow).where(
                ((CrisisRow.status == Status.OPENING.value) & (col(CrisisRow.lease_owner).is_(None) | expired))
                | ((CrisisRow.status == Status.OPEN.value) & col(CrisisRow.lease_owner).is_not(None) & expired)))
            return [to_crisis(r) for r in rows]

    async def close(self, crisis: Crisis) -> bool:
        """Close unless already closed; False if someone else got there first."""
        async with self.sessions() as session:
            result = await session.exec(
                update(CrisisRow)
                .where(col(CrisisRow.id) == crisis.id, col(CrisisRow.status) != Status.CLOSED.value)
                .values(status=Status.CLOSED.value, closed_at=crisis.closed_at, closed_by=crisis.closed_by,
                        outcome=crisis.outcome, lease_owner=None, lease_until=None)  # no opening step left
            )
            await session.commit()
            return result.rowcount == 1

    async def reopen(self, crisis: Crisis) -> bool:
        """Active again unless it is not closed; False if someone else reopened it first."""
        return await self._set(crisis.id, col(CrisisRow.status) == Status.CLOSED.value, status=Status.OPEN.value,
                               closed_at=None, closed_by=None, outcome=None, archived_at=None)

    async def mark_archived(self, crisis: Crisis) -> bool:
        """Record that the channel was archived; False if it already was, or the crisis is open again."""
        return await self._set(crisis.id, col(CrisisRow.status) == Status.CLOSED.value,
                               col(CrisisRow.archived_at).is_(None), archived_at=crisis.archived_at)

    async def steps(self, crisis_id: int) -> dict[str, StepState]:
        async with self.sessions() as session:
            rows = await session.exec(select(OpeningStepRow).where(OpeningStepRow.crisis_id == crisis_id))
            return {
                r.step: StepState(r.step, StepStatus(r.status), r.attempts, dict(r.detail), r.error) for r in rows
            }

    async def save_step(self, crisis: Crisis, state: StepState) -> None:
        """Record a step's outcome together with what it changed on the crisis."""
        await self.save_steps(crisis, [state])

    async def save_steps(self, crisis: Crisis, states: list[StepState], opens: bool = False) -> None:
        """Record steps' outcomes together with what they changed on the crisis, in one transaction; with
        `opens`, the crisis (still opening) is open from then on: its room is ready."""
        async with self.sessions() as session:
            now = datetime.now(timezone.utc)
            for state in states:
                row = await session.get(OpeningStepRow, (crisis.id, state.step))
                row = row or OpeningStepRow(crisis_id=crisis.id, step=state.step, status=state.status.value)
                row.status, row.attempts, row.detail, row.error = (
                    state.status.value, state.attempts, state.detail, state.error
                )
                row.updated_at = now
                session.add(row)
            if states:
                await session.exec(update(CrisisRow).where(col(CrisisRow.id) == crisis.id).values(
                    channel_id=crisis.channel_id, channel_name=crisis.channel_name, plan_ts=crisis.plan_ts))
            if opens:
                await session.exec(update(CrisisRow).where(
                    col(CrisisRow.id) == crisis.id, col(CrisisRow.status) == Status.OPENING.value)
                    .values(status=Status.OPEN.value))
            await session.commit()

    async def ping(self) -> None:
        async with self.sessions() as session:
            await session.exec(text("SELECT 1"))
