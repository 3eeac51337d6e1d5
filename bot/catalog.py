"""Every sentence the bot says, from one catalog per language (bot/locales/<lang>/*.yaml).

Each language is a folder of YAML files, one per area of the product; they are
merged, and a key defined twice is an error.

Translations are a file, not a code change. A key missing from a language falls
back to English; a key missing everywhere is a bug and raises KeyError.
"""

from __future__ import annotations

from importlib import resources

import yaml


class Catalog:
    def __init__(self, messages: dict[str, str], fallback: Catalog | None = None):
        self.messages = messages
        self.fallback = fallback

    @classmethod
    def load(cls, language: str = "en") -> Catalog:
        english = cls(_read("en"))
        if language == "en":
            return english
        return cls(_read(language), fallback=english)

    def t(self, key: str, **params: object) -> str:
        template = self.messages.get(key)
        if template is None:
            if self.fallback is None:
                raise KeyError(f"no message {key!r} in the catalog")
            return self.fallback.t(key, **params)
        return template.format(**params)

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
