"""What `/crisis status` shows, read in one query (SQLAlchemy Core on a pooled connection, no ORM session).

In a crisis room: that crisis and its latest situation-report version (each version holds the whole report).
Anywhere else: the crises not closed, newest first, and for each private one its recorded team's role holders
(what decides, with its opener and lead, who may see it without asking Slack).

A storm of the same question costs one read: at most READS_AT_ONCE of these queries run at once (fewer than the
pool's connections), and the people asking about one channel while its read waits for its turn share that read.
Only a read that has not started is shared, so each answer is read after its question arrived.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.crisis import Crisis, Status
from bot.domain.sitrep import SitrepVersion
from storage.crises import to_crisis, utc
from storage.tables import CrisisRow, RoleAssignmentRow, SitrepVersionRow

READS_AT_ONCE = 4  # status queries under way at once per process (a module constant: no setting yet)

_crisis = CrisisRow.__table__
_sitrep = SitrepVersionRow.__table__
_role = RoleAssignmentRow.__table__

# (the crisis of the channel, its latest sitrep version) or (None, None, [(crisis, its role holders)])
StatusRead = tuple[Crisis | None, SitrepVersion | None, list[tuple[Crisis, frozenset[str]]]]


def _statement():
    """Built once (aliases and their columns cost milliseconds to build); the channel is bound."""
    channel_id = bindparam("channel_id")
    c, sv = _crisis.c, _sitrep.c
    later = _sitrep.alias("later")
    latest = select(func.max(later.c.version)).where(later.c.crisis_id == c.id).scalar_subquery()
    held, other = _role.alias("held"), _role.alias("other")
    superseded = exists().where(  # a later assignment of the same role, not ended: holders() in bot/domain/roles.py
        other.c.crisis_id == held.c.crisis_id, other.c.role == held.c.role, other.c.ended_at.is_(None),
        or_(other.c.assigned_at > held.c.assigned_at,
            and_(other.c.assigned_at == held.c.assigned_at, other.c.id > held.c.id)))
    return (select(*_crisis.c, sv.version.label("sitrep_version"), sv.fields.label("sitrep_fields"),
                   sv.changed.label("sitrep_changed"), sv.author.label("sitrep_author"),
                   sv.created_at.label("sitrep_at"), held.c.user_id.label("holder"))
            .select_from(_crisis
                         .outerjoin(_sitrep, and_(sv.crisis_id == c.id, c.channel_id == channel_id,
                                                  sv.version == latest))
                         .outerjoin(held, and_(held.c.crisis_id == c.id, c.is_private, c.channel_id != channel_id,
                                               held.c.ended_at.is_(None), ~superseded)))
            .where(or_(c.channel_id == channel_id, c.status != Status.CLOSED.value))
            .order_by(c.opened_at.desc(), c.id.desc()))


STATUS = _statement()


class SqlStatusReads:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], at_once: int = READS_AT_ONCE):
        self.engine: AsyncEngine = sessions.kw["bind"]
        self.at_once = at_once
        self._turns: asyncio.Semaphore | None = None
        self._waiting: dict[str, asyncio.Future] = {}  # channel -> its read, not started yet

    async def status(self, channel_id: str) -> StatusRead:
        """(the crisis of this channel, its latest sitrep version, []) when the channel is a crisis room, else
        (None, None, [(each crisis not closed, newest first, the users holding its roles if it is private)])."""
        waiting = self._waiting.get(channel_id)
        if waiting is not None:
            return await asyncio.shield(waiting)
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.at_once)
        shared = self._waiting[channel_id] = asyncio.get_running_loop().create_future()
        shared.add_done_callback(lambda f: f.cancelled() or f.exception())  # nobody else waiting: not news
        try:
            async with self._turns:
                if self._waiting.get(channel_id) is shared:  # from here on, a new question gets a new read
                    del self._waiting[channel_id]
                found = await self._read(channel_id)
        except BaseException as exc:
            if self._waiting.get(channel_id) is shared:
                del self._waiting[channel_id]
            if not shared.done():  # those sharing it get the same failure
                shared.cancel() if isinstance(exc, asyncio.CancelledError) else shared.set_exception(exc)
            raise
        shared.set_result(found)
        return found

    async def _read(self, channel_id: str) -> StatusRead:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(STATUS, {"channel_id": channel_id})).all()
        for row in rows:
            if row.channel_id == channel_id:
                sitrep = None if row.sitrep_version is None else SitrepVersion(
                    row.sitrep_version, dict(row.sitrep_fields), tuple(row.sitrep_changed), row.sitrep_author,
                    utc(row.sitrep_at))
                return to_crisis(row), sitrep, []
        crises: dict[int, Crisis] = {}
        holders: dict[int, set[str]] = defaultdict(set)
        for row in rows:
            crises.setdefault(row.id, to_crisis(row))
            if row.holder:
                holders[row.id].add(row.holder)
        return None, None, [(crisis, frozenset(holders[i])) for i, crisis in crises.items()]
