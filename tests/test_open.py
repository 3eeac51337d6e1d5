"""Opening a crisis with `/crisis open`: what the requester and the team see in Slack."""

from __future__ import annotations

from tests.support.people import Person, mrkdwn_texts, text_of

SERUM = "crisis-20261121-influencer-video-claims-our-serum-burns-skin"


async def test_open_creates_a_channel_with_the_pinned_plan(alice: Person, emulator):
    reply = await alice.types("/crisis open Influencer video claims our serum burns skin")

    assert reply.status == 200
    assert "Opening a crisis room" in text_of(reply)
    told = await alice.sees_privately("is open")
    channel = emulator.channel_by_name(SERUM)
    assert channel is not None, [c.name for c in emulator.channels]
    assert f"<#{channel.id}>" in told.text
    assert "U0ALICE" in emulator.members(channel.id)
    assert "Influencer video claims our serum burns skin" in channel.topic
    assert "<@U0ALICE>" in channel.topic  # the opener leads by default

    plan = emulator.messages(channel.id)[0]
    assert emulator.pins(channel.id) == [plan.ts]
    shown = str(plan.blocks)
    for phase in ("Reduction", "Response", "Reaction", "Recovery", "Rethink"):
        assert phase in shown
    for role in ("Crisis lead", "Spokesperson", "Social listening", "Legal", "Customer care"):
        assert role in shown
    assert "Don't exploit a competitor's crisis" in shown
    assert "60 minutes" in shown
    assert len(plan.blocks) <= 50


async def test_a_severity_word_from_the_plan_sets_the_severity(alice: Person, emulator):
    await alice.types("/crisis open critical Boycott hashtag trending")
    await alice.sees_privately("is open")

    channel = emulator.channel_by_name("crisis-20261121-boycott-hashtag-trending")
    assert channel.topic.startswith(":rotating_light: Critical")
    assert "Severity *Critical*" in str(emulator.messages(channel.id)[0].blocks)


async def test_without_a_severity_word_the_plan_default_applies(alice: Person, emulator):
    await alice.types("/crisis open Highway billboard typo")
    await alice.sees_privately("is open")

    channel = emulator.channel_by_name("crisis-20261121-highway-billboard-typo")
    assert "Medium" in channel.topic


async def test_taken_names_get_a_number(alice: Person, emulator):
    emulator.add_channel("crisis-20261121-boycott", members=["U0BOB"])
    emulator.add_channel("crisis-20261121-boycott-2", members=["U0BOB"])

    await alice.types("/crisis open Boycott")
    await alice.sees_privately("is open")

    channel = emulator.channel_by_name("crisis-20261121-boycott-3")
    assert channel is not None
    assert "U0ALICE" in emulator.members(channel.id)
    errors = [c.response.get("error") for c in emulator.calls_to("conversations.create")]
    assert errors == ["name_taken", "name_taken", None]


async def test_accents_are_folded_and_other_characters_dropped(alice: Person, emulator):
    await alice.types("/crisis open Crítica: ¡el vídeo de Ñandú café! 🔥 #boicot")
    await alice.sees_privately("is open")

    assert emulator.channel_by_name("crisis-20261121-critica-el-video-de-nandu-cafe-boicot")


async def test_a_long_title_makes_a_name_of_at_most_80_characters(alice: Person, emulator):
    title = "Customers say the new formula of our best selling moisturiser causes rashes and they want refunds"
    await alice.types(f"/crisis open {title}")
    await alice.sees_privately("is open")

    (channel,) = [c for c in emulator.channels if (c.name or "").startswith("crisis-")]
    assert len(channel.name) <= 80
    assert channel.name.startswith("crisis-20261121-customers-say-the-new-formula")
    assert not channel.name.endswith("-")


async def test_user_text_cannot_ping_anyone(alice: Person, emulator):
    await alice.types("/crisis open <!channel> & <@U0BOB> wrote <https://evil.example|click>")
    told = await alice.sees_privately("is open")

    channel = emulator.channel(told.text.split("<#")[1].split(">")[0].split("|")[0])
    plan = emulator.messages(channel.id)[0]
    parsed = [plan.text, channel.topic, *mrkdwn_texts(plan.blocks)]  # where Slack turns <…> into mentions
    assert not [t for t in parsed if "<!channel>" in t or "<@U0BOB>" in t or "<https://evil" in t]
    # Slack's escaped tokens read as they were typed, and ping nobody
    assert "@channel &amp; @U0BOB wrote https://evil.example" in plan.text
    assert "@channel" in channel.topic
    header = plan.blocks[0]["text"]
    assert header["type"] == "plain_text" and "@channel" in header["text"]


async def test_a_title_over_the_plan_limit_is_refused_clearly(alice: Person, emulator):
    reply = await alice.types("/crisis open " + "x" * 151)

    assert reply.status == 200
    assert "151 characters long; the plan allows 150" in text_of(reply)
    assert emulator.calls_to("conversations.create") == []


async def test_a_slack_refusal_is_told_plainly(alice: Person, emulator):
    emulator.inject("conversations.create", error="restricted_action")

    await alice.types("/crisis open Leaked memo")

    told = await alice.sees_privately("Slack refused")
    assert "create the crisis channel" in told.text
    assert "restricted_action" in told.text
    assert "Traceback" not in told.text


async def test_ampersands_and_angle_brackets_read_as_typed_once_slack_has_escaped_them(alice: Person, emulator):
    """Slack sends `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`: the title shows them once, not `&amp;amp;`."""
    await alice.types("/crisis open Q&A backlash <3 fans > critics")
    told = await alice.sees_privately("is open")

    channel = emulator.channel(told.text.split("<#")[1].split(">")[0].split("|")[0])
    plan = emulator.messages(channel.id)[0]
    assert "Q&amp;A backlash &lt;3 fans &gt; critics" in plan.text
    assert "&amp;amp;" not in plan.text + str(plan.blocks)
    assert plan.blocks[0]["text"]["text"].endswith("Q&A backlash <3 fans > critics")  # plain text: as typed
