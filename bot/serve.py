"""Starting and stopping the aiohttp app on a socket, for `serve`, the demo and tests."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass
class Running:
    runner: web.AppRunner
    url: str

    @property
    def app(self) -> web.Application:
        return self.runner.app

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Start `app` (running its cleanup_ctx start-up) and listen; port 0 picks a free one."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    return Running(runner, f"http://{bound_host}:{bound_port}")
