"""The batch writer writes the read models of a whole batch in a few statements (PostgreSQL):
a batch mixing every kind of change (an extended open row, a change on the open row's date, one
that changes nothing shown, a back-dated fact, a correction, a registration, and two commands on
one site of which one conflicts) leaves the current rows and the bitemporal rows exactly as a
rebuild from the events, and a batch of plain changes on many sites costs a fixed number of
statements, not a few per command."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.adapters import projection
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain import commands
from services.locaties.domain.model import Spoedlocatie
from services.locaties.service_layer import handlers
from shared.db.engine import make_session_factory
from shared.eventstore.groepscommit import GroupCommitter
from shared.eventstore.sql import SqlEventStore
from shared.leadership import CHANNEL
from shared.vocabulaire import Knelpunt, RisicoType, Status
from tests.integration.locaties.test_groepscommit import (
    ZH,
    Sluis,
    _assert_gap_free,
    _database,
    _registreer,
    _uow,
    _wacht_op_wachtrij,
)
from tests.support.groepscommit import Maak, Schrijver


def _standen(engine: Engine) -> list[tuple[Any, ...]]:
    t = spoedlocatie_standen.c
    with engine.connect() as conn:
        rijen = conn.execute(
            select(spoedlocatie_standen).order_by(t.locatie_id, t.geldig_vanaf, t.versie_vanaf)
        )
        return [tuple(r) for r in rijen]


def _huidig(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rijen = conn.execute(select(spoedlocaties)).all()
    return {r.locatie_id: {**r._mapping, "bijgewerkt_op": None} for r in rijen}


def _herbouwd(sessions: sessionmaker[Session], ids: list[str]) -> dict[str, dict[str, Any]]:
    """Every site's current row from its events alone."""
    uit = {}
    with sessions() as session:
        for lid in ids:
            locatie = Spoedlocatie(lid)
            locatie.replay(SqlEventStore(session).load(lid))
            uit[lid] = {**projection.rij(locatie), "bijgewerkt_op": None}
    return uit


@contextmanager
def _een_batch(
    sessions: sessionmaker[Session], opdrachten: list[Any], maak: Maak = GroupCommitter
) -> Iterator[tuple[Schrijver, list[Future[Any]]]]:
    """Sends ``opdrachten`` so they form one batch (the one before it is held until all are
    queued); yields the committer (made by ``maak``) and the outcomes."""
    sluis = Sluis()
    committer = maak(sessions, before_commit=sluis)
    try:
        with ThreadPoolExecutor(len(opdrachten) + 1) as pool:
            eerste = pool.submit(
                handlers.handle,
                commands.RegistreerSpoedlocatie(
                    "ZH", "0513", "x", "landbodem", ("pak",), None, date(2011, 1, 3), "ZH051390000"
                ),
                _uow(sessions, committer).namens(ZH),
            )
            threading.Event().wait(0.2)  # the first batch is now held
            uitkomsten = [
                pool.submit(handlers.handle, cmd, _uow(sessions, committer).namens(ZH))
                for cmd in opdrachten
            ]
            try:
                _wacht_op_wachtrij(committer, len(opdrachten))
            except AssertionError:
                raise AssertionError([u.exception() for u in uitkomsten if u.done()]) from None
            yield committer, uitkomsten
            sluis.open.set()
            eerste.result()
            for u in uitkomsten:
                u.exception()
    finally:
        committer.close()


def test_a_mixed_batch_leaves_the_read_models_a_rebuild_gives(schrijver: Maak) -> None:
    """With either writer (the loop's runs the replays through the async driver too)."""
    with _database() as engine:
        sessions = make_session_factory(engine)
        ids = _registreer(sessions, 7)
        a, b, c, d, e, f, g = ids
        # Every site decided on 2011-06-01 (version 2); c also has a bottleneck (version 3).
        for lid in ids:
            cmd = commands.WijzigStatus(lid, 1, Status.ONDERZOCHT, date(2011, 6, 1), "")
            handlers.handle(cmd, _uow(sessions, None).namens(ZH))
        knelpunt = commands.StelKnelpuntVast(c, 2, Knelpunt.TECHNISCH, date(2011, 6, 1), "")
        handlers.handle(knelpunt, _uow(sessions, None).namens(ZH))
        opdrachten = [
            # A later date: the open row ends, a new one opens.
            commands.KenBudgetToe(a, 2, 10_000, date(2012, 1, 1), "x"),
            # The open row's own date, another state: it is replaced.
            commands.StelKnelpuntVast(b, 2, Knelpunt.FINANCIEEL, date(2011, 6, 1), ""),
            # Nothing the rows show changes: the open row stays open.
            commands.StelKnelpuntVast(c, 3, Knelpunt.TECHNISCH, date(2011, 6, 1), ""),
            # Dated before the last business date: the history replays.
            commands.KenBudgetToe(d, 2, 5_000, date(2011, 3, 1), "x"),
            # A correction: the history replays.
            commands.Corrigeer(e, 2, 2, {"besluitdatum": "2011-06-02"}, "x"),
            # Two on one site, both expecting version 2: exactly one is recorded.
            commands.KenBudgetToe(f, 2, 1_000, date(2011, 8, 1), "x"),
            commands.KenBudgetToe(f, 2, 2_000, date(2011, 9, 1), "x"),
            commands.WijzigStatus(g, 2, Status.ERNSTIG_SPOED, date(2011, 7, 1), ""),
        ]
        with _een_batch(sessions, opdrachten, schrijver) as (committer, uitkomsten):
            pass
        assert committer.batch_sizes == [1, len(opdrachten)]
        fouten = [u.exception() for u in uitkomsten]
        assert [type(x) for x in fouten[5:7]].count(handlers.VersieVerouderd) == 1
        assert all(x is None for i, x in enumerate(fouten) if i not in (5, 6)), fouten
        alle = [*ids, "ZH051390000"]
        assert _huidig(engine) == _herbouwd(sessions, alle)
        bijgehouden = _standen(engine)
        with sessions.begin() as session:
            projection.herbouw_standen(session)
        assert bijgehouden == _standen(engine)
        _assert_gap_free(engine)


def _risico(lid: str, i: int) -> commands.BeoordeelRisico:
    return commands.BeoordeelRisico(
        lid, 1, RisicoType.HUMAAN, True, ("ingestie-grond",), date(2011, 6, 1 + i), ""
    )


@pytest.mark.parametrize(
    ("soort", "na_de_ronde"),
    [
        # The current rows, open rows closed and new rows in one (``projection._ronde_pg``).
        ("status", 0),
        # A JSON column changed (``risicos``): the statement hands every site back, and the
        # general path closes and reads back the open rows in one, inserts the new in one.
        ("risico", 2),
    ],
)
def test_a_batch_of_plain_changes_costs_a_fixed_number_of_statements(
    soort: str, na_de_ronde: int
) -> None:
    with _database() as engine:
        sessions = make_session_factory(engine)
        ids = _registreer(sessions, 12)
        statements: list[str] = []

        def tel(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
            if threading.current_thread().name == "group-commit":
                statements.append(sql)

        luisteraar: Callable[..., None] = tel
        event.listen(engine, "before_cursor_execute", luisteraar)
        try:
            opdrachten = [
                commands.WijzigStatus(lid, 1, Status.ONDERZOCHT, date(2011, 6, 1 + i), "")
                if soort == "status"
                else _risico(lid, i)
                for i, lid in enumerate(ids)
            ]
            with _een_batch(sessions, opdrachten) as (committer, uitkomsten):
                statements.clear()  # the held first batch has sent all of its statements
        finally:
            event.remove(engine, "before_cursor_execute", luisteraar)
        assert committer.batch_sizes == [1, len(ids)]
        assert all(u.exception() is None for u in uitkomsten)
        # Versions; the round; events with outbox and NOTIFY.
        assert len(statements) == 3 + na_de_ronde, statements
        assert _huidig(engine) == _herbouwd(sessions, [*ids, "ZH051390000"])
        bijgehouden = _standen(engine)
        with sessions.begin() as session:
            projection.herbouw_standen(session)
        assert bijgehouden == _standen(engine)


def test_a_batch_wakes_the_relay_when_it_commits() -> None:
    """The NOTIFY travels inside the append statement: the relay's channel hears it once the
    batch commits."""
    with _database() as engine:
        sessions = make_session_factory(engine)
        luisteraar = engine.raw_connection()
        try:
            verbinding = luisteraar.driver_connection
            assert isinstance(verbinding, psycopg.Connection)
            verbinding.autocommit = True
            verbinding.execute(f"LISTEN {CHANNEL}")
            committer = GroupCommitter(sessions)
            try:
                cmd = commands.RegistreerSpoedlocatie(
                    "ZH", "0513", "x", "landbodem", ("pak",), None, date(2011, 1, 3), "ZH051390001"
                )
                handlers.handle(cmd, _uow(sessions, committer).namens(ZH))
            finally:
                committer.close()
            assert committer.batch_sizes == [1]
            gehoord = list(verbinding.notifies(timeout=10, stop_after=1))
            assert [n.channel for n in gehoord] == [CHANNEL]
        finally:
            luisteraar.close()
