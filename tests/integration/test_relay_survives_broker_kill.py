"""Kill the Kafka broker while commands are accepted; every event arrives exactly once, in order.

Uses a disposable broker (deploy/kafka/kafka.sh with its own ports and storage) so that killing it
does not disturb the broker the rest of the suite uses.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.eventstore.sql import SqlEventStore
from shared.messaging.publisher import KafkaPublisher
from shared.outbox import OutboxRelay, RelayThread
from tests.support.events import new_event
from tests.support.infra import Broker, create_topic
from tests.support.kafka_read import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


@pytest.fixture
def broker() -> Iterator[Broker]:
    b = Broker()
    b.start()
    yield b
    b.stop()


def test_killing_kafka_loses_and_doubles_nothing(broker: Broker, pg_engine: Engine) -> None:
    topic = create_topic(broker.bootstrap, partitions=3)
    sessions = make_session_factory(pg_engine)
    publisher = KafkaPublisher(broker.admin, delivery_timeout_ms=8000)
    relay = OutboxRelay(sessions, publisher, SOURCE, batch_size=50)
    relay_thread = RelayThread(relay)
    relay_thread.start()

    streams = [f"L-{i}" for i in range(12)]
    versions = dict.fromkeys(streams, 0)
    accepted = 0
    failures: list[Exception] = []
    stop_writing = threading.Event()

    def command_loop() -> None:
        nonlocal accepted
        i = 0
        while not stop_writing.is_set():
            stream = streams[i % len(streams)]
            try:
                with sessions() as s, s.begin():
                    SqlEventStore(s).append(
                        stream, "teller", versions[stream], [new_event(i)], topic
                    )
                versions[stream] += 1
                accepted += 1
            except Exception as exc:  # a command must not fail because Kafka is down
                failures.append(exc)
            i += 1
            time.sleep(0.01)

    writer = threading.Thread(target=command_loop)
    writer.start()
    try:
        time.sleep(2)
        broker.kill()
        accepted_at_kill = accepted
        time.sleep(4)
        assert accepted > accepted_at_kill, "commands stalled while Kafka was down"
        broker.start()
        time.sleep(2)
    finally:
        stop_writing.set()
        writer.join()

    deadline = time.monotonic() + 120
    while relay.pending() and time.monotonic() < deadline:
        time.sleep(0.5)
    relay_thread.stop()
    publisher.close()

    assert failures == []
    assert relay.pending() == 0
    per_partition = read_topic(broker.bootstrap, topic, expect_at_least=accepted)
    seen: dict[str, list[int]] = defaultdict(list)
    for records in per_partition.values():
        for event in records:
            seen[event.subject].append(event.sequence)
    assert sum(len(v) for v in seen.values()) == accepted
    for stream in streams:
        assert seen[stream] == list(range(1, versions[stream] + 1)), stream
