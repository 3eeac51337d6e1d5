"""What every listener needs, built once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.errors import CrisisError
from bot.domain.plan import Plan
from bot.services.container import Services
from handlers.blocks.kit import mention
from handlers.escape import esc
from handlers.inflight import InFlight
from handlers.speaking import Voices


@dataclass(frozen=True)
class HandlerContext:
    services: Services
    plan: Plan
    catalog: Catalog
    clock: Clock
    inflight: InFlight
    record_timeout: float = 1.5  # seconds the database has to record a request before its ack
    voices: Voices | None = None  # whose language a request is answered in; `plan` and `catalog` speak it

    def error_text(self, error: CrisisError) -> str:
        """The user-facing sentence for a refusal; user-supplied parameters escaped."""
        params = {k: esc(v) for k, v in error.params.items()}
        if "step" in params:
            params["step"] = self.catalog.t(f"step.{error.params['step']}")
        if "action" in params:
            params["action"] = self.catalog.t(f"action.{error.params['action']}")
        if "what" in params:  # a field's label stays as the plan writes it
            params["what"] = self.catalog.lookup(f"what.{error.params['what']}") or params["what"]
        if "lead" in params:
            params["lead"] = mention(str(error.params["lead"] or ""), self.catalog)
        return self.catalog.t(error.key, **params)

    @property
    def service(self):
        """The crisis service, which most listeners use."""
        return self.services.crises


@dataclass(frozen=True)
class SlashRequest:
    """Who typed a slash command, where, and how to answer them."""

    user: str
    channel: str
    trigger_id: str
    respond: object  # Bolt's AsyncRespond
    client: object  # slack_sdk AsyncWebClient

    async def say(self, text: str) -> None:
        await self.respond(text=text, response_type="ephemeral")  # type: ignore[operator]
