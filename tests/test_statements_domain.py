"""Official statements (issue 13), the pure domain: versions and diffs, review and approval by the plan's
roles (and their backups after the wait), publishing, the golden-hour escalations, the cadence, SCCT flags,
templates; and the plan's `statements:` section as read, refused and translated."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from importlib import resources

import pytest
import yaml

from bot.domain.errors import CrisisError
from bot.domain.plan import Plan, PlanError
from bot.domain.statements import (
    AlreadyPublished, CommentRequired, Escalation, NotAnApprover, NotApproved, State, Statement,
    crisis_type_from, due_escalations, fill, first_published_at, flags, next_update_due, readable_diff,
)
from bot.plan_loader import load_plan

DEFAULT = yaml.safe_load(resources.files("bot.plans").joinpath("default.yaml").read_text(encoding="utf-8"))
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
HOLDERS = {"lead": "ULEAD", "legal": "ULAW", "spokesperson": "USPOKE"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def apology(plan, at=T0) -> Statement:
    return Statement.draft(plan, "apology", ["x", "instagram"], "en", "We are sorry.", "USPOKE", at)


# ----- review and approval ---------------------------------------------------------------------------------------

def test_an_apology_needs_legal_and_the_lead_and_goes_draft_changes_edit_approve_publish(plan):
    s = apology(plan)
    assert s.state is State.DRAFT and s.pending(plan) == ("legal", "lead")

    s.request_changes(plan, "ULAW", HOLDERS, minutes(5), "Say what we are doing.")
    assert s.state is State.CHANGES_REQUESTED and s.reviews[-1].comment == "Say what we are doing."
    s.edit("We are sorry. We are refunding every order.", "USPOKE", minutes(8))
    assert s.state is State.DRAFT and s.current.number == 2 and s.pending(plan) == ("legal", "lead")
    s.approve(plan, "ULAW", HOLDERS, minutes(9))
    assert s.state is State.DRAFT and s.pending(plan) == ("lead",)
    s.approve(plan, "ULEAD", HOLDERS, minutes(10))
    assert s.state is State.APPROVED
    review = s.reviews[-1]
    assert (review.by, review.at, review.roles, review.version) == ("ULEAD", minutes(10), ("lead",), 2)

    pub = s.publish("x", "https://x.com/acme/status/1", "USPOKE", minutes(12))
    assert s.state is State.PUBLISHED and (pub.network, pub.link, pub.version) == ("x", "https://x.com/acme/status/1", 2)
    s.publish("instagram", "https://instagram.com/p/1", "USPOKE", minutes(13))
    assert s.first_published_at == minutes(12) and first_published_at([s]) == minutes(12)
    with pytest.raises(AlreadyPublished):
        s.edit("Other.", "USPOKE", minutes(14))


def test_a_holding_statement_needs_the_lead_alone(plan):
    s = Statement.draft(plan, "holding", ["x"], "es", "Sabemos…", "USPOKE", T0)
    assert s.approvers(plan) == ("lead",)
    s.approve(plan, "ULEAD", HOLDERS, minutes(1))
    assert s.state is State.APPROVED


def test_a_non_approver_is_refused_with_a_catalog_key(plan):
    s = apology(plan)
    for act in (lambda: s.approve(plan, "UCARE", HOLDERS, minutes(1)),
                lambda: s.request_changes(plan, "UCARE", HOLDERS, minutes(1), "No.")):
        with pytest.raises(NotAnApprover) as refused:
            act()
        assert isinstance(refused.value, CrisisError) and refused.value.key == "error.statement_not_approver"
    assert s.reviews == [] and s.state is State.DRAFT


def test_the_backup_may_approve_only_after_the_wait(plan):
    s = Statement.draft(plan, "holding", ["x"], "en", "Text", "UAUTHOR", T0)
    with pytest.raises(NotAnApprover):  # the spokesperson backs up the lead, after 15 minutes
        s.approve(plan, "USPOKE", HOLDERS, minutes(14))
    s.approve(plan, "USPOKE", HOLDERS, minutes(15))
    assert s.state is State.APPROVED and s.reviews[-1].as_backup == ("lead",)


def test_the_wait_restarts_with_an_edit_and_a_vacant_role_has_its_backup_at_once(plan):
    s = apology(plan)
    s.edit("We are sorry, truly.", "USPOKE", minutes(20))
    # legal's backup is the lead: 15 min after the edit (not the draft), so at 30 the lead answers for itself only
    review = s.approve(plan, "ULEAD", HOLDERS, minutes(30))
    assert review.roles == ("lead",) and s.pending(plan) == ("legal",)
    review = s.approve(plan, "ULEAD", HOLDERS, minutes(35))
    assert review.roles == ("legal", "lead") and review.as_backup == ("legal",) and s.state is State.APPROVED

    vacant = apology(plan)
    review = vacant.approve(plan, "ULEAD", {"lead": "ULEAD"}, minutes(1))  # nobody holds legal
    assert review.as_backup == ("legal",) and vacant.state is State.APPROVED


def test_an_edit_after_approval_returns_it_to_review_and_only_approved_is_published(plan):
    s = Statement.draft(plan, "update", ["x"], "en", "Update one.", "USPOKE", T0)
    with pytest.raises(NotApproved):
        s.publish("x", "https://x.com/1", "USPOKE", minutes(1))
    s.approve(plan, "ULEAD", HOLDERS, minutes(2))
    s.edit("Update one, corrected.", "USPOKE", minutes(3))
    assert s.state is State.DRAFT and s.pending(plan) == ("lead",)
    with pytest.raises(NotApproved):
        s.publish("x", "https://x.com/1", "USPOKE", minutes(4))


def test_a_change_request_needs_a_comment_and_the_requester_may_then_approve(plan):
    s = Statement.draft(plan, "holding", ["x"], "en", "Text", "USPOKE", T0)
    with pytest.raises(CommentRequired):
        s.request_changes(plan, "ULEAD", HOLDERS, minutes(1), "  ")
    s.request_changes(plan, "ULEAD", HOLDERS, minutes(1), "Shorter.")
    s.approve(plan, "ULEAD", HOLDERS, minutes(2))
    assert s.state is State.APPROVED


def test_the_diff_between_versions_is_readable(plan):
    s = Statement.draft(plan, "holding", ["x"], "en", "We know the app is down.\n\nMore soon.", "USPOKE", T0)
    s.edit("We know the app is slow.\n\nNext update at 10:00.", "ULEAD", minutes(3))
    assert s.diff() == "We know the app is [-down.-]{+slow.+}\n\n[-More soon.-]{+Next update at 10:00.+}"
    assert readable_diff("same", "same") == ""
    assert s.versions[0].author == "USPOKE" and s.versions[1].at == minutes(3)


# ----- the golden hour and the cadence ---------------------------------------------------------------------------

def test_the_three_escalations_on_a_moving_clock(plan):
    due = lambda statements, at: due_escalations(T0, 60, statements, at)  # noqa: E731
    assert due([], minutes(29)) == ()
    assert due([], minutes(30)) == (Escalation.NO_DRAFT,)
    s = Statement.draft(plan, "holding", ["x"], "en", "Text", "USPOKE", minutes(31))
    assert due([s], minutes(44)) == ()
    assert due([s], minutes(45)) == (Escalation.NO_APPROVAL,)
    s.approve(plan, "ULEAD", HOLDERS, minutes(50))
    assert due([s], minutes(59)) == ()
    assert due([s], minutes(60)) == (Escalation.NOT_PUBLISHED,)
    assert due([], minutes(60)) == tuple(Escalation)
    s.publish("x", "https://x.com/1", "USPOKE", minutes(61))
    assert due([s], minutes(90)) == ()
    assert due_escalations(T0, timedelta(minutes=20), [], minutes(10)) == (Escalation.NO_DRAFT,)


@pytest.mark.parametrize("severity, last, expected", [
    ("critical", 10, 25), ("critical", 59, 74), ("critical", 60, 90), ("critical", 100, 130),
    ("high", 10, 40), ("high", 100, 130), ("medium", 10, 70), ("low", 10, None), ("info", 10, None),
])
def test_the_cadence_per_severity(plan, severity, last, expected):
    found = next_update_due(severity, T0, minutes(last), minutes(last + 1), plan.statements.cadence)
    assert (found.at if found else None) == (minutes(expected) if expected is not None else None)
    if found:
        assert not found.due and next_update_due(severity, T0, minutes(last), found.at).due


def test_no_cadence_before_the_first_statement():
    assert next_update_due("critical", T0, None, minutes(200)) is None


# ----- SCCT and templates ----------------------------------------------------------------------------------------

def test_the_crisis_type_is_prefilled_from_caused_by_us():
    assert [crisis_type_from(v) for v in ("yes", "no", "unknown", None)] == [
        "preventable", "victim", "accidental", "accidental"]


def test_contradicting_strategies_are_flagged(plan):
    scct = plan.statements.scct
    [flag] = flags(["denial", "apology"], "preventable", scct)
    assert (flag.strategy, flag.crisis_type) == ("denial", "preventable")
    assert flags("denial", "victim", scct) == () and flags("attack", "victim", scct)
    assert [s.key for s in scct.fitting("accidental")] == ["explain", "concern", "corrective_action"]
    assert [s.key for s in scct.fitting("victim")] == ["instructing_information", "correct_rumour", "denial"]
    assert [s.key for s in scct.fitting("preventable")] == ["apology", "compensation", "corrective_action"]
    assert len(scct.donts) == 3


def test_fill_takes_the_situation_report_and_marks_what_is_missing(plan):
    holding = plan.statements.kind("holding")
    assert len(holding.template) == 5
    text = fill(holding.template, {"title": "the checkout outage", "origin": "X", "criticism": "Complaints",
                                   "networks": "X, TikTok", "next_update": "10:00"})
    assert text.startswith("What we know: Complaints about the checkout outage, which started on X")
    assert "10:00" in text and text.count("\n\n") == 4
    assert fill("On {origin}.", {}) == "On [origin]."


# ----- the plan --------------------------------------------------------------------------------------------------

def test_the_default_plan_statements(plan):
    st = plan.statements
    assert [k.key for k in st.kinds] == ["holding", "update", "apology", "correction", "closing"]
    assert {k.key: k.approvers for k in st.kinds} == {"holding": ("lead",), "update": ("lead",),
                                                     "apology": ("legal", "lead"), "correction": ("legal", "lead"),
                                                     "closing": ("lead",)}
    assert dict(st.backups) == {"lead": "spokesperson", "legal": "lead"}
    assert st.approval_wait == timedelta(minutes=15)
    assert (st.escalations.no_draft, st.escalations.no_approval, st.escalations.not_published) == (0.5, 0.75, 1.0)
    assert st.cadence["low"] is None and st.cadence["medium"].every == timedelta(hours=1)


def test_the_shipped_section_is_the_built_in_default(plan):
    bare = Plan.from_dict({k: v for k, v in DEFAULT.items() if k != "statements"} | {"translations": None})
    assert bare.statements.kinds == plan.statements.kinds and bare.statements.scct == plan.statements.scct
    assert not bare.statements.given and bare.untranslated("es")[:1] == ("name",)
    assert not any(p.startswith("statements") for p in bare.untranslated("es"))


def test_the_default_plan_is_complete_in_spanish_and_italian(plan):
    assert plan.untranslated("es") == () and plan.untranslated("it") == ()
    es, it = plan.translated("es").statements, plan.translated("it").statements
    assert es.kind("holding").name == "Declaración de espera" and it.kind("apology").name == "Scuse"
    assert es.scct.strategy("denial").name == "Negación" and it.scct.donts[1] == "Mai attaccare chi ci critica."
    assert es.kind("holding").approvers == ("lead",)
    assert "statements.kinds.holding.template" in plan.untranslated("de")


def statements_problems(section=None, translations=None) -> list[str]:
    data = copy.deepcopy(DEFAULT)
    if section is not None:
        data["statements"] = section
    if translations is not None:
        data["translations"] = translations
    with pytest.raises(PlanError) as raised:
        Plan.from_dict(data)
    return raised.value.problems


@pytest.mark.parametrize("section, problem", [
    ({"kinds": {"holding": {"template": ["On {platform}."]}}},
     "statements.kinds.holding.template[0]: {platform} is not a placeholder (use {title}, {severity}, "
     "{next_update}, {audience}, {origin}, {criticism}, {networks}, {caused_by_us}, {response}, {instigator}, "
     "{advocates}, {reach})"),
    ({"kinds": {"holding": {"template": ["{origin.__class__}"]}}},
     "statements.kinds.holding.template[0]: {origin.__class__} is not a placeholder (use {title}, {severity}, "
     "{next_update}, {audience}, {origin}, {criticism}, {networks}, {caused_by_us}, {response}, {instigator}, "
     "{advocates}, {reach})"),
    ({"kinds": {"holding": {"template": ["a { brace"]}}},
     "statements.kinds.holding.template[0]: a lone { or } (write {{ or }} for a brace)"),
    ({"kinds": {"apology": {"approvers": ["legal", "boss"]}}},
     'statements.kinds.apology.approvers[1]: "boss" is not one of the roles (lead, spokesperson, listening, legal, '
     "care)"),
    ({"kinds": {"holdin": {"approvers": ["lead"]}}}, "statements.kinds.holdin: not a kind of statement; did you "
                                                      "mean holding?"),
    ({"kinds": {"holding": {"aprovers": ["lead"]}}},
     "statements.kinds.holding.aprovers: unknown field; did you mean approvers?"),
    ({"backups": {"lead": "boss"}}, 'statements.backups.lead: "boss" is not one of the roles (lead, spokesperson, '
                                    "listening, legal, care)"),
    ({"backups": {"lead": "lead"}}, "statements.backups.lead: a role cannot be its own backup"),
    ({"approval_wait": "soon"}, 'statements.approval_wait: "soon" is not a duration (write e.g. 7d, 12h or 30m)'),
    ({"escalations": {"no_draft": 1.5}}, "statements.escalations.no_draft: 1.5 is not a fraction of the golden "
                                         "hour above 0 and at most 1 (write e.g. 1/2 or 0.75)"),
    ({"escalations": {"no_draft": "3/4", "no_approval": "1/2"}},
     "statements.escalations: no_draft, no_approval and not_published must come in that order (got 0.75, 0.5, 1)"),
    ({"cadence": {"urgent": "15m"}}, "statements.cadence.urgent: not one of the severities (critical, high, low, "
                                     "medium)"),
    ({"cadence": {"critical": {"every": "15m", "first": "1h"}}},
     "statements.cadence.critical: first and then go together (e.g. every: 15m, first: 1h, then: 30m)"),
    ({"cadence": {"high": "often"}}, 'statements.cadence.high: "often" is not a duration (write e.g. 7d, 12h or 30m)'),
    ({"scct": {"types": {"preventable": {"contradicts": ["lying"]}}}},
     "statements.scct.types.preventable.contradicts: lying: not among the strategies (instructing_information, "
     "correct_rumour, denial, explain, concern, corrective_action, apology, compensation, attack, scapegoat)"),
    ({"scct": {"types": {"preventable": {"contradicts": ["apology"]}}}},
     "statements.scct.types.preventable: apology both fits and contradicts it"),
    ({"scct": {"types": {"negligent": {"name": "N"}}}},
     "statements.scct.types.negligent: not a crisis type (victim, accidental, preventable)"),
    ({"templates": {}}, "statements.templates: unknown setting (known: kinds, backups, approval_wait, escalations, "
                        "cadence, scct)"),
    (["holding"], "statements: must be a mapping of settings (kinds, backups, approval_wait, escalations, cadence, "
                  "scct), not a list"),
])
def test_the_reader_refuses_a_bad_section_with_its_path(section, problem):
    assert statements_problems(section, translations={}) == [problem]


def test_the_reader_refuses_a_bad_translation_with_its_path():
    es = copy.deepcopy(DEFAULT["translations"]["es"])
    es["statements"]["kinds"]["holding"]["template"] = ["Sabemos {plataforma}.", "b", "c", "d", "e"]
    es["statements"]["kinds"]["update"]["template"] = ["uno"]
    es["statements"]["scct"]["strategies"]["lying"] = {"name": "Mentir"}
    es["statements"]["kinds"]["apology"]["nombre"] = "Disculpa"
    found = statements_problems(translations={"es": es})
    assert found[0].startswith("translations.es.statements.kinds.update.template: 1 part, but the statement kind "
                               "has 4")
    assert "translations.es.statements.kinds.apology.nombre: not a translatable text; did you mean name?" in found
    assert any(p.startswith('translations.es.statements.scct.strategies.lying: the plan has no strategy "lying"')
               for p in found)
    assert any(p.startswith("translations.es.statements.kinds.holding.template[0]: {plataforma} is not a "
                            "placeholder") for p in found)


def test_a_partial_section_keeps_the_defaults_and_a_plan_without_legal_still_reads():
    data = copy.deepcopy(DEFAULT)
    data["statements"] = {"kinds": {"apology": {"approvers": ["Legal"]}}, "approval_wait": "30m"}
    data["translations"] = None
    st = Plan.from_dict(data).statements
    assert st.kind("apology").approvers == ("legal",) and st.kind("apology").template[0].startswith("We got")
    assert st.approval_wait == timedelta(minutes=30) and st.kind("holding").approvers == ("lead",)

    small = {"name": "Small", "phases": DEFAULT["phases"], "severities": [{"key": "sev1", "label": "SEV1"}],
             "roles": [{"key": "boss", "name": "Boss"}], "sitrep": [{"key": "origin", "label": "Origin"}]}
    st = Plan.from_dict(small).statements
    assert st.kind("apology").approvers == ("boss",) and dict(st.backups) == {} and dict(st.cadence) == {}
