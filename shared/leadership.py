"""Leadership among the processes of one service: only the leader runs the outbox relay.

Several uvicorn workers (or hosts) may serve one service's API against one PostgreSQL database;
each commits events and outbox rows, but exactly one may seal and publish, or Kafka would get
copies. The leader holds a session-level advisory lock on a connection of its own; PostgreSQL
releases it when that connection or the process dies, and another worker takes over within its
retry interval. Every commit sends ``NOTIFY`` on the service's channel (see ``notify_commit``); the
leader ``LISTEN``s on its lock connection, so a command in any worker wakes the relay at once.

On SQLite the embedded relay thread always leads and wakes through an event; a relay in a
process of its own (``make run``) holds a file lock beside the database and watches the position
counter instead (``PollingLeadership``), since no NOTIFY crosses processes there.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "bodemregie_outbox"
PING_S = 1.0


class Leadership(Protocol):
    def am_leader(self) -> bool:
        """True while this process leads (takes the lead when it is free)."""
        ...

    def wait(self, timeout: float) -> None:
        """Until a commit was signalled (since the last wait) or ``timeout`` passed."""
        ...

    def gather(self, within: float, signals: int) -> None:
        """After a wake-up: wait up to ``within`` seconds more, or until ``signals`` more
        commits were signalled, so that the commits of that moment share one round."""
        ...

    def wake(self) -> None:
        """Signal a commit from this process."""
        ...

    def close(self) -> None:
        """Give up the lead."""
        ...


class SoleLeader:
    """One process: always the leader, woken by its own commits."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._condition = threading.Condition()
        self._signals = 0

    def am_leader(self) -> bool:
        return True

    def wait(self, timeout: float) -> None:
        self._event.wait(timeout)
        self._event.clear()

    def gather(self, within: float, signals: int) -> None:
        with self._condition:
            self._signals = 0
            self._condition.wait_for(lambda: self._signals >= signals, within)
        self._event.clear()

    def wake(self) -> None:
        self._event.set()
        with self._condition:
            self._signals += 1
            self._condition.notify_all()

    def close(self) -> None:
        self.wake()


class PollingLeadership(SoleLeader):
    """SQLite, the relay in a process of its own beside the API's (``make run``). The lead is an
    exclusive ``flock`` on a file beside the database, held while the process lives (the kernel
    drops it when it dies), so a second relay process on the same file waits as a follower.
    Commits of other processes send no signal: between rounds the relay reads the position
    counter every ``poll_s`` (one indexed row on a connection of its own in autocommit, so no
    transaction and no lock is held) and takes a change as a commit."""

    def __init__(self, engine: Engine, name: str, poll_s: float = 0.02) -> None:
        super().__init__()
        database = engine.url.database
        if not database or database == ":memory:":
            raise ValueError("a relay process needs a SQLite file the API shares")
        self._database = database
        self._lock_path = f"{database}.relay-{name}.lock"
        self._poll_s = poll_s
        self._lock: int | None = None
        self._conn: sqlite3.Connection | None = None
        self._seen: int | None = None

    def am_leader(self) -> bool:
        if self._lock is None:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._lock = fd
            log.info("this process now runs the outbox relay")
            # What was committed before the first round: that round takes it.
            self._seen = self._position()
        return True

    def wait(self, timeout: float) -> None:
        until = time.monotonic() + timeout
        while (left := until - time.monotonic()) > 0:
            if self._event.wait(min(left, self._poll_s)):
                break
            position = self._position()
            if position != self._seen:
                self._seen = position
                break
        self._event.clear()

    def _position(self) -> int | None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    self._database, isolation_level=None, check_same_thread=False, timeout=30
                )
            # fetchall: the statement ends, so no read snapshot stays open between polls.
            rows = self._conn.execute(
                "SELECT last_position FROM event_positions WHERE id = 1"
            ).fetchall()
            return int(rows[0][0]) if rows else None
        except sqlite3.Error:
            log.warning("reading the position counter failed; will try again", exc_info=True)
            return None

    def close(self) -> None:
        super().close()
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        lock, self._lock = self._lock, None
        if lock is not None:
            os.close(lock)  # releases the flock


@functools.cache
def lock_key(name: str) -> int:
    """A stable 63-bit advisory lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


class PostgresLeadership:
    """Advisory-lock leadership with LISTEN/NOTIFY wake-ups."""

    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        self._key = lock_key(f"relay:{name}")
        self._conn: Connection | None = None
        self._leading = False
        self._event = threading.Event()
        self._pinged = 0.0

    def am_leader(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self._leading:
                # The lock lives as long as this connection; checking that once a second, not
                # at every wake-up, is enough: a round is fenced by a lock of its own anyway.
                if time.monotonic() - self._pinged > PING_S:
                    self._conn.execute(text("SELECT 1"))
                    self._pinged = time.monotonic()
                return True
            self._leading = bool(
                self._conn.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}
                ).scalar()
            )
            if self._leading:
                self._conn.execute(text(f"LISTEN {CHANNEL}"))
                # A commit between losing a connection (or another's lead) and this LISTEN
                # sent its NOTIFY to nobody: the first wait of a new term returns at once,
                # so the relay looks at the outbox before it sleeps.
                self._event.set()
                log.info("this process now runs the outbox relay")
            return self._leading
        except DBAPIError:
            log.warning("lost the leadership connection; will try again")
            self._drop_connection()
            return False

    def wait(self, timeout: float) -> None:
        if not self._leading or self._conn is None or self._event.is_set():
            self._event.wait(timeout)
            self._event.clear()
            return
        # In short slices, so that ``wek`` (a stop, an own commit) is seen within one.
        until = time.monotonic() + timeout
        try:
            driver = self._conn.connection.driver_connection
            while not self._event.is_set() and (left := until - time.monotonic()) > 0:
                for _ in driver.notifies(timeout=min(left, 0.25), stop_after=1):  # type: ignore[union-attr]
                    return
            self._event.clear()
        except Exception:
            log.warning("waiting for notifications failed; will reconnect")
            self._drop_connection()

    def gather(self, within: float, signals: int) -> None:
        if not self._leading or self._conn is None:
            time.sleep(within)
            return
        until = time.monotonic() + within
        seen = 0
        try:
            driver = self._conn.connection.driver_connection
            while seen < signals and (left := until - time.monotonic()) > 0:
                for _ in driver.notifies(timeout=left, stop_after=signals - seen):  # type: ignore[union-attr]
                    seen += 1
        except Exception:
            log.warning("waiting for notifications failed; will reconnect")
            self._drop_connection()

    def wake(self) -> None:
        self._event.set()

    def close(self) -> None:
        self._event.set()
        self._drop_connection()

    def _drop_connection(self) -> None:
        conn, self._conn, self._leading = self._conn, None, False
        if conn is not None:
            # Discard the connection instead of returning it to the pool: its session ends,
            # which releases the advisory lock and the LISTEN.
            try:
                conn.invalidate()
            finally:
                conn.close()


def leadership_for(engine: Engine, name: str, own_process: bool = False) -> Leadership:
    """The advisory lock on PostgreSQL; on SQLite the embedded thread's ``SoleLeader``, or for a
    relay in a process of its own (``own_process``) the file lock and counter poll."""
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine, name)
    return PollingLeadership(engine, name) if own_process else SoleLeader()


def notify_commit(session: Session) -> None:
    """Inside a transaction that adds outbox rows: wake the leader of any process when it
    commits (PostgreSQL delivers NOTIFY on commit only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


def lock_job(connection: Connection | Session, name: str) -> None:
    """Serialise one job (migrations, a rebuild at start) among processes sharing a
    PostgreSQL database, until the current transaction ends. SQLite has one process."""
    dialect = (
        connection.get_bind().dialect if isinstance(connection, Session) else connection.dialect
    )
    if dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(name)})


@contextmanager
def hold_job(connection: Connection, name: str, poll_s: float = 0.2) -> Iterator[None]:
    """Serialise one job among processes sharing a PostgreSQL database for as long as the block
    runs, across the commits of ``connection`` (a session-level advisory lock on it, where
    ``lock_job`` lasts one transaction). The block gets ``connection`` outside a transaction.

    The lock is waited for by trying it every ``poll_s`` (each try a statement of its own, in
    autocommit), not by one blocking ``pg_advisory_lock``: a waiting statement holds a
    snapshot, and the holder's ``CREATE INDEX CONCURRENTLY`` waits until every older snapshot
    is gone; the two would wait for each other (PostgreSQL reports a deadlock and aborts one).
    SQLite has one process: the block just runs."""
    if connection.dialect.name != "postgresql":
        yield
        return
    key = lock_key(name)
    connection.execution_options(isolation_level="AUTOCOMMIT")
    try:
        waited = False
        while not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            if not waited:
                log.info("waiting for another process's job %r", name)
                waited = True
            time.sleep(poll_s)
    finally:
        connection.rollback()  # ends SQLAlchemy's (autobegun) transaction; nothing to undo
        connection.execution_options(isolation_level=connection.default_isolation_level)
    try:
        yield
    finally:
        try:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
        except Exception:
            # The session is gone or unusable: ending it releases the lock.
            connection.invalidate()
