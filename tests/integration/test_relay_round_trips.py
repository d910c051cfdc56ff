"""A relay round on PostgreSQL waits for the server twice (BEGIN, fence, the committed chain head
and the read; the seals, the marks and COMMIT), whatever SQLAlchemy and psycopg would have sent
one by one, and hands its connection back to the pool as it took it, also when the round fails
(an embedded relay shares the pool with the API, whose transactions must not turn into
autocommit).

The round trips are counted on the wire: libpq's trace of the relay's connection, where each
wait for the server ends in ``ReadyForQuery`` (or, for a COPY's first half, ``CopyInResponse``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg import pq
from sqlalchemy import Engine, event, func, select
from sqlalchemy.pool import QueuePool

from shared import zegel
from shared.db.engine import make_engine, make_session_factory
from shared.eventstore.tables import event_seals, outbox
from shared.leadership import SoleLeader
from shared.messaging.publisher import InMemoryPublisher, PublishError
from shared.outbox import OutboxRelay
from tests.support.relay import commit_teller

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


class Draad:
    """libpq's trace of every connection the engine hands out while ``aan``."""

    def __init__(self, engine: Engine, bestand: Path) -> None:
        self._bestand = bestand
        self._fh = bestand.open("w")
        self.aan = False
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)

    def _checkout(self, dbapi: Any, *_: Any) -> None:
        if self.aan:
            dbapi.pgconn.trace(self._fh.fileno())
            dbapi.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def _checkin(self, dbapi: Any, *_: Any) -> None:
        if dbapi is not None and not dbapi.closed:
            dbapi.pgconn.untrace()

    def rondgangen(self) -> int:
        """Waits for the server so far."""
        self._fh.flush()
        regels = [r.split("\t") for r in self._bestand.read_text().splitlines()]
        return sum(1 for r in regels if r[0] == "B" and r[2] in ("ReadyForQuery", "CopyInResponse"))


@pytest.fixture
def relay_engine(pg_engine: Engine) -> Iterator[Engine]:
    # One connection, as the relay process's round pool effectively is.
    engine = make_engine(pg_engine.url.render_as_string(hide_password=False), pool_size=1)
    yield engine
    engine.dispose()


def _aantal(engine: Engine, query: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _autocommit(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.connection.driver_connection.autocommit)  # type: ignore[union-attr]


def test_a_round_waits_for_the_server_twice(
    pg_engine: Engine, relay_engine: Engine, tmp_path: Path
) -> None:
    publisher = InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    draad = Draad(relay_engine, tmp_path / "trace.txt")
    commit_teller(pg_engine, "A", 0)
    assert relay.run_once() == 1  # the first round reads the store id and the chain head

    commit_teller(pg_engine, "A", 1)
    draad.aan = True
    assert relay.run_once() == 1
    assert draad.rondgangen() == 2

    relay.run_once()  # nothing new: BEGIN, fence, head and read, then COMMIT
    assert draad.rondgangen() == 4
    draad.aan = False

    assert [m.position for m in publisher.sent] == [1, 2]
    assert _aantal(pg_engine, select(func.count()).select_from(event_seals)) == 2
    unmarked = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    assert _aantal(pg_engine, unmarked) == 0
    assert not _autocommit(relay_engine)


def test_a_failed_round_rolls_back_and_returns_its_connection_as_it_came(
    pg_engine: Engine, relay_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    commit_teller(pg_engine, "A", 0)
    relay.run_once()

    # Kafka down: the seals commit, the row waits, the connection is as it was.
    commit_teller(pg_engine, "A", 1)
    publisher.fail_next = 1
    with pytest.raises(PublishError):
        relay.run_once()
    assert _aantal(pg_engine, select(func.count()).select_from(event_seals)) == 2
    assert not _autocommit(relay_engine)

    # A failure while sealing: nothing of the round stays, the connection is as it was.
    commit_teller(pg_engine, "A", 2)

    def kapot(_: Any) -> str:
        raise RuntimeError("hash failed")

    monkeypatch.setattr(zegel, "zegel_hash", kapot)
    with pytest.raises(RuntimeError):
        relay.run_once()
    assert _aantal(pg_engine, select(func.count()).select_from(event_seals)) == 2
    assert not _autocommit(relay_engine)
    monkeypatch.undo()

    # And the next round goes on from the database: both waiting rows, once each.
    assert relay.run_once() == 2
    assert [m.position for m in publisher.sent] == [1, 2, 3]


def test_a_relay_whose_head_went_stale_reads_it_again_before_it_seals_or_sends(
    pg_engine: Engine, relay_engine: Engine
) -> None:
    """Another relay sealed meanwhile (a change of leader this one has not noticed): the
    committed head comes with the round's first read, so this one seals on from it, and
    sends only what it sealed itself, instead of failing on the seals' primary key after
    sending."""
    eerst, ander = InMemoryPublisher(), InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(relay_engine), eerst, SOURCE)
    andere = OutboxRelay(make_session_factory(pg_engine), ander, SOURCE)
    commit_teller(pg_engine, "A", 0)
    assert relay.run_once() == 1  # this relay's head is now position 1
    commit_teller(pg_engine, "A", 1)
    commit_teller(pg_engine, "B", 0)
    assert andere.run_once() == 2  # the other sealed 2 and 3 and sent them

    commit_teller(pg_engine, "A", 2)
    assert relay.run_once() == 1  # seals and sends 4 only, from the committed head
    assert [m.position for m in eerst.sent] == [1, 4]
    assert [m.position for m in ander.sent] == [2, 3]
    assert _aantal(pg_engine, select(func.count()).select_from(event_seals)) == 4
    unmarked = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    assert _aantal(pg_engine, unmarked) == 0
    # The chain runs on: 4's previous hash is 3's.
    with pg_engine.connect() as conn:
        rijen = conn.execute(
            select(event_seals.c.position, event_seals.c.hash, event_seals.c.prev_hash).order_by(
                event_seals.c.position
            )
        ).all()
    assert [r.prev_hash for r in rijen[1:]] == [r.hash for r in rijen[:-1]]


def test_a_looping_relay_keeps_its_connection_between_rounds_and_gives_it_back_as_it_came(
    pg_engine: Engine, relay_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While ``run`` loops, its rounds keep one connection (no session and no pool checkout
    per round); a round that fails gives it back (a lost connection is replaced by the pool),
    and so does the end of the loop, out of autocommit, as it came."""
    publisher = InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    pool = relay_engine.pool
    assert isinstance(pool, QueuePool)
    checkouts: list[int] = []
    event.listen(relay_engine, "checkout", lambda *_: checkouts.append(1))
    stop, leiding = threading.Event(), SoleLeader()
    loop = threading.Thread(target=relay.run, args=(stop, leiding), kwargs={"idle_wait": 0.05})

    def gepubliceerd(n: int) -> None:
        start = time.monotonic()
        while len(publisher.sent) < n and time.monotonic() - start < 30:
            time.sleep(0.01)
        assert len(publisher.sent) == n

    mislukt = threading.Event()
    echte_hash = zegel.zegel_hash

    def eenmaal_kapot(doc: Any) -> str:
        if doc["subject"] == "B" and not mislukt.is_set():
            mislukt.set()
            raise RuntimeError("hash failed")
        return echte_hash(doc)

    monkeypatch.setattr(zegel, "zegel_hash", eenmaal_kapot)
    loop.start()
    try:
        for versie in range(4):  # a round each
            commit_teller(pg_engine, "A", versie)
            leiding.wake()
            gepubliceerd(versie + 1)
        assert len(checkouts) == 1
        assert pool.checkedin() == 0  # kept by the loop

        commit_teller(pg_engine, "B", 0)  # its first round fails, the next one publishes it
        leiding.wake()
        gepubliceerd(5)
        assert mislukt.is_set()
        assert len(checkouts) == 2
    finally:
        stop.set()
        leiding.wake()
        loop.join(30)
    assert not loop.is_alive()
    assert pool.checkedin() == 1
    assert not _autocommit(relay_engine)
    assert [m.position for m in publisher.sent] == [1, 2, 3, 4, 5]
    unmarked = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    assert _aantal(pg_engine, unmarked) == 0


def test_rounds_on_a_kept_connection_share_one_cursor(
    pg_engine: Engine, relay_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cursor per round trip cost ~15-30 µs of CPU: the rounds of a loop make one for their
    kept connection and use it round after round; a failed round's connection goes back to the
    pool, and with it that cursor, and the next connection gets its own."""
    import psycopg

    publisher = InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    gemaakt: list[int] = []
    echt = psycopg.Connection.cursor
    rondes = threading.local()  # only the relay's rounds count, not the commits between them

    def tellend(self: psycopg.Connection[Any], *args: Any, **kw: Any) -> Any:
        if getattr(rondes, "aan", False):
            gemaakt.append(id(self))
        return echt(self, *args, **kw)

    def ronde() -> int:
        rondes.aan = True
        try:
            return relay.run_once()
        finally:
            rondes.aan = False

    with relay.keeping_connection():
        commit_teller(pg_engine, "A", 0)
        relay.run_once()  # the first round also reads the store id through a session
        monkeypatch.setattr(psycopg.Connection, "cursor", tellend)
        for versie in range(1, 5):
            commit_teller(pg_engine, "A", versie)
            assert ronde() == 1
        assert gemaakt == []

        commit_teller(pg_engine, "A", 5)
        publisher.fail_next = 1
        with pytest.raises(PublishError):
            ronde()  # the seals commit; the connection goes back
        assert ronde() == 1  # a connection from the pool, a cursor of its own
        assert len(gemaakt) == 1
        commit_teller(pg_engine, "A", 6)
        assert ronde() == 1
        assert len(gemaakt) == 1
    assert [m.position for m in publisher.sent] == [1, 2, 3, 4, 5, 6, 7]


def test_a_kept_connection_whose_server_ended_it_is_replaced_with_its_cursor(
    pg_engine: Engine, relay_engine: Engine
) -> None:
    """The server ends the kept connection between two rounds (a restart, an administrator):
    the next round fails on the kept cursor, gives the connection back (the pool replaces it)
    and drops the cursor; the round after takes a new connection with a cursor of its own and
    publishes what the failed round did not, each once."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    publisher = InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    with relay.keeping_connection():
        commit_teller(pg_engine, "A", 0)
        assert relay.run_once() == 1
        kept = relay._kept
        assert kept is not None and relay._cursor is not None
        pid = kept.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with pg_engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
        commit_teller(pg_engine, "A", 1)
        with pytest.raises(DBAPIError):
            relay.run_once()
        assert relay._kept is None and relay._cursor is None
        assert relay.run_once() == 1
        assert relay._kept is not None and relay._kept is not kept
        commit_teller(pg_engine, "A", 2)
        assert relay.run_once() == 1
    assert [m.position for m in publisher.sent] == [1, 2, 3]
