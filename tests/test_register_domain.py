"""The instigator and the advocates (issue 13), as plain domain."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.errors import CrisisError, TooLong
from bot.domain.register import (
    Advocates,
    Change,
    EmptyHandle,
    Instigator,
    Outcome,
    Register,
    UnknownAdvocate,
    UnknownOutcome,
    UnparseableReach,
    normalise_network,
    parse_advocate,
    parse_instigator,
    parse_outcome,
    parse_reach,
)

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# --- reach ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    # English
    ("1.2M", 1_200_000), ("1.2m", 1_200_000), ("120k", 120_000), ("120K", 120_000), ("1.5k", 1_500),
    ("3,500", 3_500), ("1,234,567", 1_234_567), ("1,234.5k", 1_234_500), ("2bn", 2_000_000_000),
    ("1.2 million", 1_200_000), ("1.2M followers", 1_200_000), ("~40k", 40_000), ("40k+", 40_000),
    ("120000", 120_000), ("0", 0),
    # Spanish
    ("1,2 M", 1_200_000), ("1,2M", 1_200_000), ("3.500", 3_500), ("1.234.567", 1_234_567),
    ("120 mil", 120_000), ("1,5 mil", 1_500), ("1.234,5 mil", 1_234_500), ("1,2 millones", 1_200_000),
    ("2 mil millones", 2_000_000_000), ("3.500 seguidores", 3_500), ("1,2 MM", 1_200_000),
    ("1,2 millón", 1_200_000),
    # Italian
    ("120 mila", 120_000), ("1,2 mln", 1_200_000), ("1,2 milioni", 1_200_000), ("3 mld", 3_000_000_000),
    ("3'500", 3_500), ("3.500 follower", 3_500),
    # spaces, as people and keyboards write them
    ("3 500", 3_500), ("1 234 567", 1_234_567), ("3\u00a0500", 3_500), ("3\u202f500", 3_500),
    ("  1,2  M ", 1_200_000), ("3 500,0", 3_500),
])
def test_parse_reach(text, expected):
    assert parse_reach(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "abc", "many", "1.2.3", "1,23,4", "12.34.5", "1.5", "3,5", "1.2 zillion", "-5", "k", "1.2M!",
    "1.234,567,8", "12 34",
])
def test_parse_reach_refuses(text):
    assert parse_reach(text) is None


def test_mil_is_a_thousand_except_in_english():
    assert parse_reach("1.2 mil") == 1_200
    assert parse_reach("1,2 mil", language="es") == 1_200
    assert parse_reach("1.2 mil", language="en") == 1_200_000
    assert parse_reach("2 mil millones", language="en") == 2_000_000_000


# --- networks, handles and the command text ------------------------------------------------------------------


@pytest.mark.parametrize("typed, network", [
    ("tiktok", "tiktok"), ("TikTok", "tiktok"), ("Instagram", "instagram"), ("IG", "instagram"),
    ("twitter", "x"), ("X", "x"), ("Twitter/X", "x"), ("facebook", "facebook"), ("YouTube", "youtube"),
    ("LinkedIn", "linkedin"), ("Threads", "threads"), ("reddit", "reddit"), ("RÉDDIT", "reddit"),
    ("Mastodon", "Mastodon"), (" Bluesky ", "Bluesky"), ("", None), (None, None),
])
def test_networks_are_normalised_and_unknown_ones_kept(typed, network):
    assert normalise_network(typed) == network


def test_parse_instigator_from_the_issue():
    got = parse_instigator("@glowwithmia tiktok 1.2M: says our serum burned her skin")
    assert (got.handle, got.network, got.reach, got.grievance) == (
        "glowwithmia", "tiktok", 1_200_000, "says our serum burned her skin")


@pytest.mark.parametrize("text, handle, network, reach, grievance", [
    ("@mia TikTok 1,2 M: dice que el sérum le quemó la piel", "mia", "tiktok", 1_200_000,
     "dice que el sérum le quemó la piel"),
    ("@mia instagram 120 mila: dice che il siero le ha bruciato la pelle", "mia", "instagram", 120_000,
     "dice che il siero le ha bruciato la pelle"),
    ("@mia twitter 3 500", "mia", "x", 3_500, None),
    ("@mia 1.2M tiktok: order reversed", "mia", "tiktok", 1_200_000, "order reversed"),
    ("@mia 40k: no network", "mia", None, 40_000, "no network"),
    ("@mia Mastodon 900: unknown network", "mia", "Mastodon", 900, "unknown network"),
    ("mia", "mia", None, None, None),
    ("@mia x: time: 10:05, link https://x.com/a", "mia", "x", None, "time: 10:05, link https://x.com/a"),
    ("@mia tiktok:", "mia", "tiktok", None, None),
])
def test_parse_instigator_variants(text, handle, network, reach, grievance):
    got = parse_instigator(text)
    assert (got.handle, got.network, got.reach, got.grievance) == (handle, network, reach, grievance)


def test_parse_instigator_passes_the_language_for_mil():
    assert parse_instigator("@mia x 1.2 mil", language="en").reach == 1_200_000
    assert parse_instigator("@mia x 1,2 mil", language="es").reach == 1_200


def test_parse_advocate():
    assert (parse_advocate("@ana instagram").handle, parse_advocate("@ana instagram").network) == (
        "ana", "instagram")
    assert parse_advocate("ana Twitter").network == "x"
    assert parse_advocate("@ana").network is None
    assert parse_advocate("@ana Blue Sky").network == "Blue Sky"


# --- errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "@", "@@ tiktok", ": a grievance without a who", "@ : x"])
def test_empty_handle(text):
    with pytest.raises(EmptyHandle) as refused:
        parse_instigator(text)
    assert refused.value.key == "error.register.empty_handle"
    assert refused.value.params == {"what": "instigator"}
    assert isinstance(refused.value, CrisisError)


def test_empty_advocate_handle():
    for text in ("", "@", "  "):
        with pytest.raises(EmptyHandle) as refused:
            parse_advocate(text)
        assert refused.value.params == {"what": "advocate"}
    with pytest.raises(EmptyHandle):
        Advocates().ask("@", by="U1", at=T0)


@pytest.mark.parametrize("text, typed", [
    ("@mia tiktok lots: says", "lots"), ("@mia tiktok 1.2.3M", "1.2.3M"), ("@mia tiktok 1.5: x", "1.5"),
    ("@mia 40k tiktok mastodon", "40k mastodon"),
])
def test_unparseable_reach(text, typed):
    with pytest.raises(UnparseableReach) as refused:
        parse_instigator(text)
    assert refused.value.key == "error.register.unparseable_reach"
    assert refused.value.params == {"reach": typed}


@pytest.mark.parametrize("typed", ["", "maybe", "happy", "won under"])
def test_unknown_outcome(typed):
    with pytest.raises(UnknownOutcome) as refused:
        parse_outcome(typed)
    assert refused.value.key == "error.register.unknown_outcome"
    assert refused.value.params == {"outcome": typed.strip(), "outcomes": "won_over, unresolved, escalated"}


def test_unknown_outcome_changes_nothing():
    mia = Instigator.register("@mia", by="U1", at=T0)
    with pytest.raises(UnknownOutcome):
        mia.record_outcome("perhaps", by="U2", at=at(5))
    assert mia.outcome is None and len(mia.history) == 1


def test_too_long_handle():
    with pytest.raises(TooLong) as refused:
        parse_instigator("@" + "a" * 101)
    assert refused.value.params["what"] == "handle"


def test_responded_for_someone_never_asked():
    with pytest.raises(UnknownAdvocate) as refused:
        Advocates().mark_responded("@ghost", at=T0, network="x")
    assert refused.value.key == "error.register.unknown_advocate"
    assert refused.value.params == {"handle": "ghost", "network": "x"}


# --- outcomes and history ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, outcome", [
    ("won over", Outcome.WON_OVER), ("Won_Over", Outcome.WON_OVER), ("won-over", Outcome.WON_OVER),
    ("ganado", Outcome.WON_OVER), ("Convencida", Outcome.WON_OVER), ("conquistato", Outcome.WON_OVER),
    ("unresolved", Outcome.UNRESOLVED), ("sin resolver", Outcome.UNRESOLVED), ("irrisolto", Outcome.UNRESOLVED),
    ("Non risolto", Outcome.UNRESOLVED), ("escalated", Outcome.ESCALATED), ("ESCALADO", Outcome.ESCALATED),
    ("escalató", Outcome.ESCALATED), ("aggravato", Outcome.ESCALATED), (Outcome.ESCALATED, Outcome.ESCALATED),
])
def test_parse_outcome(typed, outcome):
    if outcome is None:
        with pytest.raises(UnknownOutcome):
            parse_outcome(typed)
    else:
        assert parse_outcome(typed) is outcome


def test_the_instigators_story_is_dated():
    mia = Instigator.register("@glowwithmia", by="U1", at=T0, network="TikTok", reach=1_200_000,
                              grievance="says our serum burned her skin")
    assert (mia.handle, mia.network, mia.outcome) == ("glowwithmia", "tiktok", None)
    assert mia.offer_solution("refund, a call with our dermatologist, batch checked", by="U2", at=at(20))
    assert mia.record_outcome("unresolved", by="U2", at=at(30))
    assert mia.record_outcome("ganado", by="U3", at=at(90))
    assert (mia.outcome, mia.outcome_by, mia.outcome_at) == (Outcome.WON_OVER, "U3", at(90))
    assert mia.history == [
        Change(T0, "U1", "registered", None, "glowwithmia"),
        Change(at(20), "U2", "solution", None, "refund, a call with our dermatologist, batch checked"),
        Change(at(30), "U2", "outcome", None, Outcome.UNRESOLVED),
        Change(at(90), "U3", "outcome", Outcome.UNRESOLVED, Outcome.WON_OVER),
    ]


def test_the_same_outcome_again_adds_nothing():
    mia = Instigator.register("@mia", by="U1", at=T0)
    assert mia.record_outcome("escalated", by="U1", at=at(10))
    assert not mia.record_outcome("escalado", by="U2", at=at(11))
    assert (mia.outcome_by, mia.outcome_at, len(mia.history)) == ("U1", at(10), 2)


def test_update_records_only_real_changes():
    mia = Instigator.register("@mia", by="U1", at=T0, network="tiktok", reach=100)
    changes = mia.update("U2", at(5), reach=100, grievance="burned skin", network="TikTok")
    assert changes == [Change(at(5), "U2", "grievance", None, "burned skin")]
    changes = mia.update("U2", at(6), reach=200)
    assert changes == [Change(at(6), "U2", "reach", 100, 200)]
    assert mia.update("U2", at(7)) == []


# --- advocates -----------------------------------------------------------------------------------------------


def test_advocates_are_not_duplicated():
    advocates = Advocates()
    ana, new = advocates.ask("@ana", by="U1", at=T0, network="instagram")
    assert new and ana.asked_at == T0 and not ana.responded
    again, new = advocates.ask("ANA", by="U2", at=at(10), network="IG", note="asked by DM")
    assert not new and again is ana
    assert (ana.asked_at, ana.asked_by, ana.note) == (T0, "U1", "asked by DM")
    _, new = advocates.ask("@ana", by="U1", at=at(11), network="tiktok")  # another network: another entry
    assert new
    assert advocates.mobilised() == 2 and len(advocates) == 2


def test_responded_counts():
    advocates = Advocates()
    for n, (handle, network) in enumerate([("@ana", "instagram"), ("@luca", "tiktok"), ("@sam", None)]):
        advocates.ask(handle, by="U1", at=at(n), network=network)
    assert (advocates.mobilised(), advocates.responded()) == (3, 0)
    luca = advocates.mark_responded("luca", at=at(30), network="TikTok")
    assert luca.responded and luca.responded_at == at(30)
    advocates.mark_responded("@luca", at=at(40), network="tiktok")  # again: the first time stays
    assert luca.responded_at == at(30)
    assert (advocates.mobilised(), advocates.responded()) == (3, 1)
    assert [a.handle for a in advocates] == ["ana", "luca", "sam"]


def test_parsed_advocate_goes_into_the_register():
    advocates = Advocates()
    typed = parse_advocate("@ana Instagram")
    advocates.ask(typed.handle, by="U1", at=T0, network=typed.network)
    assert advocates.get("@Ana", "instagram") is not None


# --- the register and its summary ----------------------------------------------------------------------------


def test_summary_for_the_story():
    register = Register()
    assert register.summary().outcome is None
    typed = parse_instigator("@glowwithmia tiktok 1.2M: says our serum burned her skin")
    mia, new = register.add_instigator(typed.handle, by="U1", at=T0, network=typed.network, reach=typed.reach,
                                       grievance=typed.grievance)
    assert new
    register.advocates.ask("@ana", by="U1", at=at(5), network="instagram")
    register.advocates.ask("@luca", by="U1", at=at(6), network="tiktok")
    register.advocates.mark_responded("@ana", at=at(20), network="instagram")
    summary = register.summary()
    assert (summary.outcome, summary.mobilised, summary.responded) == (Outcome.UNRESOLVED, 2, 1)
    assert summary.instigators == (("glowwithmia", "tiktok", None),)
    mia.record_outcome("won over", by="U2", at=at(60))
    assert register.summary().outcome is Outcome.WON_OVER


def test_the_same_instigator_again_is_an_update():
    register = Register()
    mia, _ = register.add_instigator("@mia", by="U1", at=T0, network="tiktok", reach=1000)
    again, new = register.add_instigator("MIA", by="U2", at=at(5), network="TikTok", reach=2000)
    assert not new and again is mia and mia.reach == 2000 and len(register.instigators) == 1
    other, new = register.add_instigator("@mia", by="U2", at=at(6), network="x")
    assert new and len(register.instigators) == 2
    assert register.instigator("mia", "twitter") is other


def test_overall_outcome_with_several_instigators():
    register = Register()
    a, _ = register.add_instigator("@a", by="U1", at=T0)
    b, _ = register.add_instigator("@b", by="U1", at=T0)
    a.record_outcome("won over", by="U1", at=at(1))
    assert register.summary().outcome is Outcome.UNRESOLVED  # b not recorded yet
    b.record_outcome("won over", by="U1", at=at(2))
    assert register.summary().outcome is Outcome.WON_OVER
    b.record_outcome("escalated", by="U1", at=at(3))
    assert register.summary().outcome is Outcome.ESCALATED


def test_too_long_texts_name_what_was_too_long():
    with pytest.raises(TooLong) as refused:
        parse_instigator("@mia tiktok: " + "x" * 2001)
    assert refused.value.params == {"what": "grievance", "limit": 2000, "length": 2001}
    mia = Instigator.register("@mia", by="U1", at=T0)
    with pytest.raises(TooLong) as refused:
        mia.offer_solution("y" * 2001, by="U1", at=T0)
    assert refused.value.params["what"] == "solution" and mia.solution is None
    with pytest.raises(TooLong) as refused:
        Advocates().ask("@ana", by="U1", at=T0, note="z" * 2001)
    assert refused.value.params["what"] == "note"
