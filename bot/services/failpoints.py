"""Named points where a crash test has the process kill itself (SIGKILL: no cleanup, no goodbye).

Killing a process from outside lands at a random moment; the moments that matter most (between a Slack post and
the commit that records it, between two database steps of an opening) last microseconds. So a test starts
`crisisbot serve` with CRISISBOT_CRASH_AT naming points, and the process dies there, exactly, the first time it
gets there. Unset (production), `reached` does nothing.

Points: `did:<opening step>` (done, not yet recorded), `step:<opening step>` (recorded), `claimed:reminder`, `posted:reminder` (the Slack call
answered, not yet marked done), `claimed:triage`, `posted:triage`.
"""

from __future__ import annotations

import os
import signal

_armed: frozenset[str] = frozenset()


def arm(points: str) -> None:
    """Called once at start-up with the setting (comma-separated points; empty: none)."""
    global _armed
    _armed = frozenset(p.strip() for p in points.split(",") if p.strip())


def reached(point: str) -> None:
    if point in _armed:
        os.kill(os.getpid(), signal.SIGKILL)
