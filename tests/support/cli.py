"""Running `bot.cli.main` in a clean environment, as a person would from a fresh shell."""

from __future__ import annotations

import logging
import os

import pytest


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """No SLACK_*, CRISISBOT_*, DATABASE_URL, HOST or PORT from the caller's shell, a folder without .env;
    the CLI's log handler removed afterwards."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CRISISBOT_", "DATABASE_URL")) or name in ("HOST", "PORT"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield monkeypatch
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_crisisbot", False)]:
        root.removeHandler(handler)
