"""The Events API side of the emulated workspace: what people do that Slack tells the app about
(messages, reactions, the Home tab, joining a channel), sent only when the manifest subscribes to it
and the bot can see it, and the events the workspace raises itself (an invitation's
`member_joined_channel`), delivered after the API call that raised them has answered.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .state import BOT_USER_ID, TEAM_ID, Channel


@dataclass
class Reply:
    """The bot's HTTP answer to one request from the user side."""
    status: int
    body: Any                       # parsed JSON, else text; None when the body is empty
    headers: dict[str, str] = field(default_factory=dict)
    ts: str | None = None           # say(): ts of the stored user message
    delivered: bool = True          # False when Slack would not send the event to the bot
    elapsed: float = 0.0            # seconds the bot took to answer (Slack waits 3 s)


class EventSide:
    """Mixed into `Workspace`, which provides the transport (`_post`), the lookups and the manifest."""

    async def send_event(self, event: dict[str, Any], event_id: str | None = None,
                         retry_num: int | None = None, retry_reason: str | None = None,
                         **kw: Any) -> Reply:
        """POST an event_callback envelope around `event`."""
        envelope = {
            "token": self.verification_token, "team_id": TEAM_ID, "api_app_id": self.api_app_id,
            "event": event, "type": "event_callback",
            "event_id": event_id or self.emu.new_id("Ev"), "event_time": int(self.emu.clock()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": f"4-{self.emu.new_id('ctx')}"}
        headers = dict(kw.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return await self._post(json.dumps(envelope), "application/json", headers=headers, **kw)

    async def url_verification(self, challenge: str = "emulator-challenge", **kw: Any) -> Reply:
        body = {"token": self.verification_token, "challenge": challenge,
                "type": "url_verification"}
        return await self._post(json.dumps(body), "application/json", **kw)

    def _deliver_later(self, event: dict[str, Any]) -> None:
        """An event the workspace raised (e.g. the bot invited someone): sent on, as Slack does, after
        the API call that caused it has answered."""
        chan = self.emu.channel(str(event.get("channel") or ""))
        if not self.subscribed(event["type"], chan) or (chan is not None and not self._bot_sees(chan)):
            return
        task = asyncio.get_running_loop().create_task(self._deliver(event))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, event: dict[str, Any]) -> None:
        await asyncio.sleep(0)   # after the answer to the call that raised it
        try:
            await self.send_event(event)
        except (aiohttp.ClientError, RuntimeError):   # the bot or the session went away first
            pass

    @property
    def pending_deliveries(self) -> int:
        """Events the workspace raised that have not reached the bot yet."""
        return len(self._deliveries)

    async def delivered(self) -> None:
        """Wait until every event the workspace raised so far has reached the bot."""
        while self._deliveries:
            await asyncio.gather(*list(self._deliveries), return_exceptions=True)

    def _bot_sees(self, chan: Channel) -> bool:
        return BOT_USER_ID in chan.members

    def subscribed(self, event_type: str, chan: Channel | None = None) -> bool:
        """Whether the app's manifest subscribes to this event (message events per kind of channel)."""
        if self.manifest is None:
            return True
        if event_type == "message" and chan is not None:
            kind = "im" if chan.is_im else "groups" if chan.is_private else "channels"
            event_type = f"message.{kind}"
        return event_type in self.manifest.bot_events

    async def _reaction(self, kind: str, user: str, channel: str, ts: str, name: str,
                        **kw: Any) -> Reply:
        self._user(user)
        chan = self._channel(channel)
        msg = self.emu.find_message(chan.id, ts)
        if msg is None:
            raise AssertionError(f"no message {ts} in {chan.id}")
        users = msg.reactions.get(name, set())
        if kind == "reaction_added":
            if user in users:
                raise AssertionError(f"{user} already reacted :{name}: to {ts}")
            msg.reactions.setdefault(name, set()).add(user)
        else:
            if user not in users:
                raise AssertionError(f"{user} has no :{name}: reaction on {ts}")
            users.discard(user)
            if not users:
                del msg.reactions[name]
        event: dict[str, Any] = {"type": kind, "user": user, "reaction": name,
                                 "item": {"type": "message", "channel": chan.id, "ts": ts},
                                 "event_ts": self._action_ts()}
        if msg.user:
            event["item_user"] = msg.user
        if not self._bot_sees(chan) or not self.subscribed(kind):
            return Reply(0, None, delivered=False)
        return await self.send_event(event, **kw)

    async def react(self, user: str, channel: str, ts: str, name: str, **kw: Any) -> Reply:
        return await self._reaction("reaction_added", user, channel, ts, name, **kw)

    async def unreact(self, user: str, channel: str, ts: str, name: str, **kw: Any) -> Reply:
        return await self._reaction("reaction_removed", user, channel, ts, name, **kw)

    async def say(self, user: str, channel: str, text: str, *, thread_ts: str | None = None,
                  **kw: Any) -> Reply:
        """Post a user message; the bot gets a `message` event (and `app_mention` if named)."""
        self._user(user)
        chan = self._channel(channel)
        if user not in chan.members:
            raise AssertionError(f"{user} is not a member of {chan.id}")
        msg = self.emu.store_message(chan, user, text, thread_ts=thread_ts)
        event: dict[str, Any] = {
            "type": "message", "channel": chan.id, "user": user, "text": text, "ts": msg.ts,
            "event_ts": msg.ts, "team": TEAM_ID, "client_msg_id": self.emu.new_id("cm"),
            "channel_type": "im" if chan.is_im else "group" if chan.is_private else "channel"}
        if msg.thread_ts:
            event["thread_ts"] = msg.thread_ts
        mentioned = self.send_app_mentions and f"<@{BOT_USER_ID}>" in text and not chan.is_im
        if not self._bot_sees(chan):
            return Reply(0, None, ts=msg.ts, delivered=False)
        if not self.subscribed("message", chan):
            reply = Reply(0, None, ts=msg.ts, delivered=False)
        else:
            reply = await self.send_event(event, **kw)
            reply.ts = msg.ts
        if mentioned and self.subscribed("app_mention"):
            mention = {k: v for k, v in event.items() if k not in ("channel_type", "client_msg_id")}
            await self.send_event({**mention, "type": "app_mention"}, **kw)
        return reply

    async def join(self, user: str, channel: str, inviter: str | None = None) -> None:
        """The user joins a public channel by themselves, or a member (`inviter`) adds them from Slack's
        client; the members get `member_joined_channel`."""
        self._user(user)
        chan = self._channel(channel)
        if inviter is None and (chan.is_private or chan.is_im):
            raise AssertionError(f"{chan.id} is private: one joins it only when invited")
        if inviter is not None and inviter not in chan.members:
            raise AssertionError(f"{inviter} is not a member of {chan.id}")
        if user not in chan.members:
            chan.members.add(user)
            self.emu.joined(chan, user, inviter=inviter)

    async def open_home(self, user: str, **kw: Any) -> Reply:
        """The user opens the app's Home tab: an app_home_opened event."""
        self._user(user)
        im = self.emu.open_im(user)
        event: dict[str, Any] = {"type": "app_home_opened", "user": user, "channel": im.id,
                                 "tab": "home", "event_ts": self._action_ts()}
        home = self.emu.home(user)
        if home is not None:
            event["view"] = home
        if not self.subscribed("app_home_opened"):
            return Reply(0, None, delivered=False)
        return await self.send_event(event, **kw)
