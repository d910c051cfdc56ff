"""Hot-path reads on the event loop: a few psycopg 3 ``AsyncConnection`` per process, the
statements prepared on the server from their first use (as ``shared/db/direct.py`` does on
the synchronous connection).

A command that runs on the event loop (``services/locaties/service_layer/messagebus.py``)
reads through these instead of taking a pooled connection in a worker thread. Each read is a
statement of its own (autocommit: no BEGIN and no ROLLBACK round trip), which at READ
COMMITTED sees what a one-statement transaction would. The connections are made from the
engine's own connect arguments, so they reach the same server as the same user and load JSON
with the engine's loaders; a driver error arrives as SQLAlchemy's exception of the same kind
(an unreachable database is ``OperationalError``, answered 503 as on every other path), and a
broken connection is dropped, so the next read opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError

from shared.db.direct import driver_error


class AsyncStatements:
    """At most ``size`` connections, opened at first use on the running loop (one loop per
    process: the worker's), closed by :meth:`close`. PostgreSQL only."""

    def __init__(self, engine: Engine, size: int = 4) -> None:
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        self._connect_args = (list(args), {**kwargs, "autocommit": True})
        self._dialect = engine.dialect
        self._size = size
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots: asyncio.Semaphore | None = None
        self._open: set[psycopg.AsyncConnection[Any]] = set()

    async def rows(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Runs ``sql`` (``%s`` placeholders) prepared, returns its rows. A kept connection
        that turns out to be gone (the server restarted, or ended it) is replaced and the read
        sent once more on a new one, as the engine's pre-ping would have done."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._size)
        async with self._slots:
            while True:
                kept = bool(self._idle)
                connection = self._idle.pop() if kept else await self._connect(sql)
                try:
                    rows = await _rows(connection, sql, parameters)
                except psycopg.Error as exc:
                    if not (connection.closed or connection.broken):
                        self._idle.append(connection)
                        raise self._as_dbapi_error(sql, exc, False) from exc
                    self._open.discard(connection)
                    if kept:
                        continue  # a stale kept connection: once more on a new one
                    raise self._as_dbapi_error(sql, exc, True) from exc
                except BaseException:
                    # Cancelled mid-statement: the connection's state is unknown; not reused.
                    self._open.discard(connection)
                    await _close(connection)
                    raise
                self._idle.append(connection)
                return rows

    async def opwarmen(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Opens the pool's connections now, at start-up, and runs ``statements`` (reads that
        find nothing: they are executed) on each, so each is prepared there and the backend
        has read the catalogue entries of what they touch. Why: a new PostgreSQL backend took
        ~20-90 ms on the busy 2-core machine, and a worker's first commands each opened one
        on their first load."""
        # Each connection that opened goes to the pool, also when another failed: one left
        # out would hold a backend for the worker's life that no read uses.
        nieuw = await asyncio.gather(
            *(self._connect("connect") for _ in range(self._size - len(self._open))),
            return_exceptions=True,
        )
        fout: BaseException | None = next((c for c in nieuw if isinstance(c, BaseException)), None)
        for connection in nieuw:
            if isinstance(connection, BaseException):
                continue
            try:
                for sql, parameters in statements:
                    await _rows(connection, sql, parameters)
            except psycopg.Error as exc:
                fout = fout or self._as_dbapi_error(sql, exc, False)
                if connection.closed or connection.broken:
                    self._open.discard(connection)
                    continue
            except BaseException:
                self._open.discard(connection)  # cancelled mid-statement: its state unknown
                await _close(connection)
                raise
            self._idle.append(connection)
        if fout is not None:
            raise fout

    async def _connect(self, sql: str) -> psycopg.AsyncConnection[Any]:
        args, kwargs = self._connect_args
        try:
            connection = await psycopg.AsyncConnection.connect(*args, **kwargs)
        except psycopg.Error as exc:
            raise self._as_dbapi_error(sql, exc, True) from exc
        self._open.add(connection)
        return connection

    def _as_dbapi_error(self, sql: str, exc: psycopg.Error, lost: bool) -> StatementError:
        return driver_error(sql, exc, lost, self._dialect)

    async def close(self) -> None:
        """Closes the connections (the pool can be used again afterwards: it reopens)."""
        connections, self._open, self._idle = self._open, set(), []
        for connection in connections:
            await _close(connection)


async def _rows(
    connection: psycopg.AsyncConnection[Any], sql: str, parameters: Sequence[Any]
) -> list[tuple[Any, ...]]:
    async with connection.cursor() as cursor:
        await cursor.execute(sql, parameters, prepare=True)
        result = cursor.pgresult
        if result is None or result.status != pq.ExecStatus.TUPLES_OK:
            return []
        return await cursor.fetchall()


async def _close(connection: psycopg.AsyncConnection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):  # already gone
        await connection.close()
