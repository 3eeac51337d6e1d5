"""Work still running after Slack was acknowledged, so a shutdown can let it finish, and the bound on replies.

Bolt acknowledges first and runs the rest of a listener in its own task. Each
listener's work registers that task here; on shutdown the app waits for them
before it closes the Slack client and the database.

`replies` bounds the answers that only read (`/crisis status`, `/crisis plan`…): at most REPLY_JOBS of them
under way at once in a process (waiting for their read or posting their answer). Their reads are bounded
again where they are made (storage/status.py: a few queries at once, fewer than the pool's connections, one
shared by everybody asking about the same channel meanwhile), so a storm of them can neither starve the event
loop that acknowledges everybody else nor exhaust the pool. One that finds them all taken is not queued: the
person is told at once, in the acknowledgement, that crisisbot is busy and to try again in a moment. Work that
changes state is not shed here: it was recorded before its ack (handlers/journal.py), which bounds it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Awaitable, Callable

log = logging.getLogger(__name__)


class Late(asyncio.TimeoutError):
    """Not done in time; `task` is still running and may yet succeed."""

    def __init__(self, task: asyncio.Task):
        super().__init__("not done in time")
        self.task = task
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # its failure is expected, not news


REPLY_JOBS = 64  # read-only replies under way at once per process (a module constant: no setting yet)
READ_TURNS = 4  # of them, reading the database at once (fewer than the pool's connections; storage/status.py too)


class ReplyGate:
    """At most `limit` replies under way; `enter` says no, rather than waiting, when they are all taken. Their
    database reads take `turns` (at most READ_TURNS at once), so the replies under way never hold the pool."""

    def __init__(self, limit: int = REPLY_JOBS) -> None:
        self.limit = limit
        self.running = 0
        self.shed = 0  # replies refused since start, for the logs and the bench
        self._turns: asyncio.Semaphore | None = None

    def turn(self) -> asyncio.Semaphore:
        if self._turns is None:
            self._turns = asyncio.Semaphore(READ_TURNS)
        return self._turns

    def enter(self) -> bool:
        if self.running >= self.limit:
            self.shed += 1
            return False
        self.running += 1
        return True

    def leave(self) -> None:
        self.running -= 1


class InFlight:
    def __init__(self, on_finish: Callable[[], Awaitable[None]] | None = None, reply_jobs: int = REPLY_JOBS) -> None:
        self._tasks: set[asyncio.Task] = set()
        self.on_finish = on_finish  # called as each tracked piece of work ends, in its own task
        self.replies = ReplyGate(reply_jobs)

    @asynccontextmanager
    async def track(self):
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - always inside a task under asyncio
            yield
            return
        self._tasks.add(task)
        try:
            yield
        finally:
            try:
                if self.on_finish is not None:
                    await self.on_finish()
            finally:
                self._tasks.discard(task)

    def spawn(self, coro) -> asyncio.Task:
        """Start background work that a shutdown waits for."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def within(self, coro, timeout: float):
        """The result of `coro` if it is done within `timeout` seconds; else TimeoutError, while `coro` goes on
        to its end in the background (a shutdown waits for it): a database call cancelled half-way leaks its
        connection, and one that lands late must still be known (`late` on the returned error)."""
        task = self.spawn(coro)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            raise Late(task)
        return task.result()

    def __len__(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until no acknowledged work is running, including work that the running work starts."""
        await asyncio.sleep(0)  # let a listener that was just acknowledged step into track()
        while pending := {t for t in self._tasks if t is not asyncio.current_task()}:
            await asyncio.wait(pending)

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the work in flight; say what did not finish."""
        pending = {t for t in self._tasks if t is not asyncio.current_task()}
        if not pending:
            return
        done, still = await asyncio.wait(pending, timeout=timeout)
        if still:
            log.warning("shutting down with %d piece(s) of work unfinished", len(still))
