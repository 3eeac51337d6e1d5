"""Whose language a Slack request is answered in.

What one person alone reads (the ack, an ephemeral, a modal, App Home, a DM) is in that person's Slack language
(`users.info` with `include_locale`, cached by handlers/locales.py) when crisisbot speaks it, else in the
installation's (CRISISBOT_LANGUAGE). A Bolt middleware, `speak_their_language`, settles it once per request, at
the edge, and every listener's `ctx.catalog` and `ctx.plan` then speak it: they are `CurrentCatalog` and
`CurrentPlan`, which read the request's voice when used, as Flask-Babel's locale selector or Django's
`translation.activate` do. The channel's shared messages never go through them: the gateway renders those in the
crisis's language (handlers/slack_gateway.py `shared`).

The first request of a person not yet known waits at most `wait` seconds for users.info (its ack must be within
Slack's 3 s); a slower answer is kept for that person's next request, and this one is answered in the
installation's language.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import Any

from handlers.blocks.notices import RenderContext
from handlers.locales import PersonLocales

log = logging.getLogger(__name__)

PERSON_WAIT = 0.25  # seconds a person's first request waits for their users.info
_voice: ContextVar[RenderContext | None] = ContextVar("crisisbot_voice", default=None)


class Voices:
    """The installation's rendering context, and each person's language on top of it."""

    def __init__(self, render: RenderContext, locales: PersonLocales | None = None, wait: float = PERSON_WAIT):
        self.render = render
        self.locales = locales
        self.wait = wait
        self._lookups: set[asyncio.Task] = set()

    def current(self) -> RenderContext:
        return _voice.get() or self.render

    async def language_of(self, user: str | None) -> str | None:
        if self.locales is None or not user:
            return None
        known = self.locales.known(user)
        if known is not None:
            return known
        lookup = asyncio.ensure_future(self.locales.language(user))
        done, _ = await asyncio.wait({lookup}, timeout=self.wait)
        if not done:  # answered later: kept for the next request (PersonLocales caches it, and never raises)
            self._lookups.add(lookup)
            lookup.add_done_callback(self._lookups.discard)
            return None
        return lookup.result()

    async def enter(self, user: str | None) -> RenderContext:
        """This request speaks the person's language from here on (its task and the tasks it starts)."""
        voice = self.render.speaking(await self.language_of(user))
        _voice.set(voice)
        return voice

    def speak_their_language(self):
        """A Bolt global middleware: the request's voice, from Bolt's `context.user_id`."""
        async def middleware(context, next) -> None:
            await self.enter(context.get("user_id"))
            await next()
        return middleware


class CurrentCatalog:
    """The catalog of the request being answered (a Catalog, looked up when used)."""

    def __init__(self, voices: Voices):
        self._voices = voices

    def __getattr__(self, name: str) -> Any:
        return getattr(self._voices.current().catalog, name)

    def t(self, key: str, **params: object) -> str:
        return self._voices.current().catalog.t(key, **params)


class CurrentPlan:
    """The plan, with its texts in the language of the request being answered (a Plan, looked up when used)."""

    def __init__(self, voices: Voices):
        self._voices = voices

    def __getattr__(self, name: str) -> Any:
        return getattr(self._voices.current().plan, name)
