"""What every listener needs, built once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog
from bot.domain.clock import Clock
from bot.domain.errors import CrisisError
from bot.domain.plan import Plan
from bot.services.crises import CrisisService
from handlers.escape import esc


@dataclass(frozen=True)
class HandlerContext:
    service: CrisisService
    plan: Plan
    catalog: Catalog
    clock: Clock

    def error_text(self, error: CrisisError) -> str:
        """The user-facing sentence for a refusal; user-supplied parameters escaped."""
        params = {k: esc(v) for k, v in error.params.items()}
        if "step" in params:
            params["step"] = self.catalog.t(f"step.{error.params['step']}")
        return self.catalog.t(error.key, **params)
