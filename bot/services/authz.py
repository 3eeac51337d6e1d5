"""The admins: user IDs, and the members of user groups, looked up in Slack and kept for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.authz import check_steer
from bot.domain.crisis import Crisis
from bot.services.deps import Deps

GROUP_CACHE = timedelta(minutes=5)


class Admins:
    def __init__(self, deps: Deps, ids: frozenset[str] = frozenset()):
        self.deps = deps
        self.users = frozenset(i for i in ids if not i.startswith("S"))
        self.groups = tuple(i for i in ids if i.startswith("S"))
        self._members: frozenset[str] = frozenset()
        self._fetched: datetime | None = None

    async def all(self) -> frozenset[str]:
        now = self.deps.clock.now()
        if self.groups and (self._fetched is None or now - self._fetched > GROUP_CACHE):
            members: set[str] = set()
            for group in self.groups:
                members.update(await self.deps.slack.usergroup_members(group))
            self._members, self._fetched = frozenset(members), now
        return self.users | self._members

    async def check(self, crisis: Crisis, user: str, action: str) -> None:
        """Raise NotAllowed unless `user` leads the crisis or is an admin."""
        check_steer(crisis, user, await self.all(), action)
