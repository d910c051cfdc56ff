"""The first start's child that reads the log ahead (``adapters/voorlezer.py``): the timelines
it helps build are those read in this process, and when it fails this process reads on."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from services.rapportage.domain import feiten as f
from services.rapportage.domain.feitkolommen import GetypeerdeRij, Rij
from services.rapportage.service_layer.geheugen import Tijdlijnfeiten
from services.rapportage.service_layer.unit_of_work import FakeLogboek
from tests.unit.rapportage.test_bulkbouw import BEGIN, willekeurige_geschiedenis


def _gelezen(logboek: FakeLogboek, voorlezen: bool, per_keer: int = 25) -> Tijdlijnfeiten:
    feiten = Tijdlijnfeiten(per_keer, voorlezen=voorlezen)
    with feiten.vast(logboek, logboek.watermark()) as positie:
        assert positie == logboek.watermark()
    return feiten


def _gelijk(a: Tijdlijnfeiten, b: Tijdlijnfeiten) -> None:
    x, y = a.tijdlijnen, b.tijdlijnen
    assert x.kolommen.arrays() == y.kolommen.arrays()
    assert x.kolommen.inhoud == y.kolommen.inhoud
    assert [lid for lid, _ in x.sites()] == [lid for lid, _ in y.sites()]
    for kennisdatum in [None, *(date(2010, 1, 1) + timedelta(days=91 * n) for n in range(25))]:
        for peildatum in [BEGIN + timedelta(days=91 * n) for n in range(25)]:
            assert x.op(peildatum, kennisdatum) == y.op(peildatum, kennisdatum)


@pytest.mark.parametrize("seed", range(3))
def test_a_child_reads_ahead_and_the_timelines_are_the_same(seed: int) -> None:
    logboek = FakeLogboek("spoedlocaties", willekeurige_geschiedenis(seed, sites=60))
    apart = _gelezen(logboek, voorlezen=True)
    assert apart.voorlezer is not None  # a child read the slices (and was waited for)
    hier = _gelezen(logboek, voorlezen=False)
    assert hier.voorlezer is None
    _gelijk(apart, hier)


def test_no_child_for_a_log_of_a_few_slices_or_timelines_already_built() -> None:
    alle = willekeurige_geschiedenis(1, sites=60)
    logboek = FakeLogboek("spoedlocaties", alle)
    assert _gelezen(logboek, voorlezen=True, per_keer=len(alle)).voorlezer is None
    feiten = _gelezen(FakeLogboek("spoedlocaties", alle[:10]), voorlezen=True)
    with feiten.vast(logboek, logboek.watermark()):
        pass
    assert feiten.voorlezer is None


class _FaaltApart(FakeLogboek):
    """Fails in the forked child from the slice after ``na`` on (this process reads fine)."""

    def __init__(self, feiten: list[f.Feit], na: int) -> None:
        super().__init__("spoedlocaties", feiten)
        self.ouder, self.na = os.getpid(), na

    def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
        if os.getpid() != self.ouder and na >= self.na:
            raise RuntimeError("kapot")
        return super().lees_rijen(tot_en_met, na)


@pytest.mark.parametrize("na", [0, 100])
def test_when_the_child_fails_this_process_reads_the_rest(na: int) -> None:
    alle = willekeurige_geschiedenis(2, sites=60)
    apart = _gelezen(_FaaltApart(alle, na), voorlezen=True)
    assert apart.voorlezer is not None
    _gelijk(apart, _gelezen(FakeLogboek("spoedlocaties", alle), voorlezen=False))


def test_a_stuck_child_is_stopped_and_this_process_reads_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.rapportage.adapters import voorlezer

    monkeypatch.setattr(voorlezer, "WACHT", 0.5)
    alle = willekeurige_geschiedenis(4, sites=60)

    class Hangt(FakeLogboek):
        ouder = os.getpid()

        def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
            if os.getpid() != self.ouder and na >= 50:
                os.kill(os.getpid(), 19)  # SIGSTOP: stuck, as a child in a deadlock
            return super().lees_rijen(tot_en_met, na)

    apart = _gelezen(Hangt("spoedlocaties", alle), voorlezen=True)
    assert apart.voorlezer is not None
    _gelijk(apart, _gelezen(FakeLogboek("spoedlocaties", alle), voorlezen=False))


def test_no_child_reads_an_in_memory_database(tmp_path: Path) -> None:
    """A child's connection to it would open an empty database of its own."""
    from sqlalchemy.pool import StaticPool

    from services.rapportage.adapters.projection import SPOEDLOCATIES
    from services.rapportage.service_layer.unit_of_work import SqlLogboek
    from shared.db.engine import make_engine, make_session_factory

    for url, apart in [
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///file:x?mode=memory&cache=shared&uri=true", False),
        (f"sqlite:///{tmp_path / 'r.sqlite'}", True),
    ]:
        engine = make_engine(url, poolclass=StaticPool)
        logboek = SqlLogboek(make_session_factory(engine), SPOEDLOCATIES)
        assert logboek.apart_leesbaar() is apart, url


@pytest.mark.parametrize("waarde", [None, "false"])
def test_the_service_reads_ahead_unless_told_not_to(
    waarde: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.rapportage.bootstrap import bootstrap
    from services.rapportage.config import RapportageSettings

    if waarde is not None:
        monkeypatch.setenv("BODEMREGIE_TIJDLIJNEN_VOORLEZEN", waarde)
    settings = RapportageSettings(
        database_url=f"sqlite:///{tmp_path / 'r.sqlite'}",
        kafka_enabled=False,
        relay_enabled=False,
        tijdlijnen_momentopname="uit",
    )
    container = bootstrap(settings)
    try:
        assert container.rapportage.geheugen.spoedlocaties.voorlezen is (waarde is None)
    finally:
        container.close()


def test_without_a_process_to_spare_this_process_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def geen(*_: object) -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", geen)
    logboek = FakeLogboek("spoedlocaties", willekeurige_geschiedenis(5, sites=60))
    zonder = _gelezen(logboek, voorlezen=True)
    assert zonder.voorlezer is None
    monkeypatch.undo()
    _gelijk(zonder, _gelezen(logboek, voorlezen=False))


def test_the_child_never_closes_the_connections_it_inherited(tmp_path: Path) -> None:
    """SQLite: a connection carried across fork must not be used in the child, closing it
    included (https://sqlite.org/howtocorrupt.html, 2.6). After ``na_fork`` the child's
    collector must not finalize the parent's pooled connections (sqlite3 closes them then)."""
    import gc
    import sqlite3

    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import QueuePool

    from services.rapportage.adapters.projection import SPOEDLOCATIES
    from services.rapportage.service_layer.unit_of_work import SqlLogboek
    from shared.db.engine import make_session_factory

    class Verklikker(sqlite3.Connection):
        def __del__(self) -> None:
            if os.getpid() != ouder:  # finalized (and so closed) in the child
                os._exit(3)

    ouder = os.getpid()
    engine = create_engine(
        f"sqlite:///{tmp_path / 'r.sqlite'}", connect_args={"factory": Verklikker}
    )
    with engine.connect() as verbinding:
        verbinding.execute(text("SELECT 1"))
    pool = engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedin() == 1  # the child inherits it
    logboek = SqlLogboek(make_session_factory(engine), SPOEDLOCATIES)
    kind = os.fork()
    if kind == 0:
        code = 1
        try:
            logboek.na_fork()
            gc.collect()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(kind, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    engine.dispose()


def test_a_signal_to_end_the_child_ends_it_and_never_wakes_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child inherits the service's handlers (uvicorn's set a flag on the service's copy)
    and the event loop's wake-up fd: a SIGTERM to the child must end it, not leave it reading
    and wake the service's loop as if the service had been told to stop."""
    import signal
    import socket
    import threading
    import time
    from typing import Any

    from services.rapportage.adapters import voorlezer
    from services.rapportage.adapters.voorlezer import Voorlezer
    from services.rapportage.domain.snede import Snijder

    monkeypatch.setattr(voorlezer, "WACHT", 10.0)  # only if the child went on reading
    gewekt, wekker = socket.socketpair()
    gewekt.setblocking(False)
    wekker.setblocking(False)
    klaar, gereed = os.pipe()

    class Leest:
        def na_fork(self) -> None:
            os.write(gereed, b"x")

        def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
            time.sleep(60)
            return []

        lees_ruwe_rijen = lees_rijen

    def vlag(*_: Any) -> None:
        pass

    oud = signal.signal(signal.SIGTERM, vlag)
    oud_fd = signal.set_wakeup_fd(wekker.fileno())
    try:
        # Forked from a thread of its own, as the service's ``rapportage-tijdlijnen``.
        gestart: list[Voorlezer | None] = []
        draad = threading.Thread(
            target=lambda: gestart.append(
                Voorlezer.start(Leest(), Snijder(0, lambda _: -1), [(0, 10)])
            )
        )
        draad.start()
        draad.join()
        os.close(gereed)  # the child's copy only: a child that died first reads as b""
        apart = gestart[0]
        assert apart is not None
        assert os.read(klaar, 1) == b"x"
        os.kill(apart._kind, signal.SIGTERM)
        assert apart.volgende(10) is None
    finally:
        signal.set_wakeup_fd(oud_fd)
        signal.signal(signal.SIGTERM, oud)
        os.close(klaar)
    with pytest.raises(BlockingIOError):
        gewekt.recv(1)  # nothing reached this process's wake-up fd
    gewekt.close()
    wekker.close()


def test_a_child_stuck_at_its_first_read_is_given_up_soon(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A lock another thread of the service held at the fork (SQLite's own, in C: a child
    forked while another thread runs a statement hangs at its first statement, ~6% of 300
    forks beside two busy threads) stops the child at its first use of the database: the
    service gives it up after ``EERSTE_WACHT``, not the two minutes of a slice."""
    import logging

    from services.rapportage.adapters import voorlezer

    monkeypatch.setattr(voorlezer, "WACHT", 5.0)
    monkeypatch.setattr(voorlezer, "EERSTE_WACHT", 0.5)
    alle = willekeurige_geschiedenis(4, sites=60)

    class HangtMeteen(FakeLogboek):
        ouder = os.getpid()

        def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
            if os.getpid() != self.ouder:
                os.kill(os.getpid(), 19)  # SIGSTOP: stuck at its first statement
            return super().lees_rijen(tot_en_met, na)

    with caplog.at_level(logging.WARNING, "services.rapportage.voorlezer"):
        apart = _gelezen(HangtMeteen("spoedlocaties", alle), voorlezen=True)
    assert apart.voorlezer is not None
    assert "voorlezer 0.5 s stil" in caplog.text
    _gelijk(apart, _gelezen(FakeLogboek("spoedlocaties", alle), voorlezen=False))
