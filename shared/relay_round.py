"""The relay's round transaction on PostgreSQL in two round trips, straight on psycopg.

A quiet relay's round is one or a few events, so its cost is its round trips, not its rows: as
SQLAlchemy and psycopg sent it, BEGIN, the fencing lock, the read of the new events, the seals'
COPY (two: its start, then its data), the marks and COMMIT were seven, and a profile of the relay
process put ~64 % of its GIL time in them. Here the same statements, in the same transaction,
travel in two:

1. ``BEGIN``, the fencing lock, the chain head as committed and the read of the new events as
   one query string (the simple protocol runs its statements one after the other, each with a
   snapshot of its own, so the reads still see what was committed before the lock was
   granted). A relay whose remembered head differs from the committed one (another process
   sealed meanwhile) reads the head again before it seals anything, so nothing is ever sealed,
   or sent, on a stale head;
2. after the publisher confirmed: the round's seals, the marks and ``COMMIT``, one query
   string (``defer``: statements sent with the COMMIT).

A round that seals many (from ``shared.zegel.KOPIEER_VANAF``, an import's) writes its seals by
COPY before it publishes, and a round that anchors writes them before it reads them back
(``flush``): those are round trips of their own, on rare or large rounds.

The query strings carry their values as literals, and only integers, a timestamp the relay
made itself (formatted with ``%d`` and ``isoformat``) and hashes checked to be lowercase hex;
anything else goes as a parameter (``execute``). Measured against psycopg's pipeline mode, which
would keep the statements prepared: the pipeline cost more client CPU per round than the
separate round trips it replaces (its send/receive loop runs in Python), the query string less
than either.

psycopg begins a transaction by itself with a round trip of its own; so for the round the
connection is switched to autocommit and the round sends ``BEGIN`` itself (a relay's loop keeps
the connection, in autocommit, from round to round: ``OutboxRelay.run``). SQLAlchemy's session,
whose statements of the rarer paths (the head after a change of leader, anchors, rows left from
earlier rounds) run in between, sees one transaction throughout, and its own commit or rollback
afterwards finds nothing left to do. Driver errors arrive as SQLAlchemy's, and a lost
connection is invalidated (as ``shared.db.direct`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from shared.db.direct import as_dbapi_error, result_rows


class RoundTransaction:
    """One round's transaction on a PostgreSQL connection (the session's, or a ``Connection``
    the relay keeps between rounds: then ``keep_autocommit`` leaves it in autocommit after the
    round, for the next one, and whoever keeps it puts it back with :func:`give_back`)."""

    def __init__(
        self,
        connection: Session | Connection,
        fence: int,
        keep_autocommit: bool = False,
        cursor: psycopg.Cursor[Any] | None = None,
    ) -> None:
        """``cursor``: the one an earlier round on the same kept connection used (``cursor``
        after the round), or None for a new one."""
        self._conn: Connection = (
            connection.connection() if isinstance(connection, Session) else connection
        )
        raw = self._conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        self._raw: psycopg.Connection[Any] = raw
        self._fence = fence
        self._keep = keep_autocommit
        self._begun = False
        self._deferred: list[str] = []
        # One cursor for the round's round trips, and for the next rounds' on a kept connection:
        # a new one per round trip cost ~15-30 µs of CPU (measured against PostgreSQL here).
        self._cursor = cursor if cursor is not None and cursor.connection is raw else None
        if not raw.autocommit:  # the setter costs a generator and a lock even when unchanged
            raw.autocommit = True  # BEGIN goes in the first pipeline (see the module text)

    def begin(self) -> None:
        """BEGIN and the fencing lock now, for a round that reads through the session first."""
        if not self._begun:
            self.query_sets("")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """``sql`` (statements with literal values only; the first call of the round also
        sends BEGIN and the lock) in one round trip; the last statement's rows."""
        sets = self.query_sets(sql)
        return sets[-1] if sets else []

    def query_sets(self, sql: str) -> list[list[tuple[Any, ...]]]:
        """As ``query``, but the rows of each statement of ``sql`` that returns rows, in order
        (the lock's, sent with the first call, is not among them)."""
        if not self._begun:
            self._begun = True
            return self._send(f"BEGIN; SELECT pg_advisory_xact_lock({self._fence:d}); {sql}")[1:]
        return self._send(sql)

    def execute(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """One prepared statement (``%s`` placeholders) in the round's transaction."""
        self.begin()
        self.flush()
        return self._send(sql, parameters)[-1]

    def defer(self, sql: str) -> None:
        """Send ``sql`` (literal values only) with the round's COMMIT, or before the next
        statement that needs it (``flush``)."""
        self._deferred.append(sql)

    def flush(self) -> None:
        """The deferred statements now, in one round trip."""
        if self._deferred:
            self.begin()
            sql, self._deferred = "; ".join(self._deferred), []
            self._send(sql)

    def commit(self, sql: str = "") -> None:
        """The deferred statements, ``sql`` (the marks, literal values only) and COMMIT in one
        round trip."""
        self.begin()
        statements, self._deferred = [*self._deferred, sql, "COMMIT"], []
        self._send("; ".join(s for s in statements if s))
        self._done()

    def rollback(self) -> None:
        self._deferred = []
        # Nothing is sent when no transaction is open; a lost connection has none left.
        with suppress(psycopg.Error):
            self._raw.rollback()
        self._done()

    @property
    def cursor(self) -> psycopg.Cursor[Any] | None:
        """The cursor this round used (None if it sent nothing), for the next round on the
        same kept connection."""
        return self._cursor

    def _done(self) -> None:
        if not self._keep:
            _autocommit_off(self._raw)
            cursor, self._cursor = self._cursor, None
            if cursor is not None:
                cursor.close()

    def _send(
        self, sql: str, parameters: Sequence[Any] | None = None
    ) -> list[list[tuple[Any, ...]]]:
        """The rows of each statement that returned rows (at least one list)."""
        conn = self._conn
        try:
            cursor = self._cursor
            if cursor is None or cursor.closed:
                cursor = self._cursor = self._raw.cursor()
            conn.dispatch.before_cursor_execute(conn, cursor, sql, parameters, None, False)
            if parameters is None:
                cursor.execute(sql)  # no parameters: the simple protocol
            else:
                cursor.execute(sql, parameters, prepare=True)
            sets = []
            while True:
                result = cursor.pgresult
                if result is not None and result.status == pq.ExecStatus.TUPLES_OK:
                    sets.append(result_rows(cursor))
                if not cursor.nextset():
                    break
            return sets or [[]]
        except psycopg.Error as exc:
            raise as_dbapi_error(conn, sql, exc) from exc


def _autocommit_off(raw: psycopg.Connection[Any]) -> None:
    with suppress(psycopg.Error):  # closed: the pool replaces it
        raw.autocommit = False


def give_back(connection: Connection) -> None:
    """A connection kept between rounds back to its pool as it came: out of autocommit (an
    embedded relay shares the pool with the API, whose transactions must not turn into
    autocommit)."""
    raw = connection.connection.driver_connection if not connection.invalidated else None
    if isinstance(raw, psycopg.Connection):
        _autocommit_off(raw)
    connection.close()
