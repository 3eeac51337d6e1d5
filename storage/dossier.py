"""A crisis's record beyond the crisis row: roles, report versions, milestones, timeline, lessons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.lessons import Lesson
from bot.domain.milestones import Milestone
from bot.domain.roles import Assignment
from bot.domain.sitrep import SitrepVersion
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
        async with self.sessions() as session:
            rows = await session.exec(select(TimelineRow).where(TimelineRow.crisis_id == crisis_id)
                                      .order_by(col(TimelineRow.at), col(TimelineRow.id)))
            return [Entry(Kind(r.kind), utc(r.at), r.author, dict(r.data), r.ref, r.id) for r in rows]

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
