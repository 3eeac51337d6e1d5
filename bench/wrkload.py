"""wrk as the load generator: the bodies it cycles, its command line, and reading what it printed.

wrk (Debian's package) runs in its own process with bench/wrk/alerts.lua; the Lua script counts what each
thread sent and got back and prints one line `BENCH {json}` at the end, and writes the alert ids of the 2xx
answers to files when asked. Everything here but `run_wrk` is a pure function (tests/test_bench_smoke.py).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).parent / "wrk" / "alerts.lua"
QUOTA_DONE = "QUOTA-DONE"


def alert_body(key: str, n: int, severity: str = "critical") -> dict:
    """One generic alert, shaped as a social-listening tool sends it (docs/alerts.md)."""
    return {"title": f"Negative mentions spike on {key}", "severity": severity, "dedup_key": key,
            "summary": f"Mentions at {4000 + n % 997} an hour, {3 + n % 7}x the baseline",
            "networks": ["tiktok", "x"][: 1 + n % 2],
            "metrics": {"mentions_per_hour": 4000 + n % 997, "negative_share": round(0.5 + (n % 40) / 100, 2)}}


def alert_bodies(keys: list[str], n: int, severity: str = "critical") -> list[str]:
    """n JSON bodies (one line each), round-robin over `keys`."""
    return [json.dumps(alert_body(keys[i % len(keys)], i, severity), separators=(",", ":")) for i in range(n)]


def bench_keys(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:02d}" for i in range(count)]


def write_bodies(path: Path, bodies: list[str]) -> Path:
    if any("\n" in body for body in bodies):
        raise ValueError("a body spans lines: wrk's script reads one a line")
    path.write_text("\n".join(bodies) + "\n")
    return path


def wrk_command(url: str, bodies: Path, token: str, *, seconds: float, connections: int = 50, threads: int = 1,
                quota: int = 0, acked: Path | None = None, timeout: float = 10.0, wrk: str = "wrk") -> list[str]:
    """The wrk command line: `seconds` of load (a bound only, with a quota), latencies, the Lua body script."""
    return [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout:g}s",
            "--latency", "-s", str(LUA), url, "--", str(bodies), token, str(quota), str(acked or "")]


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if m is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


@dataclass
class WrkResult:
    requests: int = 0             # answers wrk counted
    seconds: float = 0.0          # wrk's own duration
    rate: float = 0.0             # wrk's Requests/sec
    p50: float | None = None      # seconds
    p90: float | None = None
    p99: float | None = None
    non2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    sent: int | None = None       # from the Lua script: requests written
    ok2xx: int | None = None      # 2xx answers
    other: int | None = None      # other answers
    span: float | None = None     # first request written to last answer read, seconds
    quota_done: bool = False

    @property
    def in_flight(self) -> int:
        """Requests written that had no answer when wrk stopped."""
        return max(0, (self.sent or 0) - (self.ok2xx or 0) - (self.other or 0))

    @property
    def errors(self) -> int:
        return self.non2xx + sum(self.socket_errors.values())


def parse_wrk(text: str) -> WrkResult:
    """What wrk printed (its summary with --latency, and the script's `BENCH {json}` line), read."""
    r = WrkResult()
    if m := re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", text, re.M):
        r.requests, r.seconds = int(m.group(1)), _seconds(m.group(2))
    if m := re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M):
        r.rate = float(m.group(1))
    for pct, attr in (("50", "p50"), ("90", "p90"), ("99", "p99")):
        if m := re.search(rf"^\s+{pct}%\s+([\d.]+\w+)\s*$", text, re.M):
            setattr(r, attr, _seconds(m.group(1)))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        r.non2xx = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        r.socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    if m := re.search(r"^BENCH (\{.*\})\s*$", text, re.M):
        data = json.loads(m.group(1))
        r.sent, r.ok2xx, r.other, r.span = data["sent"], data["ok2xx"], data["other"], data["seconds"]
        if r.p50 is None:  # the script's own reading of wrk's histogram
            r.p50, r.p90, r.p99 = (data[k] / 1e6 for k in ("p50_us", "p90_us", "p99_us"))
    r.quota_done = QUOTA_DONE in text
    return r


def acked_ids(prefix: Path) -> tuple[list[int], int]:
    """The alert ids the Lua script wrote for the 2xx answers (ACKED-<thread>.txt), and how many 2xx answers
    named no id."""
    ids, unnamed = [], 0
    for path in sorted(prefix.parent.glob(prefix.name + "-*.txt")):
        for line in path.read_text().split():
            if line.isdigit():
                ids.append(int(line))
            else:
                unnamed += 1
    return ids, unnamed


def have_wrk() -> str | None:
    return shutil.which("wrk")


async def run_wrk(command: list[str], *, cap: float | None = None) -> tuple[WrkResult, str]:
    """Run wrk; with a quota, stop it (SIGINT: it prints its summary) once the script says the quota is done,
    or at `cap` seconds."""
    proc = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    assert proc.stdout is not None
    lines: list[str] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + cap if cap else None

    async def read() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            line = raw.decode(errors="replace")
            lines.append(line)
            if line.strip() == QUOTA_DONE and proc.returncode is None:
                proc.send_signal(signal.SIGINT)

    reader = asyncio.create_task(read())
    try:
        if deadline is None:
            await reader
        else:
            try:
                await asyncio.wait_for(asyncio.shield(reader), max(0.1, deadline - loop.time()))
            except asyncio.TimeoutError:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGINT)
                await asyncio.wait_for(reader, 30)
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = "".join(lines)
    return parse_wrk(text), text
