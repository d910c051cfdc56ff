"""Group commit changes nothing observable (PostgreSQL): the same events, read models and
bitemporal rows as the plain path; positions gap-free with an outbox row each; a version
conflict fails only its own command; a batch that dies before COMMIT acknowledged nothing and
left nothing; commands from many threads all land exactly once."""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from services.locaties import bootstrap
from services.locaties.adapters import projection
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.db.engine import make_session_factory
from shared.eventstore.groepscommit import CommitRequest, Committer, GroupCommitter
from shared.eventstore.tables import event_positions, events, outbox
from shared.idempotency import Verzoek, herstel, zet
from shared.idempotency_store import Antwoord
from shared.vocabulaire import Status
from tests.integration.locaties.test_historische_lijst import Stap, _namens, _plan
from tests.support.groepscommit import Maak, Schrijver
from tests.support.infra import PG_ADMIN_URL, postgres_database
from tests.support.locaties import locaties_client

ZH = _namens("ZH")


@contextmanager
def _database() -> Iterator[Engine]:
    with postgres_database() as engine:
        bootstrap.migrate(engine)
        yield engine


def _uow(
    sessions: sessionmaker[Session], committer: Committer | None, at: datetime | None = None
) -> SqlLocatiesUnitOfWork:
    return SqlLocatiesUnitOfWork(sessions, clock=(lambda: at) if at else None, committer=committer)


def _run_plan(engine: Engine, stappen: list[Stap], committer: Committer | None) -> None:
    """Registrations one by one (their ids come from a counter), then every site's further
    steps in its own order, the sites spread over 8 threads."""
    sessions = make_session_factory(engine)
    ids: dict[int, str] = {}
    versies: dict[int, int] = {}
    eigenaar: dict[int, str] = {}  # only a site's own bevoegd gezag changes it
    for stap in stappen:
        if stap.commando is commands.RegistreerSpoedlocatie:
            gezag = str(stap.velden["bevoegd_gezag"])
            locatie = handlers.handle(
                stap.maak("", 0), _uow(sessions, None, stap.vastgelegd).namens(_namens(gezag))
            )
            ids[stap.locatie], versies[stap.locatie] = locatie.id, locatie.version
            eigenaar[stap.locatie] = locatie.bevoegd_gezag
    per_site: dict[int, list[Stap]] = defaultdict(list)
    for stap in stappen:
        if stap.commando is not commands.RegistreerSpoedlocatie:
            per_site[stap.locatie].append(stap)

    def site(nummer: int) -> None:
        for stap in per_site[nummer]:
            cmd = stap.maak(ids[nummer], versies[nummer])
            try:
                uow = _uow(sessions, committer, stap.vastgelegd)
                locatie = handlers.handle(cmd, uow.namens(_namens(eigenaar[nummer])))
            except handlers.OngeldigeWaarde:
                continue
            versies[nummer] = locatie.version
            eigenaar[nummer] = locatie.bevoegd_gezag

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(site, sorted(per_site)))


def _observable(engine: Engine) -> dict[str, Any]:
    t = spoedlocatie_standen.c
    with engine.connect() as conn:
        stromen = conn.execute(
            select(
                events.c.stream_id,
                events.c.version,
                events.c.event_type,
                events.c.data,
                events.c.event_metadata,
                events.c.occurred_at,
                events.c.recorded_at,
            ).order_by(events.c.stream_id, events.c.version)
        ).all()
        lezen = conn.execute(select(spoedlocaties).order_by(spoedlocaties.c.locatie_id)).all()
        standen = conn.execute(
            select(spoedlocatie_standen).order_by(t.locatie_id, t.geldig_vanaf, t.versie_vanaf)
        ).all()
    return {
        # A correction's occurred_at is the wall clock when it was made: not comparable.
        "events": [
            (*r[:5], None if r.event_type.endswith("gecorrigeerd") else r[5], r[6]) for r in stromen
        ],
        "spoedlocaties": [{**r._mapping, "bijgewerkt_op": None} for r in lezen],
        "standen": [tuple(r) for r in standen],
    }


def _assert_gap_free(engine: Engine) -> int:
    with engine.connect() as conn:
        posities = list(
            conn.execute(select(events.c.position).order_by(events.c.position)).scalars()
        )
        uit = list(conn.execute(select(outbox.c.position).order_by(outbox.c.position)).scalars())
        teller = conn.execute(select(event_positions.c.last_position)).scalar_one()
    assert posities == list(range(1, len(posities) + 1))
    assert uit == posities
    assert teller == len(posities)
    return len(posities)


def test_group_commit_records_what_the_plain_path_records(schrijver: Maak) -> None:
    stappen = _plan(random.Random(2013), 24)
    with _database() as gewoon, _database() as gegroepeerd:
        _run_plan(gewoon, stappen, None)
        committer = schrijver(make_session_factory(gegroepeerd))
        try:
            _run_plan(gegroepeerd, stappen, committer)
        finally:
            committer.close()
        assert max(committer.batch_sizes) > 1  # commands really shared transactions
        assert _observable(gegroepeerd) == _observable(gewoon)
        assert _assert_gap_free(gegroepeerd) == _assert_gap_free(gewoon)
        # The rows kept in batches also equal a full replay.
        voor = _observable(gegroepeerd)["standen"]
        with make_session_factory(gegroepeerd).begin() as session:
            projection.herbouw_standen(session)
        assert _observable(gegroepeerd)["standen"] == voor


def _registreer(sessions: sessionmaker[Session], n: int) -> list[str]:
    ids = []
    for i in range(n):
        cmd = commands.RegistreerSpoedlocatie(
            "ZH", "0513", f"Locatie {i}", "landbodem", ("pak",), None, date(2011, 1, 3)
        )
        ids.append(handlers.handle(cmd, _uow(sessions, None).namens(ZH)).id)
    return ids


def _onderzocht(locatie_id: str, versie: int = 1) -> commands.WijzigStatus:
    return commands.WijzigStatus(
        locatie_id, versie, Status.ONDERZOCHT, date(2011, 6, 1) + timedelta(days=versie), ""
    )


class Sluis:
    """Holds the committer's first batch before COMMIT until the test opens it, so that the
    requests sent meanwhile form the next batch together."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.eerste = True

    def __call__(self, session: Session, batch: list[CommitRequest]) -> None:
        if self.eerste:
            self.eerste = False
            self.open.wait(30)


def _wacht_op_wachtrij(committer: Schrijver, n: int) -> None:
    for _ in range(3000):
        if committer._queue.qsize() >= n:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{n} requests never queued")


def test_a_version_conflict_fails_only_its_own_command(schrijver: Maak) -> None:
    with _database() as engine:
        sessions = make_session_factory(engine)
        stop, x, y = _registreer(sessions, 3)
        sluis = Sluis()
        committer = schrijver(sessions, before_commit=sluis)
        try:
            with ThreadPoolExecutor(4) as pool:
                eerste = pool.submit(
                    handlers.handle, _onderzocht(stop), _uow(sessions, committer).namens(ZH)
                )
                threading.Event().wait(0.2)  # the first batch is now held
                # Two commands on x both expect version 1: exactly one can win.
                uitkomsten = [
                    pool.submit(
                        handlers.handle, _onderzocht(lid), _uow(sessions, committer).namens(ZH)
                    )
                    for lid in (x, x, y)
                ]
                _wacht_op_wachtrij(committer, 3)
                sluis.open.set()
                assert eerste.result().version == 2
                fouten = [u.exception() for u in uitkomsten]
        finally:
            committer.close()
        assert committer.batch_sizes == [1, 3]  # one transaction for x, x and y
        assert isinstance(fouten[0], handlers.VersieVerouderd) != isinstance(
            fouten[1], handlers.VersieVerouderd
        )
        assert fouten[2] is None
        with engine.connect() as conn:
            versies = dict(
                conn.execute(
                    select(events.c.stream_id, events.c.version).order_by(events.c.version)
                ).all()
            )
        assert versies == {stop: 2, x: 2, y: 2}
        _assert_gap_free(engine)


def _termineer(session: Session) -> None:
    """Kill this transaction's connection from outside, as a crash of the server process
    would, just before COMMIT."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    beheer = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with beheer.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    beheer.dispose()


@pytest.mark.parametrize("storing", ["verbinding-weg", "fout-in-een-commando"])
def test_a_batch_that_dies_before_commit_acknowledged_nothing_and_left_nothing(
    storing: str, schrijver: Maak
) -> None:
    with _database() as engine:
        sessions = make_session_factory(engine)
        stop, *ids = _registreer(sessions, 7)
        slecht = ids[0]
        sluis = Sluis()
        mislukt: list[list[str]] = []

        def voor_commit(session: Session, batch: list[CommitRequest]) -> None:
            sluis(session, batch)
            streams = [a.stream_id for r in batch for a in r.appends]
            if storing == "verbinding-weg" and len(batch) > 1 and not mislukt:
                mislukt.append(streams)
                _termineer(session)
            if storing == "fout-in-een-commando" and slecht in streams:
                mislukt.append(streams)
                # What remains of this batch if it were committed now: all its events.
                zichtbaar = session.execute(
                    select(events.c.stream_id).where(events.c.stream_id.in_(streams))
                ).scalars()
                assert len(list(zichtbaar)) == 2 * len(streams)
                raise RuntimeError("storing in de read model")

        committer = schrijver(sessions, before_commit=voor_commit)
        try:
            with ThreadPoolExecutor(8) as pool:
                eerste = pool.submit(
                    handlers.handle, _onderzocht(stop), _uow(sessions, committer).namens(ZH)
                )
                threading.Event().wait(0.2)
                uitkomsten = {
                    lid: pool.submit(
                        handlers.handle, _onderzocht(lid), _uow(sessions, committer).namens(ZH)
                    )
                    for lid in ids
                }
                _wacht_op_wachtrij(committer, len(ids))
                sluis.open.set()
                eerste.result()
                fouten = {lid: u.exception() for lid, u in uitkomsten.items()}
        finally:
            committer.close()
        assert len(mislukt[0]) == len(ids)  # the failure hit the whole batch
        with engine.connect() as conn:
            versies = dict(
                conn.execute(
                    select(events.c.stream_id, events.c.version).order_by(events.c.version)
                ).all()
            )
            standen = dict(
                conn.execute(
                    select(
                        spoedlocatie_standen.c.locatie_id, spoedlocatie_standen.c.versie_vanaf
                    ).order_by(spoedlocatie_standen.c.versie_vanaf)
                ).all()
            )
        for lid, fout in fouten.items():
            if fout is None:  # acknowledged: recorded exactly once, read model with it
                assert versies[lid] == standen[lid] == 2
            else:  # not acknowledged: no trace
                assert versies[lid] == standen[lid] == 1
        if storing == "verbinding-weg":
            assert all(f is None for f in fouten.values())  # retried one by one
        else:
            assert [lid for lid, f in fouten.items() if f is not None] == [slecht]
        _assert_gap_free(engine)


@pytest.mark.parametrize("writers", [1, 2])
def test_commands_from_many_threads_all_land_exactly_once(writers: int, schrijver: Maak) -> None:
    """Also with two batches in flight per process (``writers``)."""
    with _database() as engine:
        sessions = make_session_factory(engine)
        ids = _registreer(sessions, 16)
        gedeeld = ids[0]
        committer = schrijver(sessions, writers=writers)
        gelukt: dict[str, int] = defaultdict(int)
        slot = threading.Lock()

        def klant(nummer: int) -> None:
            # Each writer books costs on its own site and on one site all share.
            for i in range(6):
                for lid in (ids[nummer], gedeeld):
                    while True:
                        with sessions() as s:
                            versie = len(
                                s.execute(select(events.c.version).where(events.c.stream_id == lid))
                                .scalars()
                                .all()
                            )
                        cmd = commands.BoekKosten(lid, versie, 100, date(2012, 1, 1 + i), "x")
                        try:
                            handlers.handle(cmd, _uow(sessions, committer).namens(ZH))
                        except handlers.VersieVerouderd:
                            continue
                        with slot:
                            gelukt[lid] += 1
                        break

        try:
            with ThreadPoolExecutor(16) as pool:
                list(pool.map(klant, range(16)))
        finally:
            committer.close()
        assert max(committer.batch_sizes) > 1
        with engine.connect() as conn:
            aantal = dict(
                conn.execute(
                    select(events.c.stream_id, events.c.version).order_by(events.c.version)
                ).all()
            )
            kosten = dict(
                conn.execute(select(spoedlocaties.c.locatie_id, spoedlocaties.c.kosten_euro)).all()
            )
        assert gelukt[gedeeld] == 16 * 6 + 6
        for lid in ids:
            assert aantal[lid] == 1 + gelukt[lid]
            assert kosten[lid] == 100 * gelukt[lid]
        _assert_gap_free(engine)


def test_the_plain_path_stays_for_a_command_that_writes_more_than_its_events() -> None:
    """A registration draws its id number in its own transaction, a request with an
    Idempotency-Key holds an advisory lock on it: they commit the usual way, so what they wrote
    commits with the events (or not at all) as before."""
    with _database() as engine:
        sessions = make_session_factory(engine)
        committer = GroupCommitter(sessions)
        try:
            cmd = commands.RegistreerSpoedlocatie(
                "ZH", "0513", "x", "landbodem", ("pak",), None, date(2011, 1, 3)
            )
            handlers.handle(cmd, _uow(sessions, committer).namens(ZH))
            gegeven = commands.RegistreerSpoedlocatie(
                "ZH", "0513", "y", "landbodem", ("pak",), None, date(2011, 1, 3), "ZH051399999"
            )
            handlers.handle(gegeven, _uow(sessions, committer).namens(ZH))
            with pytest.raises(handlers.BestaatAl):
                handlers.handle(gegeven, _uow(sessions, committer).namens(ZH))
            assert committer.batch_sizes == [1]  # only the registration with a given id
            sleutel = Verzoek("scope", "sleutel", "afdruk", timedelta(hours=24))
            token = zet(sleutel)
            try:
                uow = _uow(sessions, committer).namens(ZH)
                with uow:
                    locatie = uow.locaties.get("ZH051399999")
                    locatie.wijzig_status(Status.ONDERZOCHT, date(2011, 6, 2), "")
                    uow.commit()
            finally:
                herstel(token)
            assert sleutel.sessie is not None  # held for the answer, not in a batch
            sleutel.rond_af(Antwoord(201, [], b"{}"))
            assert committer.batch_sizes == [1]
        finally:
            committer.close()
        _assert_gap_free(engine)
        # A stopped committer refuses at once instead of leaving the caller waiting.
        with pytest.raises(RuntimeError):
            kosten = commands.BoekKosten("ZH051399999", 2, 100, date(2012, 1, 1), "x")
            handlers.handle(kosten, _uow(sessions, committer).namens(ZH))


def test_group_commit_is_on_by_default_on_postgresql_only(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as client:
        container = client.app.state.container  # type: ignore[attr-defined]
        assert (container.committer is not None) == (sql_engine.dialect.name == "postgresql")
