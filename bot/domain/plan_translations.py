"""Reads a plan's `translations:` (language -> texts by key) against the plan's own sections; see
bot/domain/plan_reader.py, which calls it last, once the plan's own sections are read."""

from __future__ import annotations

import difflib
import re
import string
from typing import Any, Mapping

from bot.domain.plan_values import LANGUAGE_CODE, choice_text, counted, placeholder_problem, shown
from bot.domain.words import fold

# What a translation may give, per section: the kind of entry (for messages) and its texts; lists marked [].
TRANSLATABLE = {
    "severities": ("severity", ("label", "description")),
    "phases": ("phase", ("name", "summary", "actions[]")),
    "roles": ("role", ("name", "brief")),
    "sitrep": ("field", ("label", "choices[]")),
}
TRANSLATABLE_TEXTS = ("name", *TRANSLATABLE, "dos", "donts", "private_managers_line")
_PLACEHOLDERS = ("severity", "moment")  # of private_managers_line


class TranslationReader:
    """Reads `translations:` against the plan's own texts, adding each problem (with its path) to `problems`.

    `own` holds the plan's sections as read (severities, phases, roles, sitrep, dos, donts,
    private_managers_line); a section already named in `problems` is not compared with its translation."""

    def __init__(self, problems: list[str], language: str, own: Mapping[str, Any]):
        self.problems = problems
        self.language = language
        self.own = own
        self.unchecked = {re.split(r"[.\[:]", p, maxsplit=1)[0] for p in problems}

    def read(self, raw: Any) -> dict[str, dict[str, Any]]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problems.append(f"translations: must be a mapping of languages (es:, it:…), not {shown(raw)}")
            return {}
        languages: dict[str, dict[str, Any]] = {}
        for code, texts in raw.items():
            path = f"translations.{code}"
            if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
                self.problems.append(f"{path}: {shown(code)} is not a language code (two lowercase letters, "
                                     "e.g. es, it)")
                continue
            if code == self.language:
                self.problems.append(f"{path}: {code} is the plan's own language; its texts are the plan's")
                continue
            if texts is None:
                languages[code] = {}
                continue
            if not isinstance(texts, Mapping):
                self.problems.append(f"{path}: must be a mapping of texts (name:, phases:, dos:…), not {shown(texts)}")
                continue
            languages[code] = self._language(path, texts)
        return languages

    def _language(self, path: str, raw: Mapping) -> dict[str, Any]:
        texts: dict[str, Any] = {}
        for name, value in raw.items():
            where = f"{path}.{name}"
            if value is None:
                continue  # not translated yet: the plan's own text is shown
            if name == "statements":  # issue 13's section: its own shape (kinds, scct)
                read = self._statements(where, value)
                if read is not None:
                    texts[name] = read
            elif name not in TRANSLATABLE_TEXTS:
                self._not_a_text(where, str(name), TRANSLATABLE_TEXTS, "the texts of a translation")
            elif name in TRANSLATABLE:
                texts[name] = self._section(where, name, value)
            elif name in ("dos", "donts"):
                read = self._list(where, value, self.own[name] if name not in self.unchecked else None,
                                  "do's" if name == "dos" else "don'ts", "the plan")
                if read is not None:
                    texts[name] = read
            else:
                read = self._one(where, value)
                if read is not None and (name == "name" or self._private_line(where, read)):
                    texts[name] = read
        return texts

    def _section(self, path: str, section: str, raw: Any) -> dict[str, dict[str, Any]]:
        kind, fields = TRANSLATABLE[section]
        items = {item.key: item for item in self.own[section]}
        checked = section not in self.unchecked
        if not isinstance(raw, Mapping):
            example = ", ".join(f"{key}:" for key in list(items)[:2])
            self.problems.append(f"{path}: must be a mapping of {kind} keys ({example}…), not {shown(raw)}")
            return {}
        names = [name.removesuffix("[]") for name in fields]
        read: dict[str, dict[str, Any]] = {}
        for where, folded, item, texts in self._keyed(path, raw, items if checked else None, kind, names,
                                                      f"{section}: "):
            entry: dict[str, Any] = {}
            for at, name, value in self._texts(where, texts, fields, kind, entry):
                own = getattr(item, name) if checked else None
                what = "actions" if name == "actions" else "choices"
                listed = self._list(at, value, own, what, f"the {kind}", choices=name == "choices")
                if listed is not None and name == "choices" and own is not None:
                    listed = self._distinct_choices(at, listed, own)
                if listed is not None:
                    entry[name] = listed
            read[folded] = entry
        return read

    def _keyed(self, path: str, raw: Mapping, items: Mapping[str, Any] | None, kind: str, names: list[str],
               listing: str = ""):
        """(where, folded key, the plan's item, its texts) for each key of a translated section that the plan has
        (`items` None: the plan's are unknown, every key is taken); a key it lacks, or texts that are no mapping,
        are problems."""
        for key, texts in raw.items():
            where = f"{path}.{key}"
            folded = fold(str(key))
            item = items.get(folded) if items is not None else None
            if items is not None and item is None:
                close = difflib.get_close_matches(folded, list(items), n=1)
                hint = f"; did you mean {close[0]}?" if close else f" ({listing}{', '.join(items)})"
                self.problems.append(f"{where}: the plan has no {kind} {shown(str(key))}{hint}")
                continue
            if texts is None:
                continue
            if not isinstance(texts, Mapping):
                self.problems.append(f"{where}: must be a mapping of texts ({', '.join(names)}), not {shown(texts)}")
                continue
            yield where, folded, item, texts

    def _texts(self, where: str, texts: Mapping, fields: tuple[str, ...], kind: str, entry: dict[str, Any]):
        """(path, name, value) for each list field (`name[]` in `fields`) among an item's texts; each single text
        is read into `entry`; an unknown name is a problem."""
        names = [name.removesuffix("[]") for name in fields]
        for name, value in texts.items():
            at = f"{where}.{name}"
            if value is None:
                continue
            if name not in names:
                self._not_a_text(at, str(name), names, f"the texts of a {kind}")
            elif f"{name}[]" in fields:
                yield at, name, value
            else:
                text = self._one(at, value)
                if text is not None:
                    entry[name] = text

    def _statements(self, path: str, raw: Any) -> dict[str, Any] | None:
        """`translations.<code>.statements`: {kinds: {holding: {name, template}}, scct: {types: {victim: {name,
        line}}, strategies: {denial: {name, line}}, donts: […]}}, against the plan's own section."""
        own = self.own.get("statements")
        checked = "statements" not in self.unchecked and own is not None
        if checked and not own.given:
            self.problems.append(f"{path}: the plan has no statements section to translate (its built-in texts "
                                 "are shown in every language)")
            return None
        if not isinstance(raw, Mapping):
            self.problems.append(f"{path}: must be a mapping of texts (kinds:, scct:), not {shown(raw)}")
            return None
        read: dict[str, Any] = {}
        for name, value in raw.items():
            where = f"{path}.{name}"
            if value is None:
                continue
            if name == "kinds":
                items = {k.key: k for k in own.kinds} if checked else None
                read[name] = self._entries(where, value, items, "statement kind", ("name", "template[]"))
            elif name == "scct":
                if not isinstance(value, Mapping):
                    self.problems.append(f"{where}: must be a mapping of texts (types:, strategies:, donts:), "
                                         f"not {shown(value)}")
                    continue
                scct: dict[str, Any] = {}
                for part, texts in value.items():
                    at = f"{where}.{part}"
                    if texts is None:
                        continue
                    if part in ("types", "strategies"):
                        listed = getattr(own.scct, part) if checked else None
                        items = {item.key: item for item in listed} if listed is not None else None
                        kind = "crisis type" if part == "types" else "strategy"
                        scct[part] = self._entries(at, texts, items, kind, ("name", "line"))
                    elif part == "donts":
                        listed = self._list(at, texts, own.scct.donts if checked else None, "don'ts",
                                            "the plan's scct")
                        if listed is not None:
                            scct[part] = listed
                    else:
                        self._not_a_text(at, str(part), ("types", "strategies", "donts"), "the texts of scct")
                read[name] = scct
            else:
                self._not_a_text(where, str(name), ("kinds", "scct"), "the texts of statements")
        if checked:
            for key, entry in (read.get("kinds") or {}).items():
                for i, part in enumerate(entry.get("template") or ()):
                    if part is not None:
                        self._placeholders(f"{path}.kinds.{key}.template[{i}]", part)
        return read

    def _placeholders(self, path: str, text: str) -> None:
        allowed = self.own.get("placeholders") or ()
        problem = placeholder_problem(text, allowed)
        if problem:
            self.problems.append(f"{path}: {problem}")

    def _entries(self, path: str, raw: Any, items: Mapping[str, Any] | None, kind: str,
                 fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """A mapping of keys to their texts (`fields`, lists marked []); `items` None: the plan's are unknown."""
        if not isinstance(raw, Mapping):
            example = ", ".join(f"{key}:" for key in list(items or {})[:2])
            self.problems.append(f"{path}: must be a mapping of {kind} keys ({example}…), not {shown(raw)}")
            return {}
        names = [name.removesuffix("[]") for name in fields]
        read: dict[str, dict[str, Any]] = {}
        for where, folded, item, texts in self._keyed(path, raw, items, kind, names):
            entry: dict[str, Any] = {}
            for at, name, value in self._texts(where, texts, fields, kind, entry):
                own = getattr(item, name) if item is not None else None
                listed = self._list(at, value, own, "parts", f"the {kind}")
                if listed is not None:
                    entry[name] = listed
            read[folded] = entry
        return read

    # ----- one text, one list ---------------------------------------------------------------------------------

    def _one(self, path: str, value: Any, *, choice: bool = False) -> str | None:
        if choice and isinstance(value, bool):
            value = choice_text(value)  # a bare yes/no in a list of choices means the word
        if not isinstance(value, str):
            self.problems.append(f"{path}: must be a text, not {shown(value)} (quote it)")
            return None
        if not value.strip():
            self.problems.append(f"{path}: is empty (leave it out to show the plan's own text)")
            return None
        return value

    def _list(self, path: str, value: Any, own: tuple[str, ...] | None, what: str, whose: str,
              *, choices: bool = False) -> tuple[str | None, ...] | None:
        """A translated list, one text for each of the plan's, in its order (None: that one falls back);
        `own` None: the plan's list is not known (it has problems), only the texts are checked."""
        if not isinstance(value, list):
            self.problems.append(f"{path}: must be a list of texts, not {shown(value)} (quote any with a colon)")
            return None
        if own is not None and not own:
            self.problems.append(f"{path}: {whose} has no {what} to translate")
            return None
        if own is not None and len(value) != len(own):
            self.problems.append(f"{path}: {counted(len(value), what)}, but {whose} has {len(own)} "
                                 "(one for each, in the same order)")
            return None
        before = len(self.problems)
        items = tuple(None if v is None else self._one(f"{path}[{i}]", v, choice=choices) for i, v in enumerate(value))
        return items if len(self.problems) == before else None

    def _distinct_choices(self, path: str, labels: tuple[str | None, ...], own: tuple[str, ...]):
        """Each choice's label names it alone: none is shown like another choice or its label."""
        before = len(self.problems)
        seen: dict[str, int] = {}
        for i, label in enumerate(labels):
            if label is None:
                continue
            folded = fold(label)
            other = next((c for j, c in enumerate(own) if j != i and fold(c) == folded), None)
            if other is not None:
                self.problems.append(f"{path}[{i}]: {shown(label)} is the plan's choice {shown(other)}, "
                                     f"not {shown(own[i])} (one label for each choice, in the same order)")
            elif folded in seen:
                self.problems.append(f"{path}[{i}]: {shown(label)} is also the label of choice {seen[folded]}; "
                                     "each choice needs its own")
            seen.setdefault(folded, i)
        return labels if len(self.problems) == before else None

    def _private_line(self, path: str, line: str) -> bool:
        if "private_managers_line" in self.unchecked:
            return True
        if self.own["private_managers_line"] is None:
            self.problems.append(f"{path}: the plan sets no private_managers_line to translate (the bot's own "
                                 "line is shown in every language)")
            return False
        if not self.own["private_managers_line"]:
            self.problems.append(f"{path}: the plan's line is empty (the managers are told nothing); "
                                 "there is nothing to translate")
            return False
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(line) if name is not None}
        except ValueError:
            self.problems.append(f"{path}: a lone {{ or }} (placeholders are {{severity}} and {{moment}})")
            return False
        if bad := sorted(used - set(_PLACEHOLDERS)):
            self.problems.append(f"{path}: {', '.join('{' + b + '}' for b in bad)} is not a placeholder "
                                 "(use {severity} and {moment})")
            return False
        return True

    def _not_a_text(self, path: str, name: str, known, what: str) -> None:
        known = list(known)
        close = difflib.get_close_matches(name, known, n=1)
        if close:
            hint = f"; did you mean {close[0]}?"
        else:
            hint = f" ({what}: {', '.join(known)}; keys, aliases and numbers are not translated)"
        self.problems.append(f"{path}: not a translatable text{hint}")
