"""Unit of work: one database transaction around a command, with its event store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from shared.eventstore import EventStore
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.sql import SqlEventStore, _utcnow
from shared.idempotentie import aangehouden, bij_begin, houd_commit_aan
from shared.leiding import notify_commit


class UnitOfWork(Protocol):
    events: EventStore

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class SqlUnitOfWork:
    """Rolls back unless ``commit`` was called; the outbox rows commit with the events."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock`` gives record time; tests and imports of historical data set it."""
        self._sessions = sessions
        self._on_commit = on_commit
        self._clock = clock
        self.session: Session

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        self.session.begin()
        try:
            bij_begin(self.session)  # Idempotency-Key: 409 while in progress, or the stored answer
        except BaseException:
            self.session.close()
            raise
        self.events: EventStore = (
            SqlEventStore(self.session, self._clock) if self._clock else SqlEventStore(self.session)
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if aangehouden(self.session):
            return  # held for the Idempotency-Key route, which commits it with the answer
        if self.session.in_transaction():
            self.session.rollback()
        self.session.close()

    def _record_time(self) -> datetime:
        return (self._clock or _utcnow)()

    def commit(self) -> None:
        notify_commit(self.session)
        if houd_commit_aan(self.session, self._na_commit):
            return  # Idempotency-Key: the stored answer commits in this same transaction
        self.session.commit()
        self._na_commit()

    def _na_commit(self) -> None:
        if self._on_commit is not None:
            self._on_commit()


class InMemoryUnitOfWork:
    """Fake for unit tests: events become visible only on commit, as with a database."""

    def __init__(self, store: InMemoryEventStore | None = None) -> None:
        self.store = store or InMemoryEventStore()
        self.committed = False

    def __enter__(self) -> InMemoryUnitOfWork:
        self._snapshot = (len(self.store.log), len(self.store.outbox))
        self.events: EventStore = self.store
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            del self.store.log[self._snapshot[0] :]
            del self.store.outbox[self._snapshot[1] :]

    def commit(self) -> None:
        self.committed = True
