"""The SlackGateway port over slack-sdk's AsyncWebClient: domain calls in, Web API calls out."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.crisis import Crisis
from bot.domain.lessons import Lesson
from bot.domain.mentions import Member
from bot.domain.notices import Audience, Notice
from bot.domain.plan import Plan
from bot.domain.privacy import for_audience
from bot.ports import ChannelNameTaken, SlackCallFailed
from handlers.blocks.kit import context
from handlers.escape import cut
from handlers.blocks.messages import MAX_TOPIC, topic
from handlers.blocks.notices import RenderContext, all_renderers
from handlers.blocks.plan import plan_marker, plan_message
from handlers.locales import PersonLocales
from handlers.ratelimit import RateLimitWait, SlackRateLimiter
from handlers.slack_errors import error_code

# Answers that mean "it is already so": the step's goal holds.
ALREADY_DONE = {"already_in_channel", "already_pinned", "already_archived"}
MEMBERS_TTL = 60.0   # seconds a users.list snapshot answers name lookups
RATE_LIMIT_RETRIES = 3  # 429s waited out (after Retry-After) before the call fails for now
CLAIM_LOOKBACK = 100  # the latest messages of a channel searched for a claim token
CHANNEL_MEMBERS_TTL = 15.0  # seconds a channel's member list answers "may this person see this private crisis"


class WebApiGateway:
    def __init__(self, client: AsyncWebClient, render: RenderContext, limiter: SlackRateLimiter | None = None,
                 locales: PersonLocales | None = None):
        self.client = client
        self.limiter = limiter or SlackRateLimiter()
        self.render = render
        self.locales = locales  # each person's Slack language, for what only they read (DMs, ephemerals)
        self.renderers = all_renderers()
        self._bot_user: str | None = None
        self._members: tuple[float, list[Member]] | None = None
        self._members_lock = asyncio.Lock()
        self._channel_members: dict[str, tuple[float, frozenset[str]]] = {}

    async def call(self, method: str, **kwargs) -> dict:
        """One Web API call; SlackApiError becomes the port's exceptions.

        An "already done" answer counts as success and returns {}.
        """
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            try:
                slot = await self.limiter.take(method, kwargs.get("channel"))
            except RateLimitWait as exc:  # a passing failure: the step (or the tick) tries again later
                raise SlackCallFailed(method, "ratelimited") from exc
            try:
                response = await getattr(self.client, method.replace(".", "_"))(**kwargs)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                # slack-sdk already retried with backoff; for the caller this is an outage, tried again later
                raise SlackCallFailed(method, "timeout" if isinstance(exc, asyncio.TimeoutError)
                                      else "unreachable") from exc
            except SlackApiError as exc:
                if exc.response.status_code == 429:
                    # not a spent slot; Slack's Retry-After pauses this method for every caller, then this one
                    # reserves again
                    self.limiter.rejected(slot, retry_after(exc))
                    if attempt < RATE_LIMIT_RETRIES:
                        continue
                return self._refused(method, exc)
            return response.data if isinstance(response.data, dict) else {}
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _refused(method: str, exc: SlackApiError) -> dict:
        code = error_code(exc)
        if code in ALREADY_DONE:
            return {}
        if code == "name_taken":
            raise ChannelNameTaken() from exc
        raise SlackCallFailed(method, code) from exc

    async def create_channel(self, name: str, private: bool) -> str:
        response = await self.call("conversations.create", name=name, is_private=private)
        return response["channel"]["id"]

    async def invite(self, channel_id: str, users: list[str]) -> None:
        for start in range(0, len(users), 100):  # Slack takes at most 100 users a call
            await self.call("conversations.invite", channel=channel_id, users=users[start : start + 100])
        self._channel_members.pop(channel_id, None)

    def shared(self, crisis: Crisis | None) -> RenderContext:
        """How the messages everybody in a crisis's channel (and the managers) read are rendered: in the
        crisis's language; a notice of no crisis yet (triage) in the installation's."""
        return self.render.speaking(crisis.language if crisis is not None else None)

    async def personal(self, user: str | None, crisis: Crisis | None) -> RenderContext:
        """What one person alone reads: in their Slack language (users.info, cached) when crisisbot speaks it,
        else the crisis's."""
        language = await self.locales.language(user) if self.locales is not None and user else None
        return self.render.speaking(language) if language else self.shared(crisis)

    async def set_topic(self, channel_id: str, crisis: Crisis, plan: Plan) -> None:
        r = self.shared(crisis)
        text = topic(crisis, r.plan, r.catalog)
        if r.language != self.render.language:  # a language chosen at open, shown where all see it
            tag = r.catalog.t("language.topic", code=r.language.upper())
            text = f"{cut(text, MAX_TOPIC - len(tag) - 3)} · {tag}"
        await self.call("conversations.setTopic", channel=channel_id, topic=text)

    def _plan_message(self, crisis: Crisis, lessons: list[Lesson], holders: dict[str, str] | None = None):
        r = self.shared(crisis)
        text, blocks = plan_message(crisis, r.plan, r.catalog, lessons, holders)
        if untranslated_note := self._untranslated(r):
            blocks = [*blocks, context(untranslated_note)]
        return text, blocks

    def _untranslated(self, r: RenderContext) -> str | None:
        """A visible line when the plan has texts that fall back to its own language in this one."""
        plan = self.render.plan
        if r.language == plan.language or not plan.untranslated(r.language):
            return None
        return r.catalog.t("language.untranslated", language=r.catalog.t(f"language.name.{r.language}"),
                           fallback=r.catalog.t(f"language.name.{plan.language}"))

    async def post_plan(self, crisis: Crisis, plan: Plan, lessons: list[Lesson]) -> str:
        text, blocks = self._plan_message(crisis, lessons)
        return await self._post(crisis.channel_id, text, blocks)

    async def find_plan(self, crisis: Crisis) -> str | None:
        """The ts of this crisis's plan if the bot already posted it in the channel (asked only when an opening
        resumes: a channel just made holds nothing)."""
        history = await self.call("conversations.history", channel=crisis.channel_id, limit=50)
        marker = plan_marker(crisis)
        for message in history.get("messages") or []:
            if any(b.get("block_id") == marker for b in message.get("blocks") or []):
                return message["ts"]
        return None

    async def update_plan(self, crisis: Crisis, plan: Plan, lessons: list[Lesson], holders: dict[str, str]) -> None:
        """Keep the pinned plan current: who holds each role."""
        text, blocks = self._plan_message(crisis, lessons, holders)
        await self.call("chat.update", channel=crisis.channel_id, ts=crisis.plan_ts, text=text, blocks=blocks)

    async def pin(self, channel_id: str, ts: str) -> None:
        await self.call("pins.add", channel=channel_id, timestamp=ts)

    def channel_of(self, notice: Notice) -> str | None:
        """Where a notice's audience reads: None when the plan and settings name no such channel."""
        if notice.audience is Audience.MANAGERS:
            return self.render.managers_channel
        if notice.audience is Audience.TRIAGE:
            return self.render.plan.alerts.triage_channel or self.render.managers_channel
        if notice.audience is Audience.DM:
            return notice.user
        return notice.crisis.channel_id if notice.crisis else None

    async def post(self, notice: Notice, claim: str | None = None) -> str | None:
        """Render a notice and post it where its audience is; None when that audience has no channel,
        or may not hear of it (a private crisis, for the managers). A `claim` token is carried in the
        message (a block id), so `find_claimed` can tell whether it went out."""
        shown = for_audience(notice, self.render.plan)
        channel = self.channel_of(notice)
        if shown is None or not channel:
            return None
        notice = shown
        r = await self.personal(notice.user, notice.crisis) if notice.audience is Audience.DM \
            else self.shared(notice.crisis)
        text, blocks = self.renderers[notice.kind](notice, r)
        if claim is not None:
            blocks = with_claim(blocks, claim)
        return await self._post(channel, text, blocks)

    async def find_claimed(self, notice: Notice, claim: str) -> str | None:
        """The ts of the message the bot posted with this claim token where the notice goes, if it did.

        A claim runs out a minute after it was taken, so the message is among the channel's latest ones.
        (conversations.history, channels:history / groups:history in manifest.yaml.)"""
        channel = self.channel_of(notice)
        if for_audience(notice, self.render.plan) is None or not channel:
            return None
        history = await self.call("conversations.history", channel=channel, limit=CLAIM_LOOKBACK)
        marker = claim_marker(claim)
        for message in history.get("messages") or []:
            if any(b.get("block_id") == marker for b in message.get("blocks") or []):
                return message["ts"]
        return None

    async def whisper(self, channel_id: str, notice: Notice) -> None:
        """Show a notice to its one person (`notice.user`) in a channel, visible to them only."""
        text, blocks = self.renderers[notice.kind](notice, await self.personal(notice.user, notice.crisis))
        await self.call("chat.postEphemeral", channel=channel_id, user=notice.user, text=text, blocks=blocks)

    async def replace(self, channel: str, ts: str, notice: Notice) -> None:
        """Rewrite a message the bot posted, e.g. a triage request once decided."""
        text, blocks = self.renderers[notice.kind](notice, self.shared(notice.crisis))
        await self.call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)

    async def bookmark(self, channel_id: str, title: str, link: str) -> None:
        await self.call("bookmarks.add", channel_id=channel_id, title=title[:200], type="link", link=link)

    async def own_channel(self, name: str, private: bool) -> str | None:
        """The id of a channel of that name the bot itself created, if there is one (a crash may have lost it)."""
        if self._bot_user is None:
            self._bot_user = (await self.call("auth.test")).get("user_id")
        cursor = None
        while True:
            page = await self.call("conversations.list", types="private_channel" if private else "public_channel",
                                   limit=200, cursor=cursor)
            for channel in page.get("channels") or []:
                if channel.get("name") == name and channel.get("creator") == self._bot_user:
                    return channel["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    async def members(self, max_age: float = MEMBERS_TTL) -> list[Member]:
        """The workspace's people (no bots, no deactivated accounts), from users.list, at most `max_age`
        seconds old (a minute by default)."""
        async with self._members_lock:   # one listing at a time, however many lookups wait for it
            now = self.render.clock.now().timestamp()
            if self._members is not None and 0 <= now - self._members[0] < max_age:
                return self._members[1]
            found: list[Member] = []
            cursor = None
            while True:
                page = await self.call("users.list", limit=200, cursor=cursor)
                for user in page.get("members") or []:
                    if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
                        continue
                    profile = user.get("profile") or {}
                    found.append(Member(user["id"], user.get("name", ""), profile.get("display_name", ""),
                                        profile.get("real_name") or user.get("real_name", "")))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
            self._members = (now, found)
            return found

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        """Who is in a channel (`conversations.members`), kept CHANNEL_MEMBERS_TTL seconds; the bot's own
        invites forget it at once."""
        now = time.monotonic()
        cached = self._channel_members.get(channel_id)
        if cached is not None and 0 <= now - cached[0] < CHANNEL_MEMBERS_TTL:
            return cached[1]
        found: set[str] = set()
        cursor = None
        while True:
            page = await self.call("conversations.members", channel=channel_id, limit=200, cursor=cursor)
            found.update(page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        self._channel_members[channel_id] = (now, frozenset(found))
        return frozenset(found)

    async def usergroup_members(self, group_id: str) -> list[str]:
        response = await self.call("usergroups.users.list", usergroup=group_id)
        return list(response.get("users") or [])

    async def message(self, channel_id: str, ts: str) -> dict | None:
        response = await self.call("conversations.history", channel=channel_id, latest=ts, inclusive=True, limit=1)
        messages = response.get("messages") or []
        return messages[0] if messages and messages[0].get("ts") == ts else None

    async def archive(self, channel_id: str) -> None:
        await self.call("conversations.archive", channel=channel_id)

    async def _post(self, channel: str | None, text: str, blocks: list[dict]) -> str:
        response = await self.call(
            "chat.postMessage", channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
        return response["ts"]


def claim_marker(claim: str) -> str:
    return f"crisisbot-claim-{claim}"


def with_claim(blocks: list[dict], claim: str) -> list[dict]:
    """The blocks with the claim token as the block id of the first block that has none (Slack keeps block ids
    and returns them in conversations.history; a reader doesn't see them)."""
    marked = [dict(b) for b in blocks]
    for block in marked:
        if not block.get("block_id"):
            block["block_id"] = claim_marker(claim)
            return marked
    return marked + [{"type": "context", "block_id": claim_marker(claim), "elements": [{"type": "plain_text",
                                                                                          "text": " "}]}]


def retry_after(exc: SlackApiError) -> float:
    """Slack's Retry-After header (seconds), 1 when it is missing or odd."""
    headers = {k.lower(): v for k, v in (getattr(exc.response, "headers", None) or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0
