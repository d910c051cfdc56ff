"""Unit of work: one database transaction around a command, with its event store.

The skeleton every service's unit of work shares: open a transaction, let the handler load and
change aggregates through its repositories, and on ``commit`` save the new events (with their
outbox rows and the read models) and commit; leaving the ``with`` block without ``commit``
rolls everything back. A unit of work made for one command's ``Actor`` mixes in ``Stamping``:
it stamps who acted (pseudonym, organisation, role, correlation id) and when (its clock) on
every event its aggregates recorded without them. Handlers depend on a protocol (``UnitOfWork``
extended with the service's repositories), so unit tests run them against an in-memory fake.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import uuid4

from sqlalchemy.orm import Session, sessionmaker

from shared import privacy
from shared.aggregate import UNSTAMPED_AT, Repository
from shared.auth import Principal
from shared.eventstore import EventMetadata, EventStore, NewEvent, RecordedEvent
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.sql import SqlEventStore, _utcnow
from shared.idempotency import aangehouden, bij_begin, houd_commit_aan
from shared.leadership import notify_commit


class Scope(Protocol):
    """The ``with`` block of every unit of work, in every service: entered around one command
    or query, and left, with or without an exception, through ``rollback``, which undoes what
    was not committed (nothing after a ``commit``). A unit of work inherits the two dunders and
    writes its own ``rollback``; a service's unit-of-work protocol extends this one."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def rollback(self) -> None: ...


class UnitOfWork(Scope, Protocol):
    """What every service's handlers may rely on."""

    events: EventStore

    @property
    def actor(self) -> Actor: ...

    def commit(self) -> None: ...

    def now(self) -> datetime: ...

    def word_persoon(self, nieuw: privacy.NieuwePersoon | None) -> None: ...


@dataclass(frozen=True)
class Actor:
    """Who acts in a command: ``principal`` for the policy, ``meta`` for the events (``actor`` is
    their pseudonym, never a login), and ``new_person`` for a caller who never acted here,
    stored by the command only once the policy allowed it (``word_persoon``)."""

    principal: Principal
    meta: EventMetadata
    new_person: privacy.NieuwePersoon | None = None

    @classmethod
    def for_caller(
        cls,
        principal: Principal,
        pseudonym: str,
        new_person: privacy.NieuwePersoon | None,
        correlation_id: str | None = None,
    ) -> Actor:
        """The caller as the events and the policy see them: ``sub`` becomes their pseudonym
        (so "the asker", "who was present" compare pseudonyms), and a request without a
        correlation id gets a fresh one."""
        return cls(
            Principal(pseudonym, principal.rol, principal.organisatie),
            EventMetadata(
                actor=pseudonym,
                organisation=principal.organisatie,
                role=str(principal.rol),
                correlation_id=correlation_id or str(uuid4()),
            ),
            new_person,
        )


class NoActor(RuntimeError):
    """A command ran in a unit of work made without an actor (one for reads only)."""

    def __init__(self) -> None:
        super().__init__("this unit of work has no actor: make it for the command's Actor")


class Stamping:
    """Mixin for a unit of work made for one command's actor: its clock, and saving the
    repositories with each new event stamped. A subclass sets ``_actor`` (None: reads only)
    and ``_clock`` (None: the wall clock)."""

    _actor: Actor | None
    _clock: Callable[[], datetime] | None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise NoActor()
        return self._actor

    def now(self) -> datetime:
        """Record time: the business time of a command that has no date of its own."""
        return (self._clock or _utcnow)()

    def _stamp_time(self, event: NewEvent) -> NewEvent:
        if event.occurred_at is UNSTAMPED_AT:
            return dataclasses.replace(event, occurred_at=self.now())
        return event

    def save(self, repositories: Iterable[Repository[Any]]) -> list[RecordedEvent]:
        """Save what the handler changed, each new event stamped with the actor (where its
        aggregate recorded no metadata) and the clock (where it recorded ``UNSTAMPED_AT``)."""
        recorded: list[RecordedEvent] = []
        for repository in repositories:
            if not any(aggregate.pending for aggregate in repository.seen):
                continue
            for aggregate in repository.seen:
                aggregate.pending = [self._stamp_time(e) for e in aggregate.pending]
            recorded += repository.save(self.actor.meta)
        return recorded


class SqlUnitOfWork(Scope):
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

    def __enter__(self) -> Self:
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

    def rollback(self) -> None:
        """Undo what was not committed and give the connection back."""
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


class InMemoryUnitOfWork(Scope):
    """Fake for unit tests: events become visible only on commit, as with a database."""

    def __init__(self, store: InMemoryEventStore | None = None) -> None:
        self.store = store or InMemoryEventStore()
        self.committed = False

    def __enter__(self) -> Self:
        self._snapshot = (len(self.store.log), len(self.store.outbox))
        self.events: EventStore = self.store
        self.committed = False
        return self

    def rollback(self) -> None:
        if not self.committed:
            del self.store.log[self._snapshot[0] :]
            del self.store.outbox[self._snapshot[1] :]

    def commit(self) -> None:
        self.committed = True
