"""Fuzzed alert bodies for the four sources: arbitrary JSON, mutated samples, hostile text."""

from __future__ import annotations

import asyncio
import json

from hypothesis import strategies as st

from tests.fuzz.watch import Watch, check_alert_answer, drive, fuzz, on, still_healthy
from tests.support.people import Person
from tests.support.senders import Sender, sample
from tests.support.strategies import (
    generic_alerts,
    hostile_leaves,
    json_objects,
    json_values,
    raw_bodies,
)

SOURCES = ["generic", "alertmanager", "grafana", "pagerduty"]
SAMPLES = {"generic": ["generic_firing", "generic_resolved"], "alertmanager": ["alertmanager_firing", "alertmanager_resolved"],
           "grafana": ["grafana_firing", "grafana_resolved"], "pagerduty": ["pagerduty_trigger", "pagerduty_resolve"]}


async def alert_examples(bodies, sender: Sender, bot, alice, workspace, watch: Watch, kind: str) -> None:
    loop = asyncio.get_running_loop()
    watch.links_allowed = True

    async def one(source: str, body: bytes) -> None:
        watch.start()
        status, answer = await sender.post(source, body)
        watch.counts["examples"] += 1
        watch.counts["5xx"] += status >= 500
        watch.counts[status] += 1
        check_alert_answer(status, answer, f"POST /alerts/{source} {body[:300]!r}")
        await watch.settle()
        assert not watch.problems(), watch.problems()

    @fuzz(bodies)
    def examples(source_and_body):
        on(loop, one(*source_and_body))

    await drive(examples)
    await still_healthy(bot, alice, workspace.session)
    answers = ", ".join(f"{watch.counts[s]} {s}" for s in (202, 400, 413, 422))
    print(f"\nfuzz: {watch.counts['examples']} {kind} alert bodies ({answers}), {watch.counts['5xx']} 5xx")


async def test_alert_bodies_of_any_json(sender: Sender, bot, alice: Person, workspace, watch: Watch):
    bodies = st.tuples(st.sampled_from(SOURCES), st.one_of(json_objects(), json_values()).map(
        lambda value: json.dumps(value).encode()))
    await alert_examples(bodies, sender, bot, alice, workspace, watch, "arbitrary JSON")


async def test_alert_bodies_mutated_from_the_samples(sender: Sender, bot, alice: Person, workspace, watch: Watch):
    bodies = st.sampled_from(SOURCES).flatmap(lambda source: st.tuples(
        st.just(source), st.sampled_from(SAMPLES[source]).flatmap(lambda name: raw_bodies(sample(name)))))
    await alert_examples(bodies, sender, bot, alice, workspace, watch, "mutated sample")



KEYS = {"generic": "dedup_key", "alertmanager": "groupKey", "grafana": "groupKey", "pagerduty": "dedup_key"}
_unique = iter(range(1, 10**9))


def unique(source: str, body: dict) -> dict:
    """The body under a key of its own, so every example opens or triages anew rather than attaching."""
    field, n = KEYS[source], next(_unique)
    value = body.get(field)
    return {**body, field: f"{n}-{value}"[:255] if isinstance(value, str) else f"fuzz-{n}"}


async def test_alert_bodies_with_hostile_text(sender: Sender, bot, alice: Person, workspace, watch: Watch):
    """Bodies of the right shape, so they reach Slack: titles, summaries, labels and URLs become messages."""
    def from_sample(source):
        return st.sampled_from(SAMPLES[source]).flatmap(lambda name: hostile_leaves(sample(name)))

    bodies = st.one_of(
        st.tuples(st.just("generic"), generic_alerts()),
        st.sampled_from(SOURCES).flatmap(lambda source: st.tuples(st.just(source), from_sample(source))),
    ).map(lambda pair: (pair[0], json.dumps(unique(*pair)).encode()))
    await alert_examples(bodies, sender, bot, alice, workspace, watch, "hostile-text")


# ----- what the fuzzing found, one input each, on every database of the suite ---------------------------------------
