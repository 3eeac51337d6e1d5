"""The App Home tab: the active crises and the last ones closed, for whoever opens it."""

from __future__ import annotations

from bot.emulator.blockcheck import check_view
from tests.support.crisis import open_crisis
from tests.support.people import Person, fill_in, mrkdwn_texts


async def home_of(workspace, emulator, user: str) -> str:
    """Open the Home tab and wait until the bot has published it (again)."""
    published = len(emulator.calls_to("views.publish"))
    await workspace.open_home(user)
    await emulator.wait_for(lambda: [c for c in emulator.calls_to("views.publish")[published:]
                                     if c.args.get("user_id") == user and c.status == 200])
    view = emulator.home(user)
    assert view is not None and check_view(view, kind="home") is None
    return "\n".join(mrkdwn_texts(view["blocks"]))


async def test_an_empty_home_says_nothing_is_going_on(workspace, emulator):
    home = await home_of(workspace, emulator, "U0ALICE")

    assert "No crisis is active." in home
    assert "No crisis has been closed yet." in home


async def test_home_shows_active_crises_and_the_last_closed(alice: Person, workspace, emulator, clock):
    serum = await open_crisis(alice, "Serum <video>", severity="high")
    clock.advance(minutes=10)
    await alice.types("/crisis milestone reduction", channel=serum)
    await alice.sees_privately("Reduction recorded")
    boycott = await open_crisis(alice, "Boycott hashtag")
    clock.advance(minutes=20)
    await alice.types("/crisis milestone response", channel=boycott)
    await alice.sees_privately("Response recorded")
    clock.advance(minutes=70)
    await alice.types("/crisis close Keep a statement ready", channel=boycott)
    await alice.sees_privately("is closed")
    fake = await open_crisis(alice, "Fake coupon")
    clock.advance(minutes=5)

    home = await home_of(workspace, emulator, "U0BOB")

    active, closed = home.split("*Recently closed*")
    assert (f"<#{serum}> *Serum &lt;video&gt;*\nPhase: *Reduction* · Lead: <@U0ALICE> · Severity: *High* · "
            "Open for 1 h 45 min") in active
    assert f"<#{fake}> *Fake coupon*\nPhase: *not started*" in active and "Open for 5 min" in active
    assert boycott not in active
    assert (f"<#{boycott}> *Boycott hashtag*\nFirst response: 20 min (within the golden hour) · "
            "Lasted 1 h 30 min") in closed
    assert serum not in closed

    clock.advance(minutes=1)
    await alice.types("/crisis close Done", channel=serum)
    await alice.sees_privately("is closed")
    home = await home_of(workspace, emulator, "U0BOB")  # opening the tab again shows it as it is now
    active, closed = home.split("*Recently closed*")
    assert serum not in active
    assert f"<#{serum}> *Serum &lt;video&gt;*\nFirst response: not recorded · Lasted 1 h 46 min" in closed


async def test_a_private_crisis_shows_only_to_the_people_in_it(alice: Person, workspace, emulator):
    await alice.types("/crisis", channel="C0GENERAL")
    await fill_in(alice, {"title": "Deepfake of our CEO", "severity": "critical", "private": True})
    told = await alice.sees_privately("is open")
    channel = told.text.split("<#")[1].split(">")[0].split("|")[0]
    await alice.types("/crisis role legal <@U0BOB|bob>", channel=channel)
    await emulator.wait_for(lambda: emulator.dms("U0BOB"))

    assert "Deepfake of our CEO" in await home_of(workspace, emulator, "U0ALICE")  # opened it
    assert "Deepfake of our CEO" in await home_of(workspace, emulator, "U0BOB")  # holds a role
    carla = await home_of(workspace, emulator, "U0CARLA")
    assert "Deepfake" not in carla and channel not in carla
    assert "No crisis is active." in carla


async def test_only_the_home_tab_is_answered(alice: Person, workspace, emulator):
    await open_crisis(alice)
    await workspace.send_event({"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE",
                                "tab": "messages", "event_ts": "1.000001"})

    await home_of(workspace, emulator, "U0ALICE")
    await home_of(workspace, emulator, "U0ALICE")

    assert [c.args["user_id"] for c in emulator.calls_to("views.publish")] == ["U0ALICE", "U0ALICE"]
