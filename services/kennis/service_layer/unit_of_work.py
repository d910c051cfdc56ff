"""The kennis unit of work: events, outbox rows, new persons and the read models commit
together. Handlers depend on the ``KennisUnitOfWork`` protocol; ``SqlKennisUnitOfWork`` is the
real one, ``FakeKennisUnitOfWork`` runs the same handlers in unit tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, Self
from uuid import uuid4

from sqlalchemy.orm import Session, sessionmaker

from services.kennis.adapters import projection
from services.kennis.domain.bijdragen import Document, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert
from services.kennis.domain.model import Kennisvraag, Vraaggroep
from shared.aggregate import Repository
from shared.eventstore import EventStore
from shared.messaging.topics import KENNIS
from shared.privacy import NieuwePersoon, Personen
from shared.privacy.transactie import PersonenInTransactie
from shared.unit_of_work import Actor, InMemoryUnitOfWork, SqlUnitOfWork, Stamping, UnitOfWork


class KennisUnitOfWork(UnitOfWork, Protocol):
    vragen: Repository[Kennisvraag]
    groepen: Repository[Vraaggroep]
    documenten: Repository[Document]
    successen: Repository[Succes]
    bijeenkomsten: Repository[Bijeenkomst]
    experts: Repository[Expert]

    def zoek_pseudoniem(self, login: str) -> str | None:
        """The pseudonym of a login that acted here, or None."""
        ...

    def pseudoniem(self, login: str) -> str:
        """The pseudonym of a login, made (in this transaction) the first time it is needed."""
        ...

    def leg_vast(self, pseudoniem: str, ref: str, gegevens: dict[str, str]) -> None:
        """Store personal details of a person under ``ref``, in this transaction."""
        ...


class _Repositories:
    """The kennis aggregates' repositories, opened on the unit's event store."""

    events: EventStore

    def _open_repositories(self, topic: str) -> None:
        self.vragen = Repository(self.events, Kennisvraag, topic)
        self.groepen = Repository(self.events, Vraaggroep, topic)
        self.documenten = Repository(self.events, Document, topic)
        self.successen = Repository(self.events, Succes, topic)
        self.bijeenkomsten = Repository(self.events, Bijeenkomst, topic)
        self.experts = Repository(self.events, Expert, topic)

    def _repositories(self) -> tuple[Repository[Any], ...]:
        return (
            self.vragen,
            self.groepen,
            self.documenten,
            self.successen,
            self.bijeenkomsten,
            self.experts,
        )


class SqlKennisUnitOfWork(_Repositories, Stamping, PersonenInTransactie, SqlUnitOfWork):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        topic: str,
        personen: Personen | None = None,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        *,
        actor: Actor | None = None,
    ) -> None:
        super().__init__(sessions, on_commit, clock)
        self._actor = actor
        self.topic = topic
        self.personen = personen

    def __enter__(self) -> Self:
        super().__enter__()
        self._open_repositories(self.topic)
        return self

    def commit(self) -> None:
        self.save(self._repositories())
        projection.bijeenkomsten(self.session, self.bijeenkomsten.seen)
        projection.experts(self.session, self.experts.seen)
        projection.documenten(self.session, self.documenten.seen)
        projection.successen(self.session, self.successen.seen)
        projection.vragen(self.session, self.vragen.seen)
        projection.groepen(self.session, self.groepen.seen)  # after the questions they group
        super().commit()

    def zoek_pseudoniem(self, login: str) -> str | None:
        return self._register().zoek(self.session, login)

    def pseudoniem(self, login: str) -> str:
        return self._register().pseudoniem(self.session, login)

    def leg_vast(self, pseudoniem: str, ref: str, gegevens: dict[str, str]) -> None:
        self._register().leg_vast(self.session, pseudoniem, ref, gegevens)


class FakeKennisUnitOfWork(_Repositories, Stamping, InMemoryUnitOfWork):
    """For unit tests: the real handlers against the in-memory event store; the person store
    is a dict of logins (``personen``) and details (``gegevens``), the persons a command made
    are in ``nieuwe_personen``."""

    def __init__(
        self, actor: Actor | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self._actor = actor
        self._clock = clock
        self.nieuwe_personen: list[NieuwePersoon] = []
        self.personen: dict[str, str] = {}
        self.gegevens: dict[tuple[str, str], dict[str, str]] = {}

    def als(
        self, actor: Actor, clock: Callable[[], datetime] | None = None
    ) -> FakeKennisUnitOfWork:
        """A unit of work on the same store and persons for another actor (and clock)."""
        ander = FakeKennisUnitOfWork(actor, clock or self._clock)
        ander.store, ander.personen, ander.gegevens = self.store, self.personen, self.gegevens
        return ander

    def __enter__(self) -> Self:
        super().__enter__()
        self._open_repositories(KENNIS)
        return self

    def commit(self) -> None:
        self.save(self._repositories())
        super().commit()

    def word_persoon(self, nieuw: NieuwePersoon | None) -> None:
        if nieuw is not None:
            self.nieuwe_personen.append(nieuw)
            self.personen[nieuw.login] = nieuw.pseudoniem

    def zoek_pseudoniem(self, login: str) -> str | None:
        return self.personen.get(login)

    def pseudoniem(self, login: str) -> str:
        if login not in self.personen:
            self.personen[login] = f"prs-{uuid4()}"
        return self.personen[login]

    def leg_vast(self, pseudoniem: str, ref: str, gegevens: dict[str, str]) -> None:
        self.gegevens[(pseudoniem, ref)] = gegevens
