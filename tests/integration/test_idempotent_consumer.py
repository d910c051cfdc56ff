"""The idempotent consumer against real Kafka and PostgreSQL: crashes change nothing."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import Engine, func, select

from shared.envelope import CloudEvent
from shared.eventstore.tables import consumer_offsets, dead_letters
from shared.messaging.consumer import KafkaDeadLetterSink, KafkaProjectionConsumer
from shared.messaging.publisher import KafkaPublisher, OutgoingMessage
from shared.messaging.topics import DEADLETTER, ensure_topics
from tests.support import projection
from tests.support.events import teller_bericht
from tests.support.infra import KAFKA_BOOTSTRAP, ROOT, create_topic, kafka_as, postgres_database
from tests.support.kafka_read import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
STORE = str(uuid4())


def _message(position: int, stream: str, version: int, n: int, topic: str) -> OutgoingMessage:
    return teller_bericht(position, stream, version, topic, STORE, n)


def _fill(topic: str, streams: int, per_stream: int) -> int:
    messages, position = [], 0
    for v in range(1, per_stream + 1):
        for s in range(streams):
            position += 1
            messages.append(_message(position, f"S-{s}", v, position % 97, topic))
    publisher = KafkaPublisher(kafka_as())
    publisher.publish(messages)
    publisher.close()
    return position


def _consumed(engine: Engine, group: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(consumer_offsets.c.next_offset), 0)).where(
                    consumer_offsets.c.consumer == group
                )
            ).scalar_one()
        )


def _wait_consumed(engine: Engine, group: str, total: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while _consumed(engine, group) < total:
        assert time.monotonic() < deadline, f"consumed {_consumed(engine, group)} of {total}"
        time.sleep(0.3)


@pytest.fixture
def read_db() -> Iterator[Engine]:
    with postgres_database() as engine:
        projection.test_metadata.create_all(engine)
        yield engine


@pytest.fixture
def other_read_db() -> Iterator[Engine]:
    with postgres_database() as engine:
        projection.test_metadata.create_all(engine)
        yield engine


def _run_in_thread(
    engine: Engine, group: str, topic: str
) -> tuple[threading.Event, threading.Thread]:
    sink = KafkaDeadLetterSink(kafka_as())
    consumer = KafkaProjectionConsumer(
        projection.processor(engine, group, sink), [topic], kafka_as()
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,))
    thread.start()
    return stop, thread


def _consumer_process(
    engine: Engine, group: str, topic: str, kill_after: int = 0
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.projection",
            "--db",
            engine.url.render_as_string(hide_password=False),
            "--topic",
            topic,
            "--group",
            group,
            "--bootstrap",
            KAFKA_BOOTSTRAP,
            "--kill-after",
            str(kill_after),
        ],
        cwd=ROOT,
    )


def test_a_consumer_killed_mid_batch_ends_identical_to_an_uninterrupted_run(
    read_db: Engine,
    other_read_db: Engine,
) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    total = _fill(topic, streams=40, per_stream=60)

    stop, thread = _run_in_thread(read_db, "uninterrupted", topic)
    _wait_consumed(read_db, "uninterrupted", total)
    stop.set()
    thread.join()

    # Killed with SIGKILL inside the handler, halfway through its third batch of 500.
    crashed = _consumer_process(other_read_db, "crashing", topic, kill_after=1250)
    assert crashed.wait(120) == -9
    done_before_kill = _consumed(other_read_db, "crashing")
    assert 0 < done_before_kill < total
    restarted = _consumer_process(other_read_db, "crashing", topic)
    try:
        _wait_consumed(other_read_db, "crashing", total)
    finally:
        restarted.terminate()
        restarted.wait(30)

    reference = projection.snapshot(read_db)
    assert len(reference) == 40
    assert sum(r[1] for r in reference) == total  # type: ignore[misc]
    assert projection.snapshot(other_read_db) == reference


def test_duplicates_on_the_topic_are_applied_once(read_db: Engine) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    first = [_message(i, "S-1", i, 10, topic) for i in (1, 2, 3)]
    producer = KafkaProducer(**kafka_as().client_options())
    for m in [*first, first[1], first[2]]:  # a relay without reconciliation could do this
        producer.send(topic, key=m.key.encode(), value=m.value, partition=0)
    producer.flush()
    producer.close()
    stop, thread = _run_in_thread(read_db, "dedup", topic)
    _wait_consumed(read_db, "dedup", 5)
    stop.set()
    thread.join()
    assert projection.snapshot(read_db) == [("S-1", 3, 30, 3)]


def test_a_poison_message_is_dead_lettered_and_processing_continues(read_db: Engine) -> None:
    ensure_topics(kafka_as())
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    consumer = KafkaConsumer(**kafka_as().client_options(), group_id=None)
    dlq = TopicPartition(DEADLETTER, 0)
    dlq_start = consumer.end_offsets([dlq])[dlq]
    producer = KafkaProducer(**kafka_as().client_options())
    good = _message(1, "S-1", 1, 5, topic)
    invalid_data = CloudEvent.from_json(_message(2, "S-1", 2, 5, topic).value)
    bad_data = CloudEvent(
        invalid_data.id,
        invalid_data.source,
        invalid_data.type,
        invalid_data.subject,
        invalid_data.time,
        {"zonder": "n"},
        2,
    )
    after = _message(3, "S-1", 3, 7, topic)
    for value in [good.value, b"{not json", bad_data.to_json(), after.value]:
        producer.send(topic, key=b"S-1", value=value, partition=0)
    producer.flush()
    producer.close()

    stop, thread = _run_in_thread(read_db, "poison", topic)
    _wait_consumed(read_db, "poison", 4)
    stop.set()
    thread.join()

    assert projection.snapshot(read_db) == [("S-1", 2, 12, 3)]
    with read_db.connect() as conn:
        reasons = conn.execute(
            select(dead_letters.c.kafka_offset, dead_letters.c.reason).order_by(
                dead_letters.c.kafka_offset
            )
        ).all()
    assert [r[0] for r in reasons] == [1, 2]
    assert "CloudEvent" in reasons[0][1] and "data.n ontbreekt" in reasons[1][1]
    consumer.assign([dlq])
    consumer.seek(dlq, dlq_start)
    letters: list[object] = []
    deadline = time.monotonic() + 30
    while len(letters) < 2 and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            letters.extend(r for r in records if topic.encode() in r.value)
    consumer.close()
    assert len(letters) == 2


def test_a_restarted_relay_does_not_publish_what_already_landed() -> None:
    """Published but not marked (a crash between the two): a new publisher reconciles."""
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    batch = [_message(i, f"S-{i % 5}", (i - 1) // 5 + 1, i, topic) for i in range(1, 31)]
    first = KafkaPublisher(kafka_as())
    first.publish(batch[:20])
    first.close()
    second = KafkaPublisher(kafka_as())
    second.publish(batch)  # the relay did not get to mark rows 1-20
    second.close()
    on_topic = read_topic(KAFKA_BOOTSTRAP, topic, expect_at_least=30)
    positions = sorted(int(e.extensions["position"]) for evs in on_topic.values() for e in evs)
    assert positions == list(range(1, 31))
