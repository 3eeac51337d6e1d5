"""Shared helpers for the emulator tests: a movable clock, a tiny bot endpoint, payloads."""

from __future__ import annotations

import json
import time
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError

TOKEN = "xoxb-emulator"
SECRET = "emulator-signing-secret"


class FakeClock:
    """Injectable clock: starts at real time (so signatures stay fresh), moves on demand."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def api_error(call: Awaitable[Any]) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        await call
    return info.value


class Receiver:
    """A tiny bot endpoint: records each request and answers with `self.answer(request)`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], str]] = []
        self.answer: Callable[[str], Awaitable[web.Response]] = self._empty
        self.url = ""
        self._runner: web.AppRunner | None = None

    @staticmethod
    async def _empty(body: str) -> web.Response:
        return web.Response(status=200)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        self.requests.append((dict(request.headers), body))
        return await self.answer(body)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/slack/events", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/slack/events"

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def payload(self, index: int = -1) -> dict[str, Any]:
        return json.loads(parse_qs(self.requests[index][1])["payload"][0])


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


MODAL = {
    "type": "modal", "callback_id": "open_crisis", "title": {"type": "plain_text", "text": "Open"},
    "submit": {"type": "plain_text", "text": "Open"},
    "blocks": [
        {"type": "input", "block_id": "title_block", "label": {"type": "plain_text", "text": "T"},
         "element": {"type": "plain_text_input", "action_id": "title"}},
        {"type": "input", "block_id": "severity_block", "label": {"type": "plain_text", "text": "S"},
         "element": {"type": "static_select", "action_id": "severity", "options": [
             {"text": {"type": "plain_text", "text": lvl}, "value": lvl} for lvl in ("low", "high")]}},
        {"type": "input", "block_id": "private_block", "optional": True,
         "label": {"type": "plain_text", "text": "P"},
         "element": {"type": "checkboxes", "action_id": "private", "options": [
             {"text": {"type": "plain_text", "text": "Private"}, "value": "private"}]}},
        {"type": "input", "block_id": "owner_block", "optional": True,
         "label": {"type": "plain_text", "text": "O"},
         "element": {"type": "users_select", "action_id": "owner"}},
    ]}
