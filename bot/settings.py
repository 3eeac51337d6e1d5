"""The one Settings object, read from the environment and `.env` at start."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"

# What a value is when nobody filled it in: `.env.example` ships empty values, and these are the usual stand-ins.
PLACEHOLDERS = frozenset({
    "changeme", "change-me", "change_me", "xoxb-your-token", "xapp-your-token", "xoxb-", "xapp-",
    "test", "secret", "password", "token", "todo", "tbd", "fixme", "placeholder", "dummy", "fake", "none",
    "null", "default",
})
_PLACEHOLDER_INSIDE = re.compile(r"(?i)example|changeme|change-me|placeholder|replace-?me|(?<![a-z0-9])your")
# A value made only of stand-in words and digits: "test-signing-secret", "my_secret", "xoxb-test-token".
STAND_IN_WORDS = frozenset({
    "test", "testing", "secret", "signing", "token", "bot", "app", "slack", "alert", "key", "dev", "demo",
    "dummy", "fake", "my", "the", "crisisbot", "password", "pass", "changeme", "sample", "local", "foo", "bar",
    "xoxb", "xoxp", "xapp",
})
_ELLIPSIS = re.compile(r"…|\.\.\.|^<.*>$")

SHORTEST_BOT_TOKEN = 20       # real xoxb- tokens are over 50 characters
SHORTEST_APP_TOKEN = 20       # real xapp- tokens are over 90
SHORTEST_SIGNING_SECRET = 16  # Slack's signing secrets are 32 hexadecimal characters
SHORTEST_ALERT_TOKEN = 16


def looks_like_placeholder(value: str) -> bool:
    """True for a value nobody chose on purpose: an example, a stand-in word, one repeated character."""
    value = value.strip()
    lowered = value.lower()
    return (lowered in PLACEHOLDERS
            or bool(_PLACEHOLDER_INSIDE.search(value))
            or _only_stand_in_words(lowered)
            or bool(_ELLIPSIS.search(value))
            or len(set(lowered.split("-", 1)[-1])) <= 2)


def _only_stand_in_words(lowered: str) -> bool:
    words = [w for w in re.split(r"[^a-z]+", lowered) if w]
    return bool(words) and all(w in STAND_IN_WORDS for w in words)


def mask_url_password(url: str) -> str:
    """`postgresql+asyncpg://app:s3cret@db/crises` -> `postgresql+asyncpg://app:***@db/crises`."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:)[^@]*(@)", r"\1***\2", url)


class Settings(BaseSettings):
    # An empty value (`.env.example` ships them) means "not set", as if the line were absent.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite+aiosqlite:///./crisisbot.db"  # its password is masked in repr() and str()
    host: str = "0.0.0.0"
    port: int = 3000
    crisisbot_plan: Path | None = None
    crisisbot_managers_channel: str | None = None
    crisisbot_language: str = "en"
    crisisbot_alert_token: SecretStr | None = None  # shared secret of POST /alerts/{source}
    # Logs: unset, `serve` writes JSON lines at INFO and the demo and export plain text at WARNING.
    crisisbot_log_format: Literal["json", "text"] | None = None
    crisisbot_log_level: str | None = None
    crisisbot_admins: str = ""  # comma-separated user IDs (U…) and user-group IDs (S…)
    # how long a process may be silent before another one resumes a crisis opening it started
    crisisbot_opening_lease_seconds: float = 30.0
    # how often the scheduler looks for due reminders, digests and unfinished openings; 0: never by
    # itself (tests drive it by hand)
    crisisbot_tick_seconds: float = 10.0
    slack_timeout_seconds: float = 10.0  # one Web API call; a timeout is retried with backoff

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.crisisbot_admins.split(",") if part.strip())

    @field_validator("crisisbot_log_format", mode="before")
    @classmethod
    def _log_format(cls, value):
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("crisisbot_log_level", mode="before")
    @classmethod
    def _log_level(cls, value):
        if not isinstance(value, str) or not value.strip():
            return None
        name = value.strip().upper()
        if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return name

    def __repr_args__(self):
        for name, value in super().__repr_args__():
            yield name, mask_url_password(value) if name == "database_url" else value

    @property
    def socket_mode(self) -> bool:
        return bool(self.secret("slack_app_token"))  # `SLACK_APP_TOKEN=` (as in .env.example) is HTTP mode

    @property
    def has_slack_credentials(self) -> bool:
        return not self.missing_for_serve()

    def missing_for_serve(self) -> list[str]:
        """Settings a real workspace needs: a bot token, and a signing secret unless in Socket Mode."""
        missing = [] if self.secret("slack_bot_token") else ["SLACK_BOT_TOKEN"]
        if not self.socket_mode and not self.secret("slack_signing_secret"):
            missing.append("SLACK_SIGNING_SECRET")
        return missing

    def check_for_serving(self) -> list[str]:
        """Refuses to serve a real workspace on empty, placeholder or too-short secrets.

        Raises ValueError with every problem on one line (never the values themselves); returns the
        warnings worth logging at start. The demo never calls it: it runs against the emulator.
        """
        problems: list[str] = []

        def check(name: str, env: str, shortest: int, what: str) -> None:
            value = self.secret(name).strip()
            if not value:
                problems.append(f"{env} is not set")
            elif looks_like_placeholder(value):
                problems.append(f"{env} looks like a placeholder, not {what}")
            elif len(value) < shortest:
                problems.append(f"{env} is too short to be {what} ({len(value)} characters, at least "
                                f"{shortest} expected)")

        check("slack_bot_token", "SLACK_BOT_TOKEN", SHORTEST_BOT_TOKEN, "a bot token from Slack")
        if self.socket_mode:
            check("slack_app_token", "SLACK_APP_TOKEN", SHORTEST_APP_TOKEN, "an app-level token from Slack")
        else:
            check("slack_signing_secret", "SLACK_SIGNING_SECRET", SHORTEST_SIGNING_SECRET,
                  "Slack's signing secret")
        warnings: list[str] = []
        if self.secret("crisisbot_alert_token").strip():
            check("crisisbot_alert_token", "CRISISBOT_ALERT_TOKEN", SHORTEST_ALERT_TOKEN, "a shared secret")
        else:
            warnings.append("CRISISBOT_ALERT_TOKEN is not set: every POST /alerts/{source} is refused with 401")
        if problems:
            raise ValueError("cannot serve: " + "; ".join(problems) + " (see .env.example; "
                             "`crisisbot demo` runs without credentials)")
        return warnings

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""

    def secret_values(self) -> list[str]:
        """Every secret this process knows, for the log filter: tokens, signing secret, database password."""
        from bot.logs import url_password

        names = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "crisisbot_alert_token")
        return [v for v in [*(self.secret(n) for n in names), url_password(self.database_url)] if v]

    def log_level(self, command: str) -> int:
        default = "INFO" if command in ("serve", "migrate") else "WARNING"
        return logging.getLevelNamesMapping()[self.crisisbot_log_level or default]

    def log_json(self, command: str) -> bool:
        return (self.crisisbot_log_format or ("json" if command == "serve" else "text")) == "json"
