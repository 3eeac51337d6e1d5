"""`make bench`: the floors and crisisbot on SQLite and PostgreSQL, side by side in one run, in one table.

    .venv/bin/python -m bench.run [--markdown] [--only ingest|others]

- the floor for alert ingest: bench/floor_aiohttp.py (bare aiohttp, json-decode, 202), driven by the same wrk
  script as the bot: the rate wrk reaches against it shows wrk is not what limits the bot;
- crisisbot (`crisisbot serve`, its own process) against the emulator: bench/ingest.py, on SQLite and on
  PostgreSQL (BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/bench: a scratch
  database, its public schema is emptied; skipped with a note when it does not answer);
- the slash-command acks against bare Bolt (bench/acks.py), the opening (bench/open_crisis.py) and the closing
  story (bench/story.py): each module's `measure(database_url) -> dict`, "not measured" when it has none or it
  fails.

The machine is small and shared: quote medians, and read the min-median spread as the noise.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from bench.ingest import (ALERT_TOKEN, CONNECTIONS, RUN_SECONDS, RUNS, STORM, IngestResult, empty_schema, fmt, fmt_ms,
                          free_port, measure as measure_ingest, pg_reachable)
from bench.wrkload import alert_bodies, bench_keys, have_wrk, run_wrk, wrk_command, write_bodies

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
OTHERS = (("acks", "slash-command acks against bare Bolt"), ("open_crisis", "/crisis open to pinned plan"),
          ("story", "the closing story and export"))
OTHER_TIMEOUT = float(os.environ.get("BENCH_OTHER_TIMEOUT", 240))

GOAL_RATE = 1000.0     # alerts a second, on both databases
GOAL_FLOOR = 0.5       # of the floor's rate
GOAL_P99 = 0.100       # seconds
GOAL_MESSAGES = 1.0    # a second in the storm's crisis channel
GOAL_GROWTH = 0.05     # RSS growth from the first 20k alerts to the second, at most


@dataclass
class Floor:
    rates: list[float]
    p50: float | None
    p99: float | None
    errors: int

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()}; load average {load} at the start")


async def measure_floor(work: Path, say) -> Floor:
    """The bare aiohttp floor, as its own process, under the same wrk command as the bot."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.floor_aiohttp", str(port),
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await wait_port(port)
        bodies = write_bodies(work / "floor-bodies.txt", alert_bodies(bench_keys("bench", 20), 2000))
        rates, p50s, p99s, errors = [], [], [], 0
        for i in range(RUNS):
            result, _ = await run_wrk(wrk_command(f"http://127.0.0.1:{port}/alerts/generic", bodies, ALERT_TOKEN,
                                                  seconds=RUN_SECONDS, connections=CONNECTIONS))
            rates.append(result.rate)
            p50s.append(result.p50)
            p99s.append(result.p99)
            errors += result.errors + (result.other or 0)
            say(f"  floor (bare aiohttp 202), run {i + 1}: {result.rate:,.0f}/s, p50 {fmt_ms(result.p50)}, "
                f"p99 {fmt_ms(result.p99)}")
        return Floor(rates, statistics.median([p for p in p50s if p is not None] or [0]),
                     statistics.median([p for p in p99s if p is not None] or [0]), errors)
    finally:
        proc.terminate()
        await proc.wait()


async def wait_port(port: int, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


async def measure_other(module: str, database_url: str) -> dict | str:
    """A helper benchmark's `measure(database_url) -> dict`, or why it was not measured."""
    try:
        mod = importlib.import_module(f"bench.{module}")
    except ImportError as exc:
        return f"not measured (bench/{module}.py: {exc})"
    fn = getattr(mod, "measure", None)
    if fn is None or not inspect.iscoroutinefunction(fn) or len(inspect.signature(fn).parameters) < 1:
        return f"not measured (bench/{module}.py has no async measure(database_url))"
    try:
        params = [p for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
        if len(params) > 1:
            return f"not measured (bench/{module}.py: measure takes {len(params)} arguments, not database_url)"
        if database_url.startswith("postgresql"):
            await empty_schema(database_url)
        value = await asyncio.wait_for(fn(database_url), OTHER_TIMEOUT)
    except Exception as exc:  # one benchmark failing does not end the run
        return f"not measured ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]})"
    return value if isinstance(value, dict) else f"not measured (measure returned {type(value).__name__})"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def ingest_rows(floor: Floor | None, results: dict[str, IngestResult | str]) -> list[list[str]]:
    """The table's rows: what, floor, SQLite, PostgreSQL, goal, verdict."""
    dbs = ["SQLite", "PostgreSQL"]

    def cells(fn) -> list[str]:
        out = []
        for db in dbs:
            r = results.get(db)
            out.append(r if isinstance(r, str) else (fn(r) if r is not None else "n/a"))
        return out

    def all_ok(pred) -> bool | None:
        checked = [pred(r) for r in results.values() if isinstance(r, IngestResult)]
        checked = [c for c in checked if c is not None]
        return all(checked) if checked else None

    def rate(r: IngestResult) -> str:
        return f"{fmt(r.median('rate'))}/s (min {fmt(r.minimum('rate'))})"

    floor_rate = floor.rate if floor else None
    rows = [
        ["POST /alerts/generic, 20 keys, c50: alerts/s (median of runs)",
         f"{floor_rate:,.0f}/s (min {min(floor.rates):,.0f})" if floor and floor.rates else "n/a", *cells(rate),
         f">= {GOAL_RATE:,.0f}/s",
         verdict(all_ok(lambda r: r.median("rate") >= GOAL_RATE if r.runs else None))],
        ["  ratio to the floor", "1.00", *cells(lambda r: f"{r.median('rate') / floor_rate:.2f}"
                                               if floor_rate and r.runs else "n/a"),
         f">= {GOAL_FLOOR}x", verdict(all_ok(lambda r: r.median("rate") >= GOAL_FLOOR * floor_rate
                                             if floor_rate and r.runs else None))],
        ["  p50 / p99", f"{fmt_ms(floor.p50)} / {fmt_ms(floor.p99)}" if floor else "n/a",
         *cells(lambda r: f"{fmt_ms(r.median('p50'))} / {fmt_ms(r.median('p99'))}"),
         f"p99 <= {GOAL_P99 * 1000:.0f} ms",
         verdict(all_ok(lambda r: r.median("p99") <= GOAL_P99 if r.median("p99") is not None else None))],
        ["  bot CPU per alert", "", *cells(lambda r: f"{fmt(r.median('cpu_ms'), '.2f')} ms"), "", ""],
        ["  acknowledged (2xx) alerts found stored, by id", "",
         *cells(lambda r: f"{sum(x.acked_stored or 0 for x in r.runs):,} of {sum(x.acked for x in r.runs):,} "
                          f"(+{sum(x.stored - x.acked for x in r.runs)} in flight at wrk's stop)"),
         "equal", verdict(all_ok(lambda r: all(x.held for x in r.runs) if r.runs else None))],
        ["  answers other than 2xx, socket errors", str(floor.errors) if floor else "n/a",
         *cells(lambda r: f"{sum(x.other for x in r.runs)}, {sum(x.errors for x in r.runs)}"), "0",
         verdict(all_ok(lambda r: sum(x.other + x.errors for x in r.runs) == 0 if r.runs else None))],
    ]
    for level in (1_000, 10_000, 100_000):
        rows.append([f"ingest with {level:,} alerts stored: alerts/s", "",
                     *cells(lambda r, level=level: f"{r.growth[level].rate:,.0f}/s, p99 {fmt_ms(r.growth[level].p99)}"
                            f" (from {r.growth[level].rows_before:,} rows)" if level in r.growth else "n/a"),
                     "flat (no goal set)", ""])
    rows += [
        [f"storm of {STORM:,} on one key: alerts/s", "",
         *cells(lambda r: f"{r.storm.rate:,.0f}/s ({r.storm.acked:,} in {r.storm.seconds:.1f} s"
                          f"{', cut at the bound' if r.storm.cut else ''})" if r.storm else "n/a"),
         f">= {GOAL_RATE:,.0f}/s", verdict(all_ok(lambda r: r.storm.rate >= GOAL_RATE if r.storm else None))],
        ["  crises opened for the key", "", *cells(lambda r: str(r.storm.crises) if r.storm else "n/a"), "1",
         verdict(all_ok(lambda r: r.storm.crises == 1 if r.storm else None))],
        ["  messages in its channel a second, beyond the opening's", "",
         *cells(lambda r: f"{r.storm.alert_messages_per_second:.2f} ({r.storm.messages} in "
                          f"{r.storm.message_seconds:.1f} s, {r.storm.opening_messages} of them the opening's; "
                          f"most in 1 s: {r.storm.max_in_a_second})" if r.storm else "n/a"),
         f"<= {GOAL_MESSAGES:g}/s",
         verdict(all_ok(lambda r: r.storm.alert_messages_per_second <= GOAL_MESSAGES if r.storm else None))],
        ["  acknowledged storm alerts found stored", "",
         *cells(lambda r: "all" if r.storm and r.storm.held else ("NOT ALL" if r.storm else "n/a")), "all",
         verdict(all_ok(lambda r: r.storm.held if r.storm else None))],
        ["bot memory (RSS): idle / after 20k / after 2x20k alerts", "",
         *cells(lambda r: " / ".join(f"{r.rss_mb[k]:.0f}" for k in ("idle", "after 20k", "after 2x20k")
                                     if k in r.rss_mb) + " MB" + memory_note(r)),
         "no growth after load", verdict(all_ok(lambda r: (r.rss_mb["after 2x20k"] <= r.rss_mb["after 20k"]
                                                          * (1 + GOAL_GROWTH))
                                                 if "after 2x20k" in r.rss_mb else None))],
    ]
    return rows


def memory_note(r: IngestResult) -> str:
    cut = [f"{r.memory_alerts[k]:,}" for k in ("after 20k", "after 2x20k") if r.memory_alerts.get(k, 20_000) < 20_000]
    return f" (cut at the bound: {' and '.join(cut)} alerts)" if cut else ""


SKIP = {"n", "concurrency", "database", "client_cpu", "max_ms", "statuses"}  # in the helpers' dicts: not worth a row


def flatten(value: dict, prefix: str = "", depth: int = 2) -> dict[str, object]:
    """A helper's dict as `a.b: figure` rows, two levels deep; lists of figures joined, the rest left out."""
    out: dict[str, object] = {}
    for key, item in value.items():
        if str(key) in SKIP:
            continue
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            if depth > 1:
                out.update(flatten(item, name + ".", depth - 1))
        elif isinstance(item, (list, tuple)):
            if all(isinstance(x, (int, float, str)) for x in item) and len(item) <= 8:
                out[name] = ", ".join(show(x) for x in item)
        elif isinstance(item, (int, float, str, bool)) or item is None:
            out[name] = item
    return out


def other_rows(others: dict[str, dict[str, dict | str]]) -> list[list[str]]:
    """Rows of the helper benchmarks: each figure of their dicts, per database."""
    rows = []
    for module, what in OTHERS:
        per_db = others.get(module, {})
        if not per_db:
            continue
        flat = {db: flatten(v) if isinstance(v, dict) else v for db, v in per_db.items()}
        keys: list[str] = []
        for value in flat.values():
            if isinstance(value, dict):
                keys += [k for k in value if k not in keys]
        rows.append([f"{what} (bench/{module}.py)", "",
                     *("" if isinstance(flat.get(db), dict) else str(flat.get(db, "n/a"))
                       for db in ("SQLite", "PostgreSQL")), "", ""])
        for key in keys:
            cells = [show(v.get(key, "")) if isinstance(v := flat.get(db), dict) else ""
                     for db in ("SQLite", "PostgreSQL")]
            rows.append([f"  {key}", "", *cells, "", ""])
    return rows


def show(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, bool):
        return "PASS" if value else "FAIL"
    return str(value)


HEADER = ["what", "floor (same run)", "crisisbot, SQLite", "crisisbot, PostgreSQL", "goal", "verdict"]


def render(rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    widths[0] = min(widths[0], 58)
    out = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


async def main(markdown: bool = False, only: str | None = None) -> int:
    say = lambda line: print(line, flush=True)  # noqa: E731
    t0 = time.monotonic()
    say(f"machine: {machine()}")
    pg_url = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    notes: list[str] = []
    if (why := await pg_reachable(pg_url)) is not None:
        notes.append(f"PostgreSQL skipped: {pg_url.split('@')[-1]} did not answer ({why})")
        pg_url = ""
    floor: Floor | None = None
    ingest: dict[str, IngestResult | str] = {}
    others: dict[str, dict[str, dict | str]] = {}
    with tempfile.TemporaryDirectory(prefix="crisisbot-bench-run-") as tmp:
        work = Path(tmp)
        if only in (None, "ingest"):
            if have_wrk() is None:
                notes.append("wrk is not installed (`apt-get install -y wrk`, as `make bench` does): the ingest "
                             "figures were not measured")
                ingest = {"SQLite": "not measured (no wrk)", "PostgreSQL": "not measured (no wrk)"}
            else:
                say("the floor: bare aiohttp answering 202")
                floor = await measure_floor(work, say)
                for db, url in (("SQLite", None), ("PostgreSQL", pg_url)):
                    if db == "PostgreSQL" and not pg_url:
                        ingest[db] = "skipped (no PostgreSQL)"
                        continue
                    say(f"crisisbot on {db}")
                    try:
                        ingest[db] = await measure_ingest(url, say)
                        notes += ingest[db].notes  # type: ignore[union-attr]
                    except Exception as exc:  # the table still shows the rest
                        traceback.print_exc()
                        ingest[db] = f"failed ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:120]})"
        if only in (None, "others"):
            for module, what in OTHERS:
                say(f"{what} (bench/{module}.py)")
                others[module] = {}
                for db, url in (("SQLite", f"sqlite+aiosqlite:///{work / f'{module}.db'}"), ("PostgreSQL", pg_url)):
                    if not url:
                        others[module][db] = "skipped (no PostgreSQL)"
                        continue
                    others[module][db] = await measure_other(module, url)
                    say(f"  {db}: {others[module][db]}")
    rows = (ingest_rows(floor, ingest) if ingest else []) + other_rows(others)
    say("")
    say(render(rows, markdown))
    if floor and floor.rates:
        best = max((r.median("rate") for r in ingest.values() if isinstance(r, IngestResult) and r.runs),
                   default=0.0)
        say(f"\nwrk is not the bottleneck: the same wrk command reached {floor.rate:,.0f}/s against the floor, "
            f"{floor.rate / best:.1f}x the bot's best median." if best else "")
    for note in notes:
        say(f"note: {note}")
    say(f"bench took {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--only", choices=("ingest", "others"), help="run only that part")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.markdown, args.only)))
