"""Hostile input, fuzzed: every slash-command text, modal submission and alert body the bot takes.

Each fuzz test starts one bot (on SQLite) and one emulator, then lets hypothesis drive examples through the
real aiohttp app with Slack-signed requests, as the other tests do. Hypothesis runs in a worker thread and
hands each example to the test's event loop, so the bot keeps serving between examples (pytest-asyncio's own
fixtures, no second loop). For every example: no 5xx and an answer within Slack's 3 seconds; an answer a
person can read; nothing anyone typed turned into a mention, a group ping or a link; no traceback and no
"something went wrong" anywhere; nothing logged as an error; every Slack call the bot made accepted by the
emulator. Afterwards the bot still answers /healthz and opens a crisis.

The tests at the end replay, one input each, what the fuzzing found; they run on every database of the
suite (PostgreSQL too when TEST_DATABASE_URL is set).

`FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest -q -s tests/test_fuzz.py` for a longer run (default 80 per
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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.app import INFLIGHT
from bot.domain import commands
from bot.domain.roles import user_id
from bot.emulator import Reply, View, Workspace
from bot.emulator.state import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from handlers.blocks.forms import CLOSE_CALLBACK, ROLE_CALLBACK, SITREP_CALLBACK
from handlers.blocks.modal import OPEN_CALLBACK
from tests.support.crisis import open_crisis
from tests.support.harness import ALERT_TOKEN, SIGNING_SECRET, BotUnderTest
from tests.support.people import Person, mrkdwn_texts
from tests.support.senders import Sender, sample
from tests.support.strategies import (ANY_CHAR, EXAMPLES, bounded, generic_alerts, hostile_leaves, hostile_text,
                                      json_objects, json_values, raw_bodies, slash_text)

ALICE = "U0ALICE"
# Slack's answers that mean "try another name" or "already so", not "you sent something wrong".
# Answers the bot expects and handles: a taken channel name, "already so", and a user Slack doesn't
# know (the bot asks Slack by inviting, then tells the person plainly).
EXPECTED_REFUSALS = {"name_taken", "already_in_channel", "already_pinned", "user_not_found", "cant_invite_self"}
UNSAFE = ("<!channel", "<!here", "<!everyone", "<!subteam")
UNEXPECTED = "Something went wrong on our side"


class NoWaiting:
    """The bot's rate limiter paces real Slack minutes; the emulator enforces none, so fuzzing skips it."""

    async def acquire(self, method: str, channel: str | None = None) -> float:
        return 0.0


@pytest.fixture
def fuzz_database_url(tmp_path):
    """SQLite only for the fuzzing: it is about the bot's handling of input, not the database engine.
    (The regression tests at the end run on every database of the suite, PostgreSQL included.)"""
    return f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}"


@pytest.fixture
async def bot(emulator, fuzz_database_url, clock):
    bot = BotUnderTest(emulator, fuzz_database_url, clock, limiter=NoWaiting(),
                       crisisbot_managers_channel="C0MANAGERS", crisisbot_alert_token=ALERT_TOKEN)
    await bot.start()
    yield bot
    await bot.stop()


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
        self.legit_users = {ALICE, BOT_USER_ID}
        self.links_allowed = False  # True for alerts: their URL is linked
        self.counts: Counter = Counter()
        self.kinds: Counter = Counter()  # which subcommands the examples were
        self._calls = self._logs = self._internal = 0

    def start(self) -> None:
        self._calls, self._logs = len(self.emu.calls), len(self.caplog.records)
        self._internal = len(self.emu.internal_errors)

    async def settle(self, timeout: float = 10.0) -> None:
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


@pytest.fixture
def watch(bot, emulator, caplog):
    caplog.set_level(logging.WARNING)
    return Watch(bot, emulator, caplog)


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


async def test_slash_texts_in_general(alice: Person, workspace, bot, watch: Watch):
    loop = asyncio.get_running_loop()

    @fuzz(slash_text())
    def examples(text):
        on(loop, typed(workspace, bot, watch, "C0GENERAL", text))

    await drive(examples)
    await still_healthy(bot, alice, workspace.session)
    print(f"\nfuzz: {watch.counts['examples']} slash texts in #general ({breakdown(watch)}), {watch.counts['5xx']} 5xx")


async def test_slash_texts_in_a_crisis_channel(alice: Person, workspace, bot, watch: Watch, emulator):
    loop = asyncio.get_running_loop()
    room = {"channel": await open_crisis(alice, "Fuzzed room")}

    async def one(text: str) -> None:
        await typed(workspace, bot, watch, room["channel"], text)
        crisis = await bot.services.crises.in_channel(room["channel"])
        if crisis.is_closed:  # a close with hostile learnings: the next examples get a live crisis again
            watch.counts["closed"] += 1
            watch.start()
            room["channel"] = await open_crisis(alice, f"Fuzzed room {watch.counts['closed']}")
            await watch.settle()
            assert not watch.problems(), watch.problems()

    @fuzz(slash_text())
    def examples(text):
        on(loop, one(text))

    await drive(examples)
    # The closing story tells everything the examples recorded: hostile notes, milestones, reports, roles.
    crisis = await bot.services.crises.in_channel(room["channel"])
    assert emulator.user(crisis.lead or ""), f"the crisis is led by {crisis.lead!r}, who is not in the workspace"
    lead = Person(crisis.lead, workspace, emulator)
    watch.start()
    await lead.types("/crisis close Fuzzed, and told", channel=room["channel"])
    await lead.sees_privately("is closed")
    await watch.settle()
    assert not watch.problems(), watch.problems()
    await still_healthy(bot, alice, workspace.session)
    print(f"\nfuzz: {watch.counts['examples']} slash texts in a crisis channel ({breakdown(watch)}; "
          f"{watch.counts['closed']} closed it), {watch.counts['5xx']} 5xx")


# ----- modals, as a Slack client submits them ----------------------------------------------------------------------

def check_form_answer(answer, view: dict, what: str) -> bool:
    """A submission's answer: 200, and errors (if any) on input blocks the form has. True when refused."""
    check_slack_reply(answer, what)
    body = answer.body if isinstance(answer.body, dict) else {}
    if body.get("response_action") != "errors":
        assert not answer.body or body.get("response_action") in ("clear", "update", "push"), (
            f"{what}: a body Slack can't use: {str(answer.body)[:200]!r}")
        return False
    inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
    errors = body.get("errors")
    assert isinstance(errors, dict) and errors, f"{what}: errors without messages: {body!r}"
    assert set(errors) <= inputs, f"{what}: errors on blocks the form does not have: {sorted(errors)}"
    assert all(isinstance(e, str) and e.strip() for e in errors.values()), f"{what}: an empty error: {errors!r}"
    return True


async def open_form(workspace, emulator, watch: Watch, channel: str, text: str) -> View:
    """`/crisis <text>` in a channel, and the modal it opens (checked like any example)."""
    watch.start()
    before = {v.id for v in emulator.open_views(ALICE)}
    reply = await workspace.slash(ALICE, channel, text)
    check_slack_reply(reply, f"/crisis {text}")
    views = await emulator.wait_for(lambda: [v for v in emulator.open_views(ALICE) if v.id not in before])
    await watch.settle()
    assert not watch.problems(), watch.problems()
    return views[-1]


async def submit(workspace, emulator, watch: Watch, view, values: dict, what: str) -> bool:
    """Submit a form as a Slack client does; checks the answer and what followed. True when refused."""
    watch.start()
    answer = await workspace.submit_view(ALICE, view.id, values)
    watch.counts["examples"] += 1
    watch.counts["5xx"] += answer.status >= 500
    refused = check_form_answer(answer, view.view, what)
    watch.counts["refused"] += refused
    if refused:
        emulator.close_view(view.id)  # the person gives up on this one
    await watch.settle()
    assert not watch.problems(), watch.problems()
    return refused


def field_text(limit: int) -> st.SearchStrategy:
    """What a text input with `max_length` lets a person submit, or nothing at all."""
    return st.one_of(st.none(), bounded(hostile_text(), limit))


async def test_open_modal_submissions(alice: Person, workspace, bot, watch: Watch, emulator):
    loop = asyncio.get_running_loop()
    plan = bot.services.deps.plan

    async def one(title, severity, description, private) -> None:
        view = await open_form(workspace, emulator, watch, "C0GENERAL", "")
        values = {"title": title, "severity": severity, "description": description, "private": private}
        refused = await submit(workspace, emulator, watch, view, values, f"open form {values!r:.200}")
        if not refused:
            assert watch.told(), "the person submitted the form and was told nothing"

    @fuzz(field_text(plan.limits.title), st.sampled_from([s.key for s in plan.severities]),
          field_text(plan.limits.description), st.sampled_from([True, False, None]))
    def examples(title, severity, description, private):
        on(loop, one(title, severity, description, private))

    await drive(examples)
    await still_healthy(bot, alice, workspace.session)
    print(f"\nfuzz: {watch.counts['examples']} open-form submissions ({watch.counts['refused']} refused on the form), "
          f"{watch.counts['5xx']} 5xx")


@st.composite
def sitrep_values(draw, plan) -> dict:
    values = {}
    for spec in plan.sitrep:
        if draw(st.booleans()):
            values[spec.key] = draw(st.sampled_from(spec.choices) if spec.choices
                                    else field_text(plan.limits.field))
    return values


async def test_sitrep_modal_submissions(alice: Person, workspace, bot, watch: Watch, emulator):
    loop = asyncio.get_running_loop()
    plan = bot.services.deps.plan
    channel = await open_crisis(alice, "Fuzzed reports")

    async def one(values: dict) -> None:
        view = await open_form(workspace, emulator, watch, channel, "sitrep")
        await submit(workspace, emulator, watch, view, values, f"report form {values!r:.200}")

    @fuzz(sitrep_values(plan))
    def examples(values):
        on(loop, one(values))

    await drive(examples)
    watch.start()
    await alice.types("/crisis status", channel=channel)  # the report as it stands, every field shown
    await alice.sees_privately("Situation report")
    await watch.settle()
    assert not watch.problems(), watch.problems()
    await still_healthy(bot, alice, workspace.session)
    print(f"\nfuzz: {watch.counts['examples']} report-form submissions ({watch.counts['refused']} refused on the form), "
          f"{watch.counts['5xx']} 5xx")


async def test_close_modal_submissions(alice: Person, workspace, bot, watch: Watch, emulator):
    loop = asyncio.get_running_loop()
    plan = bot.services.deps.plan
    limit = min(plan.limits.note, 3000)

    async def one(outcome, learnings) -> None:
        watch.counts["crises"] += 1
        channel = await open_crisis(alice, f"To close {watch.counts['crises']}")
        view = await open_form(workspace, emulator, watch, channel, "close")
        values = {"outcome": outcome, "learnings": learnings}
        refused = await submit(workspace, emulator, watch, view, values, f"close form {values!r:.200}")
        if not refused:
            assert watch.told(), "the person closed the crisis and was told nothing"

    # Learnings of closed crises show in every later plan: each example's opening renders the earlier ones.
    @fuzz(field_text(limit), field_text(limit), examples=max(1, EXAMPLES // 2))
    def examples(outcome, learnings):
        on(loop, one(outcome, learnings))

    await drive(examples)
    await still_healthy(bot, alice, workspace.session)
    print(f"\nfuzz: {watch.counts['examples']} close-form submissions ({watch.counts['refused']} refused on the form), "
          f"{watch.counts['5xx']} 5xx")


# ----- view submissions no Slack client would build ----------------------------------------------------------------

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


BLOCK_IDS = ["title", "severity", "description", "private", "outcome", "learnings", "role", "origin", "caused_by_us",
             "networks", "criticism"]
ELEMENT_TYPES = ["plain_text_input", "static_select", "radio_buttons", "checkboxes", "multi_static_select",
                 "users_select", "rich_text_input", "number_input"]


def odd_views(crisis_id: int) -> st.SearchStrategy[dict]:
    """A submitted view with the bot's callback ids and anything at all in its state and metadata."""
    small = json_values(max_leaves=4)
    option = st.one_of(small, st.fixed_dictionaries({"value": small}, optional={"text": small}))
    element = st.fixed_dictionaries({}, optional={
        "type": st.one_of(st.sampled_from(ELEMENT_TYPES), small), "value": small,
        "selected_option": option, "selected_options": st.one_of(small, st.lists(option, max_size=3))})
    block_id = st.one_of(st.sampled_from(BLOCK_IDS), st.text(ANY_CHAR, max_size=8))
    actions = st.one_of(small, st.dictionaries(block_id, st.one_of(element, small), max_size=3))
    values = st.one_of(small, st.dictionaries(block_id, actions, max_size=6))
    state = st.one_of(small, st.fixed_dictionaries({"values": values}))
    metadata = st.one_of(
        small, st.text(ANY_CHAR, max_size=20),
        st.fixed_dictionaries({}, optional={"crisis": st.one_of(st.just(crisis_id), small),
                                            "channel": st.one_of(st.sampled_from(["C0GENERAL", "C0NOWHERE"]), small)}
                              ).map(json.dumps))
    return st.fixed_dictionaries(
        {"id": st.just("V0FUZZ"), "type": st.just("modal"),
         "callback_id": st.sampled_from([OPEN_CALLBACK, SITREP_CALLBACK, CLOSE_CALLBACK, ROLE_CALLBACK])},
        optional={"private_metadata": metadata, "state": state, "blocks": small, "title": small})


async def test_view_submissions_of_any_shape(alice: Person, workspace, bot, watch: Watch):
    loop = asyncio.get_running_loop()
    channel = await open_crisis(alice, "Odd forms")
    crisis_id = (await bot.services.crises.in_channel(channel)).id

    async def one(view: dict) -> None:
        watch.start()
        answer = await post_interaction(workspace, submission(view))
        watch.counts["examples"] += 1
        watch.counts["5xx"] += answer.status >= 500
        check_slack_reply(answer, f"view_submission {view!r:.300}")
        body = answer.body if isinstance(answer.body, dict) else {}
        assert not answer.body or body.get("response_action") in ("errors", "clear", "update", "push"), (
            f"a body Slack can't use: {str(answer.body)[:200]!r}")
        await watch.settle()
        assert not watch.problems(), watch.problems()

    @fuzz(odd_views(crisis_id))
    def examples(view):
        on(loop, one(view))

    await drive(examples)
    await still_healthy(bot, alice, workspace.session)
    print(f"\nfuzz: {watch.counts['examples']} view submissions of any shape, {watch.counts['5xx']} 5xx")


# ----- alerts -----------------------------------------------------------------------------------------------------

SOURCES = ["generic", "alertmanager", "grafana", "pagerduty"]
SAMPLES = {"generic": ["generic_firing", "generic_resolved"], "alertmanager": ["alertmanager_firing", "alertmanager_resolved"],
           "grafana": ["grafana_firing", "grafana_resolved"], "pagerduty": ["pagerduty_trigger", "pagerduty_resolve"]}


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


async def alert_examples(bodies, sender: Sender, bot, alice, workspace, watch: Watch, kind: str) -> None:
    loop = asyncio.get_running_loop()
    watch.links_allowed = True

    async def one(source: str, body: bytes) -> None:
        watch.start()
        status, answer = await sender.post(source, body)
        watch.counts["examples"] += 1
        watch.counts["5xx"] += status >= 500
        watch.counts[status] += 1
        check_alert_answer(status, answer, f"POST /alerts/{source} {body[:300]!r}")
        await watch.settle()
        assert not watch.problems(), watch.problems()

    @fuzz(bodies)
    def examples(source_and_body):
        on(loop, one(*source_and_body))

    await drive(examples)
    await still_healthy(bot, alice, workspace.session)
    answers = ", ".join(f"{watch.counts[s]} {s}" for s in (202, 400, 413, 422))
    print(f"\nfuzz: {watch.counts['examples']} {kind} alert bodies ({answers}), {watch.counts['5xx']} 5xx")


@pytest.fixture
def sender(workspace, bot) -> Sender:
    return Sender(workspace.session, bot)


async def test_alert_bodies_of_any_json(sender: Sender, bot, alice: Person, workspace, watch: Watch):
    bodies = st.tuples(st.sampled_from(SOURCES), st.one_of(json_objects(), json_values()).map(
        lambda value: json.dumps(value).encode()))
    await alert_examples(bodies, sender, bot, alice, workspace, watch, "arbitrary JSON")


async def test_alert_bodies_mutated_from_the_samples(sender: Sender, bot, alice: Person, workspace, watch: Watch):
    bodies = st.sampled_from(SOURCES).flatmap(lambda source: st.tuples(
        st.just(source), st.sampled_from(SAMPLES[source]).flatmap(lambda name: raw_bodies(sample(name)))))
    await alert_examples(bodies, sender, bot, alice, workspace, watch, "mutated sample")



KEYS = {"generic": "dedup_key", "alertmanager": "groupKey", "grafana": "groupKey", "pagerduty": "dedup_key"}
_unique = iter(range(1, 10**9))


def unique(source: str, body: dict) -> dict:
    """The body under a key of its own, so every example opens or triages anew rather than attaching."""
    field, n = KEYS[source], next(_unique)
    value = body.get(field)
    return {**body, field: f"{n}-{value}"[:255] if isinstance(value, str) else f"fuzz-{n}"}


async def test_alert_bodies_with_hostile_text(sender: Sender, bot, alice: Person, workspace, watch: Watch):
    """Bodies of the right shape, so they reach Slack: titles, summaries, labels and URLs become messages."""
    def from_sample(source):
        return st.sampled_from(SAMPLES[source]).flatmap(lambda name: hostile_leaves(sample(name)))

    bodies = st.one_of(
        st.tuples(st.just("generic"), generic_alerts()),
        st.sampled_from(SOURCES).flatmap(lambda source: st.tuples(st.just(source), from_sample(source))),
    ).map(lambda pair: (pair[0], json.dumps(unique(*pair)).encode()))
    await alert_examples(bodies, sender, bot, alice, workspace, watch, "hostile-text")


# ----- what the fuzzing found, one input each, on every database of the suite ---------------------------------------

class Rig:
    """A bot on the suite's database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), as conftest builds it."""

    def __init__(self, bot: BotUnderTest, workspace: Workspace, emulator, watch: Watch):
        self.bot, self.ws, self.emu, self.watch = bot, workspace, emulator, watch
        self.alice = Person(ALICE, workspace, emulator)
        self.sender = Sender(workspace.session, bot)


@pytest.fixture
async def rig(emulator, database_url, clock, caplog):
    import aiohttp

    caplog.set_level(logging.WARNING)
    bot = BotUnderTest(emulator, database_url, clock, crisisbot_managers_channel="C0MANAGERS",
                       crisisbot_alert_token=ALERT_TOKEN)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as session:
            workspace = Workspace(emulator, bot_url=bot.events_url, signing_secret=SIGNING_SECRET, session=session)
            yield Rig(bot, workspace, emulator, Watch(bot, emulator, caplog))
    finally:
        await bot.stop()


@pytest.mark.parametrize("body", [
    b'{"title": "Long number", "metrics": {"mentions": ' + b"1" * 5000 + b"}}",   # over Python's 4,300 digits
    b'{"title": "Huge number", "severity": "low", "metrics": {"mentions": 1e999}}',  # a float overflows to inf
], ids=["5000-digit integer", "1e999"])
async def test_a_number_python_cannot_hold_is_refused_plainly(rig: Rig, body):
    rig.watch.start()
    status, answer = await rig.sender.post("generic", body)
    await rig.watch.settle()

    assert status in (400, 422), f"HTTP {status}: {answer!r}"  # like NaN and Infinity: refused, never stored
    assert isinstance(answer, dict) and answer.get("error"), answer
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("where, text", [
    ("#general", "/crisis open high Serum\x00video"),
    ("crisis", "/crisis note a\x00b"),
    ("crisis", "/crisis sitrep origin: a\x00b"),
    ("crisis", "/crisis close learnt\x00nothing"),
])
async def test_a_nul_character_typed_is_handled(rig: Rig, where, text):
    channel = "C0GENERAL" if where == "#general" else await open_crisis(rig.alice)
    rig.watch.start()
    reply = await rig.alice.types(text, channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, text)
    assert any(ack_texts(reply)) or rig.watch.told()
    assert not rig.watch.problems(ack_texts(reply)), rig.watch.problems(ack_texts(reply))


async def test_a_nul_character_in_an_alert_is_handled(rig: Rig):
    rig.watch.start()
    status, answer = await rig.sender.post("generic", {"title": "Boycott\x00hashtag", "severity": "low"})
    await rig.watch.settle()

    check_alert_answer(status, answer, "an alert title with NUL")
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("callback, state", [
    (SITREP_CALLBACK, None),
    (CLOSE_CALLBACK, {"outcome": {"outcome": {"type": "plain_text_input", "value": "Handled"}}}),
    (ROLE_CALLBACK, {"role": {"role": {"type": "static_select", "selected_option": {"value": "legal"}}}}),
])
async def test_a_form_of_a_crisis_that_does_not_exist_is_answered(rig: Rig, callback, state):
    """A form submitted for a crisis the database no longer has (restored from a backup, another install)."""
    view = {"id": "V0GONE", "type": "modal", "callback_id": callback, "private_metadata": json.dumps({"crisis": 999})}
    if state is not None:
        view["state"] = {"values": state}
    rig.watch.start()
    answer = await post_interaction(rig.ws, submission(view))
    await rig.watch.settle()

    check_slack_reply(answer, f"{callback} for crisis 999")
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("callback, view", [
    (OPEN_CALLBACK, {"private_metadata": {"channel": "C0GENERAL"}}),
    (OPEN_CALLBACK, {"state": {"values": {"title": ["Serum video"]}}}),
    (SITREP_CALLBACK, {"private_metadata": True}),
    (CLOSE_CALLBACK, {"state": {"values": {"outcome": ["Handled"]}}}),
    (CLOSE_CALLBACK, {"state": {"values": {"outcome": {"outcome": "Handled"}}}}),
    (CLOSE_CALLBACK, {"state": {"values": {"outcome": {"outcome": {"type": "plain_text_input", "value": 5}}}}}),
], ids=["open: metadata not a string", "open: block a list", "sitrep: metadata not a string",
        "close: block a list", "close: element a string", "close: value a number"])
async def test_a_form_state_of_the_wrong_shape_is_answered(rig: Rig, callback, view):
    channel = await open_crisis(rig.alice)
    crisis = await rig.bot.services.crises.in_channel(channel)
    view = {"id": "V0ODD", "type": "modal", "callback_id": callback,
            "private_metadata": json.dumps({"crisis": crisis.id, "channel": "C0GENERAL"}), **view}
    rig.watch.start()
    answer = await post_interaction(rig.ws, submission(view))
    await rig.watch.settle()

    check_slack_reply(answer, f"{callback} {view!r}")
    assert not rig.watch.problems(), rig.watch.problems()


async def test_the_scheduler_tick_does_not_run_an_opening_a_second_time(rig: Rig):
    """Found as a flaky UNIQUE(opening_step) failure: the tick resumed an opening still running for its request."""
    rig.emu.inject("conversations.setTopic", delay=0.5)  # the request's opening is still running at the tick
    rig.watch.start()
    await rig.alice.types("/crisis open high Raced")
    await rig.emu.wait_for(lambda: rig.emu.calls_to("conversations.create"))

    try:
        await rig.bot.services.tick()  # what the scheduler does every 10 seconds
        failed = []
    except Exception as exc:
        failed = [f"the tick failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"]
    await rig.watch.settle()

    channel = rig.emu.channel_by_name("crisis-20261121-raced")
    found = failed + rig.watch.problems()
    pinned, topics = len(rig.emu.pins(channel.id)), len(rig.emu.calls_to("conversations.setTopic"))
    if (pinned, topics) != (1, 1):
        found.append(f"the plan was pinned {pinned} time(s) and the topic set {topics} time(s)")
    if not [e for e in rig.emu.ephemerals(user=ALICE) if "is open" in e.text]:
        found.append("Alice was never told the room is open")
    if rig.emu.dms(ALICE):
        found.append("Alice was told by DM as well that the room is open")
    assert not found, found


async def test_an_alert_url_with_a_capitalised_scheme_is_bookmarked(rig: Rig):
    """`HTTPS://…` passes the alert's URL check, but bookmarks.add refuses it: the introduction never comes."""
    rig.watch.links_allowed = True
    rig.watch.start()
    status, answer = await rig.sender.post("generic", {"title": "Shouted link", "severity": "high",
                                                       "url": "HTTPS://LISTENING.EXAMPLE.COM/SEARCHES/LUMINA"})
    await rig.watch.settle()
    await rig.bot.tick_alerts()  # what the scheduler retries

    assert (status, answer.get("status")) == (202, "opened"), answer
    assert not rig.watch.problems(), rig.watch.problems()


@pytest.mark.parametrize("role", ["legal", "lead"])
async def test_a_role_for_someone_not_in_the_workspace_is_refused_plainly(rig: Rig, role):
    """`/crisis role legal U0NOBODY`: an ID-shaped word of nobody (a typo) must not become a role holder."""
    channel = await open_crisis(rig.alice)
    rig.watch.legit_users.add("U0NOBODY")  # a mention of the holder is no leak; holding the role is the bug
    rig.watch.start()
    reply = await rig.alice.types(f"/crisis role {role} U0NOBODY", channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, "role for U0NOBODY")
    found = rig.watch.problems(ack_texts(reply))
    crisis = await rig.bot.services.crises.in_channel(channel)
    holders = [user for _, user in await rig.bot.services.team.roster(crisis)]
    if "U0NOBODY" in holders or crisis.lead != ALICE:
        found.append(f"U0NOBODY holds a role (lead: {crisis.lead})")
    assert not found, found


async def test_giving_a_role_to_its_holder_again_is_answered(rig: Rig):
    """`/crisis role legal @carla` when Carla is already Legal: nothing changes, but the person hears so."""
    channel = await open_crisis(rig.alice)
    await rig.alice.types("/crisis role legal <@U0CARLA>", channel=channel)
    await rig.emu.wait_for(lambda: [m for m in rig.emu.messages(channel) if "<@U0CARLA>" in m.text])
    await rig.watch.settle()
    rig.watch.legit_users.add("U0CARLA")

    rig.watch.start()
    reply = await rig.alice.types("/crisis role legal <@U0CARLA>", channel=channel)
    await rig.watch.settle()

    check_slack_reply(reply, "the same role again")
    assert any(ack_texts(reply)) or rig.watch.told(), "Alice typed a command and heard nothing back"
    assert not rig.watch.problems(ack_texts(reply)), rig.watch.problems(ack_texts(reply))
