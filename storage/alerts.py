"""Alerts, their keys and triage: stored before the sender is answered, decided in one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.alerts import Alert, AlertStatus
from bot.domain.crisis import Crisis, Status
from bot.domain.digest import PENDING, Digest, Triage
from bot.domain.intake import Intake, Route
from storage.crises import to_row, utc
from storage.alert_counts import count_alerts as _count, move_instances as _move_instances
from storage.tables import AlertKeyRow, AlertRow, CrisisRow, TriageRow

MAX_KEY_RACES = 5
TRIAGE_CLAIM = timedelta(seconds=60)  # a triage post's claim: longer than the post's slowest retries


class SqlAlertStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], triage_claim: timedelta = TRIAGE_CLAIM):
        self.sessions = sessions
        self.triage_claim = triage_claim  # how long a process's claim on a triage post lasts

    async def ingest(self, alert: Alert, tier: str, opens: bool, new_crisis: Crisis, now: datetime,
                     lease: tuple[str, datetime] | None = None) -> Intake:
        """Store the alert and decide, atomically, what it joins or starts.

        Simultaneous duplicates race on the alert_key primary key: one opens the crisis,
        the others find the key taken and attach to it.
        """
        for _ in range(MAX_KEY_RACES):
            try:
                return await self._ingest_once(alert, tier, opens, new_crisis, now, lease)
            except IntegrityError:
                continue  # someone opened (or triaged) this key meanwhile: decide again
        raise RuntimeError(f"alert key {alert.source}:{alert.key} kept racing")

    async def _ingest_once(self, alert: Alert, tier: str, opens: bool, new_crisis: Crisis, now: datetime,
                           lease: tuple[str, datetime] | None) -> Intake:
        async with self.sessions() as session:
            row = _alert_row(alert, tier, now)
            open_key = await session.get(AlertKeyRow, (alert.source, alert.key))
            if open_key is not None:
                row.route, row.crisis_id = Route.ATTACHED.value, open_key.crisis_id
                await _count(session, row, alert, now)
                row.digested = not (row.new_alerts or row.resolved_alerts)  # else told in the next digest
                session.add(row)
                await session.commit()
                return Intake(Route.ATTACHED, row.id, crisis_id=open_key.crisis_id)  # type: ignore[arg-type]
            if opens:
                return await self._open(session, row, alert, new_crisis, lease)
            if alert.is_firing:
                return await self._triage(session, row, alert, tier, now)
            row.route = Route.RECORDED.value
            await _count(session, row, alert, now)
            session.add(row)
            await session.commit()
            return Intake(Route.RECORDED, row.id)  # type: ignore[arg-type]

    async def _open(self, session: AsyncSession, row: AlertRow, alert: Alert, crisis: Crisis,
                    lease: tuple[str, datetime] | None) -> Intake:
        previous = (await session.exec(
            select(CrisisRow.id).where(CrisisRow.alert_source == alert.source, CrisisRow.alert_key == alert.key,
                                       CrisisRow.status == Status.CLOSED.value)
            .order_by(col(CrisisRow.closed_at).desc()).limit(1))).first()
        crisis.previous_crisis_id = previous
        crisis_row = to_row(crisis)
        if lease is not None:
            crisis_row.lease_owner, crisis_row.lease_until = lease
        session.add(crisis_row)
        await session.flush()
        session.add(AlertKeyRow(source=alert.source, key=alert.key, crisis_id=crisis_row.id))
        row.route, row.crisis_id = Route.OPENED.value, crisis_row.id
        await _count(session, row, alert, crisis.opened_at)
        session.add(row)
        await session.commit()  # IntegrityError here: the key was opened meanwhile
        crisis.id = crisis_row.id
        return Intake(Route.OPENED, row.id, crisis_id=crisis_row.id)  # type: ignore[arg-type]

    async def _triage(self, session: AsyncSession, row: AlertRow, alert: Alert, tier: str, now: datetime) -> Intake:
        pending = f"{alert.source}:{alert.key}"
        triage = (await session.exec(select(TriageRow).where(TriageRow.pending_key == pending))).first()
        new = triage is None
        if triage is None:
            triage = TriageRow(source=alert.source, key=alert.key, pending_key=pending, title=alert.title[:300],
                               severity=tier, status=PENDING, alert_count=0, created_at=now)
        session.add(triage)
        await session.flush()
        row.route, row.triage_id = Route.TRIAGED.value, triage.id
        await _count(session, row, alert, now)
        triage.alert_count += row.new_alerts
        session.add(triage)
        session.add(row)
        await session.commit()
        return Intake(Route.TRIAGED, row.id, triage_id=triage.id, new_triage=new)  # type: ignore[arg-type]

    async def count(self, crisis_id: int) -> int:
        """Exactly how many alerts a crisis received: each alert of a group once, however often re-sent."""
        async with self.sessions() as session:
            total = (await session.exec(
                select(func.coalesce(func.sum(AlertRow.new_alerts), 0)).where(AlertRow.crisis_id == crisis_id))).one()
            return int(total)

    async def release(self, crisis_id: int) -> None:
        """The crisis closed: its key is free, and the next alert of it opens a new crisis."""
        async with self.sessions() as session:
            await session.exec(delete(AlertKeyRow).where(col(AlertKeyRow.crisis_id) == crisis_id))
            await session.commit()

    # digests -------------------------------------------------------------
    async def digest_due(self, now: datetime) -> list[int]:
        """Open crises with alerts not yet told, whose digest interval has passed."""
        async with self.sessions() as session:
            rows = await session.exec(
                select(AlertRow.crisis_id).join(CrisisRow, col(CrisisRow.id) == col(AlertRow.crisis_id))
                .where(col(AlertRow.digested).is_(False), CrisisRow.status == Status.OPEN.value,
                       (col(CrisisRow.digest_at).is_(None)) | (col(CrisisRow.digest_at) <= now))
                .distinct())
            return [r for r in rows if r is not None]

    async def claim_digest(self, crisis_id: int, now: datetime, interval: timedelta) -> Digest | None:
        """Take the crisis's untold alerts for one digest, at most once per interval, across processes."""
        async with self.sessions() as session:
            crisis = await session.get(CrisisRow, crisis_id)
            if crisis is None:
                return None
            seen = crisis.digest_at
            if seen is not None and utc(seen) > now:
                return None
            claimed = await session.exec(
                update(CrisisRow).where(col(CrisisRow.id) == crisis_id,
                                        col(CrisisRow.digest_at).is_(None) if seen is None
                                        else col(CrisisRow.digest_at) == seen)
                .values(digest_at=now + interval).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                await session.rollback()
                return None
            totals = (await session.exec(
                select(func.max(AlertRow.id), func.coalesce(func.sum(AlertRow.new_alerts), 0),
                       func.coalesce(func.sum(AlertRow.resolved_alerts), 0),
                       func.min(AlertRow.received_at))
                .where(AlertRow.crisis_id == crisis_id, col(AlertRow.digested).is_(False)))).one()
            last_id, alerts, resolved, since = totals
            if last_id is None:
                await session.commit()
                return None
            titles = (await session.exec(
                select(AlertRow.title).where(AlertRow.crisis_id == crisis_id, col(AlertRow.digested).is_(False))
                .group_by(AlertRow.title).order_by(func.max(AlertRow.id).desc()).limit(3))).all()
            await session.exec(
                update(AlertRow).where(col(AlertRow.crisis_id) == crisis_id, col(AlertRow.digested).is_(False),
                                       col(AlertRow.id) <= last_id)
                .values(digested=True).execution_options(synchronize_session=False))
            await session.commit()
            return Digest(crisis_id, int(alerts), int(resolved), utc(since), tuple(titles))

    # triage ----------------------------------------------------------------
    async def triage(self, triage_id: int) -> Triage | None:
        async with self.sessions() as session:
            row = await session.get(TriageRow, triage_id)
            return _to_triage(row) if row else None

    async def unposted_triage(self) -> list[Triage]:
        async with self.sessions() as session:
            rows = await session.exec(select(TriageRow).where(TriageRow.status == PENDING,
                                                              col(TriageRow.ts).is_(None)))
            return [_to_triage(r) for r in rows]

    async def triage_posted(self, triage_id: int, channel: str, ts: str) -> None:
        async with self.sessions() as session:
            await session.exec(update(TriageRow).where(col(TriageRow.id) == triage_id)
                               .values(channel=channel, ts=ts, claim_token=None, claimed_until=None)
                               .execution_options(synchronize_session=False))
            await session.commit()

    async def claim_triage(self, triage_id: int, hold: timedelta | None = None,
                           wall: datetime | None = None) -> tuple[str, bool] | None:
        """Claim the post of a triage request not posted yet: (token, resumed), or None when another process holds
        it or it is posted. The token goes out in the message; a claim that ran out without `triage_posted` (a
        crash between the post and the commit) is taken again with the same token, `resumed`, so the caller
        looks for the message before posting it again."""
        wall, hold = wall or datetime.now(timezone.utc), hold or self.triage_claim
        async with self.sessions() as session:
            row = await session.get(TriageRow, triage_id)
            if row is None or row.ts is not None or (row.claim_token and row.claimed_until
                                                     and utc(row.claimed_until) >= wall):
                return None
            previous = row.claim_token
            token = previous or uuid.uuid4().hex
            result = await session.exec(
                update(TriageRow).where(
                    col(TriageRow.id) == triage_id, col(TriageRow.ts).is_(None),
                    col(TriageRow.claim_token).is_(None) if previous is None else col(TriageRow.claim_token) == previous,
                    or_(col(TriageRow.claimed_until).is_(None), col(TriageRow.claimed_until) < wall))
                .values(claim_token=token, claimed_until=wall + hold).execution_options(synchronize_session=False))
            await session.commit()
            return (token, previous is not None) if result.rowcount == 1 else None

    async def release_triage(self, triage_id: int, token: str, wall: datetime | None = None) -> None:
        """Give a claim back at once (the post failed or was cut short); the token stays, to be looked for."""
        wall = wall or datetime.now(timezone.utc)
        async with self.sessions() as session:
            await session.exec(update(TriageRow).where(col(TriageRow.id) == triage_id, col(TriageRow.claim_token) == token)
                               .values(claimed_until=wall - timedelta(seconds=1))
                               .execution_options(synchronize_session=False))
            await session.commit()

    async def decide(self, triage_id: int, status: str, by: str, now: datetime) -> bool:
        """Record a person's decision; False if someone decided first."""
        async with self.sessions() as session:
            result = await session.exec(
                update(TriageRow).where(col(TriageRow.id) == triage_id, col(TriageRow.status) == PENDING)
                .values(status=status, decided_by=by, decided_at=now, pending_key=None)
                .execution_options(synchronize_session=False))
            await session.commit()
            return result.rowcount == 1

    async def decide_crisis(self, triage_id: int, crisis_id: int) -> None:
        """The crisis a triage decision opened; its alerts now count towards it."""
        async with self.sessions() as session:
            await session.exec(update(TriageRow).where(col(TriageRow.id) == triage_id).values(crisis_id=crisis_id)
                               .execution_options(synchronize_session=False))
            await session.exec(update(AlertRow).where(col(AlertRow.triage_id) == triage_id)
                               .values(crisis_id=crisis_id, digested=True)
                               .execution_options(synchronize_session=False))
            await _move_instances(session, triage_id, crisis_id)
            await session.commit()

    async def latest_alert_of_triage(self, triage_id: int) -> Alert | None:
        async with self.sessions() as session:
            row = (await session.exec(select(AlertRow).where(AlertRow.triage_id == triage_id)
                                      .order_by(col(AlertRow.id).desc()).limit(1))).first()
            return _to_alert(row) if row else None

    async def first_alert(self, crisis_id: int) -> Alert | None:
        async with self.sessions() as session:
            row = (await session.exec(select(AlertRow).where(AlertRow.crisis_id == crisis_id)
                                      .order_by(col(AlertRow.id)).limit(1))).first()
            return _to_alert(row) if row else None

    async def link(self, source: str, key: str, crisis_id: int) -> bool:
        """Make a crisis the open one of an alert key (a triage opened it); False if another is."""
        async with self.sessions() as session:
            session.add(AlertKeyRow(source=source, key=key, crisis_id=crisis_id))
            try:
                await session.commit()
            except IntegrityError:
                return False
            return True

    # state changes: acknowledgements, resolves in triage, stale triage clicks -------------------
    async def open_crisis_of(self, source: str, key: str) -> int | None:
        """The open crisis of an alert key, if it has one."""
        async with self.sessions() as session:
            row = await session.get(AlertKeyRow, (source, key))
            return row.crisis_id if row else None

    async def closed_crisis_of(self, source: str, key: str) -> int | None:
        """The latest closed crisis an alert key opened, if any."""
        async with self.sessions() as session:
            return (await session.exec(
                select(CrisisRow.id).where(CrisisRow.alert_source == source, CrisisRow.alert_key == key,
                                           CrisisRow.status == Status.CLOSED.value)
                .order_by(col(CrisisRow.closed_at).desc()).limit(1))).first()

    async def record_acknowledged(self, alert: Alert, tier: str, now: datetime) -> Intake:
        """An acknowledgement is a state change, not an alert: stored (count 0, never in a digest), on the open
        crisis of its key if there is one, else only recorded."""
        async with self.sessions() as session:
            row = _alert_row(alert, tier, now)
            row.count = 0
            open_key = await session.get(AlertKeyRow, (alert.source, alert.key))
            if open_key is not None:
                row.route, row.crisis_id = Route.ATTACHED.value, open_key.crisis_id
            else:
                row.route = Route.RECORDED.value
            session.add(row)
            await session.commit()
            route = Route.ATTACHED if open_key is not None else Route.RECORDED
            return Intake(route, row.id, crisis_id=row.crisis_id)  # type: ignore[arg-type]

    async def resolve_triage(self, alert_id: int, source: str, key: str) -> int | None:
        """A resolve for a key waiting in triage joins that triage; its id, or None."""
        async with self.sessions() as session:
            triage = (await session.exec(select(TriageRow).where(TriageRow.pending_key == f"{source}:{key}"))).first()
            if triage is None:
                return None
            await session.exec(update(AlertRow).where(col(AlertRow.id) == alert_id).values(triage_id=triage.id)
                               .execution_options(synchronize_session=False))
            await session.commit()
            return triage.id


def _alert_row(alert: Alert, tier: str, now: datetime) -> AlertRow:
    return AlertRow(source=alert.source, key=alert.key, status=str(alert.status), title=alert.title,
                    summary=alert.summary, severity=tier, url=alert.url, networks=list(alert.networks),
                    metrics=dict(alert.metrics), count=alert.count, raw=alert.raw, received_at=now, route="",
                    fingerprints=list(alert.fingerprints), resolved_fingerprints=list(alert.resolved_fingerprints),
                    truncated_alerts=alert.truncated_alerts,
                    digested=True)  # only an alert attached to an open crisis waits for a digest


def _to_alert(row: AlertRow) -> Alert:
    """The stored alert (its plan tier is on the row and the triage, not in the neutral shape)."""
    return Alert(source=row.source, key=row.key, title=row.title, summary=row.summary,
                 status=AlertStatus(row.status), url=row.url,
                 networks=tuple(row.networks), metrics=dict(row.metrics), started_at=None,
                 fingerprints=tuple(row.fingerprints), resolved_fingerprints=tuple(row.resolved_fingerprints),
                 truncated_alerts=row.truncated_alerts, raw=dict(row.raw))


def _to_triage(row: TriageRow) -> Triage:
    return Triage(row.id, row.source, row.key, row.title, row.severity, row.status,  # type: ignore[arg-type]
                  row.alert_count, row.channel, row.ts, row.decided_by, row.crisis_id)
