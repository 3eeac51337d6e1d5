"""A crisis's record beyond the crisis row: roles, report versions, milestones, timeline, lessons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, Text, cast, delete, literal_column, null, union_all, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.crisis import Crisis
from bot.domain.dossier import Dossier
from bot.domain.lessons import Lesson
from bot.domain.milestones import Milestone
from bot.domain.roles import Assignment
from bot.domain.sitrep import Sitrep, SitrepVersion
from bot.domain.timeline import Entry, Kind
from storage.crises import utc
from storage.tables import CrisisRow, LessonRow, MilestoneRow, RoleAssignmentRow, SitrepVersionRow, TimelineRow


class SqlDossierStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    # roles -------------------------------------------------------------
    async def assign_role(self, crisis_id: int, assignment: Assignment) -> str | None:
        """Record a holder; the previous holder's assignment ends. Returns the previous holder."""
        async with self.sessions() as session:
            current = (await session.exec(
                select(RoleAssignmentRow).where(
                    RoleAssignmentRow.crisis_id == crisis_id, RoleAssignmentRow.role == assignment.role,
                    col(RoleAssignmentRow.ended_at).is_(None),
                ).with_for_update()
            )).all()
            for row in current:
                row.ended_at = assignment.at
                session.add(row)
            session.add(RoleAssignmentRow(
                crisis_id=crisis_id, role=assignment.role, user_id=assignment.user,
                assigned_by=assignment.assigned_by, assigned_at=assignment.at,
            ))
            await session.commit()
            return current[-1].user_id if current else None

    async def roles(self, crisis_id: int) -> list[Assignment]:
        async with self.sessions() as session:
            rows = await session.exec(select(RoleAssignmentRow).where(RoleAssignmentRow.crisis_id == crisis_id)
                                      .order_by(col(RoleAssignmentRow.assigned_at), col(RoleAssignmentRow.id)))
            return [Assignment(r.role, r.user_id, r.assigned_by, utc(r.assigned_at), utc(r.ended_at)) for r in rows]

    # situation report ---------------------------------------------------
    async def add_sitrep(self, crisis_id: int, version: SitrepVersion) -> bool:
        """Store a version; False if that version number was taken meanwhile (re-read and retry)."""
        async with self.sessions() as session:
            session.add(SitrepVersionRow(
                crisis_id=crisis_id, version=version.version, fields=version.fields,
                changed=list(version.changed), author=version.author, created_at=version.at,
            ))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def sitreps(self, crisis_id: int) -> list[SitrepVersion]:
        async with self.sessions() as session:
            rows = await session.exec(select(SitrepVersionRow).where(SitrepVersionRow.crisis_id == crisis_id)
                                      .order_by(col(SitrepVersionRow.version)))
            return [SitrepVersion(r.version, dict(r.fields), tuple(r.changed), r.author, utc(r.created_at))
                    for r in rows]

    # milestones --------------------------------------------------------
    async def add_milestone(self, crisis_id: int, m: Milestone, click: str | None = None) -> bool:
        """Store a milestone; False when `click` was stored already (a double click, maybe in another process)."""
        async with self.sessions() as session:
            session.add(MilestoneRow(crisis_id=crisis_id, phase=m.phase, note=m.note, recorded_by=m.by,
                                     recorded_at=m.at, out_of_order=m.out_of_order, skipped=list(m.skipped),
                                     click=click))
            try:
                await session.commit()
            except IntegrityError:
                return False
            return True

    async def milestones(self, crisis_id: int) -> list[Milestone]:
        async with self.sessions() as session:
            rows = await session.exec(select(MilestoneRow).where(MilestoneRow.crisis_id == crisis_id)
                                      .order_by(col(MilestoneRow.recorded_at), col(MilestoneRow.id)))
            return [Milestone(r.phase, r.recorded_by, utc(r.recorded_at), r.note, r.out_of_order, tuple(r.skipped))
                    for r in rows]

    # timeline ----------------------------------------------------------
    async def add_entry(self, crisis_id: int, entry: Entry) -> bool:
        """Append an entry; False if one with the same `ref` is already there."""
        async with self.sessions() as session:
            session.add(TimelineRow(crisis_id=crisis_id, kind=entry.kind.value, at=entry.at,
                                    author=entry.author, data=entry.data, ref=entry.ref))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def remove_entry(self, crisis_id: int, ref: str) -> bool:
        async with self.sessions() as session:
            result = await session.exec(
                delete(TimelineRow).where(col(TimelineRow.crisis_id) == crisis_id, col(TimelineRow.ref) == ref)
            )
            await session.commit()
            return result.rowcount > 0

    async def timeline(self, crisis_id: int) -> list[Entry]:
        t = _TIMELINE
        query = (core_select(t.c.kind, t.c.at, t.c.author, t.c.data, t.c.ref, t.c.id).where(t.c.crisis_id == crisis_id)
                 .order_by(t.c.at, t.c.id))  # Core rows, not ORM objects: a long timeline costs a tenth
        async with self.sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [Entry(_kind(kind), utc(at), author, dict(data), ref, id_) for kind, at, author, data, ref, id_ in rows]

    # the whole record ----------------------------------------------------
    async def dossier(self, crisis: Crisis, plan_name: str, lessons: int) -> Dossier:
        """Everything known about one crisis beyond its row, in one query: its timeline, roles, report versions,
        milestones and (at most `lessons`) lessons, as one UNION ALL of Core rows, told apart by their first
        column. What the closing story and the export read; each row is read once, so the cost grows with the
        crisis's record, not faster."""
        assert crisis.id is not None
        async with self.sessions() as session:
            rows = (await (await session.connection()).execute(_dossier_query(crisis.id, plan_name))).all()
        timeline: list[Entry] = []
        roles, versions, milestones, learned = [], [], [], []  # (at, id, value): to sort as each reader does
        for src, id_, at, a, b, c, at2, n, j1, j2 in rows:
            at = utc(at)
            if src == _ENTRY:
                timeline.append(Entry(_kind(a), at, b, j1, c, id_))  # j1: a dict decoded for this row alone
            elif src == _ROLE:
                roles.append((at, id_, Assignment(a, b, c, at, utc(at2))))
            elif src == _SITREP:
                versions.append((n, id_, SitrepVersion(n, dict(j1), tuple(j2), a, at)))
            elif src == _MILESTONE:
                milestones.append((at, id_, Milestone(a, c, at, b or "", bool(n), tuple(j1))))
            else:
                learned.append((at, id_, Lesson(crisis.id, a, b, at)))
        # the rows come nearly in these orders (by id, within each table), so each sort is about one pass
        timeline.sort(key=lambda e: (e.at, e.id))
        for found in (roles, versions, milestones):
            found.sort(key=_first_two)
        learned.sort(key=_first_two, reverse=True)  # newest first, as `lessons` gives them
        return Dossier(crisis=crisis, roles=[a for *_, a in roles], sitrep=Sitrep([v for *_, v in versions]),
                       milestones=[m for *_, m in milestones], timeline=timeline,
                       lessons=[lesson for *_, lesson in learned[:lessons]])

    # lessons -----------------------------------------------------------
    async def add_lessons(self, plan_name: str, crisis_id: int, texts: list[str], author: str, at: datetime) -> None:
        async with self.sessions() as session:
            for text in texts:
                session.add(LessonRow(plan_name=plan_name, crisis_id=crisis_id, text=text, author=author,
                                      created_at=at))
            await session.commit()

    async def lessons(self, plan_name: str, limit: int, crisis_id: int | None = None,
                      private: bool = False) -> list[Lesson]:
        """The most recent lessons for a plan (or of one crisis), newest first. Across crises, a private
        crisis's lessons come only once adopted by an admin, unless `private` asks for them too (the caller
        then shows each only to its crisis's members: bot/services/privacy.py)."""
        async with self.sessions() as session:
            query = select(LessonRow).where(LessonRow.plan_name == plan_name)
            if crisis_id is not None:
                query = query.where(LessonRow.crisis_id == crisis_id)
            elif not private:
                shared = select(CrisisRow.id).where(col(CrisisRow.is_private).is_(False))
                query = query.where(col(LessonRow.adopted_at).is_not(None) | col(LessonRow.crisis_id).in_(shared))
            rows = await session.exec(
                query.order_by(col(LessonRow.created_at).desc(), col(LessonRow.id).desc()).limit(limit))
            return [Lesson(r.crisis_id, r.text, r.author, utc(r.created_at)) for r in rows]

    async def unadopted_lessons(self, crisis_id: int) -> int:
        """How many lessons of a crisis no admin has adopted yet."""
        async with self.sessions() as session:
            rows = await session.exec(select(LessonRow.id).where(
                LessonRow.crisis_id == crisis_id, col(LessonRow.adopted_at).is_(None)))
            return len(rows.all())

    async def adopt_lessons(self, crisis_id: int, by: str, at: datetime) -> int:
        """Share a crisis's lessons with every later plan; returns how many were newly adopted."""
        async with self.sessions() as session:
            result = await session.exec(
                update(LessonRow).where(col(LessonRow.crisis_id) == crisis_id, col(LessonRow.adopted_at).is_(None))
                .values(adopted_at=at, adopted_by=by))
            await session.commit()
            return result.rowcount


# The dossier's query ------------------------------------------------------------------------------------------
_TIMELINE, _ROLES, _SITREPS, _MILESTONES, _LESSONS = (
    TimelineRow.__table__, RoleAssignmentRow.__table__, SitrepVersionRow.__table__, MilestoneRow.__table__,
    LessonRow.__table__)
_ENTRY, _ROLE, _SITREP, _MILESTONE, _LESSON = range(5)
_KINDS = {kind.value: kind for kind in Kind}


def _first_two(row: tuple) -> tuple:
    return row[0], row[1]


def _kind(value: str) -> Kind:
    return _KINDS.get(value) or Kind(value)  # an unknown kind fails as it always did


def _dossier_query(crisis_id: int, plan_name: str):
    """One row shape for five tables: (source, id, at, a, b, c, at2, n, j1, j2), in no particular order.

    timeline:   kind, author, ref;                        data
    roles:      role, user, assigned by;   ended at
    sitrep:     author;                               version; fields, changed
    milestones: phase, note, recorded by;             out of order; skipped
    lessons:    text, author
    The first SELECT gives the columns their types (and so how each value is read back)."""
    t, r, s, m, le = _TIMELINE, _ROLES, _SITREPS, _MILESTONES, _LESSONS
    when, text_, number, json_ = DateTime(timezone=True), Text(), Integer(), JSON()

    def source(n: int):
        return literal_column(str(n), Integer()).label("src")

    def nothing(type_, name: str):
        return cast(null(), type_).label(name)

    timeline = core_select(
        source(_ENTRY), t.c.id.label("id"), t.c.at.label("at"), t.c.kind.label("a"), t.c.author.label("b"),
        t.c.ref.label("c"), nothing(when, "at2"), nothing(number, "n"), t.c.data.label("j1"), nothing(json_, "j2"),
    ).where(t.c.crisis_id == crisis_id)
    roles = core_select(
        source(_ROLE), r.c.id, r.c.assigned_at, r.c.role, r.c.user_id, r.c.assigned_by, r.c.ended_at,
        nothing(number, "n"), nothing(json_, "j1"), nothing(json_, "j2"),
    ).where(r.c.crisis_id == crisis_id)
    sitreps = core_select(
        source(_SITREP), s.c.id, s.c.created_at, s.c.author, nothing(text_, "b"), nothing(text_, "c"),
        nothing(when, "at2"), s.c.version, s.c.fields, s.c.changed,
    ).where(s.c.crisis_id == crisis_id)
    milestones = core_select(
        source(_MILESTONE), m.c.id, m.c.recorded_at, m.c.phase, m.c.note, m.c.recorded_by, nothing(when, "at2"),
        cast(m.c.out_of_order, number), m.c.skipped, nothing(json_, "j2"),
    ).where(m.c.crisis_id == crisis_id)
    lessons = core_select(
        source(_LESSON), le.c.id, le.c.created_at, le.c.text, le.c.author, nothing(text_, "c"), nothing(when, "at2"),
        nothing(number, "n"), nothing(json_, "j1"), nothing(json_, "j2"),
    ).where(le.c.crisis_id == crisis_id, le.c.plan_name == plan_name)
    return union_all(timeline, roles, sitreps, milestones, lessons)  # sorted by the caller: no temporary B-tree
