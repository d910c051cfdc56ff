"""Two relays on one PostgreSQL database hand the lead back and forth: each keeps the chain head
in memory between rounds, and reads it again when it (again) becomes the leader, so no seal is
ever built on a stale head. Even two relays that both think they lead (one lost its lock without
noticing yet) cannot: the stale one's round fails and starts again from the database. The
sealed log and what reached the publishers verify with ``bodemregie audit verify``."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from auditor import verify
from auditor.cli import main as audit
from shared.db.engine import make_engine, make_session_factory
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import outbox
from shared.messaging.publisher import InMemoryPublisher
from shared.outbox import OutboxRelay, RelayThread, store_id
from shared.zegel import Verzegelaar, verzegelde
from tests.support.events import new_event

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


class Schakelaar:
    """Leadership as the test hands it out (PostgresLeadership decides by an advisory lock; here
    the test decides when the lead changes hands)."""

    def __init__(self) -> None:
        self.leidt = False
        self._event = threading.Event()

    def am_leader(self) -> bool:
        return self.leidt

    def wait(self, timeout: float) -> None:
        self._event.wait(timeout)
        self._event.clear()

    def gather(self, tot: float, signalen: int) -> None:
        time.sleep(tot)

    def wake(self) -> None:
        self._event.set()

    def close(self) -> None:
        self._event.set()


def _wait_for(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _commit(engine: Engine, stream: str, n: int) -> None:
    with make_session_factory(engine).begin() as session:
        store = SqlEventStore(session)
        store.append(
            stream, "teller", len(store.load(stream)), [new_event(i) for i in range(n)], "t"
        )


def _uitbox(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(outbox.c.position)).scalars())


def _verifieer(engine: Engine, publishers: list[InMemoryPublisher], tmp_path: Path) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        log = verzegelde(session, SOURCE, store_id(session), limiet=10**6)
    assert [e["position"] for e in log] == _uitbox(engine)  # everything sealed, in order
    bestand = tmp_path / "log.jsonl"
    bestand.write_text("".join(json.dumps(e) + "\n" for e in log))
    assert audit(["verify", str(bestand), "--stil"]) == 0
    # What reached "Kafka" (both publishers, in log order) is that same sealed log.
    sent = sorted((m for p in publishers for m in p.sent), key=lambda m: m.position)
    assert max(Counter(m.position for m in sent).values()) == 1  # nothing doubled
    gepubliceerd = [json.loads(m.value) for m in sent]
    assert gepubliceerd == log
    assert verify.controleer(gepubliceerd).in_orde


def _relays(
    pg_engine: Engine, anker_elke: int
) -> tuple[list[Engine], list[InMemoryPublisher], list[Schakelaar], list[RelayThread]]:
    url = pg_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]  # two processes: own pools
    publishers = [InMemoryPublisher(), InMemoryPublisher()]
    leidingen = [Schakelaar(), Schakelaar()]
    threads = [
        RelayThread(
            OutboxRelay(
                make_session_factory(e),
                p,
                SOURCE,
                sealer=Verzegelaar(SOURCE, anker_elke=anker_elke, anker_topic="t"),
            ),
            leadership=leiding,
            idle_wait=0.05,
        )
        for e, p, leiding in zip(engines, publishers, leidingen, strict=True)
    ]
    return engines, publishers, leidingen, threads


def test_a_relay_that_leads_again_reads_the_head_again(
    pg_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engines, publishers, leidingen, threads = _relays(pg_engine, anker_elke=7)

    def gepubliceerd() -> list[int]:
        return sorted(m.position for p in publishers for m in p.sent)

    def geef_leiding(aan: int) -> None:
        leidingen[1 - aan].leidt = False
        time.sleep(0.3)  # the other finishes its round and sees it follows (idle wait 0.05 s)
        leidingen[aan].leidt = True

    caplog.set_level(logging.WARNING)
    try:
        for thread in threads:
            thread.start()
        geef_leiding(0)
        _commit(pg_engine, "A", 10)
        _wait_for(lambda: gepubliceerd() == _uitbox(pg_engine) and len(publishers[0].sent) > 10)

        geef_leiding(1)  # relay 1 seals on from relay 0's head (and A's last hash)
        _commit(pg_engine, "B", 10)
        _commit(pg_engine, "A", 5)
        _wait_for(lambda: gepubliceerd() == _uitbox(pg_engine) and bool(publishers[1].sent))

        # Relay 0 leads again: what it remembers (head, anchors, A's last hash) is stale.
        geef_leiding(0)
        voor = len(publishers[0].sent)
        _commit(pg_engine, "A", 5)
        _commit(pg_engine, "C", 10)
        _wait_for(lambda: gepubliceerd() == _uitbox(pg_engine))
        assert len(publishers[0].sent) >= voor + 15
    finally:
        for thread in threads:
            thread.stop()
        for e in engines:
            e.dispose()
    fouten = [r for r in caplog.records if r.levelno >= logging.ERROR or "retrying" in r.message]
    assert fouten == []  # not one round was tried on a stale head
    _verifieer(pg_engine, publishers, tmp_path)


def test_two_relays_that_both_think_they_lead_never_seal_on_a_stale_head(
    pg_engine: Engine, tmp_path: Path
) -> None:
    engines, publishers, leidingen, threads = _relays(pg_engine, anker_elke=9)
    try:
        for leiding in leidingen:
            leiding.leidt = True
        for thread in threads:
            thread.start()
        for n in range(30):
            _commit(pg_engine, "ABC"[n % 3], 1 + n % 4)
            for thread in threads:
                thread.wake()
            time.sleep(0.01)
        _wait_for(
            lambda: sorted(m.position for p in publishers for m in p.sent) == _uitbox(pg_engine)
        )
    finally:
        for thread in threads:
            thread.stop()
        for e in engines:
            e.dispose()
    _verifieer(pg_engine, publishers, tmp_path)
