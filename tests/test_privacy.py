"""Private crises stay private: the managers hear one line when one opens and one when it closes."""

from __future__ import annotations

from tests.support.crisis import said_in
from tests.support.people import Person, fill_in


async def open_private(alice: Person, emulator, title: str) -> str:
    await alice.types("/crisis")
    await fill_in(alice, {"title": title, "severity": "critical", "private": True})
    told = await alice.sees_privately("is open")
    return told.text.split("<#")[1].split(">")[0]


async def test_the_managers_never_read_a_private_crisis(alice: Person, emulator, bot, clock):
    channel = await open_private(alice, emulator, "Data leak of VIP customers")
    await alice.types("/crisis milestone reduction Accounts locked", channel=channel)
    await alice.sees_privately("Reduction recorded")
    clock.advance(minutes=61)
    await bot.tick()  # the golden hour passes without a response
    await alice.types("/crisis close Rotate the keys quarterly", channel=channel)
    await alice.sees_privately("is closed")

    managers = said_in(emulator, "C0MANAGERS")
    assert len(managers) == 2
    assert "A private crisis was opened. Severity *Critical*" in managers[0]
    assert "A private crisis was closed" in managers[1]
    everything = " ".join(managers)
    for secret in ("Data leak", "VIP", "Accounts locked", "Rotate the keys", channel, "Reduction"):
        assert secret not in everything
    assert any("Crisis closed: Data leak of VIP customers" in m for m in said_in(emulator, channel))


async def test_a_private_crisis_is_on_the_home_tab_only_for_its_people(alice: Person, emulator, workspace):
    await open_private(alice, emulator, "Data leak of VIP customers")

    await workspace.open_home("U0BOB")
    await workspace.open_home("U0ALICE")

    await emulator.wait_for(lambda: emulator.home("U0BOB") and emulator.home("U0ALICE"))
    assert "Data leak" not in str(emulator.home("U0BOB"))
    assert "Data leak" in str(emulator.home("U0ALICE"))
