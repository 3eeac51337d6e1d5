"""Roles: assign, hand off, list."""

from __future__ import annotations

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError
from bot.domain.plan import Role
from bot.domain.roles import Assignment, holders, user_id
from bot.domain.timeline import Kind
from bot.ports import SlackCallFailed
from bot.services.authz import Admins
from bot.services.deps import Deps
from bot.domain.notices import Audience


class UnknownRole(CrisisError):
    key = "error.unknown_role"


class BadUser(CrisisError):
    key = "error.bad_user"


class AlreadyHolds(CrisisError):
    key = "error.already_holds"


class TeamService:
    def __init__(self, deps: Deps, authz: Admins):
        self.deps = deps
        self.plan = deps.plan
        self.authz = authz

    def role(self, word: str) -> Role:
        role = self.plan.role(word) if word else None
        if role is None:
            raise UnknownRole(role=word[:40], roles=", ".join(r.key for r in self.plan.roles))
        return role

    async def assign(self, crisis: Crisis, role_word: str, user_text: str, by: str) -> tuple[Role, str | None]:
        """Give a role to someone (`user_text` empty: the person asking). Returns the role and who held it."""
        role = self.role(role_word)
        user = user_id(user_text) if user_text else by
        if user is None:
            raise BadUser(user=user_text[:60])
        assert crisis.id is not None
        if role.key == self.plan.lead_role and user != crisis.lead:
            await self.authz.check(crisis, by, "lead")  # handing over the lead
        if holders(await self.deps.dossier.roles(crisis.id)).get(role.key) == user:
            raise AlreadyHolds(role=role.name, user=user)
        try:  # first: someone Slack doesn't know gets no role
            await self.deps.slack.invite(crisis.channel_id, [user])  # type: ignore[arg-type]
        except SlackCallFailed as exc:
            if exc.code in ("user_not_found", "cant_invite", "user_is_restricted", "cant_invite_self"):
                raise BadUser(user=user_text[:60] or user) from exc
            raise
        now = self.deps.clock.now()
        previous = await self.deps.dossier.assign_role(crisis.id, Assignment(role.key, user, by, now))
        if role.key == self.plan.lead_role:
            crisis.lead = user
            await self.deps.crises.set_lead(crisis)
            await self.deps.slack.set_topic(crisis.channel_id, crisis, self.plan)  # type: ignore[arg-type]
        await self.deps.log(crisis, Kind.ROLE, by, role=role.key, user=user, previous=previous)
        await self.deps.tell("role_changed", crisis, role=role.key, user=user, previous=previous, by=by)
        await self.deps.tell("role_brief", crisis, Audience.DM, to=user, role=role.key, by=by)
        await self.deps.refresh_plan(crisis)
        return role, previous

    async def roster(self, crisis: Crisis) -> list[tuple[Role, str | None]]:
        assert crisis.id is not None
        current = holders(await self.deps.dossier.roles(crisis.id))
        return [(role, current.get(role.key)) for role in self.plan.roles]
