"""A person's language from their Slack locale (issue 12): the emulator's users.info shows `user.locale` only
with include_locale, as Slack does, and PersonLocales reads it over real HTTP with slack-sdk, once per person per
ttl, shared by concurrent callers, falling back to None (and asking again later) when Slack fails."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.locales import PersonLocales, language_of_locale
from tests.support.harness import TOKEN

LANGUAGES = ("en", "es", "it")


class Ticks:
    """The clock PersonLocales reads: moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
async def client(emulator):
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(base_url=emulator.base_url, token=TOKEN, session=session)


def users_info(client: AsyncWebClient, include_locale: bool = True):
    """The wiring the app does: users.info with include_locale, the response's dict."""

    async def ask(user: str) -> dict:
        return (await client.users_info(user=user, include_locale=include_locale)).data

    return ask


def asked(emulator, user: str | None = None) -> int:
    return len([c for c in emulator.calls_to("users.info") if user is None or c.args.get("user") == user])


# ----- the emulator's users.info ------------------------------------------------------------------------------
async def test_users_info_gives_the_locale_only_when_asked(emulator, client):
    lucia = emulator.add_user("lucia", "Lucía Fernández", locale="es-ES")

    plain = (await client.users_info(user=lucia.id)).data
    assert plain["ok"] and plain["user"]["id"] == lucia.id and "locale" not in plain["user"]
    refused = (await client.users_info(user=lucia.id, include_locale=False)).data
    assert "locale" not in refused["user"]
    told = (await client.users_info(user=lucia.id, include_locale=True)).data
    assert told["user"]["locale"] == "es-ES"
    assert {k: v for k, v in told["user"].items() if k != "locale"} == plain["user"]  # nothing else differs

    # the call log keeps the arguments as slack-sdk sent them (a bool goes as "1"/"0")
    assert [c.args.get("include_locale") for c in emulator.calls_to("users.info")] == [None, "0", "1"]


async def test_users_info_include_locale_as_any_client_sends_it(emulator):
    emulator.add_user("giulia", "Giulia Conti", locale="it-IT")
    giulia = emulator.user_by_name("giulia").id
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async def locale_of(method: str, **args):
            request = session.get if method == "GET" else session.post
            kw = {"params": args} if method == "GET" else {"data": args}
            async with request(emulator.base_url + "users.info", headers=headers, **kw) as resp:
                body = await resp.json()
            assert body["ok"], body
            return body["user"].get("locale")

        for method in ("GET", "POST"):
            assert await locale_of(method, user=giulia, include_locale="true") == "it-IT"
            assert await locale_of(method, user=giulia, include_locale="1") == "it-IT"
            assert await locale_of(method, user=giulia, include_locale="false") is None
            assert await locale_of(method, user=giulia, include_locale="0") is None
            assert await locale_of(method, user=giulia) is None
        async with session.post(emulator.base_url + "users.info", headers=headers,
                                json={"user": giulia, "include_locale": True}) as resp:
            assert (await resp.json())["user"]["locale"] == "it-IT"


async def test_everyone_is_en_us_unless_seeded_otherwise(emulator, client):
    newcomer = emulator.add_user("erin", "Erin Okafor")
    for user in ("U0ALICE", "U0BOB", newcomer.id):
        assert (await client.users_info(user=user, include_locale=True))["user"]["locale"] == "en-US"
    emulator.user("U0BOB").locale = "it-IT"  # a seeded person changes their Slack language
    assert (await client.users_info(user="U0BOB", include_locale=True))["user"]["locale"] == "it-IT"
    # users.list is as before: no locale
    assert all("locale" not in m for m in (await client.users_list())["members"])
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U0NOBODY", include_locale=True)
    assert err.value.response["error"] == "user_not_found"


# ----- PersonLocales against the emulator ---------------------------------------------------------------------
def test_language_of_locale():
    assert language_of_locale("es-ES", LANGUAGES) == "es"
    assert language_of_locale("es-LA", LANGUAGES) == "es"
    assert language_of_locale("it-IT", LANGUAGES) == "it"
    assert language_of_locale("en-GB", LANGUAGES) == "en"
    assert language_of_locale("pt-BR", LANGUAGES) is None
    assert language_of_locale("IT_it", ["IT"]) == "it"
    assert language_of_locale("es", LANGUAGES) == "es"
    for nothing in (None, "", "  ", 42):
        assert language_of_locale(nothing, LANGUAGES) is None
    assert language_of_locale("en-US", ()) is None


async def test_the_language_is_read_once_and_cached(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    giulia = emulator.add_user("giulia", locale="it-IT").id
    joao = emulator.add_user("joao", locale="pt-BR").id
    locales = PersonLocales(users_info(client), LANGUAGES, ttl=3600, clock=ticks)

    assert locales.known(lucia) is None  # nothing asked yet, and known() asks nothing
    assert asked(emulator) == 0
    for _ in range(20):
        assert await locales.language(lucia) == "es"
    assert await locales.language(giulia) == "it"
    assert await locales.language(joao) is None  # not one of ours: the crisis's language applies
    assert await locales.language(joao) is None
    assert await locales.language("U0ALICE") == "en"
    assert (asked(emulator, lucia), asked(emulator, giulia), asked(emulator, joao)) == (1, 1, 1)
    assert all(c.args["include_locale"] == "1" for c in emulator.calls_to("users.info"))
    assert locales.known(lucia) == "es" and locales.known(joao) is None

    ticks.advance(3599)
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 1
    emulator.user(lucia).locale = "it-IT"  # she changed her Slack language
    ticks.advance(2)  # the hour is over: Slack is asked again
    assert await locales.language(lucia) == "it"
    assert asked(emulator, lucia) == 2


async def test_concurrent_asks_share_one_lookup(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    giulia = emulator.add_user("giulia", locale="it-IT").id
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks)
    held = asyncio.Event()
    emulator.inject("users.info", until=held, times=2)  # Slack holds both answers until everyone has asked

    asks = [asyncio.ensure_future(locales.language(who)) for who in [lucia, giulia] * 25]
    await emulator.wait_for(lambda: len(locales._pending) == 2 and all(not a.done() for a in asks))
    for _ in range(3):
        await asyncio.sleep(0)  # let every ask reach the shared lookup
    held.set()
    answers = await asyncio.gather(*asks)

    assert answers == ["es", "it"] * 25
    assert (asked(emulator, lucia), asked(emulator, giulia)) == (1, 1)


async def test_a_caller_cancelled_does_not_cancel_the_others_lookup(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks)
    held = asyncio.Event()
    emulator.inject("users.info", until=held)
    first = asyncio.ensure_future(locales.language(lucia))
    second = asyncio.ensure_future(locales.language(lucia))
    await emulator.wait_for(lambda: locales._pending)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    held.set()
    assert await second == "es"
    assert asked(emulator, lucia) == 1


async def test_a_failed_lookup_answers_none_then_slack_is_asked_again(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client), LANGUAGES, ttl=3600, clock=ticks, backoff=60)

    emulator.inject("users.info", error="internal_error")
    assert await locales.language(lucia) is None  # never raises
    assert await locales.language(lucia) is None  # and does not hammer Slack meanwhile
    ticks.advance(59)
    assert await locales.language(lucia) is None
    assert asked(emulator, lucia) == 1
    ticks.advance(2)
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 2

    # later, when the hour is over and Slack fails again (HTTP 503), the language known so far is kept
    ticks.advance(3601)
    emulator.inject("users.info", status=503)
    assert await locales.language(lucia) == "es"
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 3
    ticks.advance(61)
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 4
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 4  # a good answer is kept for the whole ttl again


async def test_an_unknown_person_or_a_broken_wiring_never_raises(emulator, client, ticks):
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks, backoff=60)
    assert await locales.language("U0NOBODY") is None  # user_not_found
    assert await locales.language("U0NOBODY") is None
    assert asked(emulator, "U0NOBODY") == 1
    ticks.advance(61)
    assert await locales.language("U0NOBODY") is None
    assert asked(emulator, "U0NOBODY") == 2

    async def broken(user: str) -> dict:
        raise ConnectionResetError("the wiring broke")

    assert await PersonLocales(broken, LANGUAGES, clock=ticks).language("U0ALICE") is None

    async def not_a_dict(user: str):
        return "ok"

    assert await PersonLocales(not_a_dict, LANGUAGES, clock=ticks).language("U0ALICE") is None


async def test_a_slack_response_object_works_too(emulator, client, ticks):
    giulia = emulator.add_user("giulia", locale="it-IT").id

    async def response(user: str):
        return await client.users_info(user=user, include_locale=True)  # the AsyncSlackResponse itself

    assert await PersonLocales(response, LANGUAGES, clock=ticks).language(giulia) == "it"


async def test_without_include_locale_there_is_no_language(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client, include_locale=False), LANGUAGES, clock=ticks)
    for _ in range(5):
        assert await locales.language(lucia) is None
    assert asked(emulator, lucia) == 1  # an answer without a locale is an answer: cached for the ttl
    assert emulator.calls_to("users.info")[0].args["include_locale"] == "0"


async def test_forget_asks_slack_again(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks)
    assert await locales.language(lucia) == "es"
    emulator.user(lucia).locale = "it-IT"
    locales.forget(lucia)
    assert locales.known(lucia) is None
    assert await locales.language(lucia) == "it"
    assert asked(emulator, lucia) == 2
    locales.forget("U0NOBODY")  # forgetting someone never asked about is fine


async def test_forget_during_a_lookup_does_not_keep_its_answer(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks)
    held = asyncio.Event()
    emulator.inject("users.info", until=held)
    ask = asyncio.ensure_future(locales.language(lucia))
    await emulator.wait_for(lambda: locales._pending)
    locales.forget(lucia)
    held.set()
    assert await ask == "es"  # the caller gets what Slack said
    assert locales.known(lucia) is None  # but it is not remembered
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 2


async def test_the_cache_is_bounded_least_recently_asked_dropped(emulator, client, ticks):
    people = [emulator.add_user(f"person{n}", locale="es-ES").id for n in range(4)]
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks, max_people=3)
    for who in people[:3]:
        assert await locales.language(who) == "es"
    assert await locales.language(people[0]) == "es"  # person0 is now the most recent
    assert await locales.language(people[3]) == "es"  # person1 is dropped
    assert len(locales) == 3
    assert locales.known(people[1]) is None and locales.known(people[0]) == "es"
    assert await locales.language(people[1]) == "es"
    assert [asked(emulator, who) for who in people] == [1, 2, 1, 1]


async def test_a_caller_waits_at_most_the_timeout_and_the_lookup_fills_the_cache(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks, timeout=0.05)
    held = asyncio.Event()
    emulator.inject("users.info", until=held)
    assert await locales.language(lucia) is None  # Slack is slow: the caller goes on without waiting
    held.set()
    await emulator.wait_for(lambda: locales.known(lucia) == "es")
    assert await locales.language(lucia) == "es"
    assert asked(emulator, lucia) == 1


async def test_fresh_tells_whether_a_lookup_is_due_without_asking(emulator, client, ticks):
    lucia = emulator.add_user("lucia", locale="es-ES").id
    locales = PersonLocales(users_info(client), LANGUAGES, clock=ticks)
    assert locales.fresh(lucia) == (False, None)

    assert await locales.language(lucia) == "es"

    assert locales.fresh(lucia) == (True, "es")
    assert asked(emulator, lucia) == 1
    ticks.advance(3601)
    assert locales.fresh(lucia) == (False, None)
