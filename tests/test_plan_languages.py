"""A plan in several languages: `translations` of its texts, `Plan.translated` with a per-text fallback to the
plan's own language, `Plan.untranslated` naming what fell back, and the reader refusing a translation that
disagrees with the plan, each problem with its path."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml

from bot.domain.plan import Plan, PlanError
from bot.plan_loader import load_plan

DEFAULT = yaml.safe_load(resources.files("bot.plans").joinpath("default.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def a_plan(translations, **changes) -> Plan:
    """The default plan with these translations instead of its own (and some settings changed)."""
    data = {**copy.deepcopy(DEFAULT), "translations": translations, **changes}
    return Plan.from_dict(data)


def problems(translations, **changes) -> list[str]:
    with pytest.raises(PlanError) as raised:
        a_plan(translations, **changes)
    return raised.value.problems


# ----- the default plan ----------------------------------------------------------------------------------------

def test_the_default_plan_is_complete_in_spanish_and_italian(plan):
    assert plan.language == "en" and plan.languages == ("en", "es", "it")
    assert plan.untranslated("es") == () and plan.untranslated("it") == ()
    assert plan.untranslated("en") == () and plan.untranslated(None) == ()


def test_the_default_plans_translations_have_the_plans_keys_and_lengths():
    own = {section: {item["key"]: item for item in DEFAULT[section]}
           for section in ("severities", "phases", "roles", "sitrep")}
    texts = {"severities": {"label", "description"}, "phases": {"name", "summary", "actions"},
             "roles": {"name", "brief"}, "sitrep": {"label"}}
    for language in ("es", "it"):
        given = DEFAULT["translations"][language]
        assert set(given) == {"name", "severities", "phases", "roles", "sitrep", "dos", "donts", "statements"}
        for section, items in own.items():
            assert list(given[section]) == list(items), (language, section)
            for key, item in items.items():
                wanted = {t for t in texts[section] if item.get(t)} | ({"choices"} if item.get("choices") else set())
                assert set(given[section][key]) == wanted, (language, section, key)
                for listed in ("actions", "choices"):
                    assert len(given[section][key].get(listed, ())) == len(item.get(listed, ())), (language, key)
        assert len(given["dos"]) == len(DEFAULT["dos"]) and len(given["donts"]) == len(DEFAULT["donts"])


def test_spanish_texts_appear_and_nothing_else_changes(plan):
    es = plan.translated("es")

    assert es.name == "Plan de crisis en redes sociales" and es.text_language == "es"
    assert [p.name for p in es.phases] == ["Reducción", "Respuesta", "Reacción", "Recuperación", "Replanteamiento"]
    assert [r.name for r in es.roles] == ["Responsable de la crisis", "Portavoz", "Escucha activa", "Área legal",
                                          "Atención al cliente"]
    assert [s.label for s in es.severities] == ["Baja", "Media", "Alta", "Crítica"]
    assert es.sitrep_field("origin").label == "Origen"
    assert "hora dorada" in " ".join(es.dos)
    assert "declaración de espera" in es.phase("response").summary
    # keys, aliases, numbers, stored choices: the plan's own
    assert [p.key for p in es.phases] == [p.key for p in plan.phases]
    assert [p.aliases for p in es.phases] == [p.aliases for p in plan.phases]
    assert es.sitrep_field("caused_by_us").choices == ("yes", "no", "unknown")
    assert (es.first_response_minutes, es.default_severity, es.lead_role, es.limits, es.alerts) == (
        plan.first_response_minutes, plan.default_severity, plan.lead_role, plan.limits, plan.alerts)
    assert es.lead.name == "Responsable de la crisis"
    assert es.required_fields == tuple(es.sitrep_field(f.key) for f in plan.required_fields)


def test_italian_texts_appear(plan):
    it = plan.translated("it")

    assert [p.name for p in it.phases] == ["Riduzione", "Risposta", "Reazione", "Recupero", "Ripensamento"]
    assert [r.name for r in it.roles] == ["Responsabile della crisi", "Portavoce", "Ascolto dei social",
                                          "Ufficio legale", "Assistenza clienti"]
    assert "ora d'oro" in " ".join(it.dos)
    assert "dichiarazione di attesa" in it.phase("response").summary
    assert "comunicato ufficiale" in it.role("spokesperson").brief
    assert it.sitrep_field("caused_by_us").labels == ("sì", "no", "non si sa")


def test_translated_is_cached_and_the_own_or_an_unknown_language_is_the_plan_itself(plan):
    es = plan.translated("es")

    assert plan.translated("es") is es and plan.translated("ES") is es and plan.translated("es-ES") is es
    assert plan.translated("en") is plan and plan.translated("de") is plan and plan.translated(None) is plan
    assert es.translated("en") is plan and es.translated("it") is plan.translated("it") and es.translated("es") is es
    assert es.languages == plan.languages and es.language == "en"
    assert es == plan.translated("es") and es != plan


def test_a_language_without_a_translation_lists_every_text(plan):
    missing = plan.untranslated("de")

    assert missing[:3] == ("name", "severities.low.label", "severities.low.description")
    assert "phases.rethink.summary" in missing and "sitrep.caused_by_us.choices" in missing
    assert missing[-2:] == ("dos", "donts")


def test_choices_are_stored_in_the_plans_language_and_shown_in_each(plan):
    es = plan.translated("es")
    field = es.sitrep_field("caused_by_us")

    assert field.choice_label("yes") == "sí" and field.choice_label("unknown") == "no se sabe"
    assert field.choice_value("No se sabe") == "unknown" and field.choice_value("SI") == "yes"
    assert field.choice_value("yes") == "yes" and field.choice_value("maybe") is None
    assert plan.sitrep_field("caused_by_us").choice_label("yes") == "yes"
    assert plan.choice_label("caused_by_us", "unknown", "it") == "non si sa"
    assert plan.choice_label("caused_by_us", "unknown") == "unknown"
    assert plan.choice_value("caused_by_us", "non si sa") == "unknown"
    assert es.choice_value("caused_by_us", "unknown") == "unknown"
    assert plan.choice_value("origin", "yes") is None


def test_a_translated_plan_finds_its_own_names_and_the_plans_but_the_plan_only_its_own(plan):
    es = plan.translated("es")

    assert es.role("responsable de la crisis").key == "lead" and es.role("Crisis lead").name == es.lead.name
    assert es.severity("Alta").key == "high" and es.severity("High").label == "Alta"
    assert es.sitrep_field("Redes donde se propaga").key == "networks"
    assert plan.severity("Alta") is None  # "abrir Alta costura" is a title for the English plan
    assert plan.role("Responsable de la crisis") is None


# ----- a partial translation ---------------------------------------------------------------------------------

def test_a_partial_translation_falls_back_per_text_and_names_each_path():
    plan = a_plan({"es": {
        "name": "Plan de crisis",
        "phases": {"reduction": {"name": "Reducción", "actions": ["Pausar todo.", None, "Escuchar."]},
                   "rethink": {"name": "Replanteamiento"}},
        "sitrep": {"caused_by_us": {"label": "Causada por nosotros", "choices": ["sí", None, "no se sabe"]}},
        "dos": ["Tener un plan.", None, "Responder en la hora dorada.", "Contar la historia."],
    }})
    es = plan.translated("es")

    assert es.name == "Plan de crisis"
    reduction = es.phase("reduction")
    assert reduction.name == "Reducción" and reduction.summary == "Contain it. Stop making it worse."
    assert reduction.actions == ("Pausar todo.", plan.phase("reduction").actions[1], "Escuchar.")
    assert es.phase("rethink").summary == plan.phase("rethink").summary
    assert es.sitrep_field("caused_by_us").labels == ("sí", "no", "no se sabe")
    assert es.dos[1] == plan.dos[1] and es.donts == plan.donts
    missing = plan.untranslated("es")
    assert missing[:2] == ("severities.low.label", "severities.low.description")
    for path in ("phases.reduction.summary", "phases.reduction.actions[1]", "phases.response.name",
                 "phases.response.actions", "phases.rethink.summary", "phases.rethink.actions",
                 "roles.lead.name", "sitrep.origin.label", "sitrep.caused_by_us.choices[1]", "dos[1]", "donts"):
        assert path in missing
    for path in ("name", "phases.reduction.name", "phases.reduction.actions", "phases.rethink.name",
                 "sitrep.caused_by_us.label", "dos", "private_managers_line"):
        assert path not in missing
    assert plan.untranslated("it") == plan.untranslated("de") and plan.languages == ("en", "es")


def test_an_empty_translation_and_a_plan_without_translations():
    assert a_plan({"it": None}).languages == ("en", "it")
    bare = a_plan(None, language=None)
    assert bare.language == "en" and bare.languages == ("en",) and bare.translated("es") is bare


def test_the_private_managers_line_is_translated_when_the_plan_sets_it():
    line = "A private {severity} crisis was {moment}."
    plan = a_plan({"es": {"private_managers_line": "Se ha {moment} una crisis privada de gravedad {severity}."}},
                  private_managers_line=line)

    assert plan.translated("es").private_managers_line.startswith("Se ha {moment}")
    assert "private_managers_line" not in plan.untranslated("es")
    assert "private_managers_line" in a_plan({"es": {}}, private_managers_line=line).untranslated("es")


def test_a_plan_in_another_language_needs_no_translation():
    plan = a_plan({"en": {"name": "Crisis plan"}}, language="es")

    assert plan.language == "es" and plan.languages == ("es", "en")
    assert plan.translated("en").name == "Crisis plan" and plan.translated("es") is plan


# ----- a translation that disagrees with the plan ----------------------------------------------------------------

@pytest.mark.parametrize("translations, changes, problem", [
    ({"es": {"phases": {"rethinking": {"name": "Replanteamiento"}}}}, {},
     'translations.es.phases.rethinking: the plan has no phase "rethinking"; did you mean rethink?'),
    ({"es": {"roles": {"boss": {"name": "Jefe"}}}}, {},
     'translations.es.roles.boss: the plan has no role "boss" (roles: lead, spokesperson, listening, legal, care)'),
    ({"es": {"severities": {"urgent": {"label": "Urgente"}}}}, {},
     'translations.es.severities.urgent: the plan has no severity "urgent" (severities: low, medium, high, '
     "critical)"),
    ({"es": {"sitrep": {"origen": {"label": "Origen"}}}}, {},
     'translations.es.sitrep.origen: the plan has no field "origen"; did you mean origin?'),
    ({"es": {"phases": {"reduction": {"actions": ["Pausar todo.", "Escuchar."]}}}}, {},
     "translations.es.phases.reduction.actions: 2 actions, but the phase has 3 (one for each, in the same order)"),
    ({"es": {"sitrep": {"caused_by_us": {"choices": ["sí", "no"]}}}}, {},
     "translations.es.sitrep.caused_by_us.choices: 2 choices, but the field has 3 (one for each, in the same order)"),
    ({"es": {"sitrep": {"origin": {"choices": ["a", "b"]}}}}, {},
     "translations.es.sitrep.origin.choices: the field has no choices to translate"),
    ({"es": {"dos": ["Tener un plan."]}}, {},
     "translations.es.dos: 1 do, but the plan has 4 (one for each, in the same order)"),
    ({"es": {"name": 42}}, {}, "translations.es.name: must be a text, not 42 (quote it)"),
    ({"es": {"roles": {"lead": {"brief": ["Diriges", "la crisis"]}}}}, {},
     "translations.es.roles.lead.brief: must be a text, not a list (quote it)"),
    ({"es": {"phases": {"reduction": {"actions": ["Pausar.", {"Escuchar": "todo"}, "Ya."]}}}}, {},
     "translations.es.phases.reduction.actions[1]: must be a text, not a mapping (quote it)"),
    ({"es": {"phases": {"reduction": {"actions": "Pausar todo."}}}}, {},
     'translations.es.phases.reduction.actions: must be a list of texts, not "Pausar todo." '
     "(quote any with a colon)"),
    ({"es": {"severities": {"low": {"label": "  "}}}}, {},
     "translations.es.severities.low.label: is empty (leave it out to show the plan's own text)"),
    ({"es": {"phases": {"reduction": {"aliases": ["reducir"]}}}}, {},
     "translations.es.phases.reduction.aliases: not a translatable text (the texts of a phase: name, summary, "
     "actions; keys, aliases and numbers are not translated)"),
    ({"es": {"phases": {"reduction": {"summry": "Contener."}}}}, {},
     "translations.es.phases.reduction.summry: not a translatable text; did you mean summary?"),
    ({"es": {"first_response_minutes": 30}}, {},
     "translations.es.first_response_minutes: not a translatable text (the texts of a translation: name, "
     "severities, phases, roles, sitrep, dos, donts, private_managers_line; keys, aliases and numbers are not "
     "translated)"),
    ({"ES": {"name": "Plan"}}, {},
     'translations.ES: "ES" is not a language code (two lowercase letters, e.g. es, it)'),
    ({"spa": {"name": "Plan"}}, {},
     'translations.spa: "spa" is not a language code (two lowercase letters, e.g. es, it)'),
    ({"es": {"name": "Plan"}}, {"language": "English"},
     'language: "English" is not a language code (two lowercase letters, e.g. en, es, it)'),
    ({"en": {"name": "Plan"}}, {}, "translations.en: en is the plan's own language; its texts are the plan's"),
    (["es", "it"], {}, "translations: must be a mapping of languages (es:, it:…), not a list"),
    ({"es": ["Plan"]}, {}, "translations.es: must be a mapping of texts (name:, phases:, dos:…), not a list"),
    ({"es": {"phases": ["Reducción"]}}, {},
     "translations.es.phases: must be a mapping of phase keys (reduction:, response:…), not a list"),
    ({"es": {"phases": {"reduction": "Reducción"}}}, {},
     'translations.es.phases.reduction: must be a mapping of texts (name, summary, actions), not "Reducción"'),
    ({"es": {"sitrep": {"caused_by_us": {"choices": ["sí", "yes", "no se sabe"]}}}}, {},
     'translations.es.sitrep.caused_by_us.choices[1]: "yes" is the plan\'s choice "yes", not "no" '
     "(one label for each choice, in the same order)"),
    ({"es": {"sitrep": {"caused_by_us": {"choices": ["sí", "no", "Sí"]}}}}, {},
     'translations.es.sitrep.caused_by_us.choices[2]: "Sí" is also the label of choice 0; each choice needs its own'),
    ({"es": {"private_managers_line": "Una crisis privada."}}, {},
     "translations.es.private_managers_line: the plan sets no private_managers_line to translate (the bot's own "
     "line is shown in every language)"),
    ({"es": {"private_managers_line": "Crisis {gravedad} {moment}."}}, {"private_managers_line": "A {severity} one."},
     "translations.es.private_managers_line: {gravedad} is not a placeholder (use {severity} and {moment})"),
])
def test_each_disagreement_is_refused_with_its_path(translations, changes, problem):
    assert problems(translations, **changes) == [problem]


def test_every_problem_in_every_language_is_listed_at_once():
    found = problems({
        "es": {"phases": {"rethinking": {}, "reduction": {"actions": ["uno"]}}, "name": 3},
        "it": {"roles": {"lead": {"nome": "Responsabile"}}},
        "EN": {},
    }, language="en")

    assert found == [
        'translations.es.phases.rethinking: the plan has no phase "rethinking"; did you mean rethink?',
        "translations.es.phases.reduction.actions: 1 action, but the phase has 3 (one for each, in the same order)",
        "translations.es.name: must be a text, not 3 (quote it)",
        "translations.it.roles.lead.nome: not a translatable text; did you mean name?",
        'translations.EN: "EN" is not a language code (two lowercase letters, e.g. es, it)',
    ]


def test_a_section_with_its_own_problems_is_not_compared_with_its_translation():
    phases = [p for p in DEFAULT["phases"] if p["key"] != "rethink"]

    assert problems(DEFAULT["translations"], phases=phases) == [
        "phases: the plan needs a Rethink phase (key: rethink; the lessons of a crisis are recorded at it)"]
    # without a problem of its own, the same translation's extra key is one
    reaction_less = [p for p in DEFAULT["phases"] if p["key"] != "reaction"]
    assert problems(DEFAULT["translations"], phases=reaction_less) == [
        f'translations.{language}.phases.reaction: the plan has no phase "reaction"; did you mean reduction?'
        for language in ("es", "it")]


def test_a_translation_may_not_be_given_as_a_plan_field():
    sitrep = copy.deepcopy(DEFAULT["sitrep"])
    sitrep[4]["choice_labels"] = ["sí", "no", "no se sabe"]

    with pytest.raises(PlanError) as raised:
        Plan.from_dict({**DEFAULT, "sitrep": sitrep})
    assert raised.value.problems == ["sitrep[4].choice_labels: unknown field; did you mean choices?"]
