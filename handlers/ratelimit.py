"""Keeps the bot's own Web API calls under Slack's limits, before Slack has to refuse them.

Per method, a sliding window sized on the method's tier (Tier 2 about 20 calls a minute, Tier 3 about 50,
Tier 4 about 100: ../shared/slack-api-ref/README.md, and the copy of the method reference in
bot/emulator/api_ref, shared with the emulator); for chat.postMessage, a small burst per channel refilled at
one message a second.

Each caller *reserves* its slot when it asks: the earliest moment the window allows, behind the reservations
already made. So waiters are served in the order they came, every method and channel on its own (one full
window never holds back another method), and a caller knows at once how long it would wait. A quarter of a
tier's minute may go out at once; beyond it, calls are paced evenly over the minute, so the window frees one
slot at a time and the bot recovers with it instead of bursting and then going quiet for a whole minute.

A 429 that still comes back (another app on the same token, Slack's own accounting) pauses that method for
its Retry-After (`pause`), and the caller reserves again. A wait longer than `max_wait` is not waited: the
call fails as a passing failure (`RateLimitWait`), the opening step is recorded as failed for now, and the
scheduler's tick resumes it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from functools import lru_cache
from importlib import resources
from typing import Awaitable, Callable

PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
WINDOW = 60.0
BURST = 0.25  # of a tier's minute that may go out at once; the rest is paced over the minute
MARGIN = 0.2  # real seconds beyond the window, for the time a call takes to reach Slack (it doesn't scale)
POST_BURST, POST_RATE = 10.0, 1.0  # chat.postMessage, per channel: a short burst, then 1 a second
MAX_WAIT = 30.0  # Slack seconds a call may wait for its slot; beyond, it fails for now and is tried again


class RateLimitWait(Exception):
    """The call would wait longer than the limiter allows."""

    def __init__(self, method: str, wait: float):
        super().__init__(f"{method}: {wait:.1f}s to wait for Slack's rate limit")
        self.method, self.wait = method, wait


def _key(method: str, channel: str | None) -> str:
    return f"{method}:{channel}" if method == "chat.postMessage" else method


@lru_cache(maxsize=None)
def tier(method: str) -> str | None:
    try:
        text = resources.files("bot.emulator").joinpath("api_ref", f"{method}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text).get("rate_limits")


class SlackRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, scale: float = 1.0,
                 max_wait: float = MAX_WAIT):
        self.clock = clock
        self.sleep = sleep
        self.scale = scale  # 1.0 in production; a test may compress Slack's minute
        self.max_wait = max_wait  # in Slack seconds (scaled like the window)
        self._slots: dict[str, deque[float]] = {}  # per method: the reserved times, in order
        self._buckets: dict[str, tuple[float, float]] = {}  # per channel: (tokens, when)
        self._paused: dict[str, float] = {}  # per method: no call before then (a Retry-After)

    async def acquire(self, method: str, channel: str | None = None) -> float:
        """Wait for this call's slot; returns how long it waited. Raises RateLimitWait rather than wait
        longer than `max_wait`."""
        now = self.clock()
        wait = self._reserve(method, channel, now) - now
        if wait > 0:
            await self.sleep(wait)
        return max(0.0, wait)

    def pause(self, method: str, retry_after: float, channel: str | None = None) -> None:
        """Slack answered 429: no call of this method (chat.postMessage: to this channel) before Retry-After
        seconds (scaled) from now."""
        key = _key(method, channel)
        until = self.clock() + max(0.0, retry_after) * self.scale
        self._paused[key] = max(self._paused.get(key, 0.0), until)

    def _reserve(self, method: str, channel: str | None, now: float) -> float:
        start = max(now, self._paused.get(_key(method, channel), 0.0))
        if method == "chat.postMessage":
            return self._reserve_post(method, f"{channel}", now, start)
        limit = PER_MINUTE.get(tier(method) or "")
        if limit is None:
            self._check(method, start - now)
            return start
        span = WINDOW * self.scale
        slots = self._slots.setdefault(method, deque())
        while slots and slots[0] <= now - span - MARGIN:
            slots.popleft()
        at = start
        if len(slots) >= limit:  # the window holds `limit` calls: after the limit-th latest has left it
            at = max(at, slots[-limit] + span + MARGIN)
        burst = max(1, int(limit * BURST))
        if sum(1 for s in slots if s > at - span) >= burst:  # past the burst: paced evenly over the minute
            at = max(at, slots[-1] + span / limit)
        self._check(method, at - now)
        slots.append(at)
        return at

    def _reserve_post(self, method: str, key: str, now: float, start: float) -> float:
        tokens, last = self._buckets.get(key, (POST_BURST, now))
        tokens = min(POST_BURST, tokens + (now - last) * POST_RATE / self.scale)
        at = max(start, now + max(0.0, 1 - tokens) * self.scale / POST_RATE)
        self._check(method, at - now)
        self._buckets[key] = (tokens - 1, now)  # below zero: the later callers queue behind this one
        return at

    def _check(self, method: str, wait: float) -> None:
        if wait > self.max_wait * self.scale:
            raise RateLimitWait(method, wait)
