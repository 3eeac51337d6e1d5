"""Counting a group's alerts once: each alert (by fingerprint) is an instance of its crisis or triage.

Part of the alert store's ingest transaction (storage/alerts.py, in Core on the batch's connection); nothing
here commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select as core_select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.alerts import Alert, AlertStatus
from storage.tables import AlertInstanceRow

INSTANCE = AlertInstanceRow.__table__  # type: ignore[attr-defined]
TRUNCATED = "~truncated"  # the instance standing for the alerts a sender left out (max_alerts)


def count_plain(row: dict, alert: Alert) -> None:
    """A delivery without fingerprints (generic, PagerDuty) is one alert each time: nothing to look up."""
    row["new_alerts"] = alert.count
    row["resolved_alerts"] = alert.count if row["status"] == AlertStatus.RESOLVED.value else 0


async def count_alerts(conn: AsyncConnection, row: dict, alert: Alert, now: datetime) -> None:
    """How many alerts of this delivery are new to its crisis (or triage), and how many it resolved.

    A delivery without fingerprints (generic, PagerDuty) is one alert each time. A group's alerts are
    counted once per crisis or triage, by fingerprint; a re-send adds nothing, a resolve is a state change
    (counted once, even when two resolves race: the update is conditional on the old status).
    `row` is the alert's values for the batch's insert (storage/alerts.py); its counts are set here.
    """
    if not alert.fingerprints:
        count_plain(row, alert)
        return
    resolved = row["status"] == AlertStatus.RESOLVED.value
    crisis_id, triage_id = row["crisis_id"], row["triage_id"]
    if crisis_id is None and triage_id is None:  # recorded only: nothing to count it in
        row["new_alerts"], row["resolved_alerts"] = alert.count, len(alert.resolved_fingerprints)
        return
    wanted = {fp: ("resolved" if fp in alert.resolved_fingerprints else "firing", 1) for fp in alert.fingerprints}
    if alert.truncated_alerts:
        wanted[TRUNCATED] = ("resolved" if resolved else "firing", alert.truncated_alerts)
    scope = INSTANCE.c.crisis_id == crisis_id if crisis_id is not None else INSTANCE.c.triage_id == triage_id
    known = {r.fingerprint: r for r in await conn.execute(
        core_select(INSTANCE.c.id, INSTANCE.c.fingerprint, INSTANCE.c.status, INSTANCE.c.count)
        .where(scope, INSTANCE.c.source == alert.source, INSTANCE.c.key == alert.key,
               INSTANCE.c.fingerprint.in_(list(wanted))))}
    new = changed = 0
    added = []
    for fingerprint, (status, count) in wanted.items():
        instance = known.get(fingerprint)
        if instance is None:
            added.append({"source": alert.source, "key": alert.key, "fingerprint": fingerprint, "crisis_id": crisis_id,
                          "triage_id": None if crisis_id else triage_id, "status": status, "count": count,
                          "updated_at": now})
            new += count
            changed += count if status == "resolved" else 0
            continue
        grown = max(count, instance.count)
        if instance.status != status or grown != instance.count:
            result = await conn.execute(
                update(INSTANCE).where(INSTANCE.c.id == instance.id, INSTANCE.c.status == instance.status,
                                       INSTANCE.c.count == instance.count)
                .values(status=status, count=grown, updated_at=now))
            if result.rowcount == 1:
                new += grown - instance.count
                changed += grown if status == "resolved" and instance.status != status else 0
    if added:  # IntegrityError here: a simultaneous delivery counted them first; decide again
        await conn.execute(insert(INSTANCE), added)
    row["new_alerts"], row["resolved_alerts"] = new, changed


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
