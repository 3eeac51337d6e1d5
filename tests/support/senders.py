"""A monitoring tool posting alerts to the bot over real HTTP."""

from __future__ import annotations

import io
import json
from pathlib import Path

from handlers.alert_auth import sign
from tests.support.harness import ALERT_TOKEN

SAMPLES = Path(__file__).resolve().parent.parent / "alerts"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


class Sender:
    def __init__(self, session, bot):
        self.session = session
        self.bot = bot

    async def post(self, source: str, payload: dict | bytes | str, *, token: str | None = ALERT_TOKEN,
                   headers: dict | None = None) -> tuple[int, dict | str]:
        body = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data = io.BytesIO(body) if len(body) > 64 * 1024 else body  # aiohttp warns on large raw bytes
        async with self.session.post(f"{self.bot.url}/alerts/{source}", data=data, headers=sent) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def post_signed(self, source: str, payload: dict, timestamp: int, secret: str = ALERT_TOKEN):
        body = json.dumps(payload).encode()
        return await self.post(source, body, token=None, headers=sign(body, secret, timestamp))
