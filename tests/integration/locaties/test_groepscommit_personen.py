"""The group-commit batch looks up its callers' pseudonyms (PostgreSQL): each event carries the
pseudonym the person store holds for its caller, a first-time caller still becomes exactly one
person (in the command's own transaction), and a command on a site from the cache makes no
round trip of its own: no connection is taken outside the batch writer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from services.locaties.service_layer.cache import AggregateCache
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.auth import Principal, Rol
from shared.db.engine import make_session_factory
from shared.eventstore.groepscommit import (
    TE_BEPALEN,
    Committer,
    GroupCommitter,
    OnbekendePersoon,
    PendingAppend,
    Wie,
)
from shared.eventstore.model import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from shared.privacy.sleutels import Sleutelring
from shared.privacy.store import Personen
from shared.privacy.tables import personen
from shared.vocabulaire import Status
from tests.integration.locaties.test_groepscommit import _database
from tests.integration.locaties.test_historische_lijst import _namens
from tests.support.groepscommit import Maak

PERSONEN = Personen(Sleutelring.uit_geheim(b"g" * 32))
ZH = _namens("ZH")


def _uow(
    sessions: sessionmaker[Session],
    committer: Committer | None,
    cache: AggregateCache[Any] | None = None,
) -> SqlLocatiesUnitOfWork:
    return SqlLocatiesUnitOfWork(sessions, committer=committer, personen=PERSONEN, cache=cache)


def _registreer(sessions: sessionmaker[Session], nummer: int) -> str:
    cmd = commands.RegistreerSpoedlocatie(
        "ZH", "0513", "x", "landbodem", ("pak",), None, date(2011, 1, 3), f"ZH05139{nummer:04}"
    )
    return handlers.handle(cmd, _uow(sessions, None).namens(ZH)).id


def _actors(sessions: sessionmaker[Session], locatie_id: str) -> list[str]:
    with sessions() as session:
        return [e.metadata.actor for e in SqlEventStore(session).load(locatie_id)]


def _personen(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(personen)).scalar_one())


def test_the_batch_stamps_the_callers_pseudonym_and_makes_a_first_time_caller_once(
    schrijver: Maak,
) -> None:
    with _database() as engine:
        sessions = make_session_factory(engine)
        committer = schrijver(sessions)
        try:
            bekend = _registreer(sessions, 1)  # ZH's official is a person from here on
            nieuw_gezag = handlers.Actor(Principal("nieuw@zh.nl", Rol.BEVOEGD_GEZAG, "ZH"))
            handlers.handle(
                commands.WijzigStatus(bekend, 1, Status.ONDERZOCHT, date(2012, 1, 1), ""),
                _uow(sessions, committer).namens(ZH),
            )
            # A first-time caller: the batch does not know them, the command's own transaction
            # makes the person with the events.
            handlers.handle(
                commands.WijzigStatus(bekend, 2, Status.ERNSTIG_SPOED, date(2013, 1, 1), ""),
                _uow(sessions, committer).namens(nieuw_gezag),
            )
            # Known now: through the batch again.
            handlers.handle(
                commands.WijzigStatus(bekend, 3, Status.SANERINGSPLAN, date(2014, 1, 1), ""),
                _uow(sessions, committer).namens(nieuw_gezag),
            )
        finally:
            committer.close()
        with sessions() as session:
            zh = PERSONEN.zoek(session, ZH.principal.sub)
            nieuw = PERSONEN.zoek(session, "nieuw@zh.nl")
        assert zh is not None and nieuw is not None and zh != nieuw
        assert _actors(sessions, bekend) == [zh, zh, nieuw, nieuw]
        assert _personen(engine) == 2
        # Three batches: the second refused the first-time caller (who was then made a person
        # with the events in the command's own transaction), recording nothing.
        assert committer.batch_sizes == [1, 1, 1]


def test_a_command_on_a_cached_site_takes_no_connection_outside_the_batch() -> None:
    with _database() as engine:
        sessions = make_session_factory(engine)
        cache: AggregateCache[Any] = AggregateCache()
        committer = GroupCommitter(sessions)
        buiten_batch: list[str] = []

        def tel(*_: Any) -> None:
            if not threading.current_thread().name.startswith("group-commit"):
                buiten_batch.append(threading.current_thread().name)

        luisteraar: Callable[..., None] = tel
        try:
            locatie_id = _registreer(sessions, 2)
            uow = _uow(sessions, committer, cache).namens(ZH)
            handlers.handle(
                commands.WijzigStatus(locatie_id, 1, Status.ONDERZOCHT, date(2012, 1, 1), ""), uow
            )
            uow.klaar()  # the answer is built: the site goes to the cache
            event.listen(engine, "checkout", luisteraar)
            try:
                uow = _uow(sessions, committer, cache).namens(ZH)
                handlers.handle(
                    commands.WijzigStatus(
                        locatie_id, 2, Status.ERNSTIG_SPOED, date(2013, 1, 1), ""
                    ),
                    uow,
                )
                assert uow.locaties.uit_cache
            finally:
                event.remove(engine, "checkout", luisteraar)
        finally:
            committer.close()
        assert buiten_batch == []
        with sessions() as session:
            zh = PERSONEN.zoek(session, ZH.principal.sub)
        assert _actors(sessions, locatie_id) == [zh, zh, zh]


def test_only_the_events_left_to_the_batch_get_the_pseudonym(schrijver: Maak) -> None:
    """An event that names its own actor (a system, say) keeps it; an unknown login records
    nothing."""
    with _database() as engine:
        sessions = make_session_factory(engine)
        committer = schrijver(sessions)
        zoek = lambda _s, logins: {"a@zh.nl": "prs-a"} if "a@zh.nl" in logins else {}  # noqa: E731
        nu = datetime.now(UTC)
        events = [
            NewEvent("Gemeten", {}, nu, EventMetadata(actor=TE_BEPALEN)),
            NewEvent("Gemeten", {}, nu, EventMetadata(actor="bodemregie")),
        ]
        try:
            recorded = committer.commit(
                [PendingAppend("s-1", "meting", 0, events, None)], nu, None, Wie("a@zh.nl", zoek)
            )
            with pytest.raises(OnbekendePersoon):
                committer.commit(
                    [PendingAppend("s-2", "meting", 0, events, None)], nu, None, Wie("b", zoek)
                )
        finally:
            committer.close()
        assert [e.metadata.actor for e in recorded] == ["prs-a", "bodemregie"]
        with sessions() as session:
            store = SqlEventStore(session)
            assert [e.metadata.actor for e in store.load("s-1")] == ["prs-a", "bodemregie"]
            assert store.load("s-2") == []
