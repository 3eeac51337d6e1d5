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
from .workspace_events import EventSide, Reply

if TYPE_CHECKING:
    from .server import SlackEmulator


class Workspace(EventSide):
    """The humans of the emulated workspace, talking to the bot over signed HTTP (events: EventSide)."""

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
        self.sent: list[tuple[str, dict[str, str]]] = []  # each request as sent, for byte-for-byte replays
        self._last_action_ts = 0.0

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
        self.sent.append((body, all_headers))
        return await self._send(body, all_headers)

    async def replay(self, request: tuple[str, dict[str, str]] | None = None, url: str | None = None) -> Reply:
        """Send a request again byte for byte, signature and timestamp included (the last one by default),
        as an attacker or a confused proxy would within Slack's five-minute window; `url`: to another replica."""
        body, headers = request or self.sent[-1]
        return await self._send(body, headers, url)

    async def _send(self, body: str, all_headers: dict[str, str], url: str | None = None) -> Reply:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with self.session.post(url or self.bot_url, data=body.encode("utf-8"),
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
        # Slack's action_ts is unique per click (microseconds); a fixed test clock must not make two clicks one
        self._last_action_ts = max(self.emu.clock(), self._last_action_ts + 1e-6)
        return f"{self._last_action_ts:.6f}"

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
