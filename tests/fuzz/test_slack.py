"""Fuzzed slash-command texts, modal submissions and view payloads of any shape (see tests/fuzz/watch.py)."""

from __future__ import annotations

import asyncio
import json

from hypothesis import strategies as st

from bot.emulator import View
from handlers.blocks.forms import CLOSE_CALLBACK, ROLE_CALLBACK, SITREP_CALLBACK
from handlers.blocks.modal import OPEN_CALLBACK
from tests.fuzz.watch import (
    ALICE,
    Watch,
    breakdown,
    check_slack_reply,
    drive,
    fuzz,
    on,
    post_interaction,
    still_healthy,
    submission,
    typed,
)
from tests.support.crisis import open_crisis
from tests.support.people import Person
from tests.support.strategies import (
    ANY_CHAR,
    EXAMPLES,
    bounded,
    hostile_text,
    json_values,
    slash_text,
)


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
