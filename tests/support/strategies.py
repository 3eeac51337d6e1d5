"""Hypothesis strategies for hostile input: what a person may type, and what a sender may post.

Slack sends valid UTF-8, so text never holds a surrogate; everything else is fair game: control
characters and NUL, bidirectional marks, zero-width joiners, combining marks, emoji, Slack's own
mention and link syntax, mrkdwn, HTML entities, format strings, very long words and texts.
"""

from __future__ import annotations

import json
import os

from hypothesis import strategies as st

from bot.domain.commands import _WORDS

# Examples per input kind; FUZZ_EXAMPLES=1000 for a longer local run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "80"))

# Every character a Slack client can send: any code point but the surrogates.
ANY_CHAR = st.characters(codec="utf-8", exclude_categories=("Cs",))

# Pieces that mean something to Slack, to mrkdwn, to Python or to a database.
SLACK_SYNTAX = [
    "<@U0BOB|bob>", "<!channel>", "<!here>", "<!everyone>", "<!subteam^S0COMMS>", "<!subteam^S0COMMS|@comms>",
    "<https://evil.example|y>", "<https://evil.example>", "<mailto:x@evil.example|mail>", "<#C0GENERAL|general>",
    "<!date^1700000000^{date}|evil.example>", "&amp;", "&lt;", "&gt;", "&", "<", ">", "<>", "<<!here>>", "&lt;!here&gt;",
    "*", "_", "~", "`", "```", ">", ">>>", "*bold*", "_it_", "~gone~", "`code`", "```block```", ":rotating_light:",
    "@channel", "@here", "#general", "\\", "\\n", "%s", "%(title)s", "{title}", "{0}", "{}", "{{", "}}", "${x}",
    "' OR 1=1 --", '"; DROP TABLE crisis; --', "NULL", "None", "null", "true", "[]", "{}", "\"", "'",
]
ODD_CHARS = [
    "\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\u00a0", "\u2028", "\u2029", "\r", "\n", "\r\n",
    "\t", "\v", "\f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b",
    "\u202d", "\u202e", "\u2066", "\u2067", "\u2069", "\u0301", "e\u0301", "\u0336" * 5, "Z\u0351\u0352\u0353" * 20,
    "\ufffd", "\uffff", "\U0010ffff", "\U000e0001", "🔥", "👩\u200d👩\u200d👧\u200d👦", "🇪🇸", "👍🏽", "ﷺ",
    "مرحبا", "שלום", "日本語", "İ", "ß", "ǅ", "ﬃ", "Å", "Å",
]
# Words that steer the parser into deeper paths (severities, roles, phases, report fields, aliases).
STEERING = [
    "high", "critical", "low", "medium", "lead", "spokesperson", "líder", "portavoz", "legal", "care",
    "reduction", "response", "reacción", "risposta", "recovery", "rethink", "riduzione",
    "origin:", "origen:", "caused:", "causa: sí", "networks:", "reach:", "mood:", ":", "::",
    "U0BOB", "U0CARLA", "W0NOBODY", "<@U0CARLA>", "me",
]

ROLE_WORDS = ["lead", "líder", "capo", "spokesperson", "portavoz", "listening", "legal", "care", "LEAD", "leader "]
PHASE_WORDS = ["reduction", "reducción", "response", "risposta", "reaction", "recovery", "recupero", "rethink", "REDUCCION"]
FIELD_WORDS = ["origin", "origen", "caused", "causa", "networks", "reach", "audience", "response", "criticism"]
# Whom a role may be given to: people, bare IDs (of nobody, too), groups, channels, or the asker.
SOMEONE = ["<@U0BOB|bob>", "<@U0BOB>", "U0BOB", "<@U0CARLA>", "me", "U0NOBODY", "W0NOBODY", "<@U0NOBODY|ghost>",
           "<!subteam^S0COMMS>", "<#C0GENERAL|general>", "@bob", "<@U0CRISISBOT>", "<@U0ALICE>"]


def hostile_piece() -> st.SearchStrategy[str]:
    return st.sampled_from([
        st.text(ANY_CHAR, max_size=30),
        st.sampled_from(SLACK_SYNTAX),
        st.sampled_from(ODD_CHARS),
        st.sampled_from(STEERING),
        st.text(st.sampled_from(" \t\n\r\u00a0\u3000\u2003"), min_size=1, max_size=5),
    ]).flatmap(lambda branch: branch)


def hostile_text(*, max_pieces: int = 8) -> st.SearchStrategy[str]:
    """Text a person might paste: mostly a few hostile pieces, sometimes huge or empty."""
    pieces = st.lists(hostile_piece(), max_size=max_pieces).flatmap(
        lambda parts: st.sampled_from([" ", "", "\n"]).map(lambda sep: sep.join(parts)))
    odd = [
        st.just(""),
        st.text(st.sampled_from(" \t\n\u00a0"), min_size=1, max_size=20),  # whitespace only
        st.integers(1, 10_000).map(lambda n: "w" * n),  # one very long word
        st.builds(lambda head, n: (head + " ") * n, st.sampled_from(SLACK_SYNTAX + ODD_CHARS), st.integers(1, 2_000)),
        st.just((("<!channel> " + "x" * 60 + " ") * 140)[:10_000]),
        st.text(ANY_CHAR, min_size=1, max_size=100).map(lambda s: (s * (10_000 // len(s) + 1))[:10_000]),  # 10,000
    ]
    # sampled_from, not one_of: hypothesis would favour the simplest branch
    return st.sampled_from([pieces] * len(odd) + odd).flatmap(lambda branch: branch)


def bounded(text: st.SearchStrategy[str], limit: int) -> st.SearchStrategy[str]:
    """What a Slack input with `max_length` lets through."""
    return text.map(lambda s: s[:limit])


SUBCOMMANDS = sorted(_WORDS)


def slash_text(words: list[str] = SUBCOMMANDS) -> st.SearchStrategy[str]:
    """`/crisis` text: a subcommand word (any case, sometimes missing), a separator, hostile text."""
    word = st.one_of(st.sampled_from(words), st.sampled_from(words).map(str.upper), st.sampled_from(words).map(str.title))
    sep = st.sampled_from([" ", " ", "  ", "\n", "\t", " \u00a0"])
    with_word = st.tuples(word, sep, hostile_text()).map("".join)
    steered = st.tuples(word, sep, st.sampled_from(STEERING), sep, hostile_text()).map("".join)
    # Far enough into a subcommand to reach the service: a real role and someone, a phase, a report field.
    role = st.tuples(st.sampled_from(["role", "rol", "ruolo"]), sep, st.sampled_from(ROLE_WORDS), sep,
                     st.one_of(st.sampled_from(SOMEONE), hostile_text()), sep, hostile_text()).map("".join)
    phase = st.tuples(st.sampled_from(["milestone", "fase", "hito"]), sep, st.sampled_from(PHASE_WORDS), sep,
                      hostile_text()).map("".join)
    field = st.tuples(st.sampled_from(["sitrep", "informe"]), sep, st.sampled_from(FIELD_WORDS),
                      st.sampled_from([":", ": ", " :", "="]), hostile_text()).map("".join)
    bare = hostile_text()  # no subcommand: help, or the modal
    return st.sampled_from([with_word, steered, with_word, steered, role, phase, field, bare]).flatmap(
        lambda branch: branch)


# ----- JSON ------------------------------------------------------------------------------------------------------

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(ANY_CHAR, max_size=40),
    st.sampled_from(SLACK_SYNTAX + ODD_CHARS),
)

# The field names each source reads, so arbitrary JSON reaches past the first check.
KNOWN_KEYS = [
    "title", "summary", "severity", "dedup_key", "status", "url", "networks", "metrics", "started_at",
    "version", "groupKey", "truncatedAlerts", "receiver", "groupLabels", "commonLabels", "commonAnnotations",
    "externalURL", "alerts", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
    "orgId", "state", "message", "values", "valueString", "silenceURL", "dashboardURL", "panelURL",
    "routing_key", "event_action", "payload", "source", "component", "group", "class", "custom_details",
    "timestamp", "links", "images", "href", "text", "client", "client_url", "alertname", "description",
    "runbook_url", "network", "mentions_per_hour",
]


def json_values(max_leaves: int = 40) -> st.SearchStrategy:
    keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(ANY_CHAR, max_size=12))
    return st.recursive(
        JSON_SCALARS,
        lambda children: st.one_of(st.lists(children, max_size=6), st.dictionaries(keys, children, max_size=8)),
        max_leaves=max_leaves,
    )


def json_objects() -> st.SearchStrategy[dict]:
    return st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(ANY_CHAR, max_size=12)),
                           json_values(), max_size=12)


# ----- mutating a good payload -----------------------------------------------------------------------------------

def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _replace(node, path, make):
    """A copy of `node` with the value at `path` replaced by make(old) (or removed when make returns _DROP)."""
    if not path:
        return make(node)
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        out = dict(node)
        new = _replace(node[head], rest, make)
        if new is _DROP:
            out.pop(head)
        else:
            out[head] = new
        return out
    out = list(node)
    new = _replace(node[head], rest, make)
    if new is _DROP:
        out.pop(head)
    else:
        out[head] = new
    return out


_DROP = object()


def _nest(value, depth: int):
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated(draw, payload: dict) -> dict:
    """The payload with a few values dropped, retyped, made huge or deeply nested."""
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(payload) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["drop", "retype", "huge", "nest", "syntax", "number", "empty"]))
        if how == "drop":
            make = lambda old: _DROP  # noqa: E731
        elif how == "retype":
            value = draw(json_values(max_leaves=8))
            make = lambda old, value=value: value  # noqa: E731
        elif how == "huge":
            value = draw(st.sampled_from(["x" * 100_000, "<!channel> " * 5_000, "w" * 300, "é" * 3_001, ["x"] * 5_000]))
            make = lambda old, value=value: value  # noqa: E731
        elif how == "nest":
            depth = draw(st.integers(2, 200))
            make = lambda old, depth=depth: _nest(old, depth)  # noqa: E731
        elif how == "syntax":
            value = draw(st.sampled_from(SLACK_SYNTAX + ODD_CHARS))
            make = lambda old, value=value: (old + value) if isinstance(old, str) else value  # noqa: E731
        elif how == "number":
            value = draw(st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**30, 1e308, -1e308, 5e-324, 0.1, True]))
            make = lambda old, value=value: value  # noqa: E731
        else:
            value = draw(st.sampled_from(["", [], {}, None]))
            make = lambda old, value=value: value  # noqa: E731
        payload = _replace(payload, path, make)
    return payload


NUMBERS_AS_TEXT = [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b"1" * 5_000, b"-0", b"1E400",
                   b"0.000000000000000000000000000000000000000000001e-400", b"00", b"+1", b".5", b"0x10"]
BAD_BYTES = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\x28",
             b"\xed\xa0\x80", b"\xc0\xaf", b"\x00", b"\xef\xbb\xbf"]


@st.composite
def raw_bodies(draw, payload: dict) -> bytes:
    """The payload's JSON text, then broken the way a sender's bug or an attacker breaks it."""
    body = json.dumps(draw(mutated(payload)) if draw(st.booleans()) else payload, ensure_ascii=draw(st.booleans())).encode()
    how = draw(st.sampled_from(["truncate", "number", "bytes", "deep", "deep_object", "bom", "duplicate", "empty",
                                "trailing", "as_is"]))
    if how == "truncate":
        return body[: draw(st.integers(0, max(0, len(body) - 1)))]
    if how == "number":
        # a value (after some `": `) replaced by a number written as text
        spots = [i for i in range(len(body)) if body[i:i + 2] == b": "]
        if spots:
            at = draw(st.sampled_from(spots)) + 2
            end = at
            while end < len(body) and body[end:end + 1] not in (b",", b"}", b"]", b"\n"):
                end += 1
            return body[:at] + draw(st.sampled_from(NUMBERS_AS_TEXT)) + body[end:]
        return body + draw(st.sampled_from(NUMBERS_AS_TEXT))
    if how == "bytes":
        at = draw(st.integers(0, len(body)))
        return body[:at] + draw(st.sampled_from(BAD_BYTES)) + body[at:]
    if how == "deep":
        depth = draw(st.sampled_from([100, 1_000, 10_000, 100_000]))
        return b'{"title": ' + b"[" * depth + b"]" * depth + b"}"
    if how == "deep_object":
        depth = draw(st.sampled_from([100, 1_000, 50_000]))
        return b'{"a":' * depth + b"1" + b"}" * depth
    if how == "bom":
        return b"\xef\xbb\xbf" + body
    if how == "duplicate":
        return body[:-1] + b', "title": 1, "status": [], "alerts": "x"}' if body.endswith(b"}") else body
    if how == "empty":
        return draw(st.sampled_from([b"", b" ", b"null", b"[]", b'""', b"0", b"true", b"{}", b"\n"]))
    if how == "trailing":
        return body + draw(st.sampled_from([b"}", b",", b" x", b"\x00", b"{}"]))
    return body


@st.composite
def hostile_leaves(draw, payload: dict) -> dict:
    """The payload with some of its strings (labels, annotations, titles, URLs…) replaced by hostile text."""
    strings = [p for p in _paths(payload) if p and isinstance(_get(payload, p), str)]
    for path in strings:
        if draw(st.integers(0, 3)) == 0:
            value = draw(st.one_of(hostile_text(), st.sampled_from(HOSTILE_URLS)))
            payload = _replace(payload, path, lambda old, value=value: value)
    return payload


def _get(node, path):
    for key in path:
        node = node[key]
    return node


HOSTILE_URLS = [
    "https://evil.example/<!channel>", "https://evil.example/a|b>c", "http://evil.example/?q=<@U0BOB|bob>&x=1",
    "javascript:alert(1)", "data:text/html,<b>x</b>", "https://evil.example/" + "a" * 5_000, "//evil.example",
    "https://evil.example/\u202egnp.exe", "https://<!here>@evil.example", "mailto:x@evil.example", "https://",
    "https://evil.example:99999/", "HTTPS://EVIL.EXAMPLE/", " https://evil.example/ ", "https://evil.example/\n<!here>",
]


def generic_alerts() -> st.SearchStrategy[dict]:
    """Our own format, of the right shape, with hostile text in every field a person will read."""
    short = bounded(hostile_text(), 50)
    return st.fixed_dictionaries(
        {"title": st.one_of(bounded(hostile_text(), 300), st.sampled_from(SLACK_SYNTAX))},
        optional={
            "summary": bounded(hostile_text(), 3_000),
            "severity": st.one_of(st.sampled_from(["critical", "high", "medium", "low", "info"]), bounded(hostile_text(), 40)),
            "dedup_key": bounded(hostile_text(), 255),
            "status": st.sampled_from(["firing", "resolved"]),
            "url": st.one_of(st.sampled_from(HOSTILE_URLS), st.just("https://listening.example.com/s?q=a&b=<c>")),
            "networks": st.lists(short, max_size=20),
            "metrics": st.dictionaries(short, st.one_of(st.integers(-(2**63), 2**63), st.floats(allow_nan=False, allow_infinity=False)), max_size=50),
            "started_at": st.sampled_from(["2026-11-21T08:45:00Z", "2026-11-21T08:45:00+14:00", "1970-01-01T00:00:00Z",
                                           "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z", "2026-11-21T08:45:00"]),
        })
