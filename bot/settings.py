"""The one Settings object, read from the environment and `.env` at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite+aiosqlite:///./crisisbot.db"
    host: str = "0.0.0.0"
    port: int = 3000
    crisisbot_plan: Path | None = None
    crisisbot_managers_channel: str | None = None
    crisisbot_language: str = "en"
    crisisbot_alert_token: SecretStr | None = None  # shared secret of POST /alerts/{source}

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def has_slack_credentials(self) -> bool:
        return not self.missing_for_serve()

    def missing_for_serve(self) -> list[str]:
        """Settings a real workspace needs: a bot token, and a signing secret unless in Socket Mode."""
        missing = [] if self.secret("slack_bot_token") else ["SLACK_BOT_TOKEN"]
        if not self.socket_mode and not self.secret("slack_signing_secret"):
            missing.append("SLACK_SIGNING_SECRET")
        return missing

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""
