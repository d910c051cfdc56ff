"""The locaties unit of work: events, outbox rows and the read model commit together.

It stamps who asked (the caller's pseudonym, role, organisation and correlation id) on the
events it saves, and stores a caller acting for the first time as a person in the same
transaction, so a refused or failed command leaves nothing behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, Self

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.util import await_

from services.locaties.adapters.projection import Wijziging, projecteer
from services.locaties.adapters.tables import volgnummers
from services.locaties.domain.model import Spoedlocatie
from services.locaties.service_layer.cache import AggregateCache
from shared.aggregate import Repository, stamp
from shared.auth import Principal, Rol
from shared.eventstore import EventMetadata, EventStore
from shared.eventstore.awaited import AwaitedReads
from shared.eventstore.groepscommit import (
    TE_BEPALEN,
    Antwoord,
    CommitRequest,
    Committer,
    OnbekendePersoon,
    PendingAppend,
    Projection,
    Wie,
)
from shared.eventstore.model import RecordedEvent
from shared.idempotency import lopend
from shared.messaging.topics import SPOEDLOCATIES
from shared.privacy import Personen
from shared.unit_of_work import InMemoryUnitOfWork, Scope, SqlUnitOfWork
from shared.vocabulaire import Status

# Turns a correction as a client sent it into the corrected event's fields, given that event:
# the entrypoint's request schemas do it (entrypoints/correcties.py), so a corrected value
# passes the same validation as the command that first recorded it.
Correctiecontrole = Callable[[Any, Mapping[str, Any], str], dict[str, Any]]


@dataclass(frozen=True)
class Actor:
    """Who asks: the verified caller and the correlation id of their request."""

    principal: Principal
    correlation_id: str | None = None


class Spoedlocaties(Repository[Spoedlocatie]):
    """The sites, taken from the process's cache when it holds the version the client names."""

    def __init__(
        self, store: EventStore, topic: str | None, cache: AggregateCache[Spoedlocatie] | None
    ) -> None:
        super().__init__(store, Spoedlocatie, topic)
        self._cache = cache
        self.uit_cache = False  # whether a site came from the cache (it may have been stale)

    def get(self, aggregate_id: str, verwachte_versie: int | None = None) -> Spoedlocatie:
        if self._cache is not None:
            gevonden = self._cache.take(aggregate_id)
            if gevonden is not None and gevonden.version == verwachte_versie:
                self.uit_cache = True
                self.seen.append(gevonden)
                return gevonden
        return super().get(aggregate_id)


class LocatiesUnitOfWork(Scope, Protocol):
    locaties: Spoedlocaties
    actor: Actor
    correctiecontrole: Correctiecontrole | None

    def commit(self) -> None: ...

    def volgend_nummer(self, prefix: str) -> int: ...


# Until ``namens``: no role may write, so a unit of work without a caller records nothing.
NIEMAND = Actor(Principal("niemand", Rol.AUDITOR, None))


def metadata(actor: Actor, pseudoniem: str) -> EventMetadata:
    principal = actor.principal
    return EventMetadata(
        actor=pseudoniem,
        organisation=principal.organisatie,
        role=str(principal.rol),
        correlation_id=actor.correlation_id,
    )


def stempel(
    session: Session, personen: Personen | None, actor: Actor
) -> tuple[EventMetadata, bool]:
    """Who acts, by pseudonym, and whether a person was made: a first-time caller becomes a
    person here, in the command's transaction, after the policy allowed the command. Without
    ``personen`` (tests, benchmarks) the events name the caller by their ``sub``."""
    if personen is None:
        return metadata(actor, actor.principal.sub), False
    pseudoniem, nieuw = personen.wie(session, actor.principal.sub)
    if nieuw is not None:
        personen.maak(session, nieuw)
    return metadata(actor, pseudoniem), nieuw is not None


class FakeActingUnitOfWork(InMemoryUnitOfWork):
    """An in-memory unit of work whose commands are asked by ``actor`` (``namens`` sets the
    next one: the store is shared between commands); events name them as ``prs-<sub>``."""

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__()
        self.actor = actor or NIEMAND

    def namens(self, actor: Actor) -> Self:
        self.actor = actor
        return self

    def _stempel(self) -> EventMetadata:
        return metadata(self.actor, f"prs-{self.actor.principal.sub}")


class SqlActingUnitOfWork(SqlUnitOfWork):
    """A SQL unit of work that records for someone (``actor``, stamped by :func:`stempel`) on
    the sites' topic: the base of the sites' and the programme's."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        actor: Actor | None = None,
        topic: str = SPOEDLOCATIES,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        personen: Personen | None = None,
    ) -> None:
        super().__init__(sessions, on_commit, clock)
        self.actor = actor or NIEMAND
        self.topic = topic
        self._personen = personen


class SqlLocatiesUnitOfWork(SqlActingUnitOfWork):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        actor: Actor | None = None,
        topic: str = SPOEDLOCATIES,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        committer: Committer | None = None,
        personen: Personen | None = None,
        cache: AggregateCache[Spoedlocatie] | None = None,
        correctiecontrole: Correctiecontrole | None = None,
    ) -> None:
        """With ``committer`` (PostgreSQL) a command that wrote nothing but its events commits
        in the process's group commit (``shared/eventstore/groepscommit.py``). Without
        ``personen`` (tests, benchmarks) the events name the caller by their ``sub``."""
        super().__init__(sessions, actor, topic, on_commit, clock, personen)
        self.correctiecontrole = correctiecontrole
        self._committer = committer
        self._cache = cache
        self._schreef = False  # whether the transaction wrote before the commit
        self._vastgelegd = False
        self._klaar = False

    def namens(self, actor: Actor) -> SqlLocatiesUnitOfWork:
        """Who asks the command this unit of work runs."""
        self.actor = actor
        return self

    def __enter__(self) -> Self:
        super().__enter__()
        self.locaties = Spoedlocaties(self.events, self.topic, self._cache)
        return self

    def commit(self) -> None:
        if self._committer is not None and self._in_groep():
            try:
                self._commit_in_groep(self._committer)
                return
            except OnbekendePersoon:
                pass  # a first-time caller: the person is made with the events, below
        recorded = self.locaties.save(self._stempel())
        projecteer(self.session, _wijzigingen(self._gezien(), recorded))
        super().commit()

    def _stempel(self) -> EventMetadata:
        gestempeld, nieuwe_persoon = stempel(self.session, self._personen, self.actor)
        self._schreef = self._schreef or nieuwe_persoon
        return gestempeld

    def _gezien(self) -> list[Spoedlocatie]:
        return list({id(x): x for x in self.locaties.seen}.values())

    def _in_groep(self) -> bool:
        """Group commit carries the aggregates' events and the read models only: a transaction
        that wrote anything else (an id number) or holds an Idempotency-Key's lock (its answer
        must commit with the events) commits the usual way, and so does a first-time caller
        (the batch refuses it with OnbekendePersoon: the person is made in the command's own
        transaction)."""
        return not self._schreef and lopend() is None and any(x.pending for x in self.locaties.seen)

    def _commit_in_groep(self, committer: Committer) -> None:
        """The batch looks up the caller's pseudonym (one statement for all its commands) and
        stamps it on the events: a command whose site came from the cache then makes no round
        trip of its own at all."""
        wie = None
        if self._personen is None:
            stempel = metadata(self.actor, self.actor.principal.sub)
        else:
            # The pseudonym is filled in by the batch; the login itself is never an actor.
            stempel = metadata(self.actor, TE_BEPALEN)
            wie = Wie(self.actor.principal.sub, self._personen.zoek_veel)
        locaties = self._gezien()
        appends = [
            PendingAppend(
                x.id,
                x.stream_type,
                x.version - len(x.pending),
                stamp(x.pending, stempel),
                self.topic,
            )
            for x in locaties
            if x.pending
        ]
        self._lezen_klaar()
        self._wacht(
            committer.submit(
                appends, self._record_time(), Projection(_projecteer_groep, locaties), wie
            )
        )
        for locatie in locaties:
            locatie.pending = []
        self._na_commit()

    def _lezen_klaar(self) -> None:
        # The reads are done: end their transaction (if they made one) before waiting for the
        # batch.
        self.session.rollback()

    def _wacht(self, antwoord: Antwoord) -> None:
        """Until the batch committed (or raise its error for this command). In a worker
        thread the committer always answers with a thread's future."""
        assert isinstance(antwoord, Future)
        antwoord.result()

    def _na_commit(self) -> None:
        self._vastgelegd = True
        self._onthoud()
        super()._na_commit()

    def klaar(self) -> None:
        """The caller is done with the sites (its answer is built): once committed they may
        serve the next command from the cache."""
        self._klaar = True
        self._onthoud()

    def _onthoud(self) -> None:
        if self._cache is None or not (self._vastgelegd and self._klaar):
            return
        for locatie in self._gezien():
            if not locatie.pending:
                self._cache.put(locatie)

    def volgend_nummer(self, prefix: str) -> int:
        # One upsert: the first registrations of a new prefix at the same moment would both
        # find no row and both insert one. Its row lock serialises registrations per prefix.
        self._schreef = True
        maak = (
            postgresql_insert
            if self.session.get_bind().dialect.name == "postgresql"
            else sqlite_insert
        )
        statement = (
            maak(volgnummers)
            .values(prefix=prefix, laatste=1)
            .on_conflict_do_update(
                index_elements=[volgnummers.c.prefix], set_={"laatste": volgnummers.c.laatste + 1}
            )
            .returning(volgnummers.c.laatste)
        )
        return int(self.session.execute(statement).scalar_one())


class BuitenDeLus(Exception):
    """The command cannot finish on the event loop: it must write more than its events (a
    first-time caller becomes a person, a registration takes an id number). Nothing of it
    was recorded; the message bus runs it again in a worker thread."""


class LusLocatiesUnitOfWork(SqlLocatiesUnitOfWork):
    """The unit of work of a command run on the event loop, in a greenlet
    (``messagebus.handle_op_lus``, PostgreSQL with group commit): the site comes from the
    cache or from an awaited prepared load (``AwaitedReads``), and the commit is the group
    commit's, whose answer is awaited. It opens no session and takes no connection, so no
    worker thread waits for anything. What it cannot do raises :class:`BuitenDeLus` before
    anything is recorded (see ``_in_groep`` for what commits otherwise)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: AwaitedReads,
        actor: Actor,
        topic: str,
        on_commit: Callable[[], None] | None,
        committer: Committer,
        personen: Personen,
        cache: AggregateCache[Spoedlocatie] | None,
        correctiecontrole: Correctiecontrole | None,
    ) -> None:
        super().__init__(
            sessions,
            actor,
            topic,
            on_commit,
            committer=committer,
            personen=personen,
            cache=cache,
            correctiecontrole=correctiecontrole,
        )
        self.events = reads

    def __enter__(self) -> Self:
        self.locaties = Spoedlocaties(self.events, self.topic, self._cache)
        return self

    def rollback(self) -> None:
        """Nothing to undo: it has no transaction (a batch that failed left nothing)."""

    def commit(self) -> None:
        if self._committer is None or not self._in_groep():
            raise BuitenDeLus()
        try:
            self._commit_in_groep(self._committer)
        except OnbekendePersoon:
            raise BuitenDeLus() from None

    def _lezen_klaar(self) -> None:
        pass  # its reads were single statements

    def _wacht(self, antwoord: Antwoord) -> None:
        # The loop's writer (``groepscommit_lus``) answers with a loop future, awaited as it
        # is; the writer thread with a thread's, wrapped. Cancelled while it waits (the caller
        # was): the request is cancelled, which the writer then skips unless it already took
        # it.
        await_(antwoord if isinstance(antwoord, asyncio.Future) else asyncio.wrap_future(antwoord))

    def volgend_nummer(self, prefix: str) -> int:
        raise BuitenDeLus()


def _wijzigingen(locaties: list[Spoedlocatie], recorded: list[RecordedEvent]) -> list[Wijziging]:
    return [(x, [r for r in recorded if r.stream_id == x.id]) for x in locaties]


def _projecteer_groep(session: Session, delen: list[tuple[Any, list[RecordedEvent]]]) -> None:
    """The read models of a group-commit batch's commands (each part: the command's sites)."""
    projecteer(
        session, [w for locaties, recorded in delen for w in _wijzigingen(locaties, recorded)]
    )


# The warm-up's site: not an id's format (``domain/locatie_id.py``: capitals and digits), so
# no site has it; its batch is rolled back anyway.
OEFENLOCATIE = "opwarmen-01"


def oefenbatch(topic: str, personen: Personen | None) -> list[CommitRequest]:
    """A group-commit batch like the commands' on a throwaway site, for the writer's warm-up at
    start-up (``BatchWriter.oefen`` rolls it back: nothing is recorded): the site registered
    (its rows inserted), then its status changed (its open bitemporal row closed and the new
    ones inserted, as a status change does), and a caller whose pseudonym is looked up (a
    login no one has, so that request is refused). Every statement of a real batch runs."""

    def locatie() -> Spoedlocatie:
        return Spoedlocatie.registreer(
            OEFENLOCATIE, "ZH", "0513", "opwarmen", "landbodem", (), None, date(2010, 1, 4)
        )

    geregistreerd, gewijzigd = locatie(), locatie()
    gewijzigd.pending = []  # as if its registration was committed
    gewijzigd.wijzig_status(Status.ONDERZOCHT, date(2011, 1, 1), "opwarmen")

    def verzoek(x: Spoedlocatie, wie: Wie | None = None) -> CommitRequest:
        stempel = metadata(NIEMAND, TE_BEPALEN if wie else "opwarmen")
        versie = x.version - len(x.pending)
        append = PendingAppend(x.id, x.stream_type, versie, stamp(x.pending, stempel), topic)
        return CommitRequest([append], datetime.now(UTC), Projection(_projecteer_groep, [x]), wie)

    batch = [verzoek(geregistreerd), verzoek(gewijzigd)]
    if personen is not None:
        batch.append(verzoek(gewijzigd, Wie("opwarmen", personen.zoek_veel)))
    return batch


def speel_oefening_af(antwoorden: list[list[RecordedEvent] | BaseException]) -> Spoedlocatie:
    """The throwaway site replayed from the events its warm-up batch would have recorded: the
    first decode of an event type resolves its fields' type hints (~3 ms each), which a
    worker's first load of a site (a cache miss) would otherwise pay."""
    locatie = Spoedlocatie(OEFENLOCATIE)
    locatie.replay(e for antwoord in antwoorden if isinstance(antwoord, list) for e in antwoord)
    return locatie


class FakeLocatiesUnitOfWork(FakeActingUnitOfWork):
    """For unit tests: the real handlers against the in-memory event store."""

    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__(actor)
        self.correctiecontrole: Correctiecontrole | None = None
        self.nummers: dict[str, int] = {}
        self.personen: set[str] = set()

    def __enter__(self) -> Self:
        super().__enter__()
        self.locaties = Spoedlocaties(self.events, SPOEDLOCATIES, None)
        return self

    def commit(self) -> None:
        self.locaties.save(self._stempel())
        self.personen.add(self.actor.principal.sub)
        super().commit()

    def volgend_nummer(self, prefix: str) -> int:
        self.nummers[prefix] = self.nummers.get(prefix, 0) + 1
        return self.nummers[prefix]
