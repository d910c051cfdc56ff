"""The locaties unit of work: events, outbox rows and the read model commit together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.adapters.projection import project, werk_standen_bij
from services.locaties.adapters.tables import volgnummers
from services.locaties.domain.model import Spoedlocatie
from shared.aggregate import Repository
from shared.messaging.topics import SPOEDLOCATIES
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


class SqlLocatiesUnitOfWork(SqlUnitOfWork):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        topic: str = SPOEDLOCATIES,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(sessions, on_commit, clock)
        self.topic = topic

    def __enter__(self) -> SqlLocatiesUnitOfWork:
        super().__enter__()
        self.locaties = Repository(self.events, Spoedlocatie, self.topic)
        return self

    def commit(self) -> None:
        recorded = self.locaties.save()
        for locatie in {id(x): x for x in self.locaties.seen}.values():
            huidig = project(self.session, locatie)
            nieuw = [r for r in recorded if r.stream_id == locatie.id]
            werk_standen_bij(self.session, locatie, nieuw, huidig)
        super().commit()

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
