"""What the four parsers share: reading a JSON object field by field while collecting every problem,
timestamps, URLs, networks and metrics found in labels, and stable keys.

A parser reads the whole body before raising, so a sender fixing its payload sees every wrong field in
one 422 instead of one per attempt.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from bot.domain.alerts import KEY_LIMIT, URL_LIMIT, AlertShapeError
from bot.domain.words import fold, slug

NETWORK_FIELDS = ("network", "networks")
ABSENT = object()  # a field that isn't there, as opposed to one that is null

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})"
)  # the offset's colon is optional: PagerDuty's own examples write +0000
_TIMESTAMP_HINT = "must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T09:30:00Z"


class Reader:
    """One JSON object, read field by field; each wrong field adds `"<path>: <problem>"` to `problems`.

    `nulls_absent`: a JSON `null` counts as a missing field. True for the tools' formats (Grafana
    sends `"values": null`); False for our own generic format, whose schema has no nulls.
    """

    def __init__(self, data: Mapping, problems: list[str], path: str = "", nulls_absent: bool = True):
        self.data = data
        self.problems = problems
        self.path = path
        self.nulls_absent = nulls_absent

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> None:
        self.problems.append(f"{self.where(name)}: {problem}")

    def present(self, name: str) -> bool:
        return name in self.data and not (self.nulls_absent and self.data[name] is None)

    def raise_if_any(self) -> None:
        if self.problems:
            raise AlertShapeError(self.problems)

    def _get(self, name: str, required: bool) -> object:
        """The value, or ABSENT (a JSON null is a value unless `nulls_absent`)."""
        if not self.present(name):
            if required:
                self.fail(name, "required")
            return ABSENT
        return self.data[name]

    def text(self, name: str, *, required: bool = False, limit: int | None = None, blank: bool = True) -> str | None:
        """A string, refused (never cut) over `limit` characters; `blank=False` refuses whitespace only."""
        value = self._get(name, required)
        if value is ABSENT:
            return None
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return None
        if not blank and not value.strip():
            self.fail(name, "must not be blank")
            return None
        if limit is not None and not within(self.where(name), value, limit, self.problems):
            return None
        return value

    def choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        choices = tuple(choices)
        value = self.text(name, required=required)
        if value is not None and value not in choices:
            self.fail(name, f"must be {one_of(choices)}")
            return None
        return value

    def integer(self, name: str, *, minimum: int = 0) -> int | None:
        value = self._get(name, False)
        if value is ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(name, f"must be an integer of at least {minimum}")
            return None
        return value

    def obj(self, name: str, *, required: bool = False) -> Reader | None:
        value = self._get(name, required)
        if value is ABSENT:
            return None
        if not isinstance(value, dict):
            self.fail(name, "must be an object")
            return None
        return Reader(value, self.problems, self.where(name), self.nulls_absent)

    def objects(self, name: str, *, required: bool = False, non_empty: bool = False) -> list[Reader]:
        value = self._get(name, required)
        if value is ABSENT:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(name, "must be a list of objects")
            return []
        if non_empty and not value:
            self.fail(name, "must not be empty")
        path = self.where(name)
        return [Reader(item, self.problems, f"{path}[{i}]", self.nulls_absent) for i, item in enumerate(value)]

    def labels(self, name: str) -> dict[str, str]:
        """An object of strings (Alertmanager labels and annotations); the wrong entries are named."""
        inner = self.obj(name)
        if inner is None:
            return {}
        labels = {}
        for key, value in inner.data.items():
            if isinstance(value, str):
                labels[key] = value
            elif not (value is None and self.nulls_absent):
                inner.fail(key, "must be a string")
        return labels

    def strings(self, name: str, *, max_items: int, item_limit: int) -> list[str]:
        value = self._get(name, False)
        if value is ABSENT:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(name, "must be a list of strings")
            return []
        if len(value) > max_items:
            self.fail(name, f"at most {max_items} items (got {len(value)})")
            return []
        kept = []
        for i, item in enumerate(value):
            where = f"{self.where(name)}[{i}]"
            if not item.strip():
                self.problems.append(f"{where}: must not be blank")
            elif within(where, item, item_limit, self.problems):
                kept.append(item)
        return kept

    def numbers(self, name: str, *, max_items: int | None = None, name_limit: int | None = None) -> dict[str, float]:
        """An object whose every value is a JSON number (not a numeric string: the schema says number)."""
        inner = self.obj(name)
        if inner is None:
            return {}
        if max_items is not None and len(inner.data) > max_items:
            self.fail(name, f"at most {max_items} entries (got {len(inner.data)})")
            return {}
        numbers = {}
        for key, value in inner.data.items():
            if name_limit is not None and len(key) > name_limit:
                inner.fail(key[:40] + "…", f"names are at most {name_limit} characters")
            elif isinstance(value, bool) or not isinstance(value, int | float):
                inner.fail(key, "must be a number")
            else:
                numbers[key] = float(value)
        return numbers

    def url(self, name: str) -> str | None:
        value = self.text(name, limit=URL_LIMIT)
        if value is None:
            return None
        url = http_url(value)
        if url is None:
            self.fail(name, "must be an http:// or https:// URL")
        return url

    def timestamp(self, name: str) -> datetime | None:
        """A date-time in UTC; Go's zero time (year 1, Alertmanager's "no end yet") reads as None."""
        value = self.text(name)
        if value is None:
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(name, _TIMESTAMP_HINT)
        return parsed if parsed is not None and parsed.year > 1 else None


def top(data: object, nulls_absent: bool = True) -> Reader:
    """A reader for the body; a body that isn't an object (a list, a number) is refused whole."""
    if not isinstance(data, dict):
        raise AlertShapeError(["body: must be a JSON object"])
    return Reader(data, [], "", nulls_absent)


def within(where: str, value: str, limit: int, problems: list[str]) -> bool:
    """Check a text against its limit; refusing rather than cutting, so nothing is stored half-said."""
    if len(value) > limit:
        problems.append(f"{where}: at most {limit} characters (got {len(value)})")
        return False
    return True


def one_of(choices: tuple[str, ...]) -> str:
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def collapse(text: str) -> str:
    """Runs of whitespace (newlines too) to single spaces, as titles are shown on one line."""
    return " ".join(text.split())


def parse_timestamp(value: str) -> datetime | None:
    """RFC 3339 (with a time zone) as UTC, or None. Nanoseconds, as Go writes them, are cut to micro."""
    if not _RFC3339.fullmatch(value):
        return None
    head, dot, rest = value.partition(".")
    if dot:  # Python reads at most 6 fractional digits before 3.12
        digits = re.match(r"\d+", rest).group()
        value = f"{head}.{digits[:6]}{rest[len(digits):]}"
    try:
        return datetime.fromisoformat(value.upper().replace(" ", "T")).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # the shape, but 2026-13-45, or year 1 moved before year 1
        return None


def http_url(value: object) -> str | None:
    """The value if it is an http(s) URL without spaces: anything else could become a mislabelled link."""
    if not isinstance(value, str) or len(value) > URL_LIMIT:
        return None
    if not re.fullmatch(r"https?://\S+", value, re.IGNORECASE):
        return None
    scheme, rest = value.split("://", 1)
    return f"{scheme.lower()}://{rest}"  # HTTPS:// is https://, and Slack wants it so


def first_url(*candidates: object) -> str | None:
    return next((url for url in map(http_url, candidates) if url), None)


def networks_in(*mappings: Mapping) -> tuple[str, ...]:
    """Networks named by `network` / `networks` entries: comma-separated texts or lists of texts."""
    found: list[str] = []
    for mapping in mappings:
        for name in NETWORK_FIELDS:
            value = mapping.get(name)
            if isinstance(value, str):
                found.extend(value.split(","))
            elif isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
    return normalise_networks(found)


def normalise_networks(names: Iterable[str]) -> tuple[str, ...]:
    """Lowercased, trimmed, first occurrence kept: "TikTok, x ,tiktok" -> ("tiktok", "x")."""
    return tuple(dict.fromkeys(n.strip().lower() for n in names if n.strip()))


def as_number(value: object) -> float | None:
    """A finite number from a number or a numeric text ("4200" from a templated annotation); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def numbers_in(*mappings: Mapping) -> dict[str, float]:
    """Every numeric entry of the mappings; a name seen twice keeps its highest value, the worst case."""
    metrics: dict[str, float] = {}
    for mapping in mappings:
        for name, value in mapping.items():
            number = as_number(value)
            if number is not None and name not in NETWORK_FIELDS:
                metrics[name] = max(number, metrics.get(name, number))
    return metrics


def derived_key(source: str, *parts: str) -> str:
    """A stable key when the sender gave none: readable slug plus a digest of the normalised text.

    "Negative mentions SPIKE" and "negative  mentions spike" share a key; any other change of words
    (a count in the title, say) makes a new one, which is why senders should give their own key.
    """
    text = fold(collapse(" ".join(parts)))
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    words = slug(text)[:60].strip("-_")
    return f"{source}:{words}-{digest}" if words else f"{source}:{digest}"


def fit_key(source: str, key: str) -> str:
    """The key as given, or a digest of it when longer than KEY_LIMIT (Alertmanager group keys grow
    with the grouping labels): still stable for the same group, and short enough to store and index."""
    if len(key) <= KEY_LIMIT:
        return key
    return f"{source}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


ANNOTATION_TEXTS = ("description", "message")  # `message`: Kubernetes-style rules (kube-prometheus mixins)


def annotation_text(*sources: tuple[str, Mapping]) -> tuple[str, str]:
    """The first non-blank `description`, else `message`, of the (path, annotations) pairs given in order
    (common annotations first, then an alert's): its path for a problem, and the text ("" when none)."""
    for name in ANNOTATION_TEXTS:
        for path, texts in sources:
            value = texts.get(name)
            if isinstance(value, str) and value.strip():
                return f"{path}.{name}", value
    return "", ""
