"""Builds the Bolt AsyncApp and registers every listener on it."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers import actions, alert_actions, dedup, events, home, reminders, slash, views
from handlers.context import HandlerContext

log = logging.getLogger(__name__)


def build_bolt_app(client: AsyncWebClient, signing_secret: str, ctx: HandlerContext,
                   *, verify_requests: bool = True, identity=None, journal=None) -> AsyncApp:
    """`identity` (handlers/identity.py): Bolt authorizes from its remembered auth.test instead of its own."""
    app = AsyncApp(
        name="crisisbot",
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=verify_requests,
        logger=logging.getLogger("crisisbot.bolt"),
        **({} if identity is None else identity.bolt_functions()),
    )
    if ctx.voices is not None:  # first: everything this request is told, in the person's language
        app.middleware(ctx.voices.speak_their_language())
    if journal is not None:  # then: a request is recorded before any listener acknowledges it
        journal.register(app)
    for module in (dedup, slash, views, actions, alert_actions, events, reminders, home):
        module.register(app, ctx)
    return app
