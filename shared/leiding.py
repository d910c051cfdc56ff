"""Leadership among the processes of one service: only the leader runs the outbox relay.

Several uvicorn workers (or hosts) may serve one service's API against one PostgreSQL database;
each commits events and outbox rows, but exactly one may seal and publish, or Kafka would get
copies. The leader holds a session-level advisory lock on a connection of its own; PostgreSQL
releases it when that connection or the process dies, and another worker takes over within its
retry interval. Every commit sends ``NOTIFY`` on the service's channel (see ``meld_commit``); the
leader ``LISTEN``s on its lock connection, so a command in any worker wakes the relay at once.

On SQLite (one embedded process) the single process always leads and wakes through an event.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

KANAAL = "bodemregie_outbox"
PING_S = 1.0


class Leiding(Protocol):
    def leid_ik(self) -> bool:
        """True while this process leads (takes the lead when it is free)."""
        ...

    def wacht(self, timeout: float) -> None:
        """Until a commit was signalled (since the last wait) or ``timeout`` passed."""
        ...

    def verzamel(self, tot: float, signalen: int) -> None:
        """After a wake-up: wait up to ``tot`` seconds more, or until ``signalen`` more
        commits were signalled, so that the commits of that moment share one round."""
        ...

    def wek(self) -> None:
        """Signal a commit from this process."""
        ...

    def sluit(self) -> None:
        """Give up the lead."""
        ...


class AlleenIk:
    """One process: always the leader, woken by its own commits."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._conditie = threading.Condition()
        self._signalen = 0

    def leid_ik(self) -> bool:
        return True

    def wacht(self, timeout: float) -> None:
        self._event.wait(timeout)
        self._event.clear()

    def verzamel(self, tot: float, signalen: int) -> None:
        with self._conditie:
            self._signalen = 0
            self._conditie.wait_for(lambda: self._signalen >= signalen, tot)
        self._event.clear()

    def wek(self) -> None:
        self._event.set()
        with self._conditie:
            self._signalen += 1
            self._conditie.notify_all()

    def sluit(self) -> None:
        self.wek()


def sleutel(naam: str) -> int:
    """A stable 63-bit advisory lock key for ``naam``."""
    return int.from_bytes(hashlib.sha256(naam.encode()).digest()[:8], "big") >> 1


class PostgresLeiding:
    """Advisory-lock leadership with LISTEN/NOTIFY wake-ups."""

    def __init__(self, engine: Engine, naam: str) -> None:
        self._engine = engine
        self._sleutel = sleutel(f"relay:{naam}")
        self._conn: Connection | None = None
        self._leider = False
        self._event = threading.Event()
        self._gepingd = 0.0

    def leid_ik(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self._leider:
                # The lock lives as long as this connection; checking that once a second, not
                # at every wake-up, is enough: a round is fenced by a lock of its own anyway.
                if time.monotonic() - self._gepingd > PING_S:
                    self._conn.execute(text("SELECT 1"))
                    self._gepingd = time.monotonic()
                return True
            self._leider = bool(
                self._conn.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": self._sleutel}
                ).scalar()
            )
            if self._leider:
                self._conn.execute(text(f"LISTEN {KANAAL}"))
                # A commit between losing a connection (or another's lead) and this LISTEN
                # sent its NOTIFY to nobody: the first wait of a new term returns at once,
                # so the relay looks at the outbox before it sleeps.
                self._event.set()
                log.info("this process now runs the outbox relay")
            return self._leider
        except DBAPIError:
            log.warning("lost the leadership connection; will try again")
            self._sluit_verbinding()
            return False

    def wacht(self, timeout: float) -> None:
        if not self._leider or self._conn is None or self._event.is_set():
            self._event.wait(timeout)
            self._event.clear()
            return
        # In short slices, so that ``wek`` (a stop, an own commit) is seen within one.
        einde = time.monotonic() + timeout
        try:
            driver = self._conn.connection.driver_connection
            while not self._event.is_set() and (rest := einde - time.monotonic()) > 0:
                for _ in driver.notifies(timeout=min(rest, 0.25), stop_after=1):  # type: ignore[union-attr]
                    return
            self._event.clear()
        except Exception:
            log.warning("waiting for notifications failed; will reconnect")
            self._sluit_verbinding()

    def verzamel(self, tot: float, signalen: int) -> None:
        if not self._leider or self._conn is None:
            time.sleep(tot)
            return
        einde = time.monotonic() + tot
        gezien = 0
        try:
            driver = self._conn.connection.driver_connection
            while gezien < signalen and (rest := einde - time.monotonic()) > 0:
                for _ in driver.notifies(timeout=rest, stop_after=signalen - gezien):  # type: ignore[union-attr]
                    gezien += 1
        except Exception:
            log.warning("waiting for notifications failed; will reconnect")
            self._sluit_verbinding()

    def wek(self) -> None:
        self._event.set()

    def sluit(self) -> None:
        self._event.set()
        self._sluit_verbinding()

    def _sluit_verbinding(self) -> None:
        conn, self._conn, self._leider = self._conn, None, False
        if conn is not None:
            # Discard the connection instead of returning it to the pool: its session ends,
            # which releases the advisory lock and the LISTEN.
            try:
                conn.invalidate()
            finally:
                conn.close()


def leiding_voor(engine: Engine, naam: str) -> Leiding:
    return PostgresLeiding(engine, naam) if engine.dialect.name == "postgresql" else AlleenIk()


def meld_commit(session: Session) -> None:
    """Inside a transaction that adds outbox rows: wake the leader of any process when it
    commits (PostgreSQL delivers NOTIFY on commit only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {KANAAL}"))


def vergrendel(verbinding: Connection | Session, naam: str) -> None:
    """Serialise one job (migrations, a rebuild at start) among processes sharing a
    PostgreSQL database, until the current transaction ends. SQLite has one process."""
    dialect = (
        verbinding.get_bind().dialect if isinstance(verbinding, Session) else verbinding.dialect
    )
    if dialect.name == "postgresql":
        verbinding.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": sleutel(naam)})
