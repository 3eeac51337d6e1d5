"""Keeps the bot's own Web API calls under Slack's limits, before Slack has to refuse them.

Per method, a sliding window sized on the method's tier (Tier 2 about 20 calls a
minute, Tier 3 about 50, Tier 4 about 100); for chat.postMessage, a small burst
per channel refilled at one message a second. The tiers come from Slack's method
reference (the copy in bot/emulator/api_ref, shared with the emulator). A 429 that
still comes back is retried by slack-sdk's retry handler, honouring Retry-After.
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
MARGIN = 1.0  # real seconds beyond the window, for the time a call takes to reach Slack (it doesn't scale)
POST_BURST, POST_RATE = 10.0, 1.0  # chat.postMessage, per channel: a short burst, then 1 a second


@lru_cache(maxsize=None)
def tier(method: str) -> str | None:
    try:
        text = resources.files("bot.emulator").joinpath("api_ref", f"{method}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text).get("rate_limits")


class SlackRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, scale: float = 1.0):
        self.clock = clock
        self.sleep = sleep
        self.scale = scale  # 1.0 in production; a test may compress Slack's minute
        self._windows: dict[str, deque[float]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def acquire(self, method: str, channel: str | None = None) -> float:
        """Wait until a call may go out; returns how long it waited."""
        key = f"{method}:{channel}" if method == "chat.postMessage" else method
        lock = self._locks.setdefault(key, asyncio.Lock())
        waited = 0.0
        async with lock:  # callers of one method queue in order
            while (delay := self._delay(method, key)) > 0:
                waited += delay
                await self.sleep(delay)
        return waited

    def _delay(self, method: str, key: str) -> float:
        now = self.clock()
        if method == "chat.postMessage":
            tokens, last = self._buckets.get(key, (POST_BURST, now))
            tokens = min(POST_BURST, tokens + (now - last) * POST_RATE / self.scale)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) * self.scale / POST_RATE
        limit = PER_MINUTE.get(tier(method) or "")
        if limit is None:
            return 0.0
        window = self._windows.setdefault(key, deque())
        span = WINDOW * self.scale
        while window and window[0] <= now - span:
            window.popleft()
        if len(window) >= limit:
            return window[0] + span + MARGIN - now
        window.append(now)
        return 0.0
