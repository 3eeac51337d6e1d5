"""Listeners for the reminders: the Snooze buttons.

("Fill in now" is `sitrep_open`, answered by handlers/actions.py.)
"""

from __future__ import annotations

import json
import re

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from handlers.blocks.kit import when
from handlers.blocks.reminders import SNOOZE_ACTION
from handlers.context import HandlerContext
from handlers.replies import answering

# `reminder_snooze`, and `reminder_snooze_<minutes>` for the other choices of the same message.
SNOOZE_ACTIONS = re.compile(rf"^{SNOOZE_ACTION}(_\d+)?$")


def register(app: AsyncApp, ctx: HandlerContext) -> None:
    t = ctx.catalog
    reminders = ctx.services.reminders

    @app.action(SNOOZE_ACTIONS)
    async def snooze(ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond) -> None:
        await ack()

        async def say(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        async with answering(ctx, say, "snooze reminder"):
            value = json.loads(action.get("value") or "{}")
            minutes = int(value["minutes"])
            crisis = await ctx.services.privacy.check(await reminders.crisis(int(value["crisis"])), body["user"]["id"])
            until = await reminders.snooze(crisis, str(value["kind"]), minutes, body["user"]["id"])
            if until is None:
                await say(t.t("reminders.not_pending"))
            else:
                await say(t.t("reminders.snoozed", minutes=minutes, when=when(until)))
