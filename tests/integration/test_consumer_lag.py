"""A consumer knows how far it lags (the end of its partitions minus its positions), and
/v1/ready's lag check turns that into not ready beyond the configured bound."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from kafka import KafkaProducer

from shared.http.health import NietGereed, lag_check
from shared.messaging.consumer import KafkaProjectionConsumer, Record
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as

pytestmark = pytest.mark.kafka


class Trage:
    """Takes the first batch, then waits at the second until released."""

    name = "test-achterstand"

    def __init__(self) -> None:
        self.batches = 0
        self.at_second = threading.Event()
        self.release = threading.Event()
        self.seen = 0

    def stored_offsets(self, topic: str) -> dict[int, int]:
        return {}

    def process(self, records: list[Record]) -> None:
        if not records:
            return
        self.batches += 1
        self.seen += len(records)
        if self.batches == 2:
            self.at_second.set()
            self.release.wait(30)


def test_lag_is_measured_and_beyond_the_bound_not_ready() -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    producer = KafkaProducer(**kafka_as().client_options())
    for i in range(200):
        producer.send(topic, key=b"k", value=str(i).encode())
    producer.flush()
    producer.close()

    processor = Trage()
    consumer = KafkaProjectionConsumer(
        processor,  # type: ignore[arg-type]
        [topic],
        kafka_as(),
        max_records=20,
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,))
    thread.start()
    try:
        assert processor.at_second.wait(60)
        lag = consumer.lag
        assert lag == 200 - 20
        lags: Any = lambda: [(processor.name, consumer.lag)]  # noqa: E731
        with pytest.raises(NietGereed, match="180"):
            lag_check(lags, 100)()
        lag_check(lags, 180)()
        processor.release.set()
        deadline = time.monotonic() + 60
        while processor.seen < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        assert consumer.lag == 0
        lag_check(lags, 0)()
    finally:
        processor.release.set()
        stop.set()
        thread.join(30)
