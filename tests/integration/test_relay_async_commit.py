"""Relay rounds on PostgreSQL that did not anchor commit asynchronously (``OutboxRelay._commit``);
a round that anchored waits for its flush. Should a crash of PostgreSQL lose the last
asynchronous rounds, their seals are made again identically and what they had published is
not sent again: the publisher reconciles with the topic after a failed round and at the start
of every term.

The crash is simulated on the shared server, which these tests must not crash: the lost rounds'
seals are deleted and their marks cleared (exactly what an unflushed asynchronous commit leaves
after recovery: the events, committed synchronously by commands, are still there), and the
relay's connection is ended, as a crash ends every connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from shared.db.engine import make_engine, make_session_factory
from shared.messaging.acls import ADMIN
from shared.messaging.kafka_client import from_credentials_file
from shared.messaging.publisher import InMemoryPublisher, KafkaPublisher, OutgoingMessage
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, login_file
from tests.support.kafka_read import read_topic
from tests.support.relay import Leiding, commit_teller

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"
NAAM = "test-relay-async"
ASYNCHROON = "SET LOCAL synchronous_commit = off"


@pytest.fixture
def relay_engine(pg_engine: Engine) -> Iterator[Engine]:
    engine = make_engine(
        pg_engine.url.render_as_string(hide_password=False),
        pool_size=1,
        pool_pre_ping=False,  # as the relay process's (entrypoints/relay.py)
        connect_args={"application_name": NAAM},
    )
    yield engine
    engine.dispose()


def _statements(engine: Engine) -> list[str]:
    gezien: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: gezien.append(str(a[2])))
    return gezien


def test_a_round_that_did_not_anchor_commits_asynchronously_one_that_anchored_waits(
    pg_engine: Engine, relay_engine: Engine
) -> None:
    relay = OutboxRelay(
        make_session_factory(relay_engine),
        InMemoryPublisher(),
        SOURCE,
        sealer=Verzegelaar(SOURCE, anker_elke=1000),
    )
    commit_teller(pg_engine, "A", 0)
    relay.run_once()
    gezien = _statements(relay_engine)

    with relay.keeping_connection():  # as ``run`` does
        commit_teller(pg_engine, "A", 1)
        assert relay.run_once() == 1
        assert gezien[-1].endswith(f"{ASYNCHROON}; COMMIT")

        del gezien[:]
        relay.run_once()  # nothing new: nothing written, nothing to flush
        assert not any(ASYNCHROON in s for s in gezien)

        del gezien[:]
        commit_teller(pg_engine, "A", 2)
        relay.run_once(force_anchor=True)  # seals, anchors and seals the anchor
        assert gezien[-1].endswith("COMMIT")
        assert not any(ASYNCHROON in s for s in gezien)

    del gezien[:]
    synchroon = OutboxRelay(
        make_session_factory(relay_engine), InMemoryPublisher(), SOURCE, async_commit=False
    )
    commit_teller(pg_engine, "A", 3)
    with synchroon.keeping_connection():
        assert synchroon.run_once() == 1
    assert not any(ASYNCHROON in s for s in gezien)


@pytest.mark.kafka
def test_a_crash_a_pre_ping_hid_doubles_nothing(pg_engine: Engine) -> None:
    """Rounds outside the loop give their connection back to the pool after each round, and a
    pool that pings at checkout replaces one a crash ended without a word: no round fails, so
    nothing would reconcile. Those rounds wait for their flush; only a kept connection (the
    loop's), whose death the next round sees, commits asynchronously."""
    engine = make_engine(
        pg_engine.url.render_as_string(hide_password=False),
        pool_size=1,
        pool_pre_ping=True,  # as an API's engine (shared/db/engine.py), an embedded relay's
        connect_args={"application_name": NAAM},
    )
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    publisher = _kafka_publisher()
    relay = OutboxRelay(make_session_factory(engine), publisher, SOURCE)
    gezien = _statements(engine)
    try:
        for n, stream in enumerate("ABCABC"):
            commit_teller(pg_engine, stream, n // 3, topic)
            relay.run_once()  # a round each
        asynchroon = any(ASYNCHROON in s for s in gezien)
        if asynchroon:  # what a crash then loses
            _lose_rounds_after(pg_engine, 3)
        commit_teller(pg_engine, "A", 2, topic)
        while relay.pending():
            relay.run_once()  # the pre-ping hides the ended connection: none fails
    finally:
        publisher.close()
        engine.dispose()

    zegels = _seals(pg_engine)
    assert _on_kafka(topic, 7) == sorted(zegels.items())  # each once, with its seal
    assert not asynchroon


def _lose_rounds_after(pg_engine: Engine, position: int, end: bool = True) -> dict[int, str]:
    """What a crash leaves of asynchronous rounds after ``position``: no seals, no marks (the
    events are there), and (``end``) no connection of the relay's. Returns the lost seals."""
    with pg_engine.begin() as conn:
        verloren: dict[Any, Any] = dict(
            conn.execute(
                text("SELECT position, hash FROM event_seals WHERE position > :p"), {"p": position}
            ).all()
        )
        conn.execute(text("DELETE FROM event_seals WHERE position > :p"), {"p": position})
        conn.execute(
            text("UPDATE outbox SET published_at = NULL WHERE position > :p"), {"p": position}
        )
        if end:  # a crash ends every connection, the relay's too
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :naam"
                ),
                {"naam": NAAM},
            )
    return {int(p): str(h) for p, h in verloren.items()}


def _seals(pg_engine: Engine) -> dict[int, str]:
    with pg_engine.connect() as conn:
        return {
            int(p): str(h)
            for p, h in conn.execute(text("SELECT position, hash FROM event_seals")).all()
        }


def _on_kafka(topic: str, expect: int) -> list[tuple[int, str]]:
    """(position, hash) of every record on the topic."""
    per_partitie = read_topic(KAFKA_BOOTSTRAP, topic, expect_at_least=expect)
    return sorted(
        (int(e.extensions["position"]), str(e.extensions["hash"]))
        for records in per_partitie.values()
        for e in records
    )


def _kafka_publisher() -> KafkaPublisher:
    return KafkaPublisher(from_credentials_file(KAFKA_BOOTSTRAP, login_file(ADMIN)))


@pytest.mark.kafka
def test_rounds_a_crash_lost_are_sealed_again_identically_and_not_sent_twice(
    pg_engine: Engine, relay_engine: Engine
) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    publisher = _kafka_publisher()
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    gezien = _statements(relay_engine)
    try:
        with relay.keeping_connection():  # as ``run`` does: its rounds commit asynchronously
            for n, stream in enumerate("ABCABC"):
                commit_teller(pg_engine, stream, n // 3, topic)
                relay.run_once()  # a round each
            assert any(ASYNCHROON in s for s in gezien)
            verloren = _lose_rounds_after(pg_engine, 3)
            assert sorted(verloren) == [4, 5, 6]
            commit_teller(pg_engine, "A", 2, topic)

            with pytest.raises(Exception, match=r"(?i)terminat|closed|connection"):
                relay.run_once()  # the connection the crash ended
            while relay.pending():
                relay.run_once()
    finally:
        publisher.close()

    zegels = _seals(pg_engine)
    assert {p: zegels[p] for p in verloren} == verloren  # the same hashes again
    assert _on_kafka(topic, 7) == sorted(zegels.items())  # each once, with its seal


@pytest.mark.kafka
def test_a_new_term_reconciles_before_it_sends(pg_engine: Engine, relay_engine: Engine) -> None:
    """The crash ended the lead's connection first: the relay lost the lead and took it again
    without a failed round; the new term reads the head again and reconciles with the topic."""
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)

    verzonden: list[int] = []

    class Teller(KafkaPublisher):
        def publish(self, messages: Any) -> None:
            super().publish(messages)
            verzonden.extend(m.position for m in messages if isinstance(m, OutgoingMessage))

    publisher = Teller(from_credentials_file(KAFKA_BOOTSTRAP, login_file(ADMIN)))
    relay = OutboxRelay(make_session_factory(relay_engine), publisher, SOURCE)
    leiding, stop = Leiding(), threading.Event()
    loop = threading.Thread(
        target=relay.run,
        args=(stop, leiding),
        kwargs={"idle_wait": 0.05, "follower_wait": 0.05},
    )

    def wacht(tot: Any) -> None:
        start = time.monotonic()
        while not tot() and time.monotonic() - start < 60:
            time.sleep(0.01)
        assert tot()

    loop.start()
    try:
        for n, stream in enumerate("ABCABC"):
            commit_teller(pg_engine, stream, n // 3, topic)
            leiding.wake()
            wacht(lambda n=n: len(verzonden) >= n + 1)
        # The crash: the lead goes first, the last rounds are lost, and the relay leads again
        # (its kept connection went back to the pool with the lead: here no round fails).
        leiding.weg.set()
        wacht(leiding.gezien.is_set)
        verloren = _lose_rounds_after(pg_engine, 3, end=False)
        commit_teller(pg_engine, "A", 2, topic)
        leiding.weg.clear()
        leiding.wake()
        wacht(lambda: not relay.pending())
    finally:
        stop.set()
        leiding.wake()
        loop.join(30)
        publisher.close()

    zegels = _seals(pg_engine)
    assert {p: zegels[p] for p in verloren} == verloren
    # The stop's anchor (8) is sealed, not published (this sealer has no anchor topic).
    assert _on_kafka(topic, 7) == sorted((p, h) for p, h in zegels.items() if p <= 7)
