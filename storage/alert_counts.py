"""Counting a group's alerts once: each alert (by fingerprint) is an instance of its crisis or triage.

Part of the alert store's ingest transaction (storage/alerts.py); nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.alerts import Alert, AlertStatus
from storage.tables import AlertInstanceRow, AlertRow

TRUNCATED = "~truncated"  # the instance standing for the alerts a sender left out (max_alerts)


async def count_alerts(session: AsyncSession, row: AlertRow, alert: Alert, now: datetime) -> None:
    """How many alerts of this delivery are new to its crisis (or triage), and how many it resolved.

    A delivery without fingerprints (generic, PagerDuty) is one alert each time. A group's alerts are
    counted once per crisis or triage, by fingerprint; a re-send adds nothing, a resolve is a state change
    (counted once, even when two resolves race: the update is conditional on the old status).
    """
    resolved = AlertStatus(row.status) is AlertStatus.RESOLVED
    if not alert.fingerprints:
        row.new_alerts, row.resolved_alerts = alert.count, alert.count if resolved else 0
        return
    if row.crisis_id is None and row.triage_id is None:  # recorded only: nothing to count it in
        row.new_alerts, row.resolved_alerts = alert.count, len(alert.resolved_fingerprints)
        return
    wanted = {fp: ("resolved" if fp in alert.resolved_fingerprints else "firing", 1) for fp in alert.fingerprints}
    if alert.truncated_alerts:
        wanted[TRUNCATED] = ("resolved" if resolved else "firing", alert.truncated_alerts)
    scope = (col(AlertInstanceRow.crisis_id) == row.crisis_id if row.crisis_id is not None
             else col(AlertInstanceRow.triage_id) == row.triage_id)
    known = {i.fingerprint: i for i in (await session.exec(
        select(AlertInstanceRow).where(scope, AlertInstanceRow.source == alert.source, AlertInstanceRow.key == alert.key,
                                       col(AlertInstanceRow.fingerprint).in_(list(wanted)))))}
    new = changed = 0
    for fingerprint, (status, count) in wanted.items():
        instance = known.get(fingerprint)
        if instance is None:
            session.add(AlertInstanceRow(source=alert.source, key=alert.key, fingerprint=fingerprint,
                                         crisis_id=row.crisis_id, triage_id=None if row.crisis_id else row.triage_id,
                                         status=status, count=count, updated_at=now))
            new += count
            changed += count if status == "resolved" else 0
            continue
        grown = max(count, instance.count)
        if instance.status != status or grown != instance.count:
            result = await session.exec(
                update(AlertInstanceRow).where(col(AlertInstanceRow.id) == instance.id,
                                               col(AlertInstanceRow.status) == instance.status,
                                               col(AlertInstanceRow.count) == instance.count)
                .values(status=status, count=grown, updated_at=now).execution_options(synchronize_session=False))
            if result.rowcount == 1:
                new += grown - instance.count
                changed += grown if status == "resolved" and instance.status != status else 0
    await session.flush()  # IntegrityError here: a simultaneous delivery counted them first; decide again
    row.new_alerts, row.resolved_alerts = new, changed


async def move_instances(session: AsyncSession, triage_id: int, crisis_id: int) -> None:
    """A triage joins a crisis: its alerts are the crisis's now, those it already knew counted once."""
    known = (await session.exec(select(AlertInstanceRow.source, AlertInstanceRow.key, AlertInstanceRow.fingerprint)
                                .where(AlertInstanceRow.crisis_id == crisis_id))).all()
    for source, key, fingerprint in known:
        await session.exec(delete(AlertInstanceRow).where(
            col(AlertInstanceRow.triage_id) == triage_id, col(AlertInstanceRow.source) == source,
            col(AlertInstanceRow.key) == key, col(AlertInstanceRow.fingerprint) == fingerprint))
    await session.exec(update(AlertInstanceRow).where(col(AlertInstanceRow.triage_id) == triage_id)
                       .values(crisis_id=crisis_id, triage_id=None).execution_options(synchronize_session=False))
