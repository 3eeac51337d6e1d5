"""The crisis use cases: open, find, close."""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.crisis import Crisis, OpenRequest
from bot.domain.errors import AlreadyClosed, NotACrisisChannel
from bot.domain.plan import Plan
from bot.ports import CrisisStore, SlackGateway
from bot.services.opening import OpeningRunner


class CrisisService:
    def __init__(self, store: CrisisStore, slack: SlackGateway, plan: Plan, clock: Clock):
        self.store = store
        self.slack = slack
        self.plan = plan
        self.clock = clock
        self.opening = OpeningRunner(store, slack, plan)

    def validate(self, request: OpenRequest) -> Crisis:
        """Check a request without side effects (raises CrisisError)."""
        return request.to_crisis(self.plan, self.clock.now())

    async def open(self, request: OpenRequest) -> Crisis:
        """Record the crisis first, then run the Slack steps."""
        crisis = await self.store.add(self.validate(request))
        return await self.opening.run(crisis)

    async def in_channel(self, channel_id: str) -> Crisis:
        crisis = await self.store.by_channel(channel_id)
        if crisis is None:
            raise NotACrisisChannel()
        return crisis

    async def active(self) -> list[Crisis]:
        return await self.store.active()

    async def close(self, channel_id: str, user: str) -> Crisis:
        crisis = await self.in_channel(channel_id)
        crisis.close(by=user, at=self.clock.now())
        if not await self.store.close(crisis):
            # Somebody else closed it between our read and our write.
            current = await self.store.get(crisis.id)  # type: ignore[arg-type]
            raise AlreadyClosed(title=crisis.title, closed_by=current.closed_by if current else None)
        await self.slack.post_closing_summary(crisis)
        return crisis
