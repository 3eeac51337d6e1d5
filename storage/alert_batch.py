"""Group commit for alerts: the alerts that arrive together are written in one transaction.

A sender's request puts its alert in a bounded in-process queue and waits. One worker takes what is
queued (up to `max_batch`, after lingering `linger` seconds for company), writes it all in one
transaction and commits; only then is each sender's future resolved, so a 202 always means stored.
A batch that fails as a whole fails each of its senders (they get a 5xx and send again), except that a
batch refused for one bad alert is tried again alert by alert, so one bad alert fails only its sender.
A full queue refuses at once (`Overloaded`: the sender is told 503 with Retry-After) instead of growing.

On SQLite the transaction begins IMMEDIATE: it holds the write lock from its first read, so what the
batch read (the open keys) cannot change under it in another process. On PostgreSQL the writer
(`storage/alerts.py`) guards each alert that opens a crisis or a triage with a savepoint instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Generic, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 256      # alerts in one transaction
MAX_QUEUE = 4096     # waiting alerts; past it, senders are told to come back
LINGER = 0.001       # seconds the worker waits for more alerts once one has come, when the batch is not full
WAIT = 10.0          # the longest a sender waits for its commit before it is told 503 (the commit may still land)


class Overloaded(Exception):
    """The queue is full, or closing: the alert was not taken; the sender should retry after `retry_after` s."""

    def __init__(self, why: str, retry_after: int = 1):
        super().__init__(why)
        self.retry_after = retry_after


@dataclass(frozen=True)
class BatchLimits:
    max_batch: int = MAX_BATCH
    max_queue: int = MAX_QUEUE
    linger: float = LINGER
    wait: float = WAIT


@dataclass
class _Waiting(Generic[T]):
    item: T
    future: asyncio.Future = field(repr=False)


Writer = Callable[[AsyncConnection, list[T]], Awaitable[list[R]]]


class GroupCommit(Generic[T, R]):
    """A queue in front of `write(connection, items) -> results`, one result per item, in one transaction."""

    def __init__(self, engine: AsyncEngine, write: Writer, limits: BatchLimits | None = None):
        self.engine = engine
        self.write = write
        self.limits = limits or BatchLimits()
        self.sqlite = engine.dialect.name == "sqlite"
        self.queue: deque[_Waiting[T]] = deque()
        self.wakeup: asyncio.Event | None = None
        self.worker: asyncio.Task | None = None
        self.closing = False
        self.batches = self.written = 0  # for the curious (tests, benchmarks)

    def start(self) -> None:
        if self.worker is None or self.worker.done():
            self.closing = False
            self.wakeup = asyncio.Event()
            self.worker = asyncio.get_running_loop().create_task(self._run(), name="alert-group-commit")

    async def stop(self) -> None:
        """Take no more; write what is queued; then end the worker."""
        self.closing = True
        if self.worker is None:
            return
        assert self.wakeup is not None
        self.wakeup.set()
        try:
            await self.worker
        finally:
            self.worker = None

    async def submit(self, item: T) -> R:
        """The item's result once its transaction committed; its exception if that failed."""
        if self.closing:
            raise Overloaded("shutting down")
        if len(self.queue) >= self.limits.max_queue:
            raise Overloaded(f"{len(self.queue)} alerts are waiting to be stored")
        self.start()
        assert self.wakeup is not None
        future = asyncio.get_running_loop().create_future()
        self.queue.append(_Waiting(item, future))
        self.wakeup.set()
        # shielded: a sender that hangs up does not cancel the batch; bounded: a stuck database answers 503
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.limits.wait)
        except TimeoutError:
            raise Overloaded(f"the database did not commit within {self.limits.wait:g} s", 5) from None

    async def _run(self) -> None:
        assert self.wakeup is not None
        while True:
            if not self.queue:
                if self.closing:
                    return
                self.wakeup.clear()
                await self.wakeup.wait()
                continue
            if self.limits.linger > 0 and len(self.queue) < self.limits.max_batch and not self.closing:
                await asyncio.sleep(self.limits.linger)
            batch = [self.queue.popleft() for _ in range(min(len(self.queue), self.limits.max_batch))]
            try:
                await self._write_batch(batch)
            except BaseException as exc:  # never leave a sender waiting, whatever happened
                _fail(batch, exc if isinstance(exc, Exception) else RuntimeError("the alert writer stopped"))
                if not isinstance(exc, Exception):
                    raise

    async def _write_batch(self, batch: list[_Waiting[T]]) -> None:
        try:
            results = await self._transaction([w.item for w in batch])
        except Exception as exc:
            if len(batch) == 1 or not _one_bad_item(exc):
                log.warning("a batch of %d alerts was not stored: %s", len(batch), exc)
                _fail(batch, exc)
                return
            log.warning("a batch of %d alerts was refused (%s); storing them one by one", len(batch), exc)
            for waiting in batch:
                await self._write_batch([waiting])
            return
        self.batches += 1
        self.written += len(batch)
        for waiting, result in zip(batch, results):
            if not waiting.future.done():
                waiting.future.set_result(result)

    async def _transaction(self, items: list[T]) -> list[Any]:
        async with self.engine.connect() as conn:
            try:
                if self.sqlite:  # the write lock from the first statement (aiosqlite/pysqlite would begin deferred)
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")
                results = await self.write(conn, items)
                await conn.commit()
            except BaseException:
                # A failed batch's connection is never reused: after a failed COMMIT SQLAlchemy takes the
                # transaction for ended, and the pool would hand it on with the batch still open in it (the next
                # user's commit would store what its senders were told was not). Closing it rolls it back.
                with contextlib.suppress(Exception):
                    await conn.invalidate()
                raise
        return results


def _one_bad_item(exc: Exception) -> bool:
    """Could one alert of the batch be the cause (bad data, a constraint), rather than the database being away?"""
    if not isinstance(exc, DBAPIError) or isinstance(exc, (OperationalError, InterfaceError)):
        return False
    return not exc.connection_invalidated


def _fail(batch: list[_Waiting], exc: Exception) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_exception(exc)
            waiting.future.exception()  # retrieved here too: a sender that hung up leaves no "never retrieved"
