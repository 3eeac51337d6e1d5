"""Work still running after Slack was acknowledged, so a shutdown can let it finish.

Bolt acknowledges first and runs the rest of a listener in its own task. Each
listener's work registers that task here; on shutdown the app waits for them
before it closes the Slack client and the database.
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


class InFlight:
    def __init__(self, on_finish: Callable[[], Awaitable[None]] | None = None) -> None:
        self._tasks: set[asyncio.Task] = set()
        self.on_finish = on_finish  # called as each tracked piece of work ends, in its own task

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
