"""Who the bot is in Slack (`auth.test`), asked before serving and never trusted to one call.

Bolt's AsyncApp, given a token, calls auth.test lazily on the first request (slack_bolt/middleware/
authorization/async_single_team_authorization.py) and answers any SlackApiError from it with "your installation
with this app is no longer available": one passing failure at start-up and the first request is lost. Instead:
`ensure` asks auth.test with backoff before the app serves (bounded), Bolt gets `authorize`, which answers from
that result, and `before_authorize` asks again (briefly) when it is still missing; when Slack still does not
answer, the request gets an honest answer ("Slack is not answering crisisbot right now; nothing was done")
instead of the installation error, and an event is answered 503 so that Slack sends it again. A token Slack
refuses for good (invalid_auth, revoked…) keeps Bolt's own answer, which is then true.
"""

from __future__ import annotations

import asyncio
import logging
import random

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.catalog import Catalog
from bot.domain.opening import PERMANENT
from handlers.slack_errors import error_code

log = logging.getLogger(__name__)

FIRST_BACKOFF, MAX_BACKOFF = 0.5, 5.0
REQUEST_BUDGET = 1.5  # seconds a request may wait for auth.test: Slack wants an answer within 3


class SlackIdentity:
    def __init__(self, client: AsyncWebClient, catalog: Catalog):
        self.client = client
        self.catalog = catalog
        self.answer = None  # auth.test's response, once Slack gave it
        self.refused: str | None = None  # an error that trying again won't change
        self._lock = asyncio.Lock()
        self._result: tuple[object, AuthorizeResult] | None = None  # (the answer it was built from, the result)

    async def ensure(self, budget: float) -> bool:
        """auth.test until it answers, with backoff and jitter, for at most `budget` seconds; True once known."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget
        delay = FIRST_BACKOFF
        async with self._lock:  # one asker at a time; the others find the answer
            while self.answer is None and self.refused is None:
                try:
                    self.answer = await asyncio.wait_for(self.client.auth_test(), max(0.5, deadline - loop.time()))
                except SlackApiError as exc:
                    code = error_code(exc)
                    if code in PERMANENT:
                        self.refused = code
                        log.error("Slack refuses the bot token (%s)", code)
                        break
                    log.warning("auth.test failed (%s); asking again in %.1fs", code, delay)
                except (asyncio.TimeoutError, OSError) as exc:
                    log.warning("auth.test did not answer (%s); asking again in %.1fs", type(exc).__name__, delay)
                if self.answer is not None or self.refused is not None:
                    break
                wait = min(delay * (0.5 + random.random()), deadline - loop.time())
                if wait <= 0:
                    return False
                await asyncio.sleep(wait)
                delay = min(MAX_BACKOFF, delay * 2)
        return self.answer is not None

    def bolt_functions(self) -> dict:
        """`authorize` and `before_authorize` for AsyncApp, as Bolt's own classes: Bolt calls those directly,
        where a plain function is called through its argument injection (its signature read on every request)."""
        return {"authorize": _Authorize(self), "before_authorize": _BeforeAuthorize(self)}

    async def _authorize(self) -> AuthorizeResult | None:
        """The remembered auth.test, never a call per request (and its AuthorizeResult built once)."""
        if self.answer is None and not await self.ensure(REQUEST_BUDGET):
            return None  # refused for good: Bolt says the installation is gone, which is then true
        if self._result is None or self._result[0] is not self.answer:
            self._result = (self.answer, AuthorizeResult.from_auth_test_response(
                bot_token=self.client.token, auth_test_response=self.answer))
        return self._result[1]

    async def _before_authorize(self, req, next):
        """A request that came while Slack doesn't answer auth.test is told so, honestly, and changes nothing."""
        if self.answer is not None or self.refused is not None or await self.ensure(REQUEST_BUDGET) \
                or self.refused is not None:  # known, or refused for good (then Bolt's answer is true)
            return await next()
        text = self.catalog.t("startup.slack_not_answering")
        log.warning("a request came while Slack does not answer auth.test; told to retry")
        if req.context.response_url is not None:  # a slash command, a click, a shortcut: the person reads this
            if req.body.get("command"):
                return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
            try:
                await req.context.respond(text=text, response_type="ephemeral", replace_original=False)
            except Exception:  # pragma: no cover - Slack is not answering; the 503 below still tells it
                log.warning("could not tell the person that Slack is not answering")
            return BoltResponse(status=200, body="")
        return BoltResponse(status=503, body=text)  # an event: Slack sends it again (a form: Slack says it failed)


class _Authorize(AsyncAuthorize):
    def __init__(self, identity: SlackIdentity):
        super().__init__()
        self.identity = identity

    async def __call__(self, *, context, enterprise_id, team_id, user_id, actor_enterprise_id=None,
                       actor_team_id=None, actor_user_id=None) -> AuthorizeResult | None:
        return await self.identity._authorize()


class _BeforeAuthorize(AsyncMiddleware):
    def __init__(self, identity: SlackIdentity):
        self.identity = identity

    async def async_process(self, *, req, resp, next):  # noqa: A002 - Bolt's name
        return await self.identity._before_authorize(req, next)
