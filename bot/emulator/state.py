"""Workspace state of the Slack emulator: plain dataclasses plus the `State` store.

`State` owns every object of the emulated workspace, hands out ids and message
timestamps, and offers the synchronous inspection API used by tests and the demo.
The HTTP server (`server.SlackEmulator`) extends it.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

TEAM_ID = "T0EMULATOR"
TEAM_NAME = "Emulated Workspace"
TEAM_DOMAIN = "emulated"
BOT_USER_ID = "U0CRISISBOT"
BOT_ID = "B0CRISISBOT"
BOT_NAME = "crisisbot"
APP_ID = "A0CRISISBOT"
WORKSPACE_URL = f"https://{TEAM_DOMAIN}.slack.com/"


@dataclass
class User:
    id: str
    name: str
    real_name: str
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False
    locale: str = "en-US"   # the person's Slack language (IETF tag); users.info shows it with include_locale

    @property
    def email(self) -> str | None:
        return None if self.is_bot else f"{self.name}@{TEAM_DOMAIN}.example.com"

    def to_api(self, *, include_locale: bool = False) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "display_name": self.name,
            "real_name_normalized": self.real_name,
            "display_name_normalized": self.name,
            "team": TEAM_ID,
        }
        if self.email:
            profile["email"] = self.email
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        out = {"id": self.id, "team_id": TEAM_ID, "name": self.name, "deleted": self.deleted,
               "real_name": self.real_name, "tz": "Europe/London", "tz_offset": 0,
               "profile": profile, "is_admin": False, "is_owner": False, "is_bot": self.is_bot,
               "is_app_user": False, "updated": 1700000000}
        if include_locale:   # Slack leaves `locale` out unless the caller asks for it
            out["locale"] = self.locale
        return out


@dataclass
class Message:
    channel: str
    ts: str
    user: str | None
    bot_id: str | None
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edited: int = 0
    reactions: dict[str, set[str]] = field(default_factory=dict)
    reply_broadcast: bool = False
    edited_ts: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, state: "State | None" = None) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        if self.bot_id:
            out.update(bot_id=self.bot_id, app_id=APP_ID)
        if self.blocks:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.edited:
            out["edited"] = {"user": self.user, "ts": self.edited_ts or self.ts}
        if self.reactions:
            out["reactions"] = [
                {"name": name, "users": sorted(users), "count": len(users)}
                for name, users in self.reactions.items() if users
            ]
        if state is not None:
            replies = [m for m in state.thread(self.channel, self.ts) if m.is_reply]
            if replies and not self.is_reply:
                out.update(reply_count=len(replies), latest_reply=replies[-1].ts,
                           reply_users=sorted({m.user for m in replies if m.user}))
            chan = state.channel(self.channel)
            if chan is not None and self.ts in chan.pins:
                out["pinned_to"] = [self.channel]
        return out


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]]
    source: Literal["api", "response_url", "ack"]
    ts: str = ""
    thread_ts: str | None = None


@dataclass
class Bookmark:
    id: str
    channel_id: str
    title: str
    link: str
    type: str = "link"
    emoji: str | None = None
    created: int = 0

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "channel_id": self.channel_id, "title": self.title, "link": self.link,
                "emoji": self.emoji, "icon_url": None, "type": self.type, "entity_id": None,
                "date_created": self.created, "date_updated": 0, "rank": "g",
                "last_updated_by_user_id": BOT_USER_ID, "last_updated_by_team_id": TEAM_ID}


@dataclass
class Channel:
    id: str
    name: str | None
    is_private: bool = False
    is_im: bool = False
    im_user: str | None = None
    creator: str = BOT_USER_ID
    created: int = 0
    members: set[str] = field(default_factory=set)
    topic: str = ""
    purpose: str = ""
    is_archived: bool = False
    is_general: bool = False
    messages: list[Message] = field(default_factory=list)   # every message, replies included
    pins: list[str] = field(default_factory=list)
    bookmarks: list[Bookmark] = field(default_factory=list)
    previous_names: list[str] = field(default_factory=list)

    def to_api(self, *, include_num_members: bool = True) -> dict[str, Any]:
        if self.is_im:
            return {"id": self.id, "created": self.created, "is_im": True, "is_org_shared": False,
                    "user": self.im_user, "is_user_deleted": False, "priority": 0}
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "name_normalized": self.name,
            "is_channel": not self.is_private, "is_group": self.is_private, "is_im": False,
            "is_mpim": False, "is_private": self.is_private, "created": self.created,
            "creator": self.creator, "is_archived": self.is_archived, "is_general": self.is_general,
            "is_shared": False, "is_ext_shared": False, "is_org_shared": False,
            "is_member": BOT_USER_ID in self.members, "unlinked": 0,
            "topic": {"value": self.topic, "creator": BOT_USER_ID if self.topic else "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": BOT_USER_ID if self.purpose else "",
                        "last_set": 0},
            "previous_names": list(self.previous_names), "context_team_id": TEAM_ID,
        }
        if include_num_members:
            out["num_members"] = len(self.members)
        return out


@dataclass
class Usergroup:
    id: str
    handle: str
    name: str
    users: list[str] = field(default_factory=list)


@dataclass
class View:
    id: str
    user: str
    view: dict[str, Any]
    kind: Literal["modal", "home"]
    trigger_id: str | None = None
    is_open: bool = True
    root_view_id: str | None = None
    previous_view_id: str | None = None


@dataclass
class Trigger:
    id: str
    user: str
    channel: str | None
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    token: str
    user: str
    channel: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    response: Any
    status: int
    at: float


class State:
    """Everything in the emulated workspace, plus synchronous inspection helpers."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.users_by_id: dict[str, User] = {}
        self.channels_by_id: dict[str, Channel] = {}
        self.usergroups: dict[str, Usergroup] = {}
        self.views: dict[str, View] = {}
        self.homes: dict[str, str] = {}            # user id -> home View id
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self._ephemerals: list[Ephemeral] = []
        self.calls: list[Call] = []
        # Events the workspace itself raises (someone joined a channel…); a Workspace delivers them
        self.event_sinks: list[Callable[[dict[str, Any]], None]] = []
        self._ids = itertools.count(1)
        self._last_ts_micros = 0
        self._seed()

    # ----- ids and timestamps -------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}0EMU{next(self._ids):06d}"

    def next_ts(self) -> str:
        """A message ts from the clock, strictly increasing across the workspace."""
        micros = max(int(self.clock() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # ----- seeding ------------------------------------------------------------------------
    def _seed(self) -> None:
        self.users_by_id[BOT_USER_ID] = User(BOT_USER_ID, BOT_NAME, BOT_NAME, is_bot=True, bot_id=BOT_ID)
        for uid, name, real in [("U0ALICE", "alice", "Alice Ortega"), ("U0BOB", "bob", "Bob Rossi"),
                                ("U0CARLA", "carla", "Carla Méndez"),
                                ("U0DAN", "dan", "Dan Whitfield")]:
            self.users_by_id[uid] = User(uid, name, real)
        humans = {"U0ALICE", "U0BOB", "U0CARLA", "U0DAN"}
        now = int(self.clock())
        for cid, name, members in [("C0GENERAL", "general", humans | {BOT_USER_ID}),
                                   ("C0MANAGERS", "managers", {"U0ALICE", "U0DAN", BOT_USER_ID}),
                                   ("C0RANDOM", "random", set(humans))]:
            self.channels_by_id[cid] = Channel(cid, name, creator="U0ALICE", created=now,
                                               members=set(members), is_general=name == "general")
        self.usergroups["S0COMMS"] = Usergroup("S0COMMS", "comms", "comms", ["U0BOB", "U0CARLA"])

    def add_user(self, name: str, real_name: str | None = None, *, locale: str = "en-US") -> User:
        """A new person in the workspace; `locale` is their Slack language ("es-ES", "it-IT"…).

        A seeded person's language is changed in place: `emu.user("U0BOB").locale = "it-IT"`."""
        if self.user_by_name(name):
            raise ValueError(f"user {name!r} already exists")
        user = User(self.new_id("U"), name, real_name or name.capitalize(), locale=locale)
        self.users_by_id[user.id] = user
        return user

    def add_channel(self, name: str, members: list[str] | tuple[str, ...] = (),
                    is_private: bool = False, creator: str = "U0ALICE") -> Channel:
        if self.channel_by_name(name):
            raise ValueError(f"channel {name!r} already exists")
        unknown = [m for m in members if m not in self.users_by_id]
        if unknown:
            raise ValueError(f"unknown users {unknown}")
        chan = Channel(self.new_id("C"), name, is_private=is_private, creator=creator,
                       created=int(self.clock()), members=set(members))
        self.channels_by_id[chan.id] = chan
        return chan

    # ----- state changes shared by the API and the user side ------------------------------
    def emit(self, event: dict[str, Any]) -> None:
        """Raise an Events API event (the sinks decide whether the app is subscribed and sees it)."""
        for sink in list(self.event_sinks):
            sink(dict(event))

    def joined(self, channel: Channel, user: str, inviter: str | None = None) -> None:
        """`member_joined_channel`, as Slack sends it to the members of the channel."""
        event: dict[str, Any] = {"type": "member_joined_channel", "user": user, "channel": channel.id,
                                 "channel_type": "G" if channel.is_private else "C", "team": TEAM_ID,
                                 "event_ts": f"{self.clock():.6f}"}
        if inviter:
            event["inviter"] = inviter
        self.emit(event)

    def open_im(self, user_id: str) -> Channel:
        for chan in self.channels_by_id.values():
            if chan.is_im and chan.im_user == user_id:
                return chan
        chan = Channel(self.new_id("D"), None, is_im=True, im_user=user_id,
                       created=int(self.clock()), members={user_id, BOT_USER_ID})
        self.channels_by_id[chan.id] = chan
        return chan

    def store_message(self, channel: Channel, user: str, text: str, blocks: list | None = None,
                      thread_ts: str | None = None, reply_broadcast: bool = False) -> Message:
        if thread_ts:
            parent = self.find_message(channel.id, thread_ts)
            if parent is not None and parent.thread_ts:
                thread_ts = parent.thread_ts      # replies always hang off the thread root
        is_bot = user == BOT_USER_ID
        msg = Message(channel.id, self.next_ts(), user, BOT_ID if is_bot else None, text,
                      list(blocks or []), thread_ts, reply_broadcast=reply_broadcast)
        if thread_ts:
            parent = self.find_message(channel.id, thread_ts)
            if parent is not None and parent.thread_ts is None:
                parent.thread_ts = parent.ts
        channel.messages.append(msg)
        return msg

    def store_ephemeral(self, channel: str, user: str, text: str, blocks: list | None,
                        source: Literal["api", "response_url", "ack"],
                        thread_ts: str | None = None) -> Ephemeral:
        eph = Ephemeral(channel, user, text, list(blocks or []), source, self.next_ts(), thread_ts)
        self._ephemerals.append(eph)
        return eph

    def remove_ephemeral(self, eph: Ephemeral) -> None:
        self._ephemerals.remove(eph)

    def close_view(self, view_id: str, *, whole_stack: bool = False) -> None:
        """Close a modal (and, with whole_stack, every modal of its stack)."""
        view = self.views[view_id]
        for other in self.views.values():
            if other is view or (whole_stack and other.kind == "modal"
                                 and other.root_view_id == view.root_view_id):
                other.is_open = False

    def issue_trigger(self, user: str, channel: str | None = None) -> str:
        n = next(self._ids)
        trigger_id = f"{n}.{int(self.clock())}.{n * 2654435761 % 16**32:032x}"
        self.triggers[trigger_id] = Trigger(trigger_id, user, channel, self.clock())
        return trigger_id

    def new_response_url_token(self, user: str, channel: str, message_ts: str | None = None) -> str:
        n = next(self._ids)
        token = f"{TEAM_ID}-R{n:06d}-{n * 40503 % 65536:04x}"
        self.response_urls[token] = ResponseUrl(token, user, channel, message_ts, self.clock())
        return token

    # ----- inspection ---------------------------------------------------------------------
    def user(self, user_id: str) -> User | None:
        return self.users_by_id.get(user_id)

    def user_by_name(self, name: str) -> User | None:
        name = name.lstrip("@")
        return next((u for u in self.users_by_id.values() if u.name == name), None)

    def channel(self, channel_id: str) -> Channel | None:
        return self.channels_by_id.get(channel_id)

    def channel_by_name(self, name: str) -> Channel | None:
        name = name.lstrip("#")
        return next((c for c in self.channels_by_id.values() if c.name == name and not c.is_im), None)

    @property
    def channels(self) -> list[Channel]:
        """Public and private channels (not DMs), in creation order."""
        return [c for c in self.channels_by_id.values() if not c.is_im]

    def _chan(self, channel_id: str) -> Channel:
        chan = self.channels_by_id.get(channel_id)
        if chan is None:
            raise KeyError(f"no channel {channel_id!r} in the emulator")
        return chan

    def messages(self, channel_id: str) -> list[Message]:
        """Top-level messages (and broadcast replies), oldest first."""
        return [m for m in self._chan(channel_id).messages if not m.is_reply or m.reply_broadcast]

    def thread(self, channel_id: str, thread_ts: str) -> list[Message]:
        """The thread root and its replies, oldest first (empty when there is no such message)."""
        msgs = self._chan(channel_id).messages
        return [m for m in msgs if m.ts == thread_ts or m.thread_ts == thread_ts]

    def find_message(self, channel_id: str, ts: str) -> Message | None:
        chan = self.channels_by_id.get(channel_id)
        return next((m for m in chan.messages if m.ts == ts), None) if chan else None

    def pins(self, channel_id: str) -> list[str]:
        return list(self._chan(channel_id).pins)

    def bookmarks(self, channel_id: str) -> list[Bookmark]:
        return list(self._chan(channel_id).bookmarks)

    def members(self, channel_id: str) -> set[str]:
        return set(self._chan(channel_id).members)

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Ephemeral]:
        return [e for e in self._ephemerals
                if (user is None or e.user == user) and (channel is None or e.channel == channel)]

    def open_views(self, user: str) -> list[View]:
        return [v for v in self.views.values() if v.user == user and v.kind == "modal" and v.is_open]

    def home(self, user: str) -> dict[str, Any] | None:
        view_id = self.homes.get(user)
        return self.views[view_id].view if view_id else None

    def dms(self, user_id: str) -> list[Message]:
        chan = next((c for c in self.channels_by_id.values() if c.is_im and c.im_user == user_id), None)
        return [m for m in chan.messages if m.user == BOT_USER_ID] if chan else []

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]
