"""Whose language a Slack request is answered in.

What one person alone reads (the ack, an ephemeral, a modal, App Home, a DM) is in that person's Slack language
(`users.info` with `include_locale`, cached by handlers/locales.py) when crisisbot speaks it, else in the
installation's (CRISISBOT_LANGUAGE). A Bolt middleware, `speak_their_language`, settles it once per request, at
the edge, and every listener's `ctx.catalog` and `ctx.plan` then speak it: they are `CurrentCatalog` and
`CurrentPlan`, which read the request's voice when used, as Flask-Babel's locale selector or Django's
`translation.activate` do. The channel's shared messages never go through them: the gateway renders those in the
crisis's language (handlers/slack_gateway.py `shared`).

A person's users.info is asked once an hour (handlers/locales.py) and the request goes on meanwhile: an answer
waits for it at most PERSON_WAIT seconds (`Voices.ready`), the opening's Slack steps not at all; if it is slower
than that, that one answer is in the installation's language.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Any

from handlers.blocks.notices import RenderContext
from handlers.locales import PersonLocales

PERSON_WAIT = 0.25  # seconds an answer waits, at most, for a person's first users.info


class _Voice:
    """One request's language: known at once, or when the person's users.info answers (never waited for)."""

    def __init__(self, base: RenderContext, language: str | None = None, lookup: asyncio.Future | None = None):
        self.base = base
        self.render = base.speaking(language)
        self.lookup = lookup

    def now(self) -> RenderContext:
        if self.lookup is not None and self.lookup.done():
            language = None if self.lookup.cancelled() or self.lookup.exception() else self.lookup.result()
            self.render, self.lookup = self.base.speaking(language), None
        return self.render


_voice: ContextVar[_Voice | None] = ContextVar("crisisbot_voice", default=None)


class Voices:
    """The installation's rendering context, and each person's language on top of it."""

    def __init__(self, render: RenderContext, locales: PersonLocales | None = None):
        self.render = render
        self.locales = locales
        self._lookups: set[asyncio.Future] = set()

    def current(self) -> RenderContext:
        voice = _voice.get()
        return voice.now() if voice is not None else self.render

    def enter(self, user: str | None) -> None:
        """This request speaks the person's language from here on (its task and the tasks it starts): at once
        when it is known; else from the moment their users.info answers, which nothing waits for (an ack must
        be within Slack's 3 s, and the opening's round trips are counted); `ready` waits for it, briefly."""
        if self.locales is None or not user:
            return
        fresh, language = self.locales.fresh(user)
        if fresh:  # the common case: known within the hour, no task at all
            if language is not None:
                _voice.set(_Voice(self.render, language))
            return
        lookup = asyncio.ensure_future(self.locales.language(user))  # PersonLocales never raises, shares lookups
        self._lookups.add(lookup)
        lookup.add_done_callback(self._lookups.discard)
        if (known := self.locales.known(user)) is not None:  # due for a new lookup: the old answer meanwhile
            _voice.set(_Voice(self.render, known))
        else:
            _voice.set(_Voice(self.render, None, lookup))

    async def ready(self, timeout: float = PERSON_WAIT) -> None:
        """Wait, at most `timeout` seconds, for this request's person's language, before telling them something."""
        voice = _voice.get()
        if voice is not None and voice.lookup is not None and not voice.lookup.done():
            await asyncio.wait({voice.lookup}, timeout=timeout)

    def speak_their_language(self):
        """A Bolt global middleware: the request's voice, from Bolt's `context.user_id`."""
        async def middleware(context, next) -> None:
            self.enter(context.get("user_id"))
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
