"""Renders a domain Notice to (fallback text, blocks), by kind.

Each area of the product keeps its renderers in its own module, as a
`RENDERERS` mapping from notice kind to function; this module joins them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.notices import Notice
from bot.domain.plan import Plan

Rendered = tuple[str, list[dict]]


@dataclass(frozen=True)
class RenderContext:
    plan: Plan
    catalog: Catalog
    clock: Clock
    managers_channel: str | None = None


Renderer = Callable[[Notice, RenderContext], Rendered]


def all_renderers() -> dict[str, Renderer]:
    from handlers.blocks import alerts, changes, lifecycle, people, reminders, story, updates

    joined: dict[str, Renderer] = {}
    for module in (lifecycle, reminders, story, alerts, changes, updates, people):
        if clash := joined.keys() & module.RENDERERS.keys():
            raise ValueError(f"notice kinds rendered twice: {sorted(clash)}")
        joined.update(module.RENDERERS)
    return joined
