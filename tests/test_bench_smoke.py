"""The benchmark's own pieces, without load: the bodies wrk cycles and the reading of what wrk prints.

No timing here: the figures come from `make bench` (bench/run.py), never from a test.
"""

from __future__ import annotations

import json

from bench.ingest import Run, crisis_messages
from bench.wrkload import acked_ids, alert_bodies, bench_keys, parse_wrk, wrk_command, write_bodies
from bot.domain.alerts import AlertStatus
from handlers.alert_formats import parse

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:41234/alerts/generic
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    48.12ms   20.31ms 312.55ms   81.02%
    Req/Sec     1.04k    98.20     1.21k    70.00%
  Latency Distribution
     50%   44.80ms
     75%   55.02ms
     90%   70.11ms
     99%  141.37ms
  5210 requests in 5.01s, 1.02MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   1039.92
Transfer/sec:    208.11KB
BENCH {"sent": 5261, "answered": 5210, "ok2xx": 5207, "other": 3, "seconds": 5.004, "wrk_requests": 5210, \
"wrk_duration_us": 5010000, "connect_errors": 0, "read_errors": 0, "write_errors": 0, "timeouts": 2, \
"p50_us": 44800, "p90_us": 70110, "p99_us": 141370, "max_us": 312550}
"""


def test_wrk_output_is_read():
    r = parse_wrk(WRK_OUTPUT)
    assert (r.requests, r.seconds, r.rate) == (5210, 5.01, 1039.92)
    assert (r.p50, r.p90, r.p99) == (0.0448, 0.07011, 0.14137)
    assert r.non2xx == 3 and r.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 2}
    assert (r.sent, r.ok2xx, r.other, r.span) == (5261, 5207, 3, 5.004)
    assert r.in_flight == 51 and r.errors == 5 and not r.quota_done


def test_the_script_line_stands_in_for_a_missing_latency_summary():
    lines = [line for line in WRK_OUTPUT.splitlines() if "%" not in line or line.startswith("BENCH")]
    r = parse_wrk("\n".join(lines) + "\nQUOTA-DONE\n")
    assert (r.p50, r.p99) == (0.0448, 0.14137) and r.quota_done


def test_wrk_seconds_units():
    out = parse_wrk("     50%  812.00us\n     99%    1.20s\n  7 requests in 1.00m, 1KB read\n")
    assert (out.p50, out.p99, out.requests, out.seconds) == (0.000812, 1.2, 7, 60.0)


def test_bodies_are_generic_alerts_of_the_keys_one_a_line(tmp_path):
    keys = bench_keys("bench", 3)
    bodies = alert_bodies(keys, 7, "low")
    path = write_bodies(tmp_path / "bodies.txt", bodies)
    lines = path.read_text().splitlines()
    assert lines == bodies and len(lines) == 7
    seen = [json.loads(line)["dedup_key"] for line in lines]
    assert seen == ["bench-00", "bench-01", "bench-02"] * 2 + ["bench-00"]
    for line in lines:  # what the bot reads them as: a firing alert of that key, none refused
        alert = parse("generic", json.loads(line))
        assert alert.key == json.loads(line)["dedup_key"] and alert.status is AlertStatus.FIRING


def test_wrk_command_passes_the_script_its_arguments(tmp_path):
    cmd = wrk_command("http://127.0.0.1:1/alerts/generic", tmp_path / "b.txt", "tok", seconds=4.6, quota=100,
                      acked=tmp_path / "acked")
    assert cmd[:5] == ["wrk", "-t1", "-c50", "-d5s", "--timeout=10s"]
    assert cmd[cmd.index("--") + 1:] == [str(tmp_path / "b.txt"), "tok", "100", str(tmp_path / "acked")]


def test_acked_ids_files(tmp_path):
    (tmp_path / "acked-1.txt").write_text("4\n5\n?\n")
    (tmp_path / "acked-2.txt").write_text("6\n")
    (tmp_path / "other-1.txt").write_text("99\n")
    assert acked_ids(tmp_path / "acked") == ([4, 5, 6], 1)


def test_a_run_holds_only_when_every_acknowledged_alert_is_stored():
    def run(acked, stored, found, sent=60):
        return Run(rate=1.0, p50=None, p99=None, sent=sent, acked=acked, other=0, errors=0, in_flight=0,
                   stored=stored, acked_stored=found, cpu_ms=None)
    assert run(50, 51, 50).held
    assert not run(50, 51, 49).held   # an acknowledged id missing, though the count would pass
    assert not run(50, 49, None).held
    assert not run(50, 61, 50).held   # more stored than sent


class _Call:
    def __init__(self, method, channel, at, ok=True):
        self.method, self.args, self.at, self.response = method, {"channel": channel}, at, {"ok": ok}


def test_crisis_messages_counts_its_channel_and_the_busiest_second():
    class Emu:
        calls = [_Call("chat.postMessage", "C1", t) for t in (10.0, 10.2, 10.9, 12.5, 30.0)] + [
            _Call("chat.postMessage", "C2", 10.1), _Call("chat.update", "C1", 10.3),
            _Call("chat.postMessage", "C1", 10.4, ok=False)]
    assert crisis_messages(Emu, "C1", 9.0, 20.0) == (4, 11.0, 3)
    assert crisis_messages(Emu, None, 9.0, 20.0) == (0, 11.0, 0)
