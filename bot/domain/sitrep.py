"""The situation report: the plan's fields, kept as versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.errors import CrisisError, TooLong
from bot.domain.plan import Plan, SitrepField
from bot.domain.words import clean, fold


class UnknownField(CrisisError):
    key = "error.unknown_field"


class BadChoice(CrisisError):
    key = "error.bad_choice"


class NothingChanged(CrisisError):
    key = "error.sitrep_unchanged"


@dataclass(frozen=True)
class SitrepVersion:
    version: int
    fields: dict[str, str]  # the whole report after this change
    changed: tuple[str, ...]
    author: str
    at: datetime


@dataclass
class Sitrep:
    """The versions of one crisis's report, oldest first."""

    versions: list[SitrepVersion] = field(default_factory=list)

    @property
    def current(self) -> dict[str, str]:
        return dict(self.versions[-1].fields) if self.versions else {}

    def missing(self, plan: Plan) -> list[SitrepField]:
        current = self.current
        return [f for f in plan.required_fields if not current.get(f.key)]

    def change(self, plan: Plan, changes: dict[str, str], author: str, at: datetime) -> SitrepVersion:
        """A new version with `changes` applied; values checked against the plan."""
        fields = self.current
        changed = []
        for key, raw in changes.items():
            spec = plan.sitrep_field(key)
            if spec is None:
                raise UnknownField(field=key, fields=", ".join(f.key for f in plan.sitrep))
            value = normalise(spec, raw, plan)
            if fields.get(spec.key, "") != value:
                changed.append(spec.key)
                if value:
                    fields[spec.key] = value
                else:
                    fields.pop(spec.key, None)
        if not changed:
            raise NothingChanged()
        version = SitrepVersion(len(self.versions) + 1, fields, tuple(changed), author, at)
        self.versions.append(version)
        return version


# Other ways of saying yes / no / unknown, for a plan whose choices are those (its labels, in each of the plan's
# languages, come first: `Plan.choice_value`).
_CHOICE_WORDS = {
    "yes": {"yes", "y", "si", "sí", "true", "ours"},
    "no": {"no", "n", "false"},
    "unknown": {"unknown", "?", "desconocido", "sconosciuto", "non so", "no se", "no sé", "not sure"},
}


def normalise(spec: SitrepField, raw: str, plan: Plan) -> str:
    """`raw` as stored for the field `spec` of `plan`. A choice is stored as the plan's own value whichever
    language it is typed in ("sí", "no se sabe", "non si sa" -> "yes", "unknown"); a word that names no choice
    raises BadChoice listing the choices as `plan` shows them (a translated plan: its translated labels)."""
    value = " ".join(clean(str(raw)).split()) if spec.choices else clean(str(raw)).strip()
    if len(value) > plan.limits.field:
        raise TooLong(what=spec.label, limit=plan.limits.field, length=len(value))
    if spec.choices and value:
        chosen = spec.choice_value(value)
        if chosen is None:
            chosen = plan.choice_value(spec.key, value)
        if chosen is not None:
            return chosen
        folded = fold(value)
        for choice in spec.choices:
            if folded in {fold(w) for w in _CHOICE_WORDS.get(choice, ())}:
                return choice
        shown = plan.sitrep_field(spec.key) or spec
        raise BadChoice(field=shown.label, choices=" / ".join(shown.labels), value=value)
    return value


def parse_assignment(text: str, plan: Plan) -> tuple[str, str]:
    """`origin: a TikTok video` -> ("origin", "a TikTok video")."""
    name, sep, value = text.partition(":")
    if not sep:
        raise UnknownField(field=text.strip()[:40], fields=", ".join(f.key for f in plan.sitrep))
    spec = plan.sitrep_field(name)
    if spec is None:
        raise UnknownField(field=name.strip()[:40], fields=", ".join(f.key for f in plan.sitrep))
    return spec.key, value.strip()
