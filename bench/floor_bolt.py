"""The floor for slash-command acks: a bare Bolt AsyncApp whose only listener acknowledges `/crisis`.

Served the way Bolt's own aiohttp adapter serves it (slack_bolt.adapter.aiohttp), with request verification on
and a bot token (Bolt asks auth.test once and keeps the answer), so that it pays what any Bolt app pays per
request and nothing else.

    .venv/bin/python -m bench.floor_bolt [PORT]     # serves until interrupted; bench/acks.py starts it itself
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def floor_app(signing_secret: str, token: str, api_url: str) -> web.Application:
    bolt = AsyncApp(signing_secret=signing_secret, client=AsyncWebClient(token=token, base_url=api_url))

    @bolt.command("/crisis")
    async def crisis(ack) -> None:
        await ack()

    return bolt.web_app(path="/slack/events")


@dataclass
class Floor:
    runner: web.AppRunner
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_floor(signing_secret: str, token: str, api_url: str, port: int = 0) -> Floor:
    runner = web.AppRunner(floor_app(signing_secret, token, api_url), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, bound = runner.addresses[0][:2]
    return Floor(runner, f"http://{host}:{bound}")


async def _serve(port: int) -> None:  # pragma: no cover - by hand
    from bot.emulator import SlackEmulator

    emu = SlackEmulator(bot_token="xoxb-emulator")
    await emu.start()
    floor = await start_floor("bench-secret", "xoxb-emulator", emu.base_url, port)
    print(f"bare Bolt floor on {floor.url}/slack/events (signing secret bench-secret)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await floor.stop()
        await emu.close()


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(_serve(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
