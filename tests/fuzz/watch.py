"""Hostile input, fuzzed: every slash-command text, modal submission and alert body the bot takes.

Each fuzz test starts one bot (on SQLite) and one emulator, then lets hypothesis drive examples through the
real aiohttp app with Slack-signed requests, as the other tests do. Hypothesis runs in a worker thread and
hands each example to the test's event loop, so the bot keeps serving between examples (pytest-asyncio's own
fixtures, no second loop). For every example: no 5xx and an answer within Slack's 3 seconds; an answer a
person can read; nothing anyone typed turned into a mention, a group ping or a link; no traceback and no
"something went wrong" anywhere; nothing logged as an error; every Slack call the bot made accepted by the
emulator. Afterwards the bot still answers /healthz and opens a crisis.

The replays in test_regressions.py run, one input each, what the fuzzing found, on every database of the
suite (PostgreSQL too when TEST_DATABASE_URL is set).

`FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest -q -s tests/fuzz` for a longer run (default 80 per
input kind); `-s` prints a summary line per fuzz test.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import Counter
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from slack_sdk.signature import SignatureVerifier

from bot.app import INFLIGHT
from bot.domain import commands
from bot.domain.roles import user_id
from bot.emulator import Reply, Workspace
from bot.emulator.state import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from handlers.ratelimit import SlackRateLimiter, Slot
from tests.support.crisis import open_crisis
from tests.support.harness import SIGNING_SECRET, BotUnderTest
from tests.support.people import Person, mrkdwn_texts
from tests.support.senders import Sender
from tests.support.strategies import (
    EXAMPLES,
)

ALICE = "U0ALICE"
# Slack's answers that mean "try another name" or "already so", not "you sent something wrong".
# Answers the bot expects and handles: a taken channel name, "already so", and a user Slack doesn't
# know (the bot asks Slack by inviting, then tells the person plainly).
EXPECTED_REFUSALS = {"name_taken", "already_in_channel", "already_pinned", "user_not_found", "cant_invite_self"}
UNSAFE = ("<!channel", "<!here", "<!everyone", "<!subteam")
UNEXPECTED = "Something went wrong on our side"


class NoWaiting(SlackRateLimiter):
    """The bot's rate limiter, with every call free: it paces real Slack minutes and the emulator enforces none
    here, so fuzzing skips the waits (a 429 still pauses the method, as the real one does)."""

    async def take(self, method: str, channel: str | None = None) -> Slot:
        return Slot(method, channel, self.clock(), "free")


def fuzz(*strategies, examples: int = EXAMPLES):
    return lambda test: settings(
        max_examples=examples, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )(given(*strategies)(test))


async def drive(test) -> None:
    """Run a @given test in a worker thread; each of its examples runs `on` this loop, which keeps serving."""
    await asyncio.to_thread(test)


def on(loop: asyncio.AbstractEventLoop, coro, timeout: float = 60.0):
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)


# ----- what every example must satisfy ---------------------------------------------------------------------------

LINK = re.compile(r"<https?://[^\s|<>]+(\|[^<>|]*)?>")


def unsafe_markup(text: str, legit_users: set[str], links_allowed: bool = False) -> list[str]:
    """Slack markup in a text the bot sent that can only have come from what someone typed.

    People's text never becomes a link; an alert's URL may (the alert's own link), but only as one whole,
    well-formed link whose label the bot wrote.
    """
    found = [u for u in UNSAFE if u in text]
    found += re.findall(r"<@[^>]*\|[^>]*>", text)  # the bot writes <@U…>, never a labelled mention
    found += [m for m in re.findall(r"<@([A-Z0-9]+)>", text) if m not in legit_users]
    found += [m for m in re.findall(r"<[^>]*evil\.example[^>]*>", text) if not (links_allowed and LINK.fullmatch(m))]
    return found


def sent_texts(args: dict) -> list[str]:
    """The parts of a Web API call (or response_url payload) that Slack reads as mrkdwn."""
    texts = [str(args[k]) for k in ("text", "topic", "markdown_text") if isinstance(args.get(k), str)]
    for key in ("blocks", "view", "attachments"):
        value = args.get(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        texts += mrkdwn_texts(value if isinstance(value, (list, dict)) else [])
    return texts


class Watch:
    """What the bot did during one example, and the checks every example must pass."""

    def __init__(self, bot: BotUnderTest, emulator, caplog):
        self.bot, self.emu, self.caplog = bot, emulator, caplog
        # The people of the workspace: a name typed as `bob` or `@Bob Rossi` finds them (users.list), and the
        # bot then mentions them by ID. An ID nobody has (`U0NOBODY`) or a labelled mention is still a leak.
        self.legit_users = {ALICE, BOT_USER_ID} | {u.id for u in emulator.users_by_id.values() if not u.deleted}
        self.links_allowed = False  # True for alerts: their URL is linked
        self.counts: Counter = Counter()
        self.kinds: Counter = Counter()  # which subcommands the examples were
        self._calls = self._logs = self._internal = 0

    def start(self) -> None:
        self._calls, self._logs = len(self.emu.calls), len(self.caplog.records)
        self._internal = len(self.emu.internal_errors)

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until the bot has no acknowledged work left (three quiet polls in a row)."""
        work = self.bot.running.app[INFLIGHT]
        deadline, quiet = time.monotonic() + timeout, 0
        while quiet < 3:
            await asyncio.sleep(0.005)
            quiet = quiet + 1 if len(work) == 0 else 0
            assert time.monotonic() < deadline, f"{len(work)} piece(s) of work still running after {timeout}s"

    @property
    def calls(self):
        return self.emu.calls[self._calls:]

    def told(self) -> bool:
        """Did the bot answer at all (ephemeral, response_url, DM, channel message, modal)?"""
        for call in self.calls:
            ok = isinstance(call.response, dict) and call.response.get("ok", True)
            if ok and call.method in ("chat.postEphemeral", "chat.postMessage", "response_url", "views.open",
                                      "views.update", "views.push"):
                return True
        return False

    def problems(self, answer_texts: list[str] = ()) -> list[str]:
        out = []
        for call in self.calls:
            response = call.response if isinstance(call.response, dict) else {}
            if not response.get("ok", True) and response.get("error") not in EXPECTED_REFUSALS:
                detail = response.get("response_metadata") or response.get("text") or ""
                out.append(f"Slack refused {call.method}: {response.get('error')} {detail}"[:600])
            args = call.args if isinstance(call.args, dict) else {}
            dumped = json.dumps(args, default=str)
            if "Traceback" in dumped:
                out.append(f"a traceback reached Slack in {call.method}")
            if UNEXPECTED in dumped:
                out.append(f"the user was told of an unexpected error ({call.method})")
            for text in sent_texts(args):
                bad = unsafe_markup(text, self.legit_users, self.links_allowed)
                if bad:
                    out.append(f"unescaped {bad[:3]} in {call.method}: {text[:200]!r}")
        for text in answer_texts:
            bad = unsafe_markup(text, self.legit_users)
            if bad:
                out.append(f"unescaped {bad[:3]} in the acknowledgement: {text[:200]!r}")
            if "Traceback" in text or UNEXPECTED in text:
                out.append(f"the acknowledgement shows an error: {text[:200]!r}")
        for record in self.caplog.records[self._logs:]:
            if record.levelno >= logging.ERROR:
                exc = record.exc_info[1] if record.exc_info else None
                cause = getattr(exc, "orig", None) or exc  # a database error: the driver's own words
                why = f" ({type(cause).__name__}: {str(cause).splitlines()[0][:200] if str(cause) else ''})" if exc else ""
                out.append(f"logged {record.getMessage()[:120]!r}{why}")
        out += [f"emulator failed: {e.splitlines()[-1]}" for e in self.emu.internal_errors[self._internal:]]
        return out


def ack_texts(reply) -> list[str]:
    body = reply.body
    if isinstance(body, dict):
        return [str(body.get("text") or ""), *mrkdwn_texts(body.get("blocks") or [])]
    return [body] if isinstance(body, str) else []


def check_slack_reply(reply, what: str) -> None:
    assert reply.status == 200, f"{what}: HTTP {reply.status} {str(reply.body)[:300]!r}"
    assert reply.elapsed < 3.0, f"{what}: answered in {reply.elapsed:.1f}s; Slack gives up after 3"


async def still_healthy(bot: BotUnderTest, alice: Person, session) -> None:
    async with session.get(bot.url + "/healthz") as response:
        assert response.status == 200, await response.text()
    await open_crisis(alice, "Still alive")


def legit_mentions(text: str, plan, watch: Watch) -> None:
    """A role given to someone makes the bot mention them, rightly: from then on they may appear."""
    cmd = commands.parse(text, plan)
    if isinstance(cmd, commands.Role):
        who = user_id(cmd.user) if cmd.user else ALICE
        if who:
            watch.legit_users.add(who)


def breakdown(watch: Watch) -> str:
    return " ".join(f"{kind} {n}" for kind, n in watch.kinds.most_common())


# ----- slash commands ---------------------------------------------------------------------------------------------

async def typed(workspace, bot, watch: Watch, channel: str, text: str) -> None:
    """One `/crisis <text>` example and the checks every one must pass."""
    plan = bot.services.deps.plan
    watch.start()
    legit_mentions(text, plan, watch)
    watch.kinds[type(commands.parse(text, plan)).__name__.lower()] += 1
    reply = await workspace.slash(ALICE, channel, text)
    watch.counts["examples"] += 1
    watch.counts["5xx"] += reply.status >= 500
    check_slack_reply(reply, f"/crisis {text[:80]!r}")
    await watch.settle()
    assert any(ack_texts(reply)) or watch.told(), "the user was told nothing"
    assert not watch.problems(ack_texts(reply)), watch.problems(ack_texts(reply))



class Rig:
    """A bot on the suite's database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), as conftest builds it."""

    def __init__(self, bot: BotUnderTest, workspace: Workspace, emulator, watch: Watch):
        self.bot, self.ws, self.emu, self.watch = bot, workspace, emulator, watch
        self.alice = Person(ALICE, workspace, emulator)
        self.sender = Sender(workspace.session, bot)


async def post_interaction(workspace, payload: dict):
    """A Slack-signed interaction payload, built by hand."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": signature}
    started = time.monotonic()
    async with workspace.session.post(workspace.bot_url, data=body.encode(), headers=headers) as response:
        text = await response.text()
        status = response.status
    try:
        parsed = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = text
    return Reply(status, parsed, elapsed=time.monotonic() - started)


def submission(view: dict) -> dict:
    """A view_submission payload from Alice around `view`."""
    return {"type": "view_submission", "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": {"id": ALICE, "username": "alice", "name": "alice", "team_id": TEAM_ID},
            "api_app_id": APP_ID, "token": "emulator-verification-token", "trigger_id": "1.2.3",
            "view": view, "response_urls": [], "is_enterprise_install": False, "enterprise": None}


def check_alert_answer(status: int, answer, what: str) -> None:
    assert status < 500, f"{what}: HTTP {status} {str(answer)[:300]!r}"
    assert status in (202, 400, 413, 422), f"{what}: HTTP {status} {str(answer)[:300]!r}"
    assert isinstance(answer, dict), f"{what}: a body that isn't JSON: {str(answer)[:300]!r}"
    if status == 202:
        assert answer.get("status") in ("opened", "attached", "triaged", "recorded"), f"{what}: {answer!r}"
    else:
        error = answer.get("error")
        assert isinstance(error, str) and error.strip(), f"{what}: no error to read: {answer!r}"
        assert "Traceback" not in json.dumps(answer), f"{what}: {answer!r}"
