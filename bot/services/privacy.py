"""Who may see or act on a private crisis, asked of Slack, and the adoption of its lessons by an admin.

Membership is the crisis channel's members (`conversations.members`, which the gateway keeps for a few
seconds) together with the crisis's recorded team (opener, lead, role holders). When Slack cannot be asked,
only the recorded team counts: an outage never shows a private crisis to somebody outside it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.domain.crisis import Crisis
from bot.domain.lessons import Lesson
from bot.domain.privacy import NotAnAdmin, check_member, may_see
from bot.domain.roles import holders
from bot.ports import SlackCallFailed
from bot.services.authz import Admins
from bot.services.deps import Deps

log = logging.getLogger(__name__)

LESSONS_READ = 200  # lessons read to find the latest ones a person may see


class Privacy:
    def __init__(self, deps: Deps, admins: Admins):
        self.deps = deps
        self.admins = admins

    async def members(self, crisis: Crisis) -> frozenset[str]:
        """Everybody who may see a private crisis."""
        assert crisis.id is not None
        team = {crisis.opened_by, crisis.lead, *holders(await self.deps.dossier.roles(crisis.id)).values()}
        if crisis.channel_id:
            try:
                team |= await self.deps.slack.channel_members(crisis.channel_id)
            except SlackCallFailed as exc:
                log.warning("conversations.members for crisis %s failed (%s): its recorded team only",
                            crisis.id, exc.code)
        return frozenset(team)

    async def may_see(self, crisis: Crisis, user: str) -> bool:
        if not crisis.private:
            return True
        return may_see(crisis, user, await self.members(crisis))

    async def visible(self, crises: Iterable[Crisis], user: str) -> list[Crisis]:
        """The crises of a list that `user` may see, in their order."""
        return [c for c in crises if await self.may_see(c, user)]

    async def check(self, crisis: Crisis, user: str) -> Crisis:
        """The crisis, when `user` may act on it; NotAMember otherwise (the one check every button, form and
        menu that carries a crisis id goes through: handlers/actions.py crisis_by_id)."""
        if crisis.private:
            check_member(crisis, user, await self.members(crisis))
        return crisis

    async def lessons_for(self, user: str, limit: int) -> list[Lesson]:
        """The latest lessons `user` may read: public crises', adopted ones, and their own private crises'."""
        seen: dict[int, bool] = {}
        shown: list[Lesson] = []
        shared = {(x.crisis_id, x.text, x.at) for x in await self.deps.dossier.lessons(self.deps.plan.name,
                                                                                       LESSONS_READ)}
        for lesson in await self.deps.dossier.lessons(self.deps.plan.name, LESSONS_READ, private=True):
            if len(shown) == limit:
                break
            if (lesson.crisis_id, lesson.text, lesson.at) not in shared:
                if lesson.crisis_id not in seen:
                    crisis = await self.deps.crises.get(lesson.crisis_id)
                    seen[lesson.crisis_id] = crisis is not None and await self.may_see(crisis, user)
                if not seen[lesson.crisis_id]:
                    continue
            shown.append(lesson)
        return shown

    async def adoptable(self, crisis: Crisis, user: str) -> int:
        """How many lessons of this private crisis `user` (an admin) could adopt now; 0 for anyone else."""
        if not crisis.private or crisis.id is None or user not in await self.admins.all():
            return 0
        return await self.deps.dossier.unadopted_lessons(crisis.id)

    async def adopt(self, crisis: Crisis, user: str) -> int:
        """An admin who may see a private crisis shares its lessons with every later plan."""
        await self.check(crisis, user)
        if user not in await self.admins.all():
            raise NotAnAdmin()
        assert crisis.id is not None
        return await self.deps.dossier.adopt_lessons(crisis.id, user, self.deps.clock.now())
