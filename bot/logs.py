"""Logging for operators: one JSON object per line (or plain text), and secrets never written.

`configure_logging` installs one handler on the root logger, so every library's
records go through the same formatter and the same `RedactSecrets` filter. Only the
standard library is used; nothing happens at import.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone
from typing import Iterable, TextIO
from urllib.parse import quote, unquote, urlsplit

REDACTED = "[redacted]"
SHORTEST_SECRET = 6  # a shorter configured value would blank ordinary words; serving refuses such values anyway

# Secrets that look like secrets, configured or not.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+"), REDACTED),   # Slack bot/user/refresh tokens
    (re.compile(r"xapp-[A-Za-z0-9-]+"), REDACTED),                       # Slack app-level tokens
    (re.compile(r"(?i)\b(bearer)(\s+)[^\s'\",;]+"), r"\1\2" + REDACTED),  # Authorization header values
    # The password of a URL: scheme://user:password@host
    (re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:)[^\s@/'\"]+(@)"), r"\1" + REDACTED + r"\2"),
)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def url_password(url: str) -> str | None:
    """The password inside a URL such as a DATABASE_URL, or None."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


class RedactSecrets(logging.Filter):
    """Blanks the configured secret values, and anything shaped like a token, in every record.

    Installed on the handler, so it sees every record that is written, whichever logger made it:
    the message and its arguments, the traceback, the stack and the `extra` fields.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        values: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= SHORTEST_SECRET:
                values.update({secret, quote(secret, safe=""), quote(secret)})
        self._secrets = sorted(values, key=len, reverse=True)  # longest first: no half-redacted leftovers

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: still write it (redacted) rather than raise at the caller
            message = f"{record.msg} (arguments that do not fit: {record.args!r})"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for name, value in vars(record).items():
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the `extra` fields, and `error`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_") and name not in entry:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format, with the `extra` fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{name}={value}" for name, value in vars(record).items()
                  if name not in _STANDARD and not name.startswith("_")]
        if not extras:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{' '.join(extras)}]{newline}{rest}"


def configure_logging(level: int | str = logging.INFO, json: bool = True, *,
                      secrets: Iterable[str | None] = (), stream: TextIO | None = None) -> logging.Handler:
    """Route every record to one stream handler (stderr by default), JSON or text, with secrets redacted.

    Calling it again replaces the handler it installed before; other handlers on the root logger
    (pytest's, for one) are left alone. Returns the handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_crisisbot", False)]:
        root.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler._crisisbot = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    root.setLevel(level)
    return handler
