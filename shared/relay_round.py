"""The relay's round transaction on PostgreSQL in three round trips, straight on psycopg.

A quiet relay's round is one or a few events, so its cost is its round trips, not its rows: as
SQLAlchemy and psycopg sent it, BEGIN, the fencing lock, the read of the new events, the seals'
COPY (two: its start, then its data), the marks and COMMIT were seven, and a profile of the relay
process put ~64 % of its GIL time in them. Here the same statements, in the same order and the
same transaction, travel in three:

1. ``BEGIN``, the fencing lock and the read of the new events as one query string (the simple
   protocol runs its statements one after the other, each with a snapshot of its own, so the
   read still sees what was committed before the lock was granted);
2. the seals, prepared (before anything is published, so a relay on a stale head fails on their
   primary key before it sends);
3. after the publisher confirmed: the marks and ``COMMIT``, one query string.

The query strings carry their values as literals, and only integers and a timestamp the relay
made itself (formatted with ``%d`` and ``isoformat``); whatever else, the seals' hashes, goes as
a parameter. Measured against psycopg's pipeline mode, which would keep the statements
prepared: the pipeline cost more client CPU per round than the three separate round trips it
replaces (its send/receive loop runs in Python), the query string less than either.

psycopg begins a transaction by itself with a round trip of its own; so for the round the
connection is switched to autocommit and the round sends ``BEGIN`` itself. SQLAlchemy's session,
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
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from shared.db.direct import as_dbapi_error, result_rows


class RoundTransaction:
    """One round's transaction on the session's PostgreSQL connection."""

    def __init__(self, session: Session, fence: int) -> None:
        self._conn: Connection = session.connection()
        raw = self._conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        self._raw: psycopg.Connection[Any] = raw
        self._fence = fence
        self._begun = False
        self._raw.autocommit = True  # BEGIN goes in the first pipeline (see the module text)

    def begin(self) -> None:
        """BEGIN and the fencing lock now, for a round that reads through the session first."""
        if not self._begun:
            self.query("")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """``sql`` (statements with literal values only; the first call of the round also
        sends BEGIN and the lock) in one round trip; the last statement's rows."""
        if not self._begun:
            sql = f"BEGIN; SELECT pg_advisory_xact_lock({self._fence:d}); {sql}"
            self._begun = True
        return self._send(sql, None)

    def execute(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """One prepared statement (``%s`` placeholders) in the round's transaction."""
        self.begin()
        return self._send(sql, parameters)

    def commit(self, sql: str = "") -> None:
        """``sql`` (the marks, literal values only) and COMMIT in one round trip."""
        self.begin()
        self._send(f"{sql}; COMMIT" if sql else "COMMIT", None)
        self._done()

    def rollback(self) -> None:
        # Nothing is sent when no transaction is open; a lost connection has none left.
        with suppress(psycopg.Error):
            self._raw.rollback()
        self._done()

    def _done(self) -> None:
        with suppress(psycopg.Error):  # closed: the pool replaces it
            self._raw.autocommit = False

    def _send(self, sql: str, parameters: Sequence[Any] | None) -> list[tuple[Any, ...]]:
        conn = self._conn
        try:
            with self._raw.cursor() as cursor:
                conn.dispatch.before_cursor_execute(conn, cursor, sql, parameters, None, False)
                if parameters is None:
                    cursor.execute(sql)  # no parameters: the simple protocol
                else:
                    cursor.execute(sql, parameters, prepare=True)
                while cursor.nextset():
                    pass  # to the last statement's result
                return result_rows(cursor)
        except psycopg.Error as exc:
            raise as_dbapi_error(conn, sql, exc) from exc
