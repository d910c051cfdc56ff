"""Publishing to Kafka with exactly one copy of every outbox row on the topic.

The producer is idempotent (``acks=all``), which removes duplicates from its own retries. What it
cannot cover is a send whose outcome is unknown (broker killed, producer closed, process crash
before the outbox row was marked). For that the publisher *reconciles* before its first send and
after any failure: every record carries its store id and global position in headers, the relay
sends in position order, so the last record of each partition tells which rows already landed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from shared.messaging.kafka_client import KafkaAccess
from shared.messaging.topics import partition_for

log = logging.getLogger(__name__)

POSITION_HEADER = "bodem-position"
STORE_HEADER = "bodem-store"


class PublishError(Exception):
    """Kafka did not confirm every message; nothing may be marked published."""


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    position: int
    store_id: str


class Publisher(Protocol):
    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Deliver all messages, in order per key, or raise PublishError."""
        ...

    def reset(self) -> None:
        """Forget what is known to be on the topic: reconcile before the next send."""
        ...

    def close(self) -> None: ...


@dataclass
class InMemoryPublisher:
    """Fake for unit tests. ``fail_next`` makes the next publish raise, as a dead broker would."""

    sent: list[OutgoingMessage] = field(default_factory=list)
    fail_next: int = 0

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise PublishError("broker unavailable (simulated)")
        seen = {(m.store_id, m.position) for m in self.sent}
        self.sent.extend(m for m in messages if (m.store_id, m.position) not in seen)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


class KafkaPublisher:
    def __init__(
        self,
        kafka: KafkaAccess,
        client_id: str = "bodemregie-relay",
        delivery_timeout_ms: int = 30_000,
    ) -> None:
        self._kafka = kafka
        self._client_id = client_id
        self._delivery_timeout_ms = delivery_timeout_ms
        self._producer: KafkaProducer | None = None
        self._reconciled: set[str] = set()

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                **self._kafka.client_options(),
                client_id=self._client_id,
                enable_idempotence=True,
                acks="all",
                max_in_flight_requests_per_connection=5,
                # The relay sends a round's rows and then flushes (which sends at once), so
                # waiting longer never delays a round; large batches mean few requests and
                # little I/O per record when a round carries thousands (bulk import).
                linger_ms=50,
                batch_size=512 * 1024,
                max_block_ms=10_000,
                reconnect_backoff_max_ms=2000,
                request_timeout_ms=min(10_000, self._delivery_timeout_ms - 1000),
                delivery_timeout_ms=self._delivery_timeout_ms,
            )
        return self._producer

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if not messages:
            return
        try:
            producer = self._get_producer()
            topics = {m.topic for m in messages}
            partitions = {t: self._partition_count(producer, t) for t in topics}
            for topic in partitions:
                if topic not in self._reconciled:
                    messages = self._drop_already_published(topic, partitions[topic], messages)
                    self._reconciled.add(topic)
            futures = [
                producer.send(
                    m.topic,
                    key=m.key.encode(),
                    value=m.value,
                    partition=partition_for(m.key.encode(), partitions[m.topic]),
                    headers=[
                        (POSITION_HEADER, str(m.position).encode()),
                        (STORE_HEADER, m.store_id.encode()),
                    ],
                )
                for m in messages
            ]
            producer.flush(timeout=self._delivery_timeout_ms / 1000)
            for f in futures:
                f.get(timeout=1)
        # kafka-python signals some broken-connection states with assertions.
        except (KafkaError, OSError, AssertionError) as exc:
            self.reset()
            raise PublishError(f"{type(exc).__name__}: {exc}") from exc

    def _partition_count(self, producer: KafkaProducer, topic: str) -> int:
        parts = producer.partitions_for(topic)
        if not parts:
            raise PublishError(f"topic {topic} does not exist")
        return len(parts)

    def _drop_already_published(
        self, topic: str, partitions: int, messages: Sequence[OutgoingMessage]
    ) -> list[OutgoingMessage]:
        store_ids = {m.store_id for m in messages if m.topic == topic}
        last = last_positions(self._kafka, topic, store_ids)
        keep = []
        for m in messages:
            p = partition_for(m.key.encode(), partitions)
            if m.topic == topic and m.position <= last.get((m.store_id, p), 0):
                log.info("position %s is already on %s[%s]; not sent again", m.position, topic, p)
                continue
            keep.append(m)
        return keep

    def reset(self) -> None:
        # After a failure the outcome of in-flight sends is unknown: start over and reconcile.
        self._reconciled.clear()
        if self._producer is not None:
            try:
                self._producer.close(timeout=0)
            except Exception:  # pragma: no cover - closing a broken producer
                log.exception("closing the producer failed")
            self._producer = None

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None


def last_positions(
    kafka: KafkaAccess, topic: str, store_ids: set[str]
) -> dict[tuple[str, int], int]:
    """For each partition, the global position in the last record written by one of
    ``store_ids``: ``{(store_id, partition): position}``."""
    consumer = KafkaConsumer(
        **kafka.client_options(),
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=5000,
        request_timeout_ms=15_000,
    )
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        ends = consumer.end_offsets(tps)
        begins = consumer.beginning_offsets(tps)
        result: dict[tuple[str, int], int] = {}
        for tp in tps:
            end = ends[tp]
            if end <= begins[tp]:
                continue
            consumer.assign([tp])
            consumer.seek(tp, end - 1)
            records = consumer.poll(timeout_ms=10_000, max_records=1).get(tp, [])
            if not records:
                raise PublishError(f"could not read the last record of {tp}")
            headers = dict(records[-1].headers or [])
            store = headers.get(STORE_HEADER, b"").decode()
            if store in store_ids:
                result[(store, tp.partition)] = int(headers[POSITION_HEADER])
        return result
    finally:
        consumer.close()
