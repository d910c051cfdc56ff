"""A worker warms up at start-up (``Container.opwarmen``, run by the app's lifespan before the
first request): the loop's reads have their connections open with both loads prepared, and the
group commit's writer has its connection with every statement of a batch prepared, by a real
batch on a throwaway site that was rolled back. Nothing of it is recorded: no event, no outbox
row, no read-model row, no person, and the position counter is untouched (the first real event
gets position 1)."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from services.locaties.adapters import projection_pg
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.bootstrap import migrate
from services.locaties.domain.events import SpoedlocatieGeregistreerd, StatusGewijzigd
from services.locaties.service_layer.unit_of_work import OEFENLOCATIE, oefenbatch
from shared import aggregate
from shared.db.direct_async import AsyncStatements
from shared.eventstore import groepscommit
from shared.eventstore.groepscommit import BatchWriter, OnbekendePersoon
from shared.eventstore.groepscommit_lus import LoopGroupCommitter
from shared.eventstore.sql import _LOAD, _LOAD_TOT
from shared.eventstore.tables import event_positions, events, outbox
from shared.privacy import Personen
from shared.privacy.sleutels import Sleutelring
from shared.privacy.store import _ZOEK_VEEL_PG
from shared.privacy.tables import personen
from tests.support.locaties import locaties_client, registreer, token

PREPARED = "SELECT statement FROM pg_prepared_statements"
LOCKS = "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'transactionid'"


def _zoals_gestuurd(sql: str) -> str:
    """The text as PostgreSQL keeps it: psycopg sends ``%s`` as ``$1``, ``$2``, ..."""
    nummer = itertools.count(1)
    return re.sub("%s", lambda _: f"${next(nummer)}", sql)


# Every statement a batch of status changes sends on the writer's connection.
BATCH = {
    _zoals_gestuurd(sql)
    for sql in (
        groepscommit._CURRENT,
        groepscommit._APPEND,
        _ZOEK_VEEL_PG,
        projection_pg._ronde_sql(),
    )
}
LOADS = {_zoals_gestuurd(_LOAD), _zoals_gestuurd(_LOAD_TOT)}


def _niets_vastgelegd(engine: Engine) -> None:
    with engine.connect() as conn:
        for tabel in (events, outbox, spoedlocaties, spoedlocatie_standen, personen):
            assert conn.execute(select(func.count()).select_from(tabel)).scalar_one() == 0, tabel
        assert conn.execute(select(event_positions.c.last_position)).scalar_one() == 0


def test_start_up_prepares_the_commands_statements_and_records_nothing(pg_engine: Engine) -> None:
    with locaties_client(pg_engine, commando_op_lus=True) as api:
        container = api.app.state.container  # type: ignore[attr-defined]
        committer = container.committer
        assert isinstance(committer, LoopGroupCommitter)

        async def op_de_schrijver() -> set[str]:
            # The connection the writer takes at its first batch: the one the engine keeps.
            async with committer._engine.connect() as conn:
                return {r[0] for r in await conn.exec_driver_sql(PREPARED)}

        async def op_de_lezers() -> list[set[str]]:
            gezien = []
            for conn in container.statements._idle:
                async with conn.cursor() as cursor:
                    await cursor.execute(PREPARED)
                    gezien.append({r[0] for r in await cursor.fetchall()})
            return gezien

        portal: Any = api.portal
        schrijver = portal.call(op_de_schrijver)
        assert schrijver >= BATCH, BATCH - schrijver
        pool: Any = committer._engine.pool
        assert pool.checkedin() == 1, "the check took the kept connection, opened no new one"
        lezers = portal.call(op_de_lezers)
        assert len(lezers) == container.statements._size
        assert all(gezien >= LOADS for gezien in lezers), lezers
        _niets_vastgelegd(pg_engine)
        # The counter was not moved by the warm-up: the first real event is position 1.
        registreer(api, token())
    with pg_engine.connect() as conn:
        assert conn.execute(select(func.min(events.c.position))).scalar_one() == 1


def test_start_up_decodes_what_a_status_change_loads(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first decode of an event type resolves its fields (``shared.aggregate._velden``):
    the warm-up replays its throwaway site, so a worker's first load does not pay it."""
    monkeypatch.setattr(aggregate, "_VELDEN", {})
    with locaties_client(pg_engine, commando_op_lus=True):
        assert {SpoedlocatieGeregistreerd, StatusGewijzigd} <= aggregate._VELDEN.keys()


def test_the_warm_up_batch_runs_a_whole_batch_and_rolls_it_back(pg_engine: Engine) -> None:
    """``BatchWriter.oefen`` answers as the batch would have (the throwaway site's two events
    got positions; the unknown caller was refused), and leaves nothing."""
    migrate(pg_engine)
    personen_store = Personen(Sleutelring.uit_geheim(bytes(32)))
    batch = oefenbatch("t", personen_store)
    with pg_engine.connect() as conn:
        antwoorden = BatchWriter().oefen(conn, batch)
        assert not conn.in_transaction()
        # No transaction left open on the server either (its locks released).
        assert conn.execute(text(LOCKS)).scalar_one() == 0
    geregistreerd, gewijzigd, onbekend = (antwoorden[r] for r in batch)
    assert isinstance(geregistreerd, list) and isinstance(gewijzigd, list)
    assert [(e.stream_id, e.version, e.position) for e in [*geregistreerd, *gewijzigd]] == [
        (OEFENLOCATIE, 1, 1),
        (OEFENLOCATIE, 2, 2),
    ]
    assert isinstance(onbekend, OnbekendePersoon)
    _niets_vastgelegd(pg_engine)


def test_a_failed_warm_up_of_the_reads_leaves_no_connection_outside_the_pool(
    pg_engine: Engine,
) -> None:
    """A statement that fails on the first of the warm-up's new connections (or a connect that
    fails among several) must not leave the others open but out of the pool's reach: each
    would hold a PostgreSQL backend for the worker's life, used by no read."""
    statements = AsyncStatements(pg_engine, size=3)

    async def opwarmen_dat_faalt() -> tuple[int, int, list[tuple[Any, ...]]]:
        with pytest.raises(DBAPIError):
            await statements.opwarmen([("SELECT 1 / %s", (0,))])
        geopend, vrij = len(statements._open), len(statements._idle)
        rows = await statements.rows("SELECT 1 WHERE %s", (True,))
        await statements.close()
        return geopend, vrij, rows

    geopend, vrij, rows = asyncio.run(opwarmen_dat_faalt())
    assert geopend == vrij, f"{geopend - vrij} connections open outside the pool"
    assert rows == [(1,)]


def test_a_connect_that_fails_among_several_leaves_no_connection_outside_the_pool(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = AsyncStatements(pg_engine, size=3)
    connect = AsyncStatements._connect
    pogingen = itertools.count()

    async def soms(self: AsyncStatements, sql: str) -> Any:
        if next(pogingen) == 1:
            raise OperationalError(sql, None, Exception("connection refused"))
        return await connect(self, sql)

    monkeypatch.setattr(AsyncStatements, "_connect", soms)

    async def opwarmen_dat_faalt() -> tuple[int, int]:
        with pytest.raises(OperationalError):
            await statements.opwarmen([(_LOAD, ("",))])
        geopend, vrij = len(statements._open), len(statements._idle)
        await statements.close()
        return geopend, vrij

    geopend, vrij = asyncio.run(opwarmen_dat_faalt())
    assert geopend == vrij == 2


def test_workers_warming_up_together_each_get_their_answers_and_wake_no_relay(
    pg_engine: Engine,
) -> None:
    """Several workers start at once: their warm-up batches insert the same throwaway site, so
    each waits for the one before it to roll back (no deadlock, no unique violation), each
    gets the answers of a whole batch, no NOTIFY reaches a listening relay and nothing stays."""
    import threading

    import psycopg

    from shared.leadership import CHANNEL

    migrate(pg_engine)
    personen_store = Personen(Sleutelring.uit_geheim(bytes(32)))
    url = pg_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    luisteraar = psycopg.connect(url, autocommit=True)
    luisteraar.execute(f"LISTEN {CHANNEL}")
    uitkomsten: list[Any] = []

    def werker() -> None:
        batch = oefenbatch("t", personen_store)
        with pg_engine.connect() as conn:
            antwoorden = BatchWriter().oefen(conn, batch)
        uitkomsten.append([antwoorden[r] for r in batch])

    draden = [threading.Thread(target=werker) for _ in range(4)]
    for d in draden:
        d.start()
    for d in draden:
        d.join(60)
    assert len(uitkomsten) == 4
    for geregistreerd, gewijzigd, onbekend in uitkomsten:
        assert isinstance(geregistreerd, list) and isinstance(gewijzigd, list), uitkomsten
        assert [e.position for e in [*geregistreerd, *gewijzigd]] == [1, 2]
        assert isinstance(onbekend, OnbekendePersoon)
    assert list(luisteraar.notifies(timeout=0.5, stop_after=1)) == []
    luisteraar.close()
    _niets_vastgelegd(pg_engine)


def test_a_worker_starts_while_another_transaction_holds_the_position_counter(
    pg_engine: Engine,
) -> None:
    """The warm-up's batch takes the counter's row lock as any batch does. Held elsewhere (an
    import's long transaction, a stuck session) it must not keep the worker from starting:
    the warm-up gives up waiting (it only saves the first commands some milliseconds) and the
    service starts, serves reads, and commits its commands once the lock is free."""
    import threading

    migrate(pg_engine)
    gestart, klaar = threading.Event(), threading.Event()
    fouten: list[BaseException] = []
    antwoorden: list[int] = []

    def werker() -> None:
        try:
            with locaties_client(pg_engine, commando_op_lus=True) as api:
                gestart.set()
                antwoorden.append(
                    api.get("/v1/spoedlocaties/ZH051399999", headers=token()).status_code
                )
                klaar.wait(60)
                registreer(api, token())
        except BaseException as exc:
            fouten.append(exc)
            gestart.set()

    houder = pg_engine.connect()
    draad = threading.Thread(target=werker)
    try:
        houder.execute(text("UPDATE event_positions SET last_position = last_position"))
        draad.start()
        assert gestart.wait(30), "the worker did not start while the counter was locked"
        assert not fouten, fouten
    finally:
        houder.rollback()
        houder.close()
        klaar.set()
        draad.join(60)
    assert not fouten, fouten
    assert antwoorden == [404]
    with pg_engine.connect() as conn:
        assert conn.execute(select(func.min(events.c.position))).scalar_one() == 1
