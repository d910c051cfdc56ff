"""The group commit's writer on the event loop (PostgreSQL): the same batches as the writer
thread (``groepscommit.GroupCommitter``), with no thread and no GIL hand-over on the way.

With the commands on the event loop (``services/locaties/service_layer/messagebus.py``) the
writer thread was the one thread left on the hot path, and it spent about half its wall time
waiting to take the GIL back from the busy loop after each driver call: the busier the loop,
the longer every batch held its commands. Here a task on the loop takes the requests waiting
at that moment and runs the very same transaction (``BatchWriter._commit_batch``: the version
read, the pseudonyms, the read-model statements, the one multi-stream append with the position
counter taken last and the NOTIFY, COMMIT) in a greenlet, as SQLAlchemy's asyncio layer runs
its synchronous core: on a ``Connection`` of an async engine (``postgresql+psycopg_async``),
whose statements (``shared.db.direct.execute``) are awaited on psycopg's ``AsyncConnection``,
so the loop serves requests while PostgreSQL works. A caller on the loop gets a loop future
(no wake-up through the thread-safe queue); a caller in a worker thread (a command that fell
back to one) gets a thread future, its request handed to the loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.orm import Session

from shared.eventstore.groepscommit import (
    Antwoord,
    BatchWriter,
    CommitRequest,
    PendingAppend,
    Projection,
    Wie,
    _answer,
)
from shared.eventstore.model import RecordedEvent


class LoopGroupCommitter(BatchWriter):
    """``writers`` tasks on ``loop`` (started at the first request), each with its own
    connection kept from batch to batch. ``submit`` may be called from any thread; ``aclose``
    on the loop (``close`` from another thread) commits what is queued and stops."""

    def __init__(
        self,
        engine: Engine,
        loop: asyncio.AbstractEventLoop,
        max_batch: int = 256,
        before_commit: Callable[[Session, list[CommitRequest]], None] | None = None,
        writers: int = 1,
        gather_s: float = 0.0,
    ) -> None:
        """``gather_s``: how long a writer may wait for a batch as large as the recent ones
        (see ``_gather``); 0 takes what waits at once."""
        super().__init__(max_batch, before_commit)
        self._gather_s = gather_s
        self._recent = [0, 0]  # the last two batches' sizes
        self._engine = async_engine(engine, writers)
        self._loop = loop
        self._writers = writers
        # Thread-safe, so a request from a worker thread is queued at once, even while the
        # loop is busy; the event (touched on the loop only) wakes the writers.
        self._queue: queue.SimpleQueue[CommitRequest | None] = queue.SimpleQueue()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = threading.Lock()
        self._closed = False
        # Diagnostics for the HTTP benchmark (``bench/http_path.py``): with the variable set
        # to a directory, each batch's timing goes to ``<dir>/<pid>-<id>.json``.
        self._trace = _Trace.from_env()

    def submit(
        self,
        appends: list[PendingAppend],
        recorded_at: datetime,
        project: Projection | None,
        wie: Wie | None = None,
    ) -> Antwoord:
        """As ``GroupCommitter.submit``; on the writer's own loop the answer is a loop future
        (awaited directly), elsewhere a thread's."""
        on_loop = _running_loop() is self._loop
        future: Antwoord = self._loop.create_future() if on_loop else Future()
        request = CommitRequest(appends, recorded_at, project, wie, future)
        if self._trace is not None:
            self._trace.submitted[request] = time.perf_counter()
        with self._closing:
            if self._closed:
                raise RuntimeError("the group committer is stopped")
            self._queue.put(request)
        if on_loop:
            self._wake_writers()
        else:
            self._loop.call_soon_threadsafe(self._wake_writers)
        return future

    def commit(
        self,
        appends: list[PendingAppend],
        recorded_at: datetime,
        project: Projection | None,
        wie: Wie | None = None,
    ) -> list[RecordedEvent]:
        """From another thread than the loop's: until the request's batch committed."""
        future = self.submit(appends, recorded_at, project, wie)
        assert isinstance(future, Future), "on the writer's loop: await submit(...)"
        return future.result()

    def _wake_writers(self) -> None:
        if not self._tasks:
            self._tasks = [
                self._loop.create_task(self._write(), name="group-commit")
                for _ in range(self._writers)
            ]
        self._wake.set()

    async def _write(self) -> None:
        connection: AsyncConnection | None = None
        try:
            while True:
                try:
                    first = self._queue.get_nowait()
                except queue.Empty:
                    # Nothing can be queued between this look and the wait unnoticed: a
                    # request is queued first and wakes the writers afterwards.
                    self._wake.clear()
                    if self._trace is not None:
                        self._trace.write()  # idle: what the last batches took
                    await self._wake.wait()
                    continue
                if first is None:
                    return
                if self._gather_s > 0:
                    await self._gather()
                taken = time.perf_counter()
                batch, stop = self._take(first, self._queue)
                if batch:
                    self._recent = [self._recent[1], len(batch)]
                    connection = await self._commit(connection, batch)
                if self._trace is not None:
                    self._trace.batch(taken, batch)
                if stop:
                    return
        finally:
            if connection is not None:
                await connection.close()
            if self._trace is not None:
                self._trace.write()

    async def _gather(self) -> None:
        """Waits (at most ``gather_s``) until as many requests wait as the larger of the last
        two batches had (the first request already taken). Why: in a closed loop the clients
        fall into two groups; the writer takes one group's batch at once while the other
        group's handlers still run on the loop, those miss it and wait a whole batch more,
        and every command waits two batches. Waiting for the recent batch size joins the
        groups into one batch; with fewer callers than before it waits once or twice, at
        most ``gather_s`` each, and the target follows the smaller batches."""
        target = max(self._recent)
        if self._queue.qsize() + 1 >= target:
            return
        deadline = self._loop.time() + self._gather_s
        while self._queue.qsize() + 1 < target and not self._closed:
            left = deadline - self._loop.time()
            if left <= 0:
                return
            self._wake.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), left)

    async def _commit(
        self, connection: AsyncConnection | None, batch: list[CommitRequest]
    ) -> AsyncConnection | None:
        """The batch on the writer's connection (opened at first use; a lost one is replaced
        by the engine on next use, as the thread's is); a connection that cannot be opened
        fails the batch, and the next batch tries again."""
        try:
            if connection is None:
                connection = await self._engine.connect()
        except Exception as exc:
            for request in batch:
                _answer(request, exc)
            return None
        await connection.run_sync(self._commit_batch, batch)
        return connection

    async def opwarmen(
        self, oefening: Callable[[], list[CommitRequest]]
    ) -> list[list[RecordedEvent] | BaseException]:
        """At start-up, before any request: opens each writer's connection (the async engine
        keeps them, and a writer takes one at its first batch) and runs a batch from
        ``oefening`` on it that is rolled back (``BatchWriter.oefen``: nothing recorded). Why:
        a worker's first batch took 40-85 ms, and each client's first command waited for it.
        Returns the answers the first writer's batch would have given, in its order."""

        async def een() -> list[list[RecordedEvent] | BaseException]:
            batch = oefening()
            async with self._engine.connect() as connection:
                antwoorden = await connection.run_sync(self.oefen, batch)
            return [antwoorden[r] for r in batch]

        return (await asyncio.gather(*(een() for _ in range(self._writers))))[0]

    async def aclose(self) -> None:
        """Commits what is queued, then stops the writers and closes their connections."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            for _ in range(self._writers):  # one stop marker each
                self._queue.put(None)
        self._wake_writers()
        await asyncio.wait(self._tasks, timeout=30)
        await self._engine.dispose()

    def close(self) -> None:
        """From another thread than the loop's (tests): as ``aclose``. On the loop use
        ``aclose``; once closed, this does nothing."""
        if self._closed:
            return
        if _running_loop() is self._loop:
            raise RuntimeError("on the writer's own loop: await aclose()")
        asyncio.run_coroutine_threadsafe(self.aclose(), self._loop).result(60)


class _Trace:
    """Per batch: when it was taken, when it was answered, and when each of its requests was
    submitted (``time.perf_counter``, the system's monotonic clock, so a benchmark in another
    process can line them up with its own times)."""

    EVERY = 0.5  # seconds between writes (a worker may be killed rather than closed)

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, f"{os.getpid()}-{id(self)}.json")
        self.submitted: dict[CommitRequest, float] = {}
        self.batches: list[tuple[float, float, list[float]]] = []
        self.written = time.perf_counter()
        self.count = 0  # batches written

    @classmethod
    def from_env(cls) -> _Trace | None:
        directory = os.environ.get("BODEMREGIE_GROUP_COMMIT_TRACE")
        return cls(directory) if directory else None

    def batch(self, taken: float, batch: list[CommitRequest]) -> None:
        sent = [self.submitted.pop(r, taken) for r in batch]
        done = time.perf_counter()
        self.batches.append((taken, done, sent))
        if done - self.written > self.EVERY:
            self.write()

    def write(self) -> None:
        if len(self.batches) == self.count:
            return
        self.count = len(self.batches)
        self.written = time.perf_counter()
        with open(self.path, "w") as f:
            json.dump(self.batches, f)


def async_engine(engine: Engine, connections: int) -> AsyncEngine:
    """An async engine to the same database as ``engine`` (same URL, psycopg's async driver),
    loading JSON as it does, with ``connections`` kept connections."""
    dialect: Any = engine.dialect
    return create_async_engine(
        engine.url.set(drivername="postgresql+psycopg_async"),
        pool_size=connections,
        json_deserializer=dialect._json_deserializer,
        json_serializer=dialect._json_serializer,
    )


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
