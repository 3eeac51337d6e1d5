"""Renders a domain Notice to (fallback text, blocks), by kind.

Each area of the product keeps its renderers in its own module, as a
`RENDERERS` mapping from notice kind to function; this module joins them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from bot.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.notices import Notice
from bot.domain.plan import Plan

Rendered = tuple[str, list[dict]]


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs: the plan and the catalog in one language, the clock, where the managers read.

    `speaking(language)` is the same context in another language (the plan's texts translated, that language's
    catalog); `catalogs` (bot.catalog.Catalogs) holds the languages there are. Made once per language."""

    plan: Plan
    catalog: Catalog
    clock: Clock
    managers_channel: str | None = None
    catalogs: Any = None  # bot.catalog.Catalogs; None: one language only
    _languages: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def language(self) -> str:
        return self.catalog.language

    def speaking(self, language: str | None) -> RenderContext:
        if self.catalogs is None or not language or language == self.catalog.language:
            return self
        catalog = self.catalogs.get(language)
        if catalog.language == self.catalog.language:
            return self
        if catalog.language not in self._languages:
            self._languages[catalog.language] = replace(
                self, plan=self.plan.translated(catalog.language), catalog=catalog, _languages=self._languages)
        return self._languages[catalog.language]


Renderer = Callable[[Notice, RenderContext], Rendered]


def all_renderers() -> dict[str, Renderer]:
    from handlers.blocks import alerts, changes, lifecycle, people, reminders, story, updates

    joined: dict[str, Renderer] = {}
    for module in (lifecycle, reminders, story, alerts, changes, updates, people):
        if clash := joined.keys() & module.RENDERERS.keys():
            raise ValueError(f"notice kinds rendered twice: {sorted(clash)}")
        joined.update(module.RENDERERS)
    return joined
