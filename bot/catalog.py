"""Every sentence the bot says, from one catalog per language (bot/locales/<lang>/*.yaml).

Each language is a folder of YAML files, one per area of the product; they are
merged, and a key defined twice is an error.

Translations are a file, not a code change. A key missing from a language falls
back to English; a key missing everywhere is a bug and raises KeyError. A catalog
loaded `strict` has no English behind it, so a missing key raises (the tests use it).

A sentence that counts something is a mapping of plural forms, by CLDR's category
names: `more_moments: {one: "… and 1 more moment", other: "… and {count} more moments"}`.
`t("story.more_moments", count=n)` picks the form for n in the catalog's language
(Babel's CLDR rules); a category the mapping lacks (Spanish and Italian `many`, for a
million) takes its `other` form.

Durations and numbers are written the language's way too: `duration()` and `number()`.
`Catalogs` holds one catalog per language, each loaded once.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml
from babel import Locale
from babel.dates import format_skeleton
from babel.lists import format_list
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from babel.units import format_unit

DEFAULT_LANGUAGE = "en"

# CLDR's short English units are "hr", "sec" and "day(s)"; the bot has always written "2 h 05 min",
# "1 d 4 h", "40 s", and its English messages keep that spelling. Every other language takes CLDR's.
_HOUSE_UNITS: dict[str, dict[str, str]] = {"en": {"day": "{0} d", "hour": "{0} h", "minute": "{0} min", "second": "{0} s"}}


class Catalog:
    def __init__(self, messages: dict[str, str], fallback: Catalog | None = None, language: str = DEFAULT_LANGUAGE):
        self.messages = messages
        self.fallback = fallback
        self.language = language
        self.locale = Locale.parse(language)

    @classmethod
    def load(cls, language: str = DEFAULT_LANGUAGE, *, strict: bool = False, english: Catalog | None = None) -> Catalog:
        """The catalog of `language` ("es", "es-ES", "es_ES" alike). Not strict, a language other than English
        looks up in English (`english`, or a fresh one) the keys it lacks; strict, a missing key raises."""
        language = normalize_language(language)
        if language == DEFAULT_LANGUAGE:
            return english if english is not None and not strict else cls(_read(DEFAULT_LANGUAGE))
        fallback = None if strict else (english or cls(_read(DEFAULT_LANGUAGE)))
        return cls(_read(language), fallback=fallback, language=language)

    def t(self, key: str, **params: object) -> str:
        text = self.lookup(key, **params)
        if text is None:
            raise KeyError(f"no message {key!r} in the {self.language} catalog")
        return text

    def lookup(self, key: str, **params: object) -> str | None:
        """Like `t`, but None for a key that no catalog (this one nor its fallback) has."""
        template = self.messages.get(key)
        if template is None and f"{key}.other" in self.messages:
            category = plural_category(self.language, params.get("count"))
            template = self.messages.get(f"{key}.{category}", self.messages[f"{key}.other"])
        if template is None:
            return self.fallback.lookup(key, **params) if self.fallback is not None else None
        return template.format(**params)

    def has(self, key: str) -> bool:
        """Whether this catalog itself (not its fallback) has the message, plain or with plural forms."""
        return key in self.messages or f"{key}.other" in self.messages

    def number(self, n: int | float | Decimal) -> str:
        """A number as the language writes it: 2,481 (en), 2.481 (es, it)."""
        return format_decimal(n, locale=self.locale)

    def moment(self, at: datetime) -> str:
        """A date and time in UTC as the language writes it, for text no Slack client localises (the export):
        '2026-11-21 09:05 UTC' in English (unambiguous wherever English is read), '21 nov 2026, 9:05 UTC' in
        Spanish, '21 nov 2026, 09:05 UTC' in Italian (CLDR's skeletons, with Babel)."""
        utc = at.astimezone(timezone.utc)
        if self.language == DEFAULT_LANGUAGE:
            return f"{utc:%Y-%m-%d %H:%M} UTC"
        return (f"{format_skeleton('yMMMd', utc, tzinfo=timezone.utc, locale=self.locale)}, "
                f"{format_skeleton('Hm', utc, tzinfo=timezone.utc, locale=self.locale)} UTC")

    def duration(self, delta: timedelta) -> str:
        """A short duration a manager reads at a glance: '3 min', '2 h 05 min', '1 d 4 h', '40 s' in English;
        Babel's (CLDR's) short units in the others ('1 giorno 4 h'). Negative durations read as 0 s."""
        return _duration(self.language, max(0, int(delta.total_seconds())))

    def __repr__(self) -> str:
        return f"Catalog({self.language!r}{', strict' if self.fallback is None and self.language != DEFAULT_LANGUAGE else ''})"


class Catalogs:
    """The catalogs of the languages with a folder in bot/locales, each loaded once (on first use); the
    non-English ones share one English catalog behind them."""

    def __init__(self, default: str = DEFAULT_LANGUAGE):
        from bot.settings import available_languages

        self.languages: tuple[str, ...] = tuple(available_languages())
        language = normalize_language(default)
        if language not in self.languages:
            raise ValueError(f"no message catalog for language {default!r}: {', '.join(self.languages)}")
        self._loaded: dict[str, Catalog] = {}
        self.default_language = language

    @property
    def default(self) -> Catalog:
        return self._catalog(self.default_language)

    def get(self, language: str | None) -> Catalog:
        """The catalog of `language` ("es", "ES", "es-ES", "es_ES"); the default for None or a language
        crisisbot has no catalog for."""
        code = normalize_language(language) if language else ""
        return self._catalog(code if code in self.languages else self.default_language)

    def _catalog(self, language: str) -> Catalog:
        catalog = self._loaded.get(language)
        if catalog is None:
            english = self._catalog(DEFAULT_LANGUAGE) if language != DEFAULT_LANGUAGE else None
            catalog = self._loaded[language] = Catalog.load(language, english=english)
        return catalog


def normalize_language(language: str) -> str:
    """"es-ES", "es_ES", "ES" → "es": the language part of a locale name, which names its catalog folder."""
    return language.strip().replace("_", "-").split("-")[0].lower()


def plural_category(language: str, count: object) -> str:
    """CLDR's plural category of a count in `language` ("one", "many", "other"…), by Babel's rules. A count may
    arrive formatted for display ("2,481" in English, "2.481" in Spanish); one that is no number is "other"."""
    if isinstance(count, bool) or count is None:
        return "other"
    if isinstance(count, str):
        try:
            count = parse_decimal(count.replace("\u202f", "").replace("\xa0", "").replace(" ", ""), locale=language)
        except (NumberFormatError, ValueError, ArithmeticError):
            return "other"
    if not isinstance(count, (int, float, Decimal)):
        return "other"
    return _locale(language).plural_form(count)


@lru_cache(maxsize=None)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@lru_cache(maxsize=8192)  # a story says thousands of offsets, and most of them are the same few hundred
def _duration(language: str, seconds: int) -> str:
    minutes = seconds // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [_unit(language, "day", days), _unit(language, "hour", hours)]
    elif hours:
        parts = [_unit(language, "hour", hours), _unit(language, "minute", minutes, width=2)]
    elif minutes:
        parts = [_unit(language, "minute", minutes)]
    else:
        parts = [_unit(language, "second", seconds)]
    return format_list(parts, style="unit-narrow", locale=language)


def _unit(language: str, unit: str, value: int, width: int = 1) -> str:
    """'5 min' (or '05 min' at width 2): CLDR's short pattern for the value's plural category."""
    number = format_decimal(value, locale=language)
    padded = number.rjust(width, "0") if value < 10 ** (width - 1) else number
    house = _HOUSE_UNITS.get(language, {}).get(unit)
    if house is not None:
        return house.format(padded)
    text = format_unit(value, f"duration-{unit}", length="short", locale=language)
    return text.replace(number, padded, 1)


def _read(language: str) -> dict[str, str]:
    folder = resources.files("bot.locales").joinpath(language)
    merged: dict[str, str] = {}
    if not folder.is_dir():
        raise ValueError(f"no message catalog for language {language!r}")
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
