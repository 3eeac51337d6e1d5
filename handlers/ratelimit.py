"""Keeps the bot's own Web API calls under Slack's limits, before Slack has to refuse them.

Per method, a sliding window of the method's tier (Tier 2 about 20 calls a minute, Tier 3 about 50, Tier 4 about
100: ../shared/slack-api-ref/README.md, and the copy of the method reference in bot/emulator/api_ref, shared with
the emulator); for chat.postMessage, a burst per channel refilled at one message a second. Slack allows a tier's
calls in a burst ("occasional bursts", api.slack.com/docs/rate-limits), so the whole window may go at once: fifteen
crises opened together create their channels and pin their plans at once, and a call beyond the window goes the
moment the oldest call in it leaves, as Slack's window frees.

Each caller *reserves* its slot when it asks: the earliest moment the window allows, behind the reservations
already made. So waiters are served in the order they came, every method and channel on its own (one full window
never holds back another method), and a caller knows at once how long it would wait.

Only calls Slack took count. A call that comes back 429 (another app on the same token, Slack's own accounting)
gives its slot back (`rejected`) and pauses that method (chat.postMessage: that channel) for its Retry-After, for
every caller: those already waiting for a slot inside the pause wait it out and reserve again. A caller cancelled
while it waits gives its slot back too. A wait longer than `max_wait` is not waited: the call fails as a passing
failure (`RateLimitWait`), the opening step is recorded as failed for now, and the scheduler's tick resumes it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Awaitable, Callable

PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
WINDOW = 60.0
MARGIN = 0.2  # real seconds beyond the window, for the time a call takes to reach Slack (it doesn't scale)
POST_BURST, POST_RATE = 10.0, 1.0  # chat.postMessage, per channel: a short burst, then 1 a second
SPACING = 0.001  # real seconds between two waiters' slots of one method
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


@dataclass
class Slot:
    """One call's reservation: `at` (the limiter's clock) in the window of `key`; `waited` seconds before it."""

    method: str
    channel: str | None
    at: float
    kind: str  # "window", "bucket" or "free" (a method with no tier)
    waited: float = 0.0
    returned: bool = False


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
        return (await self.take(method, channel)).waited

    async def take(self, method: str, channel: str | None = None) -> Slot:
        """Wait for this call's slot and return it (to give back with `rejected` if Slack refuses the call)."""
        key = _key(method, channel)
        waited = 0.0
        while True:
            slot = self._reserve(method, channel, self.clock())
            wait = slot.at - self.clock()  # read again just before sleeping: waiters wake in their slots' order
            if wait > 0:
                try:
                    await self.sleep(wait)
                except BaseException:  # cancelled while waiting: the call is never made
                    self.give_back(slot)
                    raise
                waited += wait
            if self._paused.get(key, 0.0) > max(slot.at, self.clock()):  # a 429 came while this call waited
                self.give_back(slot)
                continue
            slot.waited = waited
            return slot

    def rejected(self, slot: Slot, retry_after: float) -> None:
        """Slack answered 429 to the call made in `slot`: the slot is not spent, and the method (chat.postMessage:
        the channel) pauses for Retry-After."""
        self.give_back(slot)
        self.pause(slot.method, retry_after, slot.channel)

    def give_back(self, slot: Slot) -> None:
        """A reserved slot no call was made in (or Slack refused): free again for the next caller."""
        if slot.returned:
            return
        slot.returned = True
        if slot.kind == "window":
            slots = self._slots.get(slot.method)
            if slots is not None and slot.at in slots:
                slots.remove(slot.at)
        elif slot.kind == "bucket":
            key = _key(slot.method, slot.channel)
            tokens, last = self._buckets.get(key, (POST_BURST, self.clock()))
            self._buckets[key] = (min(POST_BURST, tokens + 1), last)

    def pause(self, method: str, retry_after: float, channel: str | None = None) -> None:
        """Slack answered 429: no call of this method (chat.postMessage: to this channel) before Retry-After
        seconds (scaled) from now."""
        key = _key(method, channel)
        until = self.clock() + max(0.0, retry_after) * self.scale
        self._paused[key] = max(self._paused.get(key, 0.0), until)

    def _reserve(self, method: str, channel: str | None, now: float) -> Slot:
        start = max(now, self._paused.get(_key(method, channel), 0.0))
        if method == "chat.postMessage":
            return self._reserve_post(method, channel, now, start)
        limit = PER_MINUTE.get(tier(method) or "")
        if limit is None:
            self._check(method, start - now)
            return Slot(method, channel, start, "free")
        span = WINDOW * self.scale
        slots = self._slots.setdefault(method, deque())
        while slots and slots[0] <= now - span - MARGIN:
            slots.popleft()
        at = start
        if len(slots) >= limit:  # the window holds `limit` calls: after the limit-th latest has left it
            at = max(at, slots[-limit] + span + MARGIN)
        if at > now and slots:  # a waiter: a moment after the one before it, so they wake in the order they came
            at = max(at, slots[-1] + SPACING)
        self._check(method, at - now)
        slots.append(at)
        if len(slots) > 1 and slots[-2] > at:  # a reservation given back and taken again: keep the order
            ordered = sorted(slots)
            slots.clear()
            slots.extend(ordered)
        return Slot(method, channel, at, "window")

    def _reserve_post(self, method: str, channel: str | None, now: float, start: float) -> Slot:
        key = _key(method, channel)
        tokens, last = self._buckets.get(key, (POST_BURST, now))
        tokens = min(POST_BURST, tokens + (now - last) * POST_RATE / self.scale)
        at = start
        if tokens < 1:  # past the burst: when the bucket has refilled, and a margin for the way to Slack
            at = max(at, now + (1 - tokens) * self.scale / POST_RATE + MARGIN)
        self._check(method, at - now)
        self._buckets[key] = (tokens - 1, now)  # below zero: the later callers queue behind this one
        return Slot(method, channel, at, "bucket")

    def _check(self, method: str, wait: float) -> None:
        if wait > self.max_wait * self.scale:
            raise RateLimitWait(method, wait)
