"""How long do the closing story and `crisisbot export` take over a long crisis?

Builds, in a fresh database, closed crises with 1,000, 10,000 and 20,000 timeline events (notes, updates,
milestones, hand-offs, report versions, alerts; one person for every ten events, so the list of people grows
with the crisis too), then measures, as the median of several runs:

- load:     reading the dossier (everything the story tells) from the database;
- render:   building the story and its Slack message (what closing posts);
- markdown: building the story and its Markdown (what the export writes);
- export:   `crisisbot export` end to end (engine, schema check, crisis row, dossier, Markdown).

and checks that each grows linearly: from 10k to 20k events a linear cost doubles, a quadratic one
quadruples. The growth is compared on runs with Python's cyclic collector paused (a full collection that lands
in one size's run and not another's reads as growth); the times shown have it running. The sizes take turns
within each round, so a burst of other load on the machine weighs on all of them alike.
The goal (issue 11): render and export each <= 1 s at 10,000 events, linear in events.

    .venv/bin/python -m bench.story [DATABASE_URL] [--json]

A PostgreSQL DATABASE_URL must name a scratch database: its public schema is emptied first.
`measure(database_url)` returns the figures as a dict, for bench/run.py.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

from bench.scratch import empty_schema
from bot.catalog import Catalog
from bot.domain.crisis import Crisis, Status
from bot.domain.story import build_story
from bot.emulator.blockcheck import check_blocks
from bot.export import export, story_markdown
from bot.plan_loader import load_plan
from bot.services.crises import load_dossier
from bot.settings import Settings
from handlers.blocks.story import story_blocks
from storage.crises import SqlCrisisStore
from storage.dossier import SqlDossierStore
from storage.engine import make_engine, make_sessions
from storage.migrate import upgrade
from storage.tables import LessonRow, MilestoneRow, RoleAssignmentRow, SitrepVersionRow, TimelineRow

SIZES = (1_000, 10_000, 20_000)
RUNS = 5  # each figure is the median of this many runs
GOAL_S = 1.0  # render and export, at 10,000 events
LINEAR_GROWTH = 2.6  # the 10k -> 20k ratio a linear cost stays under (quadratic: 4)
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)




def person(k: int) -> str:
    return f"U{k:07d}"


async def seed(sessions, engine, plan, events: int) -> Crisis:
    """A closed crisis with `events` timeline entries, and the roles, report versions, milestones and lessons
    a crisis that long would have."""
    people = max(10, events // 10)
    closed_at = T0 + timedelta(seconds=30 * (events + 1))
    crisis = await SqlCrisisStore(sessions).add(Crisis(
        title=f"Bench story of {events} events", severity="high", opened_by=person(0), lead=person(1),
        status=Status.CLOSED, opened_at=T0, closed_at=closed_at, closed_by=person(0), outcome="Contained",
        channel_id=f"C0BENCH{events}"))
    cid = crisis.id
    roles = [r.key for r in plan.roles] or ["lead"]
    phases = [p.key for p in plan.phases] or ["response"]
    fields = [f.key for f in plan.sitrep if not f.choices] or ["origin"]

    timeline, assignments, versions, milestones = [], [], [], []
    holder: dict[str, int] = {}
    report: dict[str, str] = {}
    for i in range(events):
        at = T0 + timedelta(seconds=30 * i)
        author = person((i * 7) % people)  # people come in a spread-out order, each several times
        kind, data = "note", {"text": f"Update {i}: mentions still rising on TikTok, press call {i % 13}"}
        if i == 0:
            kind, data = "opened", {"title": crisis.title, "severity": "high"}
        elif i == events - 1:
            kind, data = "closed", {"outcome": "Contained", "lessons": 3}
        elif i % 10 == 1:
            kind, author, data = "alert", None, {"title": f"Mentions spike {i}", "source": "Brandwatch", "count": 3}
        elif i % 10 == 2:
            kind, data = "update", {"text": f"Holding statement v{i} sent to the press"}
        elif i % 50 == 3:
            phase = phases[(i // 50) % len(phases)]
            kind, data = "milestone", {"phase": phase, "note": f"step {i}"}
            milestones.append(dict(crisis_id=cid, phase=phase, note=f"step {i}", recorded_by=author,
                                   recorded_at=at, out_of_order=False, skipped=[]))
        elif i % 50 == 4:
            role = roles[(i // 50) % len(roles)]
            kind, data = "role", {"role": role, "user": author, "previous": person(holder.get(role, 1))}
            holder[role] = (i * 7) % people
            assignments.append(dict(crisis_id=cid, role=role, user_id=author, assigned_by=person(0),
                                    assigned_at=at, ended_at=None))
        elif i % 50 == 5:
            key = fields[(i // 50) % len(fields)]
            report[key] = f"value {i}"
            kind, data = "sitrep", {"version": len(versions) + 1, "changed": [key]}
            versions.append(dict(crisis_id=cid, version=len(versions) + 1, fields=dict(report), changed=[key],
                                 author=author, created_at=at))
        elif i % 50 == 6:
            kind, data = "pinned", {"text": f"Pinned: the agreed line {i}", "pinned_by": person(0)}
        timeline.append(dict(crisis_id=cid, kind=kind, at=at, author=author, data=data, ref=f"bench:{i}"))
    # every assignment but the last of its role has ended
    last: dict[str, dict] = {}
    for a in assignments:
        if (previous := last.get(a["role"])) is not None:
            previous["ended_at"] = a["assigned_at"]
        last[a["role"]] = a
    lessons = [dict(plan_name=plan.name, crisis_id=cid, text=f"Lesson {k}", author=person(0), created_at=closed_at)
               for k in range(3)]

    async with engine.begin() as conn:
        for table, rows in ((TimelineRow, timeline), (RoleAssignmentRow, assignments),
                            (SitrepVersionRow, versions), (MilestoneRow, milestones), (LessonRow, lessons)):
            for start in range(0, len(rows), 5_000):
                if rows[start:start + 5_000]:
                    await conn.execute(insert(table.__table__), rows[start:start + 5_000])
    return crisis


async def timed(fn, collector: bool) -> tuple[float, object]:
    """How long `fn` takes, from a collected heap; with `collector` False, the cyclic collector is paused
    meanwhile (a full collection lands in one size's run and not in another's, which reads as growth)."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        t0 = time.perf_counter()
        result = await fn()
        return time.perf_counter() - t0, result
    finally:
        gc.enable()


async def measure(database_url: str | None) -> dict:
    """The figures, per size: load, render, markdown, export (seconds, medians); growth from 10k to 20k.

    The sizes take turns within each round, so a burst of load on the machine weighs on all of them alike."""
    plan, catalog = load_plan(), Catalog.load()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'story.db'}"
        if url.startswith("postgresql"):
            await empty_schema(url)
        engine = make_engine(url)
        try:
            await upgrade(engine)
            sessions = make_sessions(engine)
            crises = {n: await seed(sessions, engine, plan, n) for n in SIZES}
            settings = Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="bench",
                                database_url=url)
            store = SqlDossierStore(sessions)
            times: dict[int, dict[str, list[float]]] = {n: {} for n in SIZES}
            sizes: dict[int, dict] = {}
            for _ in range(RUNS):
                for n, crisis in crises.items():
                    async def load(crisis=crisis):
                        return await load_dossier(store, crisis, plan)

                    load_s, dossier = await timed(load, True)
                    paused = {"load_s": (await timed(load, False))[0]}

                    async def render(dossier=dossier):
                        return story_blocks(build_story(dossier, plan), plan, catalog)

                    async def markdown(dossier=dossier):
                        return story_markdown(dossier, plan, catalog)

                    async def whole(crisis=crisis):
                        return await export(settings, str(crisis.id), plan=plan, catalog=catalog)

                    render_s, (_, blocks) = await timed(render, True)
                    markdown_s, _ = await timed(markdown, True)
                    export_s, text = await timed(whole, True)
                    paused.update(render_s=(await timed(render, False))[0],
                                  markdown_s=(await timed(markdown, False))[0],
                                  export_s=(await timed(whole, False))[0])
                    for what, value in (("load_s", load_s), ("render_s", render_s), ("markdown_s", markdown_s),
                                        ("export_s", export_s)):
                        times[n].setdefault(what, []).append(value)
                        times[n].setdefault(f"paused_{what}", []).append(paused[what])
                    if n not in sizes:
                        story = build_story(dossier, plan)
                        assert len(story.moments) + story.alert_count == n, "the story lost events"
                        assert check_blocks(blocks) == [], check_blocks(blocks)
                        sizes[n] = {"events": n, "people": len(story.people), "blocks": len(blocks),
                                    "export_chars": len(text)}
                    del dossier, blocks, text
            for n in SIZES:
                sizes[n].update({what: statistics.median(values) for what, values in times[n].items()
                                 if not what.startswith("paused_")})
                sizes[n]["paused"] = {what[len("paused_"):]: statistics.median(values)
                                      for what, values in times[n].items() if what.startswith("paused_")}
        finally:
            await engine.dispose()
    mid, big = sizes[SIZES[-2]], sizes[SIZES[-1]]
    # growth of the work itself: timed with the collector paused (the table's times have it running)
    growth = {what: big["paused"][what] / mid["paused"][what] if mid["paused"][what] else 0.0
              for what in ("load_s", "render_s", "markdown_s", "export_s")}
    at_goal = sizes[10_000]
    return {
        "bench": "story",
        "database": "PostgreSQL" if url.startswith("postgres") else "SQLite",
        "sizes": sizes,
        "growth_10k_to_20k": growth,
        "linear": all(g <= LINEAR_GROWTH for g in growth.values()),
        "render_10k_s": at_goal["render_s"],
        "export_10k_s": at_goal["export_s"],
        "goal_met": at_goal["render_s"] <= GOAL_S and at_goal["export_s"] <= GOAL_S
                    and all(g <= LINEAR_GROWTH for g in growth.values()),
    }


def report(result: dict) -> str:
    lines = [f"closing story and export on {result['database']} (medians of {RUNS} runs)",
             f"  {'events':>7} {'people':>7} {'load':>9} {'render':>9} {'markdown':>9} {'export':>9}"]
    for row in result["sizes"].values():
        lines.append(f"  {row['events']:>7} {row['people']:>7} " + " ".join(
            f"{row[k] * 1000:>7.1f}ms" for k in ("load_s", "render_s", "markdown_s", "export_s")))
    growth = ", ".join(f"{k[:-2]} ×{v:.2f}" for k, v in result["growth_10k_to_20k"].items())
    lines.append(f"  10k -> 20k events (collector paused): {growth} (linear: ×2, quadratic: ×4) -> "
                 f"{'linear' if result['linear'] else 'NOT linear'}")
    lines.append(f"  goal (render and export <= {GOAL_S:.0f} s at 10k, linear): "
                 f"{'met' if result['goal_met'] else 'NOT met'}")
    return "\n".join(lines)


if __name__ == "__main__":
    urls = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    figures = asyncio.run(measure(urls[0] if urls else None))
    print(report(figures))
    if "--json" in sys.argv:
        print(json.dumps(figures, indent=2))
