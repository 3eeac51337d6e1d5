"""Starts the real aiohttp app against the emulator, and restarts it on the same database."""

from __future__ import annotations

from bot.app import INFLIGHT, SERVICES, build_web_app
from bot.domain.clock import Clock
from bot.domain.plan import Plan
from bot.emulator import SlackEmulator
from bot.serve import Running, start
from bot.settings import Settings

TOKEN = "xoxb-emulator"
SIGNING_SECRET = "test-signing-secret"
ALERT_TOKEN = "test-alert-token"


class BotUnderTest:
    def __init__(self, emulator: SlackEmulator, database_url: str, clock: Clock, plan: Plan | None = None,
                 limiter=None, **settings):
        self.settings = Settings(
            _env_file=None,
            slack_bot_token=TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=emulator.base_url,
            database_url=database_url,
            # tests tick by hand, on the injected clock; the database gets all of Slack's 3 s but a margin to record a
            # request on a loaded test machine (the outage tests set their own bound)
            **{"crisisbot_tick_seconds": 0, "crisisbot_record_timeout_seconds": 2.5, **settings},
        )
        self.clock = clock
        self.plan = plan
        self.limiter = limiter
        self.running: Running | None = None

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.url

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"

    async def start(self) -> BotUnderTest:
        app = build_web_app(self.settings, clock=self.clock, plan=self.plan, limiter=self.limiter)
        self.running = await start(app)
        return self

    async def stop(self) -> None:
        if self.running is not None:
            await self.running.stop()
            self.running = None

    async def restart(self) -> None:
        """A new process image, as far as the app can tell: new engine, client, Bolt app."""
        await self.stop()
        await self.start()

    @property
    def services(self):
        assert self.running is not None
        return self.running.app[SERVICES]

    async def tick(self) -> int:
        """What the scheduler's job does every few seconds: fire the reminders that are due."""
        return await self.services.reminders.tick()

    async def settled(self) -> None:
        """Until the work the bot acknowledged (to Slack or to an alert's sender) is done."""
        assert self.running is not None
        await self.running.app[INFLIGHT].idle()

    async def tick_alerts(self) -> int:
        """The alert part of the scheduler's job: digests, unposted triage, unfinished openings."""
        return await self.services.alerts.tick()
