"""Roles: assign, hand off, list; inviting responders; finding the person a name means."""

from __future__ import annotations

from bot.domain.crisis import Crisis
from bot.domain.errors import CrisisError
from bot.domain.mentions import first_mention, matching, people
from bot.domain.plan import Role
from bot.domain.roles import Assignment, holders, user_id
from bot.domain.timeline import Kind
from bot.ports import SlackCallFailed
from bot.services.authz import Admins
from bot.services.deps import Deps
from bot.domain.notices import Audience, Notice


class UnknownRole(CrisisError):
    key = "error.unknown_role"


class BadUser(CrisisError):
    key = "error.bad_user"


class AlreadyHolds(CrisisError):
    key = "error.already_holds"


class UnknownPerson(CrisisError):
    key = "people.unknown"


class AmbiguousPerson(CrisisError):
    key = "people.ambiguous"


MAX_WELCOMES = 20    # people told privately what the room is about when invited; more read the channel
RELIST_AFTER = 10.0   # seconds: a name not found is looked up again in a fresher listing, at most this often

# Slack's answers to conversations.invite that mean "not someone who can join"
CANT_JOIN = ("user_not_found", "cant_invite", "user_is_restricted", "cant_invite_self", "user_is_bot")


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
        crisis.require_open()
        role = self.role(role_word)
        user = await self.who(user_text) if user_text else by
        assert crisis.id is not None
        if role.key == self.plan.lead_role and user != crisis.lead:
            await self.authz.check(crisis, by, "lead")  # handing over the lead
        if holders(await self.deps.dossier.roles(crisis.id)).get(role.key) == user:
            raise AlreadyHolds(role=role.name, user=user)
        try:  # first: someone Slack doesn't know gets no role
            await self.deps.slack.invite(crisis.channel_id, [user])  # type: ignore[arg-type]
        except SlackCallFailed as exc:
            if exc.code in CANT_JOIN:
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

    async def who(self, text: str) -> str:
        """The user `text` names: a mention, a user ID, or a name (username, display or real name, any
        case and accents) looked up among the workspace's members."""
        found = user_id(text) or first_mention(text)   # "<@U0BOB|bob> Rossi": Slack's client saw "@bob"
        if found is not None:
            return found
        name = text.strip().lstrip("@").strip()
        matches = matching(name, await self.deps.slack.members()) if name else []
        if name and not matches:   # someone who joined the workspace since the last listing?
            matches = matching(name, await self.deps.slack.members(max_age=RELIST_AFTER))
        if not matches:
            raise UnknownPerson(name=(name or text)[:60])
        if len(matches) > 1:
            raise AmbiguousPerson(name=name[:60], candidates=", ".join(m.label for m in matches[:10]))
        return matches[0].id

    async def invite(self, crisis: Crisis, text: str, by: str) -> list[str]:
        """Invite the people `text` names into the crisis channel, without a role. Returns them."""
        crisis.require_open()
        users = list(dict.fromkeys([await self.who(name) for name in people(text)]))
        if not users:
            raise UnknownPerson(name=text[:60])
        try:
            await self.deps.slack.invite(crisis.channel_id, users)  # type: ignore[arg-type]
        except SlackCallFailed as exc:
            if exc.code in CANT_JOIN:
                raise BadUser(user=text[:60]) from exc
            raise
        await self.deps.log(crisis, Kind.INVITED, by, users=users)
        await self.deps.tell("invited", crisis, users=users, by=by)
        for user in users[:MAX_WELCOMES]:  # a crowd reads the channel; a few get told what it is about
            await self.welcome(crisis.channel_id, user)  # type: ignore[arg-type]
        return users

    async def welcome(self, channel_id: str, user: str) -> bool:
        """Someone joined a channel: in an active crisis room, tell them privately what it is about,
        unless they lead it or already hold a role. True when they were told."""
        crisis = await self.deps.crises.by_channel(channel_id)
        if crisis is None or crisis.is_closed or crisis.id is None or user == crisis.lead:
            return False
        if user in holders(await self.deps.dossier.roles(crisis.id)).values():
            return False
        try:
            await self.deps.slack.whisper(channel_id, Notice("welcome", crisis, Audience.DM, {}, user))
        except SlackCallFailed as exc:  # they left again, or the room went: nobody to welcome
            if exc.code not in ("user_not_in_channel", "channel_not_found", "is_archived"):
                raise
            return False
        return True

    async def roster(self, crisis: Crisis) -> list[tuple[Role, str | None]]:
        assert crisis.id is not None
        current = holders(await self.deps.dossier.roles(crisis.id))
        return [(role, current.get(role.key)) for role in self.plan.roles]
