"""Errors a user can be told about. Each carries a catalog key and its arguments."""

from __future__ import annotations


class CrisisError(Exception):
    """A refusal with a message for the user, looked up in the message catalog."""

    key = "error.generic"

    def __init__(self, **params: object):
        super().__init__(self.key, params)
        self.params = params


class NotACrisisChannel(CrisisError):
    key = "error.not_crisis_channel"


class AlreadyClosed(CrisisError):
    key = "error.already_closed"


class TitleRequired(CrisisError):
    key = "error.title_required"


class TooLong(CrisisError):
    key = "error.too_long"


class UnknownCrisis(CrisisError):
    key = "error.unknown_crisis"


class SlackStepFailed(CrisisError):
    """A Slack call failed for good while opening or closing a crisis."""

    key = "error.slack_step_failed"


class SlackStepDelayed(CrisisError):
    """A Slack call failed for a passing reason; the opening is resumed on the next tick."""

    key = "error.slack_step_delayed"


class UnknownLanguage(CrisisError):
    """`--lang xx` (or the form) named a language crisisbot has no catalog for."""

    key = "error.unknown_language"
