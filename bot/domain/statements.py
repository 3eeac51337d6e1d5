"""Official statements (issue 13): drafted, reviewed, approved and published, on time, in the right voice.

Pure domain: a `Statement` keeps every `Version` (who, when, the text) and every `Review` (who, when, which
roles it answered for, a comment), and moves draft -> changes_requested -> approved -> published. Who may
review is the plan's (`plan.statements`): the holders of a kind's approver roles, or of a role's backup once
`approval_wait` has passed since the review was asked (at once when nobody holds the role). An edit returns an
approved statement to review; only an approved version is published (network and link recorded).

The clocks: `due_escalations` (the golden hour: no draft at 1/2, no approval at 3/4, nothing published at 1/1
of `first_response_minutes`) and `next_update_due` (the plan's cadence by severity). SCCT guidance:
`crisis_type_from` pre-fills the crisis type, `flags` names the strategies that contradict it.
"""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Iterable, Mapping

from bot.domain.errors import CrisisError
from bot.domain.plan import CadenceRule, Escalations, Plan, Scct, Statements


class NotAnApprover(CrisisError):
    """Approve / Request changes by someone who holds none of the kind's approver roles (nor a due backup)."""

    key = "error.statement_not_approver"


class NotApproved(CrisisError):
    """Publish of a statement whose current version is not approved."""

    key = "error.statement_not_approved"


class AlreadyPublished(CrisisError):
    """An edit or a review of a statement that is out: draft an update or a correction instead."""

    key = "error.statement_published"


class CommentRequired(CrisisError):
    """Request changes without saying which."""

    key = "error.statement_comment_required"


class StatementUnchanged(CrisisError):
    """An edit with the same text as the current version."""

    key = "error.statement_unchanged"


class UnknownStatementKind(CrisisError):
    key = "error.statement_unknown_kind"


class State(StrEnum):
    DRAFT = "draft"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"


class Verdict(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


@dataclass(frozen=True)
class Version:
    number: int  # 1, 2, …
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class Review:
    version: int  # the version it was given on
    verdict: Verdict
    by: str
    at: datetime
    roles: tuple[str, ...]  # the approver roles it answered for (as holder or as backup)
    comment: str = ""
    as_backup: tuple[str, ...] = ()  # of `roles`, those answered for as a backup


@dataclass(frozen=True)
class Publication:
    version: int
    network: str
    link: str
    by: str
    at: datetime


# ----- who may review ----------------------------------------------------------------------------------------

def _holds(holders: Mapping[str, str | Iterable[str]], role: str, user: str) -> bool:
    held = holders.get(role)
    if held is None:
        return False
    return user == held if isinstance(held, str) else user in held


def answerable_roles(statements: Statements, approvers: Iterable[str], user: str,
                     holders: Mapping[str, str | Iterable[str]], asked_at: datetime,
                     now: datetime) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The approver roles `user` may answer for now, and which of them only as a backup.

    `holders`: role -> its holder (or holders), as `bot.domain.roles.holders` gives them. A backup answers for
    a role once `approval_wait` has passed since `asked_at`, or at once when nobody holds the role."""
    roles: list[str] = []
    backup: list[str] = []
    waited = now - asked_at >= statements.approval_wait
    for role in approvers:
        if _holds(holders, role, user):
            roles.append(role)
            continue
        other = statements.backups.get(role)
        if other and _holds(holders, other, user) and (waited or not holders.get(role)):
            roles.append(role)
            backup.append(role)
    return tuple(roles), tuple(backup)


# ----- the statement ----------------------------------------------------------------------------------------

@dataclass
class Statement:
    kind: str  # a key of plan.statements.kinds
    networks: tuple[str, ...]
    language: str
    versions: list[Version] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    publications: list[Publication] = field(default_factory=list)
    state: State = State.DRAFT
    review_asked_at: datetime | None = None  # when the current version was put up for review
    strategies: tuple[str, ...] = ()  # the SCCT strategies it uses (for `flags`)
    id: int | None = None

    @classmethod
    def draft(cls, plan: Plan, kind: str, networks: Iterable[str], language: str, text: str, author: str,
              at: datetime, strategies: Iterable[str] = ()) -> Statement:
        found = plan.statements.kind(kind)
        if found is None:
            raise UnknownStatementKind(kind=kind, kinds=", ".join(k.key for k in plan.statements.kinds))
        return cls(kind=found.key, networks=tuple(networks), language=language,
                   versions=[Version(1, text, author, at)], review_asked_at=at, strategies=tuple(strategies))

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def is_published(self) -> bool:
        return self.state is State.PUBLISHED

    @property
    def first_published_at(self) -> datetime | None:
        return min((p.at for p in self.publications), default=None)

    def approvers(self, plan: Plan) -> tuple[str, ...]:
        found = plan.statements.kind(self.kind)
        return found.approvers if found else ()

    def _latest_by_role(self) -> dict[str, Review]:
        latest: dict[str, Review] = {}
        for review in self.reviews:
            if review.version == self.current.number:
                for role in review.roles:
                    latest[role] = review
        return latest

    def pending(self, plan: Plan) -> tuple[str, ...]:
        """The approver roles whose approval of the current version is still missing."""
        latest = self._latest_by_role()
        return tuple(r for r in self.approvers(plan)
                     if r not in latest or latest[r].verdict is not Verdict.APPROVED)

    # ----- changes ------------------------------------------------------------------------------------------

    def edit(self, text: str, author: str, at: datetime) -> Version:
        """A new version; an approved (or changes-requested) statement goes back to review."""
        if self.is_published:
            raise AlreadyPublished(kind=self.kind)
        if text == self.current.text:
            raise StatementUnchanged()
        version = Version(self.current.number + 1, text, author, at)
        self.versions.append(version)
        self.state = State.DRAFT
        self.review_asked_at = at
        return version

    def approve(self, plan: Plan, by: str, holders: Mapping[str, str | Iterable[str]], at: datetime,
                comment: str = "") -> Review:
        review = self._review(plan, Verdict.APPROVED, by, holders, at, comment)
        self._settle(plan)
        return review

    def request_changes(self, plan: Plan, by: str, holders: Mapping[str, str | Iterable[str]], at: datetime,
                        comment: str) -> Review:
        if not comment or not comment.strip():
            raise CommentRequired()
        review = self._review(plan, Verdict.CHANGES_REQUESTED, by, holders, at, comment.strip())
        self._settle(plan)
        return review

    def _review(self, plan, verdict, by, holders, at, comment) -> Review:
        if self.is_published:
            raise AlreadyPublished(kind=self.kind)
        roles, backup = answerable_roles(plan.statements, self.approvers(plan), by, holders,
                                         self.review_asked_at or self.current.at, at)
        if not roles:
            raise NotAnApprover(user=by, roles=", ".join(self.approvers(plan)))
        review = Review(self.current.number, verdict, by, at, roles, comment, backup)
        self.reviews.append(review)
        return review

    def _settle(self, plan: Plan) -> None:
        latest = self._latest_by_role()
        if any(r.verdict is Verdict.CHANGES_REQUESTED for r in latest.values()):
            self.state = State.CHANGES_REQUESTED
        elif not self.pending(plan):
            self.state = State.APPROVED
        else:
            self.state = State.DRAFT

    def publish(self, network: str, link: str, by: str, at: datetime) -> Publication:
        """Records where the approved version went; a published statement may be recorded on more networks."""
        if self.state not in (State.APPROVED, State.PUBLISHED):
            raise NotApproved(kind=self.kind, state=str(self.state))
        publication = Publication(self.current.number, network, link, by, at)
        self.publications.append(publication)
        self.state = State.PUBLISHED
        return publication

    def diff(self, old: int | None = None, new: int | None = None) -> str:
        """The readable diff from version `old` (default: the one before `new`) to `new` (default: current)."""
        new = new or self.current.number
        old = old or max(1, new - 1)
        return readable_diff(self.versions[old - 1].text, self.versions[new - 1].text)


# ----- diffs -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    op: str  # "equal" | "insert" | "delete" | "replace"
    old: str
    new: str


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> tuple[Change, ...]:
    """The changes from `old` to `new`, word by word (whitespace kept, so the pieces join back to the texts)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return tuple(Change(op, "".join(a[i1:i2]), "".join(b[j1:j2])) for op, i1, i2, j1, j2 in matcher.get_opcodes())


def readable_diff(old: str, new: str) -> str:
    """`new` with what it removed in [-…-] and what it added in {+…+} (wdiff's marks); "" when equal."""
    changes = list(word_diff(old, new))
    if all(c.op == "equal" for c in changes):
        return ""
    # a change, a space, a change: one change ("[-More soon.-]{+Next update.+}", not word by word)
    merged: list[Change] = []
    for i, change in enumerate(changes):
        glue = (change.op == "equal" and not change.new.strip() and "\n" not in change.new
                and merged and merged[-1].op != "equal" and i + 1 < len(changes) and changes[i + 1].op != "equal")
        if merged and merged[-1].op != "equal" and (glue or change.op != "equal"):
            last = merged.pop()
            change = Change("replace", last.old + change.old, last.new + change.new)
        merged.append(change)
    changes = merged
    parts = []
    for change in changes:
        if change.op == "equal":
            parts.append(change.new)
            continue
        if change.old.strip():
            parts.append(f"[-{change.old.strip()}-]")
        if change.new.strip():
            parts.append(f"{{+{change.new.strip()}+}}")
        trailing = change.new[len(change.new.rstrip()):] or change.old[len(change.old.rstrip()):]
        parts.append(trailing)
    return "".join(parts)


# ----- templates ---------------------------------------------------------------------------------------------

def fill(template: str | Iterable[str], sitrep: Mapping[str, str], missing: str = "[{key}]") -> str:
    """A template's text (its parts as paragraphs) with its {placeholders} from `sitrep` (report field key ->
    value, plus title, severity, next_update); an empty or absent one is shown as `missing` (`[origin]`)."""
    parts = [template] if isinstance(template, str) else list(template)
    out = []
    for part in parts:
        pieces = []
        for literal, name, _spec, _conversion in string.Formatter().parse(part):
            pieces.append(literal)
            if name is not None:
                value = sitrep.get(name)
                pieces.append(str(value) if value not in (None, "") else missing.format(key=name))
        out.append("".join(pieces))
    return "\n\n".join(out)


# ----- SCCT --------------------------------------------------------------------------------------------------

def crisis_type_from(caused_by_us: str | None) -> str:
    """The pre-filled crisis type: yes -> preventable, no -> victim, anything else (unknown) -> accidental."""
    value = (caused_by_us or "").strip().lower()
    return {"yes": "preventable", "no": "victim"}.get(value, "accidental")


@dataclass(frozen=True)
class Contradiction:
    strategy: str
    crisis_type: str  # "denial in a preventable crisis"


def flags(statement_strategy: str | Iterable[str], crisis_type: str, scct: Scct | None = None) -> tuple[
        Contradiction, ...]:
    """The strategies of a statement that contradict the crisis type (the approver decides)."""
    scct = scct or Statements().scct
    found = scct.type(crisis_type)
    if found is None:
        return ()
    used = [statement_strategy] if isinstance(statement_strategy, str) else list(statement_strategy)
    return tuple(Contradiction(s, found.key) for s in dict.fromkeys(used) if s in found.contradicts)


# ----- the clocks --------------------------------------------------------------------------------------------

class Escalation(StrEnum):
    NO_DRAFT = "no_draft"  # half the golden hour and no draft
    NO_APPROVAL = "no_approval"  # three quarters and nothing approved
    NOT_PUBLISHED = "not_published"  # the golden hour is over and nothing is published: the lead and managers


def _minutes(first_response: timedelta | int) -> timedelta:
    return first_response if isinstance(first_response, timedelta) else timedelta(minutes=first_response)


def escalation_times(opened_at: datetime, first_response: timedelta | int,
                     escalations: Escalations | None = None) -> dict[Escalation, datetime]:
    """When each golden-hour escalation is due (to schedule them at the opening)."""
    escalations = escalations or Escalations()
    golden = _minutes(first_response)
    return {e: opened_at + golden * getattr(escalations, e.value) for e in Escalation}


def due_escalations(opened_at: datetime, first_response: timedelta | int, statements: Iterable[Statement],
                    now: datetime, escalations: Escalations | None = None) -> tuple[Escalation, ...]:
    """The escalations due at `now`: each whose time has come and whose condition still holds."""
    statements = list(statements)
    published = any(s.is_published for s in statements)
    approved = published or any(s.state is State.APPROVED for s in statements)
    holds = {Escalation.NO_DRAFT: not statements, Escalation.NO_APPROVAL: not approved,
             Escalation.NOT_PUBLISHED: not published}
    return tuple(e for e, at in escalation_times(opened_at, first_response, escalations).items()
                 if now >= at and holds[e])


def first_published_at(statements: Iterable[Statement]) -> datetime | None:
    """The golden hour is measured on this: the first publication of any statement."""
    return min((at for s in statements if (at := s.first_published_at) is not None), default=None)


@dataclass(frozen=True)
class NextUpdate:
    at: datetime
    due: bool  # `now` is at or past it: nudge the lead


def next_update_due(severity: str, opened_at: datetime, last_published_at: datetime | None, now: datetime,
                    cadence: Mapping[str, CadenceRule | None] | None = None) -> NextUpdate | None:
    """When the next update is due by the cadence for `severity`; None before the first statement (the golden
    hour's escalations apply) and for a severity with no cadence."""
    rule = (cadence if cadence is not None else Statements().cadence).get(severity)
    if rule is None or last_published_at is None:
        return None
    at = last_published_at + rule.interval(opened_at, last_published_at)
    return NextUpdate(at, now >= at)
