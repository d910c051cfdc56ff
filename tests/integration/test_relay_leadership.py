"""Several processes of one service on one PostgreSQL database: one relay leads, a commit in any
process wakes it through NOTIFY, and when the leader's connection dies or it stops, another takes
over, with every outbox row published exactly once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select, text

from shared.db.engine import make_engine, make_session_factory
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import outbox
from shared.leadership import PostgresLeadership, notify_commit
from shared.messaging.publisher import InMemoryPublisher
from shared.outbox import OutboxRelay, RelayThread
from tests.support.events import new_event

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _wait_for(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _commit(engine: Engine, stream: str, n: int) -> None:
    """A command in some process: events and outbox rows, and the NOTIFY, in one commit."""
    with make_session_factory(engine).begin() as session:
        store = SqlEventStore(session)
        versie = len(store.load(stream))
        store.append(stream, "teller", versie, [new_event(i) for i in range(n)], "t")
        notify_commit(session)


def _uitbox(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(outbox.c.position)).scalars())


def test_one_leader_publishes_each_row_once_and_another_takes_over(pg_engine: Engine) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]  # two processes: own pools
    publishers = [InMemoryPublisher(), InMemoryPublisher()]
    # A long idle poll: only NOTIFY can wake the leader within the test's timeouts.
    relays = [
        RelayThread(
            OutboxRelay(make_session_factory(e), p, SOURCE),
            leadership=PostgresLeadership(e, "test"),
            idle_wait=600,
        )
        for e, p in zip(engines, publishers, strict=True)
    ]

    def gepubliceerd() -> Counter[int]:
        return Counter(m.position for p in publishers for m in p.sent)

    try:
        for relay in relays:
            relay.start()
        time.sleep(1.5)  # both have asked for the lead
        _commit(pg_engine, "A", 10)
        _wait_for(lambda: sum(gepubliceerd().values()) == 10)
        leider = next(i for i, p in enumerate(publishers) if p.sent)
        assert not publishers[1 - leider].sent  # the follower published nothing

        # The leader's lock connection dies (as with a crashed process): the lock is released.
        with pg_engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database()) AND granted"
                )
            )
        _commit(pg_engine, "B", 10)
        _wait_for(lambda: sorted(gepubliceerd()) == _uitbox(pg_engine))

        # Whoever leads now (either may have won the lock) stops; the other takes over.
        laatste = max(gepubliceerd())
        huidig = next(
            i for i, p in enumerate(publishers) if p.sent and p.sent[-1].position == laatste
        )
        relays[huidig].stop()
        voor = len(publishers[1 - huidig].sent)
        _commit(pg_engine, "C", 10)
        _wait_for(lambda: sorted(gepubliceerd()) == _uitbox(pg_engine))
        assert len(publishers[1 - huidig].sent) >= voor + 10
        assert max(gepubliceerd().values()) == 1  # nothing doubled
    finally:
        for relay in relays:
            relay.stop()
        for e in engines:
            e.dispose()


def test_a_new_term_looks_before_it_sleeps(pg_engine: Engine) -> None:
    """A NOTIFY sent before the new leader's LISTEN reached nobody: after taking the lock (at
    the start, or again after its connection died) the leader's first wait must not block."""
    leiding = PostgresLeadership(pg_engine, "test-termijn")
    try:
        for _ in range(2):
            # The lock a dropped connection held is free once its backend has ended, which
            # PostgreSQL does after the client has gone (a loaded machine may take a while).
            deadline = time.monotonic() + 30
            while not leiding.am_leader():
                assert time.monotonic() < deadline, "the lock never became free"
                time.sleep(0.05)
            begin = time.monotonic()
            leiding.wait(60)
            assert time.monotonic() - begin < 30  # returned at once, not after the idle wait
            leiding._drop_connection()  # as when the connection dies: the lock is gone
    finally:
        leiding.close()
