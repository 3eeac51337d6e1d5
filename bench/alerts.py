"""How many alerts a second does POST /alerts/{source} take on this machine?

The alert benchmark is bench/ingest.py (wrk against `crisisbot serve`, the emulator in this process); this
name is kept for the command that ran it before:

    .venv/bin/python -m bench.alerts [DATABASE_URL]

A PostgreSQL DATABASE_URL must name a scratch database: its public schema is emptied first.
`make bench` (bench/run.py) runs it on both databases beside its floor, in one table.
"""

from __future__ import annotations

import asyncio
import sys

from bench.ingest import measure

if __name__ == "__main__":
    asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else None))
