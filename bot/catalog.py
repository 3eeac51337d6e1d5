"""Every sentence the bot says, from one catalog per language (bot/locales/<lang>/*.yaml).

Each language is a folder of YAML files, one per area of the product; they are
merged, and a key defined twice is an error.

Translations are a file, not a code change. A key missing from a language falls
back to English; a key missing everywhere is a bug and raises KeyError.

A sentence that counts something is a mapping of plural forms, by CLDR's category
names: `more_moments: {one: "… and 1 more moment", other: "… and {count} more moments"}`.
`t("story.more_moments", count=n)` picks the form for n in the catalog's language.
"""

from __future__ import annotations

from importlib import resources

import yaml


class Catalog:
    def __init__(self, messages: dict[str, str], fallback: Catalog | None = None, language: str = "en"):
        self.messages = messages
        self.fallback = fallback
        self.language = language

    @classmethod
    def load(cls, language: str = "en") -> Catalog:
        english = cls(_read("en"))
        if language == "en":
            return english
        return cls(_read(language), fallback=english, language=language)

    def t(self, key: str, **params: object) -> str:
        template = self.messages.get(key)
        if template is None and f"{key}.other" in self.messages:
            category = plural_category(self.language, params.get("count"))
            template = self.messages.get(f"{key}.{category}", self.messages[f"{key}.other"])
        if template is None:
            if self.fallback is None:
                raise KeyError(f"no message {key!r} in the catalog")
            return self.fallback.t(key, **params)
        return template.format(**params)

def plural_category(language: str, count: object) -> str:
    """CLDR's plural category of a count for English, Spanish and Italian: "one" for exactly 1, else "other".
    (A count may arrive formatted for display, as in "2,481".)"""
    digits = str(count).replace(",", "").replace(".", "").replace("\u202f", "").replace(" ", "")
    return "one" if digits == "1" else "other"


def _read(language: str) -> dict[str, str]:
    folder = resources.files("bot.locales").joinpath(language)
    merged: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        messages = _flatten(yaml.safe_load(entry.read_text(encoding="utf-8")) or {})
        if twice := merged.keys() & messages.keys():
            raise ValueError(f"{language}/{entry.name} defines again: {', '.join(sorted(twice))}")
        merged.update(messages)
    if not merged:
        raise ValueError(f"no message catalog for language {language!r}")
    return merged


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat
