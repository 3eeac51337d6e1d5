"""The plain values of a plan file, shared by its readers: durations, how a value is shown in a problem,
counts, the yes/no words YAML turns into booleans, and the placeholders of a template's text."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from typing import Any, Mapping

LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE)
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(value: Any) -> timedelta | None:
    """`7d`, `12h`, `30m`, `2w`, `3 days` -> a timedelta; None for anything else."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    return timedelta(**{_DURATION_UNITS[match.group(2)[0].lower()]: int(match.group(1))})


def shown(value: Any) -> str:
    """A value as the plan file spells it: `"soon"`, `1.5`, `true`, `[30, 60]`."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def plural(count: int, unit: str) -> str:
    return f"{count} {unit[:-1] if count == 1 and unit.endswith('s') else unit}"


def counted(count: int, what: str) -> str:
    """`1 action`, `2 actions`, `1 do`, `3 don'ts`."""
    if count != 1:
        return f"{count} {what}"
    singular = what.removesuffix("'s").removesuffix("s")
    return f"{count} {singular}"


def statement_placeholders(sitrep) -> tuple[str, ...]:
    """The placeholders a statement template may use: the plan's report fields and STATEMENT_PLACEHOLDERS."""
    from bot.domain.plan import STATEMENT_PLACEHOLDERS

    return (*STATEMENT_PLACEHOLDERS, *(f.key for f in sitrep))


def placeholder_problem(text: str, allowed) -> str | None:
    """What is wrong with the {placeholders} of a template's text, or None."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return "a lone { or } (write {{ or }} for a brace)"
    used = [name for _, name, _, _ in parsed if name is not None]
    if bad := [name for name in used if name not in allowed]:
        shown_bad = ", ".join("{" + b + "}" for b in dict.fromkeys(bad))
        return f"{shown_bad} is not a placeholder (use {', '.join('{' + a + '}' for a in allowed)})"
    if any(spec or conversion for _, name, spec, conversion in parsed if name is not None):
        return "a placeholder takes no format (write {origin}, not {origin:>10} or {origin!r})"
    return None


def choice_text(value: Any) -> str:
    # YAML reads a bare yes/no as booleans; a plan means the words.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
