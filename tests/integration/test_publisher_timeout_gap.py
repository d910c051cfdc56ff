"""Records that time out must not leave a gap that reconciliation would skip.

The publisher's reconciliation takes the last position on a partition as "everything before it
landed". librdkafka's gapless guarantee does not cover ``message.timeout.ms``: a record that
times out while still queued (never sent) is dropped, the idempotent producer bumps its epoch
(KIP-360) and sends the records queued behind it, which then land after the gap. Only records
produced at different moments have different deadlines, and the relay produces a round in one
loop, but that loop can stretch (a gen-2 collection, the GIL shared with the API in the
embedded relay): the first test stretches it on purpose, with a private broker (port 19092,
the chaos broker of ``tests.support.infra.Broker``) that it stops (SIGSTOP) and resumes
(SIGCONT). With ``message.timeout.ms`` at librdkafka's default behaviour of timing records out
it lost positions 7-10 for good (on the topic: 1-6, 11-20); the relay's producer now has no
message timeout of its own (``relay_producer_config``) and the round's deadline is the
publisher's flush, after which the whole queue is purged with the producer.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any
from uuid import uuid4

import pytest
from confluent_kafka import Producer

from shared.messaging import publisher as publisher_module
from shared.messaging.publisher import (
    POSITION_HEADER,
    KafkaPublisher,
    OutgoingMessage,
    PublishError,
)
from tests.support.events import teller_bericht
from tests.support.infra import ROOT, Broker, create_topic
from tests.support.kafka_read import read_topic

pytestmark = [pytest.mark.kafka]

STORE = str(uuid4())
TIMEOUT_MS = 3000


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker]:
    b = Broker()
    b.start()
    try:
        yield b
    finally:
        _pause(b, False)  # never leave it stopped
        b.stop()


def _pid(b: Broker) -> int:
    name = b.env["KAFKA_NAME"]
    return int((ROOT / "var" / name / "kafka.pid").read_text().strip())


def _pause(b: Broker, stop: bool) -> None:
    """SIGSTOP (``stop``) or SIGCONT this test's own broker (never the shared one)."""
    with suppress(FileNotFoundError, ProcessLookupError):
        os.kill(_pid(b), signal.SIGSTOP if stop else signal.SIGCONT)


def _langzame_producer(voor_positie: Callable[[int], None]) -> type[Producer]:
    """A producer whose ``produce`` first calls ``voor_positie`` with the record's position:
    the relay's produce loop, stretched where the test says."""

    class Langzaam(Producer):
        def produce(self, *args: Any, **kwargs: Any) -> None:
            headers = dict(kwargs["headers"])
            voor_positie(int(headers[POSITION_HEADER]))
            super().produce(*args, **kwargs)

    return Langzaam


def _versies(bootstrap: str, topic: str, verwacht: int) -> list[int]:
    per_partitie = read_topic(bootstrap, topic, expect_at_least=verwacht, timeout_s=20)
    return [int(e.sequence) for records in per_partitie.values() for e in records]


def _publiceer_zoals_de_relay(publisher: KafkaPublisher, batch: list[OutgoingMessage]) -> int:
    """Publish ``batch`` as the relay does: after a PublishError its next round sends the same
    unmarked rows again (the publisher reset itself and reconciles first). Returns the number
    of failed attempts."""
    for poging in range(5):
        try:
            publisher.publish(batch)
            return poging
        except PublishError:
            time.sleep(0.5)
    raise AssertionError("the relay's retries did not get the round published")


def test_records_timed_out_in_the_queue_before_later_ones_landed_are_not_lost(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record 6 goes out to a broker that stopped answering; 7-10 are produced after the
    producer gave that connection up (so they wait in its queue, never sent) and time out;
    11-20 are produced later and the broker answers again before their deadline. librdkafka
    then bumps its epoch and delivers 11-20 behind the gap of 7-10; the retry's
    reconciliation sees 20 as the partition's last position and drops 7-10 for good, which
    the relay would mark published."""
    topic = create_topic(broker.bootstrap, partitions=1)
    batch = [teller_bericht(i, "S-1", i, topic, STORE) for i in range(1, 21)]
    t0 = 0.0

    def voor_positie(positie: int) -> None:
        nonlocal t0
        if positie == 6:  # the broker stops answering; record 6 goes out on the old connection
            _pause(broker, True)
            t0 = time.monotonic()
        elif positie == 7:  # after 6's request timed out and the connection was dropped
            time.sleep(max(0.0, t0 + TIMEOUT_MS / 1000 + 1.5 - time.monotonic()))
        elif positie == 11:  # past 7-10's deadline and the next scan (it runs once a second)
            time.sleep(max(0.0, t0 + 2 * TIMEOUT_MS / 1000 + 2.7 - time.monotonic()))
            _pause(broker, False)

    monkeypatch.setattr(publisher_module, "Producer", _langzame_producer(voor_positie))
    publisher = KafkaPublisher(broker.admin, delivery_timeout_ms=TIMEOUT_MS)
    try:
        publisher.publish(batch[:5])  # the producer is up, with its producer id
        _publiceer_zoals_de_relay(publisher, batch[5:])
    finally:
        _pause(broker, False)
        publisher.close()
    assert _versies(broker.bootstrap, topic, 20) == list(range(1, 21))


def _eerste_kopie(versies: list[int]) -> list[int]:
    """The versions as an idempotent consumer takes them: later copies skipped."""
    uit: list[int] = []
    for v in versies:
        if v not in uit:
            uit.append(v)
    return uit


def test_a_round_stalled_past_the_timeout_is_published_whole_by_the_retry(
    broker: Broker,
) -> None:
    """The plain case, without a stretched produce loop: the broker stops while a round is in
    flight and answers again after the round's deadline; after the retry every record is on
    the topic, in order. (The stopped broker still holds the first producer's request in its
    socket buffer and may append it after the retry's reconciliation read the partition: a
    second copy, which the consumers skip, never a gap.)"""
    topic = create_topic(broker.bootstrap, partitions=1)
    batch = [teller_bericht(i, "S-1", i, topic, STORE) for i in range(1, 21)]
    publisher = KafkaPublisher(broker.admin, delivery_timeout_ms=TIMEOUT_MS)
    try:
        publisher.publish(batch[:5])
        _pause(broker, True)
        with pytest.raises(PublishError):
            publisher.publish(batch[5:])
        _pause(broker, False)
        _publiceer_zoals_de_relay(publisher, batch[5:])
    finally:
        _pause(broker, False)
        publisher.close()
    assert _eerste_kopie(_versies(broker.bootstrap, topic, 20)) == list(range(1, 21))
