"""`SlackEmulator`: the aiohttp app serving the emulated Slack Web API.

Dispatch order for `/api/{method}`: body parsing → injected fault → unknown method →
token → scopes → rate-limit tier → required arguments → the method implementation. Every
answer, errors and faults included, is recorded in `emu.calls`.

The token holds the scopes of the project's manifest.yaml unless `scopes` says otherwise;
a call whose method needs a scope it lacks gets `missing_scope` with `needed` and `provided`,
and every authenticated answer carries `X-OAuth-Scopes` as Slack's do.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import time
import traceback
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable

from aiohttp import web

from .manifest import project_manifest
from .methods import MISSING_ARG_ERRORS, ApiError, handlers, rate_tier, required_args
from .scopes import every_scope, missing
from .response_url import handle_response_url
from .state import Call, State

log = logging.getLogger(__name__)

TIER_LIMITS = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}   # calls per minute, per method
WINDOW = 60.0
POST_BURST = 10           # chat.postMessage: burst per channel, refilled at 1 message/s (Slack allows short bursts)
POST_RATE = 1.0
JSON_ARGS = ("blocks", "view", "attachments", "metadata", "users", "options")


@dataclass
class Fault:
    method: str
    error: str | None = None
    status: int | None = None
    retry_after: int | None = None
    delay: float | None = None
    times: int | None = 1
    until: asyncio.Event | None = None  # hold the call until the test sets it (or the emulator closes)


class _BadJson(Exception):
    pass


class SlackEmulator(State):
    """A stateful fake of Slack's Web API served over real HTTP."""

    def __init__(self, bot_token: str = "xoxb-emulator", clock: Callable[[], float] = time.time,
                 *, enforce_rate_limits: bool = False, scopes: list[str] | tuple[str, ...] | None = None,
                 latency: float = 0.0) -> None:
        super().__init__(clock)
        self.latency = latency  # seconds each Web API call takes before it is answered (a far-away Slack)
        self._arrived: dict[int, float] = {}  # id of a recorded Web API call -> when it arrived (the clock)
        self.bot_token = bot_token
        if scopes is None:   # installed as the manifest asks; without the source tree, anything goes
            manifest = project_manifest()
            scopes = manifest.scopes if manifest is not None else every_scope()
        self.scopes: tuple[str, ...] = tuple(scopes)
        self.enforce_rate_limits = enforce_rate_limits
        self.faults: list[Fault] = []
        self.internal_errors: list[str] = []
        self._windows: dict[str, deque[float]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._closing = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/api/{method}", self._handle_api)
        self.app.router.add_post("/api/{method}", self._handle_api)
        self.app.router.add_post("/_emulator/response_url/{token}", self._handle_response_url)

    # ----- lifecycle ----------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._closing.clear()
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._url = f"http://{bound_host}:{bound_port}"

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> "SlackEmulator":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the emulator is not serving yet: await emu.start() first")
        return self._url

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def response_url_for(self, token: str) -> str:
        return f"{self.url}/_emulator/response_url/{token}"

    # ----- fault injection ----------------------------------------------------------------
    def inject(self, method: str, *, error: str | None = None, status: int | None = None,
               retry_after: int | None = None, delay: float | None = None,
               times: int | None = 1, until: asyncio.Event | None = None) -> Fault:
        """Make the next `times` calls to `method` ("*" = any, "response_url" too) fail.

        error → ok:false with that code; status → that HTTP status (429 adds Retry-After
        and a `ratelimited` body, others a plain-text body); delay → sleep before answering;
        until → hold the call until the test sets that event, so a test waits on an event, not a time.
        """
        if error is None and status is None and retry_after is None and delay is None and until is None:
            raise ValueError("inject() needs error, status, retry_after, delay or until")
        fault = Fault(method, error, status, retry_after, delay, times, until)
        self.faults.append(fault)
        return fault

    def started(self, call: Call) -> float:
        """When a recorded Web API call arrived (its `at` is when it was answered)."""
        return self._arrived.get(id(call), call.at)

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*"):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the emulator closes."""
        try:
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    async def apply_fault(self, method: str, args: Any) -> web.Response | None:
        """Apply an injected fault for `method`; returns the faulty response, or None."""
        fault = self._take_fault(method)
        if fault is None:
            return None
        if fault.delay:
            await self._sleep(fault.delay)
        if fault.until is not None:
            released = asyncio.ensure_future(fault.until.wait())
            closing = asyncio.ensure_future(self._closing.wait())
            await asyncio.wait({released, closing}, return_when=asyncio.FIRST_COMPLETED)
            released.cancel()
            closing.cancel()
        status = fault.status or (429 if fault.retry_after is not None else None)
        if status == 429:
            return self._respond(method, args, {"ok": False, "error": fault.error or "ratelimited"},
                                 429, {"Retry-After": str(fault.retry_after or 1)})
        if fault.error:
            return self._respond(method, args, {"ok": False, "error": fault.error}, status or 200)
        if status:
            try:
                text = HTTPStatus(status).phrase
            except ValueError:
                text = "Error"
            self.calls.append(Call(method, args, {"ok": False, "error": f"http_{status}", "body": text},
                                   status, self.clock()))
            return web.Response(status=status, text=text)
        return None   # delay only: answer normally

    # ----- rate limits --------------------------------------------------------------------
    def _retry_after(self, method: str, args: dict[str, Any]) -> int | None:
        now = self.clock()
        if method == "chat.postMessage":
            key = str(args.get("channel"))
            tokens, last = self._buckets.get(key, (float(POST_BURST), now))
            tokens = min(float(POST_BURST), tokens + (now - last) * POST_RATE)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / POST_RATE))
        limit = TIER_LIMITS.get(rate_tier(method) or "")
        if limit is None:
            return None
        window = self._windows.setdefault(method, deque())
        while window and window[0] <= now - WINDOW:
            window.popleft()
        if len(window) >= limit:
            return max(1, math.ceil(window[0] + WINDOW - now))
        window.append(now)
        return None

    # ----- HTTP handlers ------------------------------------------------------------------
    def _respond(self, method: str, args: Any, body: Any, status: int = 200,
                 headers: dict[str, str] | None = None) -> web.Response:
        self.calls.append(Call(method, args, body, status, self.clock()))
        return web.json_response(body, status=status, headers=headers)

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                raw = await request.text()
                try:
                    data = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    raise _BadJson() from None
                if not isinstance(data, dict):
                    raise _BadJson()
                args.update(data)
            else:
                form = await request.post()
                for key in form.keys():
                    value = form.get(key)
                    args[key] = value if isinstance(value, str) else getattr(value, "filename", "")
        for key in JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                try:
                    args[key] = json.loads(value)
                except ValueError:
                    pass   # left as a string: the method reports its own format error
        return args

    async def _handle_api(self, request: web.Request) -> web.Response:
        self._url = self._url or f"{request.scheme}://{request.host}"
        name = request.match_info["method"]
        arrived = self.clock()
        if self.latency > 0:
            await self._sleep(self.latency)
        response = await self._answer_api(request, name)
        if self.calls:  # recorded just now, with no await in between: this call's
            self._arrived[id(self.calls[-1])] = arrived
        return response

    async def _answer_api(self, request: web.Request, name: str) -> web.Response:
        try:
            args = await self._read_args(request)
        except _BadJson:
            return self._respond(name, {}, {"ok": False, "error": "invalid_json"})
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        token = token or args.get("token")
        args.pop("token", None)
        faulty = await self.apply_fault(name, args)
        if faulty is not None:
            return faulty
        try:
            return self._dispatch(name, args, token)
        except Exception:   # a bug in the emulator: make it visible, answer like Slack would
            self.internal_errors.append(traceback.format_exc())
            log.exception("emulator: %s failed", name)
            return self._respond(name, args, {"ok": False, "error": "internal_error"}, 500)

    def _dispatch(self, name: str, args: dict[str, Any], token: Any) -> web.Response:
        handler = handlers().get(name)
        if handler is None:
            return self._respond(name, args, {"ok": False, "error": "unknown_method"})
        if not token:
            return self._respond(name, args, {"ok": False, "error": "not_authed"})
        if token != self.bot_token:
            return self._respond(name, args, {"ok": False, "error": "invalid_auth"})
        headers = {"X-OAuth-Scopes": ",".join(self.scopes)}
        lacking = missing(self, name, args, self.scopes)
        if lacking is not None:
            needed = ",".join(sorted(lacking))
            return self._respond(name, args, {"ok": False, "error": "missing_scope", "needed": needed,
                                              "provided": ",".join(self.scopes)},
                                 headers={**headers, "X-Accepted-OAuth-Scopes": needed})
        if self.enforce_rate_limits:
            retry = self._retry_after(name, args)
            if retry is not None:
                return self._respond(name, args, {"ok": False, "error": "ratelimited"}, 429,
                                     {**headers, "Retry-After": str(retry)})
        for arg in required_args(name):
            if args.get(arg) is None:
                specific = MISSING_ARG_ERRORS.get((name, arg))
                error = ApiError(specific) if specific else ApiError(
                    "invalid_arguments", [f"[ERROR] missing required field: {arg}"])
                return self._respond(name, args, error.body, headers=headers)
        try:
            body = {"ok": True, **handler(self, args)}
        except ApiError as exc:
            body = exc.body
        return self._respond(name, args, body, headers=headers)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        self._url = self._url or f"{request.scheme}://{request.host}"
        raw = await request.text()
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except ValueError:
            payload = None
        faulty = await self.apply_fault("response_url", payload)
        if faulty is not None:
            return faulty
        status, text = handle_response_url(self, request.match_info["token"], payload)
        self.calls.append(Call("response_url", payload if isinstance(payload, dict) else {},
                               {"ok": status == 200, "text": text}, status, self.clock()))
        return web.Response(status=status, text=text)

    # ----- waiting ------------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0,
                       interval: float = 0.01, message: str | None = None) -> Any:
        """Poll `predicate()` until it returns something truthy and return that value.

        `predicate` may also return an awaitable. Raises AssertionError (with the predicate
        source and the last API calls) on timeout. Uses real time, not the injected clock.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            if loop.time() >= deadline:
                raise AssertionError(self._timeout_message(predicate, timeout, message))
            await asyncio.sleep(interval)

    def _timeout_message(self, predicate: Callable[[], Any], timeout: float,
                         message: str | None) -> str:
        if message is None:
            try:
                message = inspect.getsource(predicate).strip()
            except (OSError, TypeError):
                message = repr(predicate)
        recent = [f"  {c.method} -> {c.status} "
                  f"{c.response.get('error', 'ok') if isinstance(c.response, dict) else c.response}"
                  for c in self.calls[-10:]]
        return (f"condition not met within {timeout}s: {message}\nlast API calls:\n"
                + ("\n".join(recent) or "  (none)"))
