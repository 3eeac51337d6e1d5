"""Alerts, their keys and triage: stored before the sender is answered, decided in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, or_, select as core_select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.alerts import Alert, AlertStatus
from bot.domain.crisis import Crisis, Status
from bot.domain.digest import PENDING, Digest, Triage
from bot.domain.intake import Intake, Route
from storage.crises import to_row, utc
from storage.alert_batch import BatchLimits, GroupCommit
from storage.alert_counts import count_alerts as _count, count_plain as _count_plain, move_instances as _move_instances
from storage.tables import AlertKeyRow, AlertRow, CrisisRow, TriageRow

MAX_KEY_RACES = 5
TRIAGE_CLAIM = timedelta(seconds=60)  # a triage post's claim: longer than the post's slowest retries
ALERT, KEY, CRISIS, TRIAGE = (AlertRow.__table__, AlertKeyRow.__table__,  # type: ignore[attr-defined]
                              CrisisRow.__table__, TriageRow.__table__)  # type: ignore[attr-defined]


@dataclass
class _Incoming:
    """An alert waiting for its batch, with what the service decided about it beforehand."""

    alert: Alert
    tier: str
    now: datetime
    opens: bool = False
    crisis: Crisis | None = None  # the crisis it opens if its key has none open
    lease: tuple[str, datetime] | None = None
    acknowledged: bool = False


@dataclass(frozen=True)
class _OpenKey:
    crisis_id: int
    status: str
    digest_at: datetime | None

    def digest_due(self, now: datetime) -> bool:
        return self.status == Status.OPEN.value and (self.digest_at is None or utc(self.digest_at) <= now)


@dataclass
class _Batch:
    conn: AsyncConnection
    open_keys: dict[tuple[str, str], _OpenKey]
    triages: dict[str, int]  # pending key -> triage id
    told: set[int] = field(default_factory=set)  # crises whose due digest an alert of the batch asks for
    triage_added: dict[int, int] = field(default_factory=dict)  # alerts counted on known triages, added at the end


async def _prefetch(conn: AsyncConnection, items: list[_Incoming]) -> tuple[dict, dict]:
    """The open crises (with their digest time) and pending triages of the batch's keys: two queries."""
    sources = sorted({i.alert.source for i in items})
    keys = sorted({i.alert.key for i in items})
    wanted = {(i.alert.source, i.alert.key) for i in items}
    open_keys = {}
    for source, key, crisis_id, status, digest_at in await conn.execute(
            core_select(KEY.c.source, KEY.c.key, KEY.c.crisis_id, CRISIS.c.status, CRISIS.c.digest_at)
            .join(CRISIS, CRISIS.c.id == KEY.c.crisis_id)
            .where(KEY.c.source.in_(sources), KEY.c.key.in_(keys))):
        if (source, key) in wanted:
            open_keys[(source, key)] = _OpenKey(crisis_id, status, digest_at)
    pending = sorted({f"{s}:{k}" for s, k in wanted if (s, k) not in open_keys})
    triages = dict((await conn.execute(core_select(TRIAGE.c.pending_key, TRIAGE.c.id)
                                       .where(TRIAGE.c.pending_key.in_(pending)))).all()) if pending else {}
    return open_keys, triages


class SqlAlertStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], triage_claim: timedelta = TRIAGE_CLAIM,
                 limits: BatchLimits | None = None):
        self.sessions = sessions
        self.triage_claim = triage_claim  # how long a process's claim on a triage post lasts
        self.batch: GroupCommit[_Incoming, Intake] = GroupCommit(sessions.kw["bind"], self._write, limits)

    async def ingest(self, alert: Alert, tier: str, opens: bool, new_crisis: Crisis, now: datetime,
                     lease: tuple[str, datetime] | None = None) -> Intake:
        """Store the alert and decide, atomically, what it joins or starts; answered once committed.

        Alerts arriving together share one transaction (storage/alert_batch.py); see `_write`.
        """
        return await self.batch.submit(_Incoming(alert, tier, now, opens, new_crisis, lease))

    async def start(self) -> None:
        self.batch.start()

    async def stop(self) -> None:
        """Write the alerts still queued; take no more."""
        await self.batch.stop()

    async def _write(self, conn: AsyncConnection, items: list[_Incoming]) -> list[Intake]:
        """One batch in one transaction, in Core: each alert is decided in order, so a key opened by an alert
        of the batch is attached to by the later ones. The alerts are inserted together at the end.

        One crisis per key, across processes: an alert that opens a crisis (or a triage, or counts a group's
        alerts) does it in a savepoint; a simultaneous one elsewhere that took the key first makes the insert
        fail (the alert_key primary key, the triage's pending key, the instances' unique keys), the savepoint
        is rolled back and the alert decided again against what is there now.
        """
        batch = _Batch(conn, *(await _prefetch(conn, items)))
        rows, intakes = [], []
        for item in items:
            row, intake = await self._decide(batch, item)
            rows.append(row)
            intakes.append(intake)
        for triage_id, added in sorted(batch.triage_added.items()):  # in id order: no lock cycles between batches
            await conn.execute(update(TRIAGE).where(TRIAGE.c.id == triage_id)
                               .values(alert_count=TRIAGE.c.alert_count + added))
        ids = (await conn.execute(insert(ALERT).returning(ALERT.c.id, sort_by_parameter_order=True), rows)).scalars()
        return [replace(intake, alert_id=alert_id) for intake, alert_id in zip(intakes, ids, strict=True)]

    async def _decide(self, batch: _Batch, item: _Incoming) -> tuple[dict, Intake]:
        alert, key = item.alert, (item.alert.source, item.alert.key)
        for _ in range(MAX_KEY_RACES):
            row = _alert_values(alert, item.tier, item.now)
            open_key = batch.open_keys.get(key)
            if item.acknowledged:  # a state change: count 0, never in a digest, never a triage request
                row["count"] = 0
                if open_key is None:
                    row["route"] = Route.RECORDED.value
                    return row, Intake(Route.RECORDED, 0)
                row["route"], row["crisis_id"] = Route.ATTACHED.value, open_key.crisis_id
                return row, Intake(Route.ATTACHED, 0, crisis_id=open_key.crisis_id)
            try:
                if open_key is not None and not alert.fingerprints:  # the storm's common case: no statement at all
                    return row, self._attach(batch, row, item, open_key)
                pending = f"{alert.source}:{alert.key}"
                if open_key is None and not item.opens and not alert.is_firing:  # a resolve with nothing open
                    row["route"] = Route.RECORDED.value
                    await _count(batch.conn, row, alert, item.now)  # counted as recorded, then joins the triage
                    row["triage_id"] = batch.triages.get(pending)
                    return row, Intake(Route.RECORDED, 0, triage_id=row["triage_id"])
                if open_key is None and not item.opens and not alert.fingerprints and pending in batch.triages:
                    return row, self._triage_known(batch, row, item, pending)
                async with batch.conn.begin_nested():
                    if open_key is not None:
                        row["route"], row["crisis_id"] = Route.ATTACHED.value, open_key.crisis_id
                        await _count(batch.conn, row, alert, item.now)
                        return row, self._attach(batch, row, item, open_key, counted=True)
                    if item.opens:
                        return row, await self._open(batch, row, item)
                    return row, await self._triage(batch, row, item, pending)
            except IntegrityError:  # another process took the key (or counted the group) first: decide again
                open_keys, triages = await _prefetch(batch.conn, [item])
                batch.open_keys.update(open_keys)
                batch.triages.update(triages)
                continue
        raise RuntimeError(f"alert key {alert.source}:{alert.key} kept racing")

    @staticmethod
    def _attach(batch: _Batch, row: dict, item: _Incoming, open_key: _OpenKey, counted: bool = False) -> Intake:
        row["route"], row["crisis_id"] = Route.ATTACHED.value, open_key.crisis_id
        if not counted:
            _count_plain(row, item.alert)
        row["digested"] = not (row["new_alerts"] or row["resolved_alerts"])  # else told in the next digest
        # The first untold alert of an open crisis whose digest is due says so, once per batch; the others
        # cost nothing after their 202 (the tick finds the rest through digest_at).
        due = (not row["digested"] and open_key.digest_due(item.now) and open_key.crisis_id not in batch.told)
        if due:
            batch.told.add(open_key.crisis_id)
        return Intake(Route.ATTACHED, 0, crisis_id=open_key.crisis_id, digest=due)

    async def _open(self, batch: _Batch, row: dict, item: _Incoming) -> Intake:
        alert, crisis, conn = item.alert, item.crisis, batch.conn
        assert crisis is not None
        crisis.previous_crisis_id = (await conn.execute(
            core_select(CRISIS.c.id).where(CRISIS.c.alert_source == alert.source, CRISIS.c.alert_key == alert.key,
                                      CRISIS.c.status == Status.CLOSED.value)
            .order_by(CRISIS.c.closed_at.desc()).limit(1))).scalar()
        crisis_row = to_row(crisis)
        if item.lease is not None:
            crisis_row.lease_owner, crisis_row.lease_until = item.lease
        values = {c.name: getattr(crisis_row, c.name) for c in CRISIS.columns if c.name != "id"}
        crisis_id = (await conn.execute(insert(CRISIS).values(values).returning(CRISIS.c.id))).scalar_one()
        await conn.execute(insert(KEY).values(source=alert.source, key=alert.key, crisis_id=crisis_id))
        row["route"], row["crisis_id"] = Route.OPENED.value, crisis_id
        await _count(conn, row, alert, crisis.opened_at)
        batch.open_keys[(alert.source, alert.key)] = _OpenKey(crisis_id, crisis.status.value, None)
        crisis.id = crisis_id
        return Intake(Route.OPENED, 0, crisis_id=crisis_id)

    async def _triage(self, batch: _Batch, row: dict, item: _Incoming, pending: str) -> Intake:
        alert, conn = item.alert, batch.conn
        triage_id = batch.triages.get(pending)
        new = triage_id is None
        if triage_id is None:
            triage_id = (await conn.execute(insert(TRIAGE).values(
                source=alert.source, key=alert.key, pending_key=pending, title=alert.title[:300],
                severity=item.tier, status=PENDING, alert_count=0, created_at=item.now)
                .returning(TRIAGE.c.id))).scalar_one()
        row["route"], row["triage_id"] = Route.TRIAGED.value, triage_id
        await _count(conn, row, alert, item.now)
        batch.triages[pending] = triage_id
        if row["new_alerts"]:
            await conn.execute(update(TRIAGE).where(TRIAGE.c.id == triage_id)
                               .values(alert_count=TRIAGE.c.alert_count + row["new_alerts"]))
        return Intake(Route.TRIAGED, 0, triage_id=triage_id, new_triage=new)

    @staticmethod
    def _triage_known(batch: _Batch, row: dict, item: _Incoming, pending: str) -> Intake:
        """A key already waiting in triage, a delivery without a group: counted at the batch's end."""
        triage_id = batch.triages[pending]
        row["route"], row["triage_id"] = Route.TRIAGED.value, triage_id
        _count_plain(row, item.alert)
        if row["new_alerts"]:
            batch.triage_added[triage_id] = batch.triage_added.get(triage_id, 0) + row["new_alerts"]
        return Intake(Route.TRIAGED, 0, triage_id=triage_id)

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
            # Marked and read in one statement: an alert committed by another transaction between a read and a
            # mark would be marked told without being counted (a storm's batches commit all the time).
            table = AlertRow.__table__
            told = (await session.exec(
                update(table).where(table.c.crisis_id == crisis_id, table.c.digested.is_(False))
                .values(digested=True)
                .returning(table.c.id, table.c.new_alerts, table.c.resolved_alerts, table.c.received_at,
                           table.c.title))).all()
            if not told:  # nothing to tell: the interval does not start (the next alert is told at once)
                await session.rollback()
                return None
            await session.commit()
            latest: dict[str, int] = {}
            for row in told:
                latest[row.title] = max(row.id, latest.get(row.title, row.id))
            titles = sorted(latest, key=latest.__getitem__, reverse=True)[:3]
            return Digest(crisis_id, sum(r.new_alerts for r in told), sum(r.resolved_alerts for r in told),
                          utc(min(r.received_at for r in told)), tuple(titles))

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
        crisis of its key if there is one, else only recorded. In the same group commit as the alerts."""
        return await self.batch.submit(_Incoming(alert, tier, now, acknowledged=True))

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


def _alert_values(alert: Alert, tier: str, now: datetime) -> dict:
    """An alert's row for the batch's insert: every column given, the same keys for all."""
    return {"source": alert.source, "key": alert.key, "status": str(alert.status), "title": alert.title,
            "summary": alert.summary, "severity": tier, "url": alert.url, "networks": list(alert.networks),
            "metrics": dict(alert.metrics), "count": alert.count, "raw": alert.raw, "received_at": now, "route": "",
            "fingerprints": list(alert.fingerprints), "resolved_fingerprints": list(alert.resolved_fingerprints),
            "truncated_alerts": alert.truncated_alerts, "new_alerts": 0, "resolved_alerts": 0, "crisis_id": None,
            "triage_id": None,
            "digested": True}  # only an alert attached to an open crisis waits for a digest


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
