"""Hot-path statements straight on the psycopg 3 connection under a SQLAlchemy ``Connection``,
prepared on the server from their first use, in the caller's transaction.

The group-commit writer and its read-model writes send a few fixed texts per batch. Through
SQLAlchemy each cost a statement context, parameter processing and a ``Result`` wrapper, and
psycopg dumped every array parameter element by element in Python: a profile of the writer
under 16 writers put about a fifth of its GIL time in that dumping alone. Here the rows travel
as one JSON document (:func:`json_rows`, built by orjson in C, unpacked by the server with
``jsonb_array_elements``) and the statement is executed with ``prepare=True`` on the driver
connection: parsed and planned once per connection.

What SQLAlchemy gave and callers rely on stays: ``before_cursor_execute`` listeners see the
statement (tests count statements), a driver error arrives as SQLAlchemy's exception of the
same kind (a unique key is ``sqlalchemy.exc.IntegrityError``), and a lost connection is
invalidated, so the next transaction on the ``Connection`` reconnects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import orjson
import psycopg
from psycopg import pq
from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.util import await_


def execute(connection: Connection, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Runs ``sql`` (``%s`` placeholders) prepared, returns its rows (none for a statement
    without a result). PostgreSQL only."""
    if not connection.in_transaction():
        # As SQLAlchemy's own execute would (autobegin): its commit() then commits this too.
        connection.begin()
    proxied = connection.connection
    raw = proxied.driver_connection
    try:
        if isinstance(raw, psycopg.AsyncConnection):
            # The group commit's writer on the event loop (``groepscommit_lus``), which runs
            # this in a greenlet: the statement is awaited there, on the loop's own thread.
            return await_(_execute_async(connection, raw, sql, parameters))
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cursor:
            connection.dispatch.before_cursor_execute(
                connection, cursor, sql, parameters, None, False
            )
            cursor.execute(sql, parameters, prepare=True)
            return result_rows(cursor)
    except psycopg.Error as exc:
        raise as_dbapi_error(connection, sql, exc) from exc


async def _execute_async(
    connection: Connection,
    raw: psycopg.AsyncConnection[Any],
    sql: str,
    parameters: Sequence[Any],
) -> list[tuple[Any, ...]]:
    async with raw.cursor() as cursor:
        connection.dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, False)
        await cursor.execute(sql, parameters, prepare=True)
        result = cursor.pgresult
        if result is None or result.status != pq.ExecStatus.TUPLES_OK:
            return []
        return await cursor.fetchall()


def rollback_keeping_prepared(connection: Connection) -> None:
    """Ends the transaction on ``connection`` with a ROLLBACK sent on the libpq connection
    itself. psycopg forgets (``DEALLOCATE ALL``) every statement prepared on a connection at
    any ROLLBACK it sends, since the transaction may have dropped what they refer to; after a
    transaction without DDL (the group commit's warm-up) they are still valid, and keeping
    them is the point. The caller's own rollback afterwards finds nothing to do (psycopg sees
    the connection idle). Blocking, also on an async connection: for start-up only."""
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection | psycopg.AsyncConnection)
    result = raw.pgconn.exec_(b"ROLLBACK")
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise RuntimeError(f"ROLLBACK: {result.error_message.decode(errors='replace')}")


def result_rows(cursor: psycopg.Cursor[Any]) -> list[tuple[Any, ...]]:
    """The rows of the cursor's (last) result; none for a statement without a result."""
    # Not ``description``: it builds a column object per column on every call.
    result = cursor.pgresult
    if result is None or result.status != pq.ExecStatus.TUPLES_OK:
        return []
    return cursor.fetchall()


def as_dbapi_error(connection: Connection, sql: str, exc: psycopg.Error) -> StatementError:
    """The driver's own error, raised past SQLAlchemy, made SQLAlchemy's (``IntegrityError``
    for a duplicate key, ...), which is what callers catch; a lost connection is invalidated,
    so the pool replaces it."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(cast(Any, exc), connection.connection.dbapi_connection, None)
    if lost:
        connection.invalidate(exc)
    return driver_error(sql, exc, lost, dialect)


def driver_error(sql: str, exc: psycopg.Error, lost: bool, dialect: Dialect) -> StatementError:
    """SQLAlchemy's error for the driver's ``exc`` (whoever knows whether the connection was
    ``lost``), without the statement's parameters: personal data, not for logs."""
    return DBAPIError.instance(
        sql,
        None,
        exc,
        psycopg.Error,
        hide_parameters=True,
        connection_invalidated=lost,
        dialect=dialect,
    )


def json_rows(rows: Sequence[Any]) -> str:
    """Rows as one JSON array (of arrays), for ``jsonb_array_elements(%s::jsonb)`` with
    ``(r->>k)::type`` per column (or of texts, ``jsonb_array_elements_text``). Values:
    ``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``None``, ``date``, ``UUID`` and
    ``datetime`` (ISO 8601, which PostgreSQL's input functions read as they read ``str()`` of
    them). A datetime must be timezone-aware (:func:`aware`): a naive one would be read in the
    session's time zone. A JSON column's value goes as its text."""
    return orjson.dumps(rows, default=_decimal).decode()


def aware(value: datetime | None) -> None:
    """Refuses a naive datetime, as the ``UtcDateTime`` column type does (checked here and not
    in orjson's fallback, which would take every datetime out of C)."""
    if value is not None and value.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not a column value: {type(value).__name__}")
