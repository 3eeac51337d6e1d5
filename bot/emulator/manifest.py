"""The app manifest as the emulated Slack reads it: the bot token's scopes, the subscribed bot
events and each slash command's `should_escape`.

Slack installs an app with what its manifest asks for; the emulator does the same with the
project's `manifest.yaml` unless it is given something else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "manifest.yaml"


@dataclass(frozen=True)
class Manifest:
    scopes: tuple[str, ...] = ()                  # in the manifest's order, as Slack reports them
    bot_events: frozenset[str] = frozenset()
    should_escape: dict[str, bool] = field(default_factory=dict)   # command -> setting

    @classmethod
    def parse(cls, data: dict) -> "Manifest":
        scopes = ((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
        events = ((data.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events") or []
        commands = (data.get("features") or {}).get("slash_commands") or []
        # Slack's default for should_escape is false
        escape = {c["command"]: bool(c.get("should_escape", False)) for c in commands if c.get("command")}
        return cls(tuple(scopes), frozenset(events), escape)

    @classmethod
    def load(cls, path: Path | str) -> "Manifest":
        return cls.parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})


@functools.lru_cache(maxsize=1)
def project_manifest() -> Manifest | None:
    """The project's manifest.yaml, or None when the emulator runs without the source tree."""
    return Manifest.load(DEFAULT_PATH) if DEFAULT_PATH.is_file() else None
