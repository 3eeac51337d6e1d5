"""Starting and stopping the aiohttp app on a socket, for `serve`, the demo and tests.

Connection hygiene for a server on the internet (aiohttp 3.x has no header-read timeout of its own; its
`RequestHandler` in web_protocol.py only closes a connection that stays idle for `keepalive_timeout`):

- a connection that has not sent complete request headers within `header_seconds` of connecting (or of the
  first byte of its next request) is closed: half-open and slow-header connections don't pile up;
- an idle keep-alive connection is closed after `keepalive_seconds` (aiohttp's own timer);
- at most `max_idle` idle keep-alive connections are kept: a new connection beyond that closes the one idle
  the longest.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

from aiohttp import web
from aiohttp.web_protocol import RequestHandler


@dataclass(frozen=True)
class Limits:
    header_seconds: float = 10.0
    keepalive_seconds: float = 75.0
    max_idle: int = 100


class GuardedRequestHandler(RequestHandler):
    """aiohttp's connection handler with a timer on the request headers."""

    def __init__(self, manager: web.Server, *, header_seconds: float, **kwargs: Any):
        super().__init__(manager, **kwargs)
        self.header_seconds = header_seconds
        self.header_timer: asyncio.TimerHandle | None = None

    def idle(self) -> bool:
        """Waiting for a request: none being handled, none parsed and queued."""
        return not self._request_in_progress and not self._messages

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        parsed = self._request_count
        super().data_received(data)
        if self._request_count != parsed:  # the headers of a request are complete
            self._disarm()
        elif data and self.header_timer is None and self.idle():  # the first bytes of the next request
            self._arm()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.header_seconds > 0:
            self.header_timer = self._loop.call_later(self.header_seconds, self._headers_late)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_late(self) -> None:
        self.header_timer = None
        if self.idle():
            self.force_close()


class GuardedServer(web.Server):
    """aiohttp's low-level server, making GuardedRequestHandlers and keeping at most `max_idle` idle ones."""

    def __init__(self, *args: Any, limits: Limits, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limits = limits

    def __call__(self) -> RequestHandler:
        return GuardedRequestHandler(self, loop=self._loop, header_seconds=self.limits.header_seconds,
                                     **self._kwargs)

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        idle = [h for h in self.connections
                if h is not handler and isinstance(h, GuardedRequestHandler) and h.idle() and h.header_timer is None]
        idle.sort(key=lambda h: h._next_keepalive_close_time)  # the one idle longest first
        for extra in idle[:max(0, len(idle) - self.limits.max_idle)]:
            extra.force_close()  # idle: nothing is cut (close() alone would leave the socket open while idle)


class GuardedAppRunner(web.AppRunner):
    def __init__(self, app: web.Application, *, limits: Limits, **kwargs: Any):
        super().__init__(app, keepalive_timeout=limits.keepalive_seconds, **kwargs)
        self.limits = limits

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        return GuardedServer(plain.request_handler, request_factory=plain.request_factory,
                             handler_cancellation=plain.handler_cancellation, loop=plain._loop,
                             limits=self.limits, **plain._kwargs)


@dataclass
class Running:
    runner: web.AppRunner
    url: str

    @property
    def app(self) -> web.Application:
        return self.runner.app

    @property
    def connections(self) -> int:
        server = self.runner.server
        return len(server.connections) if server is not None else 0

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start(app: web.Application, host: str = "127.0.0.1", port: int = 0, limits: Limits | None = None,
                **runner_args: Any) -> Running:
    """Start `app` (running its cleanup_ctx start-up) and listen; port 0 picks a free one."""
    runner = GuardedAppRunner(app, limits=limits or Limits(), **{"handle_signals": False, **runner_args})
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_host, bound_port = runner.addresses[0][:2]
    return Running(runner, f"http://{bound_host}:{bound_port}")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed (a dependency on Linux and macOS: measured on alert ingest over SQLite,
    10-15% less CPU per request and a shorter tail), else asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(app: web.Application, host: str, port: int, limits: Limits, on_listening: Callable[[str], None],
        **runner_args: Any) -> None:
    """Serve until SIGTERM or SIGINT, as aiohttp's run_app does (its signal handling, then the app's cleanup),
    with the guarded runner, on uvloop's event loop where it is installed."""
    loop = new_event_loop()

    async def serve() -> None:
        running = await start(app, host, port, limits, handle_signals=True, **runner_args)
        try:
            on_listening(running.url)
            while True:
                await asyncio.sleep(3600)
        finally:
            await running.stop()

    main = loop.create_task(serve())
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main)
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            if not main.done():
                main.cancel()
                try:
                    loop.run_until_complete(main)
                except asyncio.CancelledError:
                    pass
        finally:
            left = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in left:
                task.cancel()
            if left:
                loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
