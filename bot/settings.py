"""The one Settings object, read from the environment and `.env` at start."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator
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


POSTGRESQL_EXAMPLE = "postgresql+asyncpg://user:password@host:5432/dbname"
SQLITE_EXAMPLE = "sqlite+aiosqlite:///./crisisbot.db"


def check_database_url(url: str) -> str:
    """The URL if crisisbot can use it; ValueError saying what to write instead (password masked)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # ArgumentError for no URL at all, ValueError for a port that is not a number
        raise ValueError(f"is not a database URL: write e.g. {POSTGRESQL_EXAMPLE} or {SQLITE_EXAMPLE} "
                         f"(got {_quoted(mask_url_password(url))})") from None
    backend, _, driver = parsed.drivername.partition("+")
    rest = mask_url_password(url).split("://", 1)[-1]
    if backend in ("postgresql", "postgres", "pgsql"):
        if driver != "asyncpg":
            said = f"names the {driver} driver" if driver else "names no driver"
            raise ValueError(f"{said}; crisisbot reaches PostgreSQL through asyncpg: write postgresql+asyncpg://{rest}")
    elif backend == "sqlite":
        if driver != "aiosqlite":
            said = f"names the {driver} driver" if driver else "names no driver"
            raise ValueError(f"{said}; crisisbot opens SQLite through aiosqlite: write sqlite+aiosqlite://{rest}")
    else:
        raise ValueError(f"must be a PostgreSQL or SQLite URL: write e.g. {POSTGRESQL_EXAMPLE} or "
                         f"{SQLITE_EXAMPLE} (got {_quoted(mask_url_password(url))})")
    return url


def available_languages() -> list[str]:
    """The languages with a message catalog: the folders of bot/locales holding YAML files."""
    from importlib import resources

    root = resources.files("bot.locales")
    return sorted(entry.name for entry in root.iterdir()
                  if entry.is_dir() and any(f.name.endswith(".yaml") for f in entry.iterdir()))


def _quoted(value: object) -> str:
    text = str(value)
    return f'"{text[:77] + "…" if len(text) > 80 else text}"'


# What each setting takes, for the one-line refusal of a value that is not that.
TAKES = {
    "port": "a whole number, e.g. 3000",
    "host": "a host name or address to listen on, e.g. 0.0.0.0",
    "slack_api_url": "an http(s) URL, e.g. https://slack.com/api/",
    "crisisbot_plan": "the path of your crisis plan's YAML file",
    "crisisbot_log_format": "json or text",
    "crisisbot_log_level": "DEBUG, INFO, WARNING, ERROR or CRITICAL",
    "crisisbot_opening_lease_seconds": "a number of seconds above 0, e.g. 30",
    "crisisbot_tick_seconds": "a number of seconds, e.g. 10 (0: the scheduler never ticks by itself)",
    "slack_timeout_seconds": "a number of seconds above 0, e.g. 10",
    "slack_startup_seconds": "a number of seconds, e.g. 20 (0: auth.test is asked once at start)",
    "slack_rate_wait_seconds": "a number of seconds, e.g. 30",
    "crisisbot_post_claim_seconds": "a number of seconds above 0, e.g. 60",
    "crisisbot_header_timeout_seconds": "a number of seconds above 0, e.g. 10",
    "crisisbot_keepalive_seconds": "a number of seconds above 0, e.g. 75",
    "crisisbot_max_idle_connections": "a whole number above 0, e.g. 100",
    "database_pool_size": "a whole number above 0, e.g. 10",
    "database_max_overflow": "a whole number, e.g. 10 (0: never more than the pool size)",
    "database_statement_cache": "a whole number, e.g. 500 (0: asyncpg prepares every statement anew)",
    "crisisbot_alert_batch": "a whole number above 0, e.g. 256",
    "crisisbot_alert_queue": "a whole number above 0, e.g. 4096",
}
SECRET_SETTINGS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "crisisbot_alert_token")


class SettingsError(ValueError):
    """Settings crisisbot cannot start with: one line per bad setting, naming its environment variable."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("; ".join(lines))


def settings_problems(error: ValidationError) -> list[str]:
    """pydantic's errors as one plain line per setting: `PORT must be a whole number, e.g. 3000 (got "abc")`."""
    lines: list[str] = []
    for problem in error.errors(include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else ""
        env = name.upper() or "a setting"
        given = problem.get("input")
        got = "" if name in SECRET_SETTINGS or isinstance(given, dict) else f" (got {_quoted(given)})"
        reason = (problem.get("ctx") or {}).get("error")
        if problem["type"] == "value_error" and reason is not None:
            lines.append(f"{env} {reason}")  # our own validators say what to write
        else:
            lines.append(f"{env} must be {TAKES.get(name, 'a text')}{got}")
    return list(dict.fromkeys(lines))


def load_settings(**values) -> Settings:
    """Settings from the environment and `.env`; SettingsError with a plain line per bad setting."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise SettingsError(settings_problems(exc)) from None


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
    # at start, how long auth.test is asked again (with backoff) while Slack fails for a passing reason, before
    # serving anyway (requests are then told Slack is not answering until it does); 0: ask once
    slack_startup_seconds: float = 20.0
    # how long one Web API call may wait for its slot under Slack's rate limits before it fails for now (an
    # opening step, a reminder: tried again by the next tick)
    slack_rate_wait_seconds: float = 30.0
    # how long a process's claim on a reminder or triage post lasts; after, another process checks whether the
    # post went out (its token in the channel) and finishes it
    crisisbot_post_claim_seconds: float = 60.0
    # connection hygiene (bot/serve.py): a connection must send its request headers within this (seconds)...
    crisisbot_header_timeout_seconds: float = 10.0
    # ...an idle keep-alive connection is closed after this (keep it above a load balancer's idle timeout)...
    crisisbot_keepalive_seconds: float = 75.0
    # ...and at most this many idle keep-alive connections are kept (the one idle longest goes first)
    crisisbot_max_idle_connections: int = 100
    # how long the database has to record a slash command, form or click before Slack is acknowledged; past it,
    # the person is told nothing was done (with a Retry button). Must stay well under Slack's 3 s.
    crisisbot_record_timeout_seconds: float = 1.5
    # how long a process has to finish a request it acknowledged before another process resumes it
    crisisbot_request_lease_seconds: float = 300.0
    # PostgreSQL connections per process: kept open, and opened beyond that under load (closed after). Alerts take
    # one (their group commit); the rest serve Slack requests, digests, openings and the tick.
    database_pool_size: int = 10
    database_max_overflow: int = 10
    # asyncpg's prepared statements kept per connection (SQLAlchemy's cache; its default is 100, fewer than the
    # statements crisisbot uses, so they would be prepared again and again)
    database_statement_cache: int = 500
    # alerts written in one transaction at most, and alerts waiting for theirs at most: past that, a sender is
    # told 503 with Retry-After rather than the queue growing without bound (storage/alert_batch.py)
    crisisbot_alert_batch: int = 256
    crisisbot_alert_queue: int = 4096
    # crash tests only: points where the process kills itself (bot/services/failpoints.py); empty in production
    crisisbot_crash_at: str = ""

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.crisisbot_admins.split(",") if part.strip())

    @field_validator("crisisbot_log_format", mode="before")
    @classmethod
    def _log_format(cls, value):
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value.strip())

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError(f"must be a port number from 1 to 65535, e.g. 3000 (got {value})")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        if not re.match(r"(?i)^https?://[^/\s]+", value.strip()):
            raise ValueError(f"must be {TAKES['slack_api_url']} (got {_quoted(value)})")
        return value.strip()

    @field_validator("crisisbot_language", mode="before")
    @classmethod
    def _language(cls, value):
        if not isinstance(value, str):
            return value
        language, available = value.strip().lower(), available_languages()
        if language not in available:
            raise ValueError(f"must be a language crisisbot speaks: {', '.join(available)} (got {_quoted(value)}); "
                             "a translation is a folder of bot/locales")
        return language

    @field_validator("crisisbot_record_timeout_seconds")
    @classmethod
    def _record_timeout(cls, value: float, info) -> float:
        if not 0 < value < 3:
            raise ValueError(f"must be {TAKES[info.field_name]} (got {value:g})")
        return value

    @field_validator("crisisbot_opening_lease_seconds", "slack_timeout_seconds", "crisisbot_post_claim_seconds",
                     "crisisbot_request_lease_seconds")
    @classmethod
    def _positive_seconds(cls, value: float, info) -> float:
        if not 0 < value < float("inf"):
            raise ValueError(f"must be {TAKES[info.field_name]} (got {value:g})")
        return value

    @field_validator("crisisbot_tick_seconds", "slack_startup_seconds", "slack_rate_wait_seconds")
    @classmethod
    def _tick_seconds(cls, value: float, info) -> float:
        if not 0 <= value < float("inf"):
            raise ValueError(f"must be {TAKES[info.field_name]} (got {value:g})")
        return value

    @field_validator("database_pool_size", "crisisbot_alert_batch", "crisisbot_alert_queue")
    @classmethod
    def _positive_count(cls, value: int, info) -> int:
        if value < 1:
            raise ValueError(f"must be {TAKES[info.field_name]} (got {value})")
        return value

    @field_validator("database_max_overflow", "database_statement_cache")
    @classmethod
    def _count(cls, value: int, info) -> int:
        if value < 0:
            raise ValueError(f"must be {TAKES[info.field_name]} (got {value})")
        return value

    @field_validator("crisisbot_log_level", mode="before")
    @classmethod
    def _log_level(cls, value):
        if not isinstance(value, str) or not value.strip():
            return None
        name = value.strip().upper()
        if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got {_quoted(value.strip())})")
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
