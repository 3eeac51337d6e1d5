"""The message catalogs: the same keys, placeholders and plural forms in every language; labels that fit
Slack's buttons and modals in every language; plural forms, durations and numbers the language's way."""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta, timezone

import pytest

from bot.catalog import Catalog, Catalogs, normalize_language, plural_category
from bot.domain.clock import FixedClock, humanize
from bot.domain.crisis import OpenRequest, Status
from bot.domain.digest import Digest, Triage
from bot.domain.notices import Audience, Notice
from bot.domain.sitrep import Sitrep
from bot.domain.story import FirstResponse
from bot.plan_loader import load_plan
from bot.settings import available_languages
from handlers.alert_formats.groups import and_more
from handlers.blocks import alerts, forms, home, lifecycle, messages, modal, plan as plan_blocks, reminders
from handlers.blocks.notices import RenderContext

LANGUAGES = ("en", "es", "it")
CATEGORIES = {"zero", "one", "two", "few", "many", "other"}  # CLDR's plural categories
MAX_LABEL = 24  # Slack's limit for a modal's title, submit and close; the bot keeps its buttons within it too
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
# Labels drawn outside handlers/blocks, each by one listener: the "Try again" button of handlers/journal.py.
OTHER_LABEL_KEYS = ("journal.retry",)


def strict(language: str) -> Catalog:
    return Catalog.load(language, strict=True)


def shape(catalog: Catalog) -> dict[str, dict[str, set[str]]]:
    """Each message's forms (a plain one is the single form "") and the placeholders of each."""
    out: dict[str, dict[str, set[str]]] = {}
    for key, text in catalog.messages.items():
        base, _, last = key.rpartition(".")
        if last in CATEGORIES and f"{base}.other" in catalog.messages:
            key, form = base, last
        else:
            form = ""
        names = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
        out.setdefault(key, {})[form] = names
    return out


# ----- the same catalog in every language ---------------------------------------------------------------

def test_crisisbot_speaks_english_spanish_and_italian():
    assert tuple(available_languages()) == LANGUAGES
    assert Catalogs("en").languages == LANGUAGES


@pytest.mark.parametrize("language", ["es", "it"])
def test_every_key_is_in_both_languages_with_the_same_placeholders_and_plural_forms(language):
    english, other = shape(strict("en")), shape(strict(language))

    assert sorted(english.keys() - other.keys()) == [], f"missing from {language}"
    assert sorted(other.keys() - english.keys()) == [], f"in {language} only"
    for key, forms in english.items():
        assert set(other[key]) == set(forms), f"{language} {key}: plural forms {sorted(other[key])}, not {sorted(forms)}"
        for form, names in forms.items():
            assert other[key][form] == names, f"{language} {key}{'.' + form if form else ''}: placeholders differ"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_writes_a_placeholder_in_brackets_that_slack_would_read_as_a_link(language):
    """In mrkdwn `<title>` is a link: a shown placeholder is written `&lt;title&gt;`. Only Slack's own
    `<@user>`, `<#channel>`, `<!date…>` and links are left in brackets."""
    bracketed = re.compile(r"<(?![@#!]|https?:|mailto:|\{)[^>]*>")
    raw = {key: bracketed.findall(text) for key, text in strict(language).messages.items()}
    assert {key: found for key, found in raw.items() if found} == {}


@pytest.mark.parametrize("language", ["es", "it"])
def test_strict_spanish_and_italian_have_every_english_message_themselves(language):
    catalog = strict(language)

    assert catalog.fallback is None
    for key in strict("en").messages:
        assert key in catalog.messages, key
    with pytest.raises(KeyError):
        catalog.t("no.such.message")


def test_a_catalog_not_strict_falls_back_to_english_key_by_key():
    english = Catalog.load("en")
    partial = Catalog({"home.header": "Salas de crisis"}, fallback=english, language="es")

    assert partial.t("home.header") == "Salas de crisis"
    assert partial.t("home.no_active") == english.t("home.no_active")
    assert Catalog.load("es").fallback is not None
    with pytest.raises(KeyError):
        partial.t("no.such.message")
    assert partial.lookup("no.such.message") is None


# ----- the registry ----------------------------------------------------------------------------------------

def test_the_registry_gives_each_language_once_and_the_default_for_anything_else():
    catalogs = Catalogs("es")

    assert catalogs.default.language == "es"
    for name in ("es", "ES", "es-ES", "es_ES", " es-419 "):
        assert catalogs.get(name) is catalogs.default
    assert catalogs.get("it-IT").language == "it" and catalogs.get("it") is catalogs.get("it_IT")
    assert catalogs.get("en-GB").language == "en"
    assert catalogs.get(None) is catalogs.default and catalogs.get("fr-FR") is catalogs.default
    assert catalogs.get("") is catalogs.default
    # the non-English catalogs share the one English catalog behind them
    assert catalogs.get("es").fallback is catalogs.get("en") is catalogs.get("it").fallback


def test_a_registry_for_a_language_without_a_catalog_is_refused():
    with pytest.raises(ValueError, match="fr"):
        Catalogs("fr")


def test_language_names_are_reduced_to_their_catalog_folder():
    assert [normalize_language(n) for n in ("es", "ES", "es-ES", "es_ES", "pt-BR")] == ["es", "es", "es", "es", "pt"]


# ----- labels within Slack's limits, found by rendering ------------------------------------------------------

class Recording(Catalog):
    """A catalog that remembers every text it gave, and for which key."""

    def __init__(self, catalog: Catalog):
        super().__init__(catalog.messages, catalog.fallback, catalog.language)
        self.given: list[tuple[str, str]] = []

    def t(self, key: str, **params: object) -> str:
        text = super().t(key, **params)
        self.given.append((key, text))
        return text


def labels(payload) -> list[str]:
    """Every button's text, and a view's title, submit and close, anywhere in a payload."""
    found: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "button":
            found.append(payload["text"]["text"])
        if payload.get("type") in ("modal", "home"):
            found += [payload[part]["text"] for part in ("title", "submit", "close") if part in payload]
        for value in payload.values():
            found += labels(value)
    elif isinstance(payload, (list, tuple)):
        for value in payload:
            found += labels(value)
    return found


def crisis_for(plan, crisis_id: int = 7, closed: bool = False):
    crisis = OpenRequest(title="Serum video", requested_by="U0ALICE").to_crisis(plan, NOW - timedelta(hours=2))
    crisis.id, crisis.channel_id, crisis.lead = crisis_id, "C0CRISIS", "U0ALICE"
    crisis.status = Status.OPEN
    if closed:
        crisis.close(by="U0ALICE", at=NOW - timedelta(minutes=10), outcome="Ads paused")
    return crisis


def everything_with_labels(language: str) -> tuple[Recording, list]:
    """Each modal, view and message with buttons that handlers/blocks renders, in one language."""
    t = Recording(Catalog.load(language))
    plan = load_plan().translated(language)
    ctx = RenderContext(plan, t, FixedClock(NOW), "C0MANAGERS")
    crisis, closed = crisis_for(plan), crisis_for(plan, 8, closed=True)
    required = [f.key for f in plan.required_fields]
    triage = Triage(id=3, source="grafana", key="k", title="Mentions up", severity="medium", status="pending",
                    alert_count=4, channel="C0TRIAGE", ts="1.2")
    rendered = [
        modal.open_modal(plan, t, "C0GENERAL"),
        forms.sitrep_modal(crisis.id, plan, Sitrep(), t),
        forms.close_modal(crisis.id, plan, t),
        forms.role_modal(crisis.id, plan, t),
        plan_blocks.plan_message(crisis, plan, t),
        plan_blocks.crisis_actions(crisis, plan, t),
        plan_blocks.crisis_actions(closed, plan, t),
        home.home_view([crisis], [(closed, FirstResponse(target=timedelta(hours=1), took=timedelta(minutes=20)))],
                       plan, t, NOW, adoptable={closed.id: 2}),
        alerts.alert_digest(Notice("alert_digest", crisis, data={
            "digest": Digest(crisis.id, 3, 1, NOW, ("Mentions up",)), "total": 5}), ctx),
        alerts.triage(Notice("triage", None, Audience.TRIAGE, data={"triage": triage}), ctx),
        alerts.alert_resolved(Notice("alert_resolved", crisis, data={"at": NOW, "minutes": 5}), ctx),
        alerts.confirm_open(triage.id, t),
        reminders.sitrep_missing(Notice("sitrep_missing", crisis, data={"missing": required}), ctx),
        reminders.sitrep_refresh(Notice("sitrep_refresh", crisis, data={"minutes": 30}), ctx),
        lifecycle.sitrep_prompt(Notice("sitrep_prompt", crisis), ctx),
    ]
    return t, rendered


def label_keys(t: Recording, rendered: list) -> dict[str, set[str]]:
    """Each label's catalog key(s) and whole text(s): a label may have been cut to fit, so it is matched
    to the texts it begins."""
    found: dict[str, set[str]] = {}
    for label in labels(rendered):
        stem = label.removesuffix("…")
        exact = {(k, text) for k, text in t.given if text == label}
        matches = exact or {(k, text) for k, text in t.given if text.startswith(stem)}
        assert matches, f"{t.language}: the label {label!r} is not a catalog text"
        for key, text in matches:
            found.setdefault(key, set()).add(text)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_and_modal_label_fits_in_24_characters(language):
    t, rendered = everything_with_labels(language)
    found = label_keys(t, rendered)
    for key in OTHER_LABEL_KEYS:
        found.setdefault(key, set()).add(t.t(key))

    too_long = {key: sorted(text for text in texts if len(text) > MAX_LABEL) for key, texts in found.items()}
    assert {key: texts for key, texts in too_long.items() if texts} == {}
    # the rendering reached every label there is: each key named for a button, the plan's actions, the modals
    expected = {key for key in shape(strict("en")) if re.search(r"(^|[._])button([._]|$)", key)}
    expected |= {"plan.actions.take_role", "plan.actions.sitrep", "plan.actions.close", "modal.title",
                 "modal.submit", "modal.cancel", "sitrep.modal_title", "sitrep.modal_submit", "close.modal_title",
                 "close.modal_submit", "roles.modal_title", "roles.modal_submit"}
    assert sorted(expected - found.keys()) == []


# ----- plural forms, durations and numbers -----------------------------------------------------------------

def digest_text(language: str, count: int) -> str:
    t = Catalog.load(language)
    plan = load_plan().translated(language)
    crisis = crisis_for(plan)
    notice = Notice("alert_digest", crisis, data={"digest": Digest(crisis.id, count, 0, NOW, ()), "total": count})
    text, _ = alerts.alert_digest(notice, RenderContext(plan, t, FixedClock(NOW), None))
    return text


@pytest.mark.parametrize(("language", "one", "two", "many"), [
    ("en", "*+1 alert*", "*+2 alerts*", "*+1,000,000 alerts*"),
    ("es", "*+1 alerta*", "*+2 alertas*", "*+1.000.000 alertas*"),
    ("it", "*+1 allerta*", "*+2 allerte*", "*+1.000.000 allerte*"),
])
def test_the_digest_counts_alerts_in_the_languages_plural_forms(language, one, two, many):
    assert one in digest_text(language, 1)
    assert two in digest_text(language, 2)
    # Spanish and Italian say a million with CLDR's `many`; a catalog without that form takes `other`
    assert many in digest_text(language, 1_000_000)


def test_plural_categories_are_babels_and_read_formatted_counts():
    assert [plural_category("en", n) for n in (0, 1, 2, "1", "2,481", 1_000_000)] == \
        ["other", "one", "other", "one", "other", "other"]
    assert plural_category("es", 1_000_000) == "many" and plural_category("it", "1.000.000") == "many"
    assert plural_category("es", "2.481") == "other" and plural_category("es", "1") == "one"
    assert plural_category("en", "{count}") == "other" and plural_category("en", None) == "other"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["40 s", "3 min", "2 h 05 min", "1 d 4 h", "4 d 0 h"]),
    ("es", ["40 s", "3 min", "2 h 05 min", "1 d 4 h", "4 d 0 h"]),
    ("it", ["40 s", "3 min", "2 h 05 min", "1 giorno 4 h", "4 giorni 0 h"]),
])
def test_durations_are_short_and_in_the_language(language, expected):
    deltas = [timedelta(seconds=40), timedelta(minutes=3), timedelta(hours=2, minutes=5),
              timedelta(days=1, hours=4), timedelta(days=4, minutes=30)]
    assert [Catalog.load(language).duration(d) for d in deltas] == expected


def test_english_durations_read_as_they_always_have():
    english = Catalog.load("en")
    for seconds in [*range(0, 7300, 37), 86_399, 86_400, 90_061, 10 * 86_400 + 3600, -30]:
        assert english.duration(timedelta(seconds=seconds)) == humanize(timedelta(seconds=seconds)), seconds


@pytest.mark.parametrize(("language", "small", "large", "fraction"), [
    ("en", "2,481", "1,234,567", "1.5"),
    ("es", "2.481", "1.234.567", "1,5"),
    ("it", "2.481", "1.234.567", "1,5"),
])
def test_numbers_are_written_the_languages_way(language, small, large, fraction):
    t = Catalog.load(language)
    assert (t.number(2481), t.number(1_234_567), t.number(1.5)) == (small, large, fraction)


def test_a_spanish_digest_writes_its_numbers_in_spanish():
    t = Catalog.load("es")
    plan = load_plan().translated("es")
    crisis = crisis_for(plan)
    notice = Notice("alert_digest", crisis, data={"digest": Digest(crisis.id, 2481, 1200, NOW, ()), "total": 12_000})
    text, _ = alerts.alert_digest(notice, RenderContext(plan, t, FixedClock(NOW), None))
    assert "*+2.481 alertas*" in text and "1.200" in text and "12.000" in text


# ----- words that used to reach es and it in English ---------------------------------------------------------

@pytest.mark.parametrize(("language", "words"), [
    ("en", {"opening": "opening", "open": "open", "closed": "closed"}),
    ("es", {"opening": "abriéndose", "open": "abierta", "closed": "cerrada"}),
    ("it", {"opening": "in apertura", "open": "aperta", "closed": "chiusa"}),
])
def test_the_status_line_names_the_crisis_state_in_the_language(language, words):
    t = Catalog.load(language, strict=True)
    plan = load_plan().translated(language)
    assert {s.value for s in Status} == words.keys()
    for status in Status:
        crisis = crisis_for(plan)
        crisis.status = status
        line = messages.status_blocks(crisis, plan, t, NOW)[1]["text"]["text"]
        assert f"*{words[status.value]}*" in line
        assert f"{t.duration(timedelta(hours=2))}" in line


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_a_refusal_calls_too_long_has_a_word(language):
    t = Catalog.load(language, strict=True)
    for what in ("title", "description", "note", "update", "outcome", "learnings"):
        assert t.has(f"what.{what}")
    if language != "en":
        assert t.t("what.title") != "title" and t.t("what.learnings") != "learnings"


def test_a_group_titled_by_one_alert_counts_the_others_in_no_language():
    assert and_more("Mentions up", 2) == "Mentions up (+2)"
    assert and_more("Mentions up", 0) == "Mentions up"


def test_a_moment_is_written_as_each_language_writes_dates():
    from datetime import datetime, timezone

    at = datetime(2026, 11, 21, 9, 5, tzinfo=timezone.utc)
    assert Catalog.load("en").moment(at) == "2026-11-21 09:05 UTC"
    assert Catalog.load("es").moment(at) == "21 nov 2026, 9:05 UTC"
    assert Catalog.load("it").moment(at) == "21 nov 2026, 09:05 UTC"
