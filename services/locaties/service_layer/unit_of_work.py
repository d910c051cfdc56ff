"""The locaties unit of work: events, outbox rows and the read model commit together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, insert, text, update
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.adapters.projection import project, werk_standen_bij
from services.locaties.adapters.tables import volgnummers
from services.locaties.domain.model import Spoedlocatie
from shared.aggregate import Repository
from shared.eventstore.groepscommit import GroupCommitter, PendingAppend
from shared.eventstore.model import RecordedEvent
from shared.messaging.topics import SPOEDLOCATIES
from shared.privacy import NieuwePersoon, Personen
from shared.privacy.transactie import PersonenInTransactie
from shared.unit_of_work import InMemoryUnitOfWork, SqlUnitOfWork


class LocatiesUnitOfWork(Protocol):
    locaties: Repository[Spoedlocatie]

    def __enter__(self) -> LocatiesUnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def volgend_nummer(self, prefix: str) -> int: ...

    def word_persoon(self, nieuw: NieuwePersoon | None) -> None: ...


_ALLEEN_GELEZEN = text(
    "SELECT pg_current_xact_id_if_assigned() IS NULL AND NOT EXISTS (SELECT 1 FROM pg_locks "
    "WHERE pid = pg_backend_pid() AND locktype = 'advisory')"
)


class SqlLocatiesUnitOfWork(PersonenInTransactie, SqlUnitOfWork):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        topic: str = SPOEDLOCATIES,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        committer: GroupCommitter | None = None,
        personen: Personen | None = None,
    ) -> None:
        """With ``committer`` (PostgreSQL) a command that wrote nothing but its events commits
        in the process's group commit (``shared/eventstore/groepscommit.py``)."""
        super().__init__(sessions, on_commit, clock)
        self.topic = topic
        self._committer = committer
        self.personen = personen

    def __enter__(self) -> SqlLocatiesUnitOfWork:
        super().__enter__()
        self.locaties = Repository(self.events, Spoedlocatie, self.topic)
        return self

    def commit(self) -> None:
        if self._committer is not None and self._in_groep():
            self._commit_in_groep(self._committer)
            return
        recorded = self.locaties.save()
        for locatie in {id(x): x for x in self.locaties.seen}.values():
            huidig = project(self.session, locatie)
            nieuw = [r for r in recorded if r.stream_id == locatie.id]
            werk_standen_bij(self.session, locatie, nieuw, huidig)
        super().commit()

    def _in_groep(self) -> bool:
        """Group commit carries the aggregates' events and the read models only: a transaction
        that wrote anything else (an id number, a hook's row) or holds an advisory lock (a
        claimed Idempotency-Key, whose answer must commit with the events) commits the usual
        way."""
        if not any(x.pending for x in self.locaties.seen):
            return False
        alleen_gelezen = self.session.execute(_ALLEEN_GELEZEN)
        return bool(alleen_gelezen.scalar_one())

    def _commit_in_groep(self, committer: GroupCommitter) -> None:
        locaties = list({id(x): x for x in self.locaties.seen}.values())
        appends = [
            PendingAppend(x.id, x.stream_type, x.version - len(x.pending), x.pending, self.topic)
            for x in locaties
            if x.pending
        ]

        def projecteer(session: Session, recorded: list[RecordedEvent]) -> None:
            for locatie in locaties:
                huidig = project(session, locatie)
                nieuw = [r for r in recorded if r.stream_id == locatie.id]
                werk_standen_bij(session, locatie, nieuw, huidig)

        # The reads are done: end their transaction before waiting for the batch.
        self.session.rollback()
        committer.commit(appends, self._record_time(), projecteer)
        for locatie in locaties:
            locatie.pending = []
        if self._on_commit is not None:
            self._on_commit()

    def volgend_nummer(self, prefix: str) -> int:
        # The row lock of the update serialises concurrent registrations per prefix.
        result = cast(
            CursorResult[Any],
            self.session.execute(
                update(volgnummers)
                .where(volgnummers.c.prefix == prefix)
                .values(laatste=volgnummers.c.laatste + 1)
                .returning(volgnummers.c.laatste)
            ),
        )
        row = result.first()
        if row is not None:
            return int(row[0])
        self.session.execute(insert(volgnummers).values(prefix=prefix, laatste=1))
        return 1


class FakeLocatiesUnitOfWork(InMemoryUnitOfWork):
    """For unit tests: the real handlers against the in-memory event store."""

    def __init__(self) -> None:
        super().__init__()
        self.nummers: dict[str, int] = {}
        self.nieuwe_personen: list[NieuwePersoon] = []

    def __enter__(self) -> FakeLocatiesUnitOfWork:
        super().__enter__()
        self.locaties = Repository(self.events, Spoedlocatie, SPOEDLOCATIES)
        return self

    def commit(self) -> None:
        self.locaties.save()
        super().commit()

    def volgend_nummer(self, prefix: str) -> int:
        self.nummers[prefix] = self.nummers.get(prefix, 0) + 1
        return self.nummers[prefix]

    def word_persoon(self, nieuw: NieuwePersoon | None) -> None:
        if nieuw is not None:
            self.nieuwe_personen.append(nieuw)
