"""`Workspace`: the user side of the emulated Slack.

Sends Slack-signed slash commands, view submissions, block actions and Events API
callbacks to the bot's HTTP endpoint, and keeps the emulator's state in step (triggers,
response_urls, reactions, user messages, modals closed after a submission).
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from .blockcheck import check_view
from .escaping import escape_typed
from .interaction import action_payload, find_element, state_values
from .manifest import Manifest, project_manifest
from .methods_views import new_modal, replace_view
from .state import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, Channel, View

if TYPE_CHECKING:
    from .server import SlackEmulator


@dataclass
class Reply:
    """The bot's HTTP answer to one request from the user side."""
    status: int
    body: Any                       # parsed JSON, else text; None when the body is empty
    headers: dict[str, str] = field(default_factory=dict)
    ts: str | None = None           # say(): ts of the stored user message
    delivered: bool = True          # False when Slack would not send the event to the bot
    elapsed: float = 0.0            # seconds the bot took to answer (Slack waits 3 s)


class Workspace:
    """The humans of the emulated workspace, talking to the bot over signed HTTP."""

    def __init__(self, emu: "SlackEmulator", bot_url: str, signing_secret: str,
                 session: aiohttp.ClientSession, *, api_app_id: str = APP_ID,
                 verification_token: str = "emulator-verification-token",
                 send_app_mentions: bool = True, manifest: Manifest | None = None) -> None:
        self.emu = emu
        # What the app asked Slack for: which events it is sent, how slash-command text is escaped.
        # None (no manifest to read): every event, text as typed.
        self.manifest = manifest or project_manifest()
        self._deliveries: set[asyncio.Task] = set()
        emu.event_sinks.append(self._deliver_later)
        self.bot_url = bot_url
        self.session = session
        self.api_app_id = api_app_id
        self.verification_token = verification_token
        self.send_app_mentions = send_app_mentions
        self._verifier = SignatureVerifier(signing_secret)

    # ----- transport ----------------------------------------------------------------------
    async def _post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
                    signature: str | None = None, timestamp: int | None = None) -> Reply:
        # Signed with real time, as Slack does: the receiver checks it against its own clock, whatever
        # clock the emulated workspace keeps for message timestamps.
        ts = str(int(time.time()) if timestamp is None else int(timestamp))
        sig = signature if signature is not None else self._verifier.generate_signature(
            timestamp=ts, body=body)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": sig or "",
                       "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                       **(headers or {})}
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with self.session.post(self.bot_url, data=body.encode("utf-8"),
                                     headers=all_headers) as resp:
            raw = await resp.text()
            status, resp_headers = resp.status, dict(resp.headers)
        parsed: Any = None
        if raw.strip():
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw
        return Reply(status, parsed, resp_headers, elapsed=loop.time() - started)

    async def _post_payload(self, payload: dict[str, Any], **kw: Any) -> Reply:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post(body, "application/x-www-form-urlencoded", **kw)

    # ----- helpers ------------------------------------------------------------------------
    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.emu.user(user_id)
        if user is None:
            raise AssertionError(f"no user {user_id!r} in the emulator")
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM_ID}

    def _channel(self, channel_id: str) -> Channel:
        chan = self.emu.channel(channel_id)
        if chan is None:
            raise AssertionError(f"no channel {channel_id!r} in the emulator")
        return chan

    @staticmethod
    def _channel_name(chan: Channel) -> str:
        return "directmessage" if chan.is_im else chan.name or chan.id

    def _common(self, user: str) -> dict[str, Any]:
        return {"user": self._user(user), "api_app_id": self.api_app_id,
                "token": self.verification_token,
                "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
                "enterprise": None, "is_enterprise_install": False}

    def _action_ts(self) -> str:
        return f"{self.emu.clock():.6f}"

    # ----- slash commands -----------------------------------------------------------------
    async def slash(self, user: str, channel: str, text: str = "", command: str = "/crisis",
                    *, escape: bool | None = None, **kw: Any) -> Reply:
        """Run a slash command; a non-empty ack body is shown to the user as Slack does.

        The text is escaped as the manifest's `should_escape` says (`escape` overrides it: False
        sends the raw text, as with a name Slack's client did not recognise or a copy-paste)."""
        u, chan = self._user(user), self._channel(channel)
        if escape is None:
            escape = self.manifest is not None and self.manifest.should_escape.get(command, False)
        if escape:
            text = escape_typed(self.emu, text)
        token = self.emu.new_response_url_token(user, chan.id)
        form = {"token": self.verification_token, "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN,
                "channel_id": chan.id, "channel_name": self._channel_name(chan),
                "user_id": user, "user_name": u["name"], "command": command, "text": text,
                "api_app_id": self.api_app_id, "is_enterprise_install": "false",
                "response_url": self.emu.response_url_for(token),
                "trigger_id": self.emu.issue_trigger(user, chan.id)}
        reply = await self._post(urlencode(form), "application/x-www-form-urlencoded", **kw)
        if reply.status == 200 and reply.body:
            self._show_ack(user, chan, reply.body)
        return reply

    def _show_ack(self, user: str, chan: Channel, body: Any) -> None:
        if isinstance(body, dict):
            text, blocks = str(body.get("text") or ""), body.get("blocks") or []
            if not text and not blocks:
                return
            if body.get("response_type") == "in_channel":
                self.emu.store_message(chan, BOT_USER_ID, text, blocks)
                return
        else:
            text, blocks = str(body), []
        self.emu.store_ephemeral(chan.id, user, text, blocks, "ack")

    # ----- modals -------------------------------------------------------------------------
    def _open_view(self, user: str, view_id: str, *, modal_only: bool) -> View:
        stored = self.emu.views.get(view_id)
        if stored is None:
            raise AssertionError(f"no view {view_id!r}; views: {sorted(self.emu.views)}")
        if stored.user != user:
            raise AssertionError(f"view {view_id} belongs to {stored.user}, not {user}")
        if modal_only and stored.kind != "modal":
            raise AssertionError(f"view {view_id} is a {stored.kind} view, not a modal")
        if stored.kind == "modal" and not stored.is_open:
            raise AssertionError(f"modal {view_id} is closed")
        return stored

    async def submit_view(self, user: str, view_id: str, values: dict[str, Any] | None = None,
                          **kw: Any) -> Reply:
        """Submit an open modal with {block_id: value}; applies the bot's response_action."""
        stored = self._open_view(user, view_id, modal_only=True)
        view = copy.deepcopy(stored.view)
        view["state"] = {"values": state_values(view, values or {})}
        stored.view["state"] = copy.deepcopy(view["state"])
        payload = {"type": "view_submission", **self._common(user),
                   "trigger_id": self.emu.issue_trigger(user), "view": view,
                   "response_urls": []}
        reply = await self._post_payload(payload, **kw)
        if reply.status == 200:
            self._after_submission(stored, reply.body)
        return reply

    def _after_submission(self, stored: View, body: Any) -> None:
        action = body.get("response_action") if isinstance(body, dict) else None
        if action == "errors":
            return
        if action in ("update", "push"):
            new_view = body.get("view")
            bad = check_view(new_view, kind="modal")
            if bad:
                raise AssertionError(f"response_action {action} with an invalid view: {bad}")
            if action == "update":
                replace_view(self.emu, stored, new_view)
            else:
                new_modal(self.emu, stored.user, new_view, None, previous=stored)
            return
        self.emu.close_view(stored.id, whole_stack=action == "clear")

    async def close_view(self, user: str, view_id: str, **kw: Any) -> Reply | None:
        """The user closes a modal; a view_closed payload is sent if notify_on_close is set."""
        stored = self._open_view(user, view_id, modal_only=True)
        self.emu.close_view(view_id)
        if not stored.view.get("notify_on_close"):
            return None
        payload = {"type": "view_closed", **self._common(user), "view": stored.view,
                   "is_cleared": False}
        return await self._post_payload(payload, **kw)

    # ----- block actions ------------------------------------------------------------------
    async def click(self, user: str, channel: str, message_ts: str, action_id: str,
                    value: Any = None, **kw: Any) -> Reply:
        """Use the element `action_id` of a message (or of the user's ephemeral message)."""
        chan = self._channel(channel)
        msg = self.emu.find_message(chan.id, message_ts)
        eph = None if msg is not None else next(
            (e for e in self.emu.ephemerals(user=user, channel=chan.id) if e.ts == message_ts), None)
        if msg is None and eph is None:
            raise AssertionError(f"no message {message_ts} in {chan.id} visible to {user}")
        blocks = msg.blocks if msg is not None else eph.blocks   # type: ignore[union-attr]
        block, element = find_element(blocks, action_id, f"message {message_ts}")
        token = self.emu.new_response_url_token(user, chan.id, message_ts)
        payload: dict[str, Any] = {
            "type": "block_actions", **self._common(user),
            "container": {"type": "message", "message_ts": message_ts, "channel_id": chan.id,
                          "is_ephemeral": msg is None},
            "trigger_id": self.emu.issue_trigger(user, chan.id),
            "channel": {"id": chan.id, "name": self._channel_name(chan)},
            "state": {"values": {}}, "response_url": self.emu.response_url_for(token),
            "actions": [action_payload(block, element, value, self._action_ts())]}
        if msg is not None:
            payload["message"] = msg.to_api(self.emu)
        return await self._post_payload(payload, **kw)

    async def click_in_view(self, user: str, view_id: str, action_id: str, value: Any = None,
                            **kw: Any) -> Reply:
        """Use the element `action_id` inside an open modal or the user's Home tab."""
        stored = self._open_view(user, view_id, modal_only=False)
        block, element = find_element(stored.view.get("blocks") or [], action_id,
                                      f"view {view_id}")
        payload = {"type": "block_actions", **self._common(user),
                   "container": {"type": "view", "view_id": view_id},
                   "trigger_id": self.emu.issue_trigger(user), "view": stored.view,
                   "actions": [action_payload(block, element, value, self._action_ts())]}
        return await self._post_payload(payload, **kw)

    # ----- events -------------------------------------------------------------------------
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
