"""Each person's language, from their Slack locale: `users.info` with include_locale, cached.

Private answers (ephemerals, DMs, modals, App Home, reminders to a person) are written in the language of the
person who reads them. Slack tells it only through `users.info(user=…, include_locale=True)`, whose `user.locale`
is an IETF tag such as "es-ES" (without include_locale the field is absent). `PersonLocales` asks once per person
per `ttl`, however many ask at the same time (they share one lookup), and never raises: a failed lookup answers
None (or the person's last known language), and Slack is asked again after `backoff`. None means "not known, or
not one of ours": the caller falls back to the crisis's language.

`users_info` is a coroutine function `user_id -> response dict` that calls Slack's users.info with
include_locale=True (the app wires it to its client and rate limiter); whatever it raises counts as a failure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable

from slack_sdk.errors import SlackApiError

from handlers.slack_errors import error_code

log = logging.getLogger(__name__)

DEFAULT_TTL = 3600.0  # a person's language seldom changes: ask Slack again after an hour
DEFAULT_BACKOFF = 60.0  # after a failed lookup, when to ask Slack again for that person
DEFAULT_MAX_PEOPLE = 10_000  # people remembered; the least recently asked about are forgotten first


def language_of_locale(locale: str | None, languages: Iterable[str]) -> str | None:
    """The two-letter language of a Slack locale if it is one of `languages`: "es-ES" → "es", "pt-BR" → None."""
    if not isinstance(locale, str) or not locale.strip():
        return None
    language = locale.strip().replace("_", "-").split("-", 1)[0].lower()
    return language if language in {lang.strip().lower() for lang in languages} else None


@dataclass
class _Known:
    language: str | None
    until: float  # when to ask Slack again
    failed: bool = False  # the last lookup failed (`language` is then the one known before, if any)


class PersonLocales:
    """People's languages from users.info, cached per person (see the module's doc)."""

    def __init__(self, users_info: Callable[[str], Awaitable[dict]], languages: Iterable[str],
                 ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic, *,
                 backoff: float = DEFAULT_BACKOFF, max_people: int = DEFAULT_MAX_PEOPLE,
                 timeout: float | None = None) -> None:
        """`timeout`: how long a caller waits for Slack at most (None: until users_info returns); a caller that
        gives up gets what `known` says, and the lookup goes on in the background to fill the cache."""
        if max_people < 1:
            raise ValueError("max_people must be at least 1")
        self._users_info = users_info
        self.languages = frozenset(lang.strip().lower() for lang in languages)
        self.ttl = float(ttl)
        self.backoff = float(backoff)
        self.max_people = max_people
        self.timeout = timeout
        self._clock = clock
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._pending: dict[str, asyncio.Task[str | None]] = {}

    # ----- answers ------------------------------------------------------------------------------------------
    async def language(self, user_id: str) -> str | None:
        """The person's language if Slack's locale for them is one of ours, else None. Never raises."""
        entry = self._known.get(user_id)
        if entry is not None:
            self._known.move_to_end(user_id)
            if self._clock() < entry.until:
                return entry.language
        task = self._pending.get(user_id)
        if task is None:
            task = asyncio.ensure_future(self._lookup(user_id))
            self._pending[user_id] = task
        try:
            if self.timeout is None:
                return await asyncio.shield(task)
            return await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except asyncio.TimeoutError:
            return self.known(user_id)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and not (current is not None and current.cancelling()):
                return self.known(user_id)  # the lookup was cancelled (the loop closing), not this caller
            raise

    def known(self, user_id: str) -> str | None:
        """What is known without asking Slack: the last language found for the person (even if due for a new
        lookup), or None."""
        entry = self._known.get(user_id)
        if entry is None:
            return None
        self._known.move_to_end(user_id)
        return entry.language

    def fresh(self, user_id: str) -> tuple[bool, str | None]:
        """(True, language) while what is known of the person needs no new lookup (its ttl, or the backoff
        after a failure, has not run out); (False, None) else. Asks nobody, starts nothing."""
        entry = self._known.get(user_id)
        if entry is None or self._clock() >= entry.until:
            return False, None
        return True, entry.language

    def forget(self, user_id: str) -> None:
        """Drop what is known of the person: the next `language` asks Slack (a lookup in flight is not kept)."""
        self._known.pop(user_id, None)
        self._pending.pop(user_id, None)

    def __len__(self) -> int:
        return len(self._known)

    # ----- lookups ------------------------------------------------------------------------------------------
    async def _lookup(self, user_id: str) -> str | None:
        task = asyncio.current_task()
        try:
            try:
                response = await self._users_info(user_id)
                language = self._language_in(response)
            except Exception as exc:  # noqa: BLE001 - any failure: fall back, ask again later
                before = self._known.get(user_id)
                language = before.language if before is not None else None
                log.warning("users.info for %s failed (%s); asking again in %.0fs",
                            user_id, _describe(exc), self.backoff)
                self._remember(task, user_id, _Known(language, self._clock() + self.backoff, failed=True))
                return language
            self._remember(task, user_id, _Known(language, self._clock() + self.ttl))
            return language
        finally:
            if self._pending.get(user_id) is task:
                del self._pending[user_id]

    def _language_in(self, response: Any) -> str | None:
        data = getattr(response, "data", response)  # a SlackResponse, or its dict
        if not isinstance(data, dict):
            raise TypeError(f"users.info answered {type(data).__name__}, not a dict")
        if data.get("ok") is False:
            raise RuntimeError(f"users.info answered {data.get('error') or 'ok: false'}")
        user = data.get("user")
        locale = user.get("locale") if isinstance(user, dict) else None
        return language_of_locale(locale, self.languages)

    def _remember(self, task: asyncio.Task | None, user_id: str, entry: _Known) -> None:
        if self._pending.get(user_id) is not task:
            return  # forgotten while Slack was asked: this answer is not kept
        self._known[user_id] = entry
        self._known.move_to_end(user_id)
        while len(self._known) > self.max_people:
            self._known.popitem(last=False)


def _describe(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return error_code(exc)
    return type(exc).__name__
