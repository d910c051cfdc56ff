"""Publishing to Kafka with exactly one copy of every outbox row on the topic.

The producer (librdkafka through confluent-kafka) is idempotent (``acks=all``), which removes
duplicates from its own retries; a round is published when a delivery report confirmed each
record. What it
cannot cover is a send whose outcome is unknown (broker killed, producer closed, process crash
before the outbox row was marked). For that the publisher *reconciles* before its first send and
after any failure: every record carries its store id and global position in headers, the relay
sends in position order, so the last record of each partition tells which rows already landed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError as KafkaPythonError

from shared.messaging.kafka_client import KafkaAccess
from shared.messaging.topics import partition_for

log = logging.getLogger(__name__)

POSITION_HEADER = "bodem-position"
STORE_HEADER = "bodem-store"
PARTITIES_MAX = 100_000


class PublishError(Exception):
    """Kafka did not confirm every message; nothing may be marked published."""


class OutgoingMessage(NamedTuple):
    """One outbox row as it goes to Kafka (a tuple: the relay makes one per event, and a frozen
    dataclass sets its fields one call at a time)."""

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
    # What ``sent`` holds, kept beside it: rebuilding it per publish made the fake's cost grow
    # with everything sent before, a quarter of bench/relay_kosten's "relay" CPU at 200 events
    # per round.
    _seen: set[tuple[str, int]] = field(default_factory=set, repr=False)

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise PublishError("broker unavailable (simulated)")
        seen = self._seen
        if len(seen) != len(self.sent):  # a test changed ``sent`` itself
            seen.clear()
            seen.update((m.store_id, m.position) for m in self.sent)
        for m in messages:
            if (m.store_id, m.position) not in seen:
                seen.add((m.store_id, m.position))
                self.sent.append(m)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def producer_config(kafka: KafkaAccess) -> dict[str, Any]:
    """librdkafka's connection and login settings for ``kafka`` (the same broker and SCRAM
    principal :meth:`KafkaAccess.client_options` gives kafka-python)."""
    config: dict[str, Any] = {"bootstrap.servers": kafka.bootstrap}
    if kafka.authenticated:
        config.update(
            {
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": kafka.mechanism,
                "sasl.username": kafka.username,
                "sasl.password": kafka.password,
            }
        )
    return config


def relay_producer_config(
    kafka: KafkaAccess, client_id: str = "bodemregie-relay", delivery_timeout_ms: int = 30_000
) -> dict[str, Any]:
    """The relay's producer (``bench/broker_kosten.py`` measures the broker with it).

    No compression: the broker checks every batch it takes, so a compressed one costs it a
    decompression on top, and at a round's few records per partition lz4 did not lower the
    broker's CPU per message (six runs: higher in three, lower in two). The broker's cost per
    message falls with the records per partition batch, that is with the round's size, not
    with these settings."""
    return {
        **producer_config(kafka),
        "client.id": client_id,
        # Only failed records come back to Python as a report (``_Fouten``): a report per
        # record cost the relay a call per event.
        "delivery.report.only.error": True,
        "enable.idempotence": True,
        # A batch the broker refuses fails the producer (a fatal error: ``reset`` makes a new
        # one) instead of letting the batches behind it land: reconciliation takes the last
        # position on a partition as "all before it landed", so a gap would be skipped for good
        # (test_a_refused_record_leaves_no_gap_that_reconciliation_would_skip).
        "enable.gapless.guarantee": True,
        "acks": "all",
        "max.in.flight.requests.per.connection": 5,
        # A round produces its records and then flushes, which sends at once; the linger only
        # matters for records produced while a flush runs.
        "linger.ms": 5,
        "batch.size": 1_000_000,
        "batch.num.messages": 10_000,
        "queue.buffering.max.messages": 1_000_000,
        # librdkafka never times a record out itself (0: no limit); the round's deadline is
        # the relay's (``KafkaPublisher.publish`` flushes for ``delivery_timeout_ms``, then
        # purges the whole queue and destroys the producer). A record that times out in
        # librdkafka is dropped while those queued behind it, with later deadlines, are sent
        # after an epoch bump (the gapless guarantee does not cover timeouts): they land
        # behind a gap, and reconciliation (last position per partition) would skip the gap
        # for good (test_records_timed_out_in_the_queue_before_later_ones_landed_are_not_lost).
        # Without timeouts, within one producer's life what lands on a partition is always
        # a prefix of what was produced to it.
        "message.timeout.ms": 0,
        "request.timeout.ms": min(10_000, max(1000, delivery_timeout_ms - 1000)),
        "reconnect.backoff.max.ms": 2000,
        "socket.keepalive.enable": True,
        # librdkafka logs through Python logging (not to stderr), and a lost connection is the
        # delivery reports' business, not a log line each time.
        "logger": log,
        "log.connection.close": False,
    }


class _Fouten:
    """The producer's delivery reports, which it sends for failed records only
    (``delivery.report.only.error``): the first error since ``begin``. A record that landed
    costs no call into Python; one that did not is always reported (with its error, also when
    it timed out or was purged), so a publish with no report and an empty queue after its
    flush landed whole."""

    __slots__ = ("fout",)

    def __init__(self) -> None:
        self.fout: KafkaError | None = None

    def rapport(self, err: KafkaError | None, _msg: Message) -> None:
        if err is not None and self.fout is None:
            self.fout = err


class KafkaPublisher:
    """The relay's publisher on librdkafka (confluent-kafka): an idempotent producer with
    ``acks=all``; a round counts as published only when the broker confirmed every record in a
    delivery report. Records, their CRCs and batches are built in C, which is what makes a
    relay carrying a bulk import cheap (kafka-python's producer did this in Python, at ~180 µs
    CPU per record)."""

    def __init__(
        self,
        kafka: KafkaAccess,
        client_id: str = "bodemregie-relay",
        delivery_timeout_ms: int = 30_000,
    ) -> None:
        self._kafka = kafka
        self._client_id = client_id
        self._delivery_timeout_ms = delivery_timeout_ms
        self._producer: Producer | None = None
        self._fouten = _Fouten()  # the current producer's
        self._reconciled: set[str] = set()
        # Per topic, what reconciliation found there (``last_positions``) while this producer's
        # publishes may still carry rows at or below it: a successor sends its predecessor's
        # unmarked rows in more than one publish (an anchor round sends up to its anchor, the
        # rest after its commit), so the check holds until a publish went past all of it.
        self._op_topic: dict[str, dict[tuple[str, int], int]] = {}
        self._partitions: dict[str, int] = {}  # per topic, read once per producer
        # Per partition count, the partition per key: murmur2 runs in Python, and a stream's
        # events all go the same way. Bounded: cleared beyond PARTITIES_MAX keys.
        self._partitie: dict[int, dict[str, int]] = {}

    def _get_producer(self) -> Producer:
        if self._producer is None:
            self._fouten = _Fouten()
            self._producer = Producer(
                {
                    **relay_producer_config(
                        self._kafka, self._client_id, self._delivery_timeout_ms
                    ),
                    "on_delivery": self._fouten.rapport,
                }
            )
        return self._producer

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if not messages:
            return
        try:
            producer = self._get_producer()
            partitions = {
                t: self._partition_count(producer, t) for t in {m.topic for m in messages}
            }
            for topic in partitions:
                if topic not in self._reconciled or topic in self._op_topic:
                    messages = self._drop_already_published(topic, partitions[topic], messages)
                    self._reconciled.add(topic)
            fouten = self._fouten
            fouten.fout = None
            produce, partitie = producer.produce, self._partitie_van
            # Per topic its partition count and that count's partition per key (a round's
            # records mostly share one topic, and a stream's all go the same way).
            topic, n = "", 0
            per_sleutel: dict[str, int] = {}
            for m in messages:
                if m.topic != topic:
                    topic, n = m.topic, partitions[m.topic]
                    per_sleutel = self._partitie.setdefault(n, {})
                p = per_sleutel.get(m.key)
                if p is None:
                    p = partitie(m.key, n)
                # Header values as text: the client encodes them in C.
                produce(
                    topic,
                    m.value,
                    m.key,
                    partition=p,
                    headers=[(POSITION_HEADER, str(m.position)), (STORE_HEADER, m.store_id)],
                )
            # The round's deadline (librdkafka has none, see ``relay_producer_config``): what
            # is not confirmed by then is purged, all of it, with the producer (``reset``).
            onbevestigd = producer.flush(self._delivery_timeout_ms / 1000)
        # kafka-python (reconciliation) signals some broken-connection states with assertions.
        # A fatal error (the gapless guarantee: a batch the broker refused) comes out of the
        # delivery report that follows it as a SystemError, the KafkaException its cause.
        except (
            KafkaException,
            KafkaPythonError,
            BufferError,
            OSError,
            AssertionError,
            SystemError,
        ) as exc:
            # The refused record's report, when it came first: the fatal error follows it
            # as a SystemError from its callback, or (as often) flush raises it itself.
            fout = self._fouten.fout
            self.reset()
            fataal = (
                (exc.__cause__ or exc.__context__ or exc) if isinstance(exc, SystemError) else exc
            )
            oorzaak = f"{fout.name()}: {fout.str()}; " if fout is not None else ""
            raise PublishError(f"{oorzaak}{type(fataal).__name__}: {fataal}") from exc
        if fouten.fout is not None or onbevestigd:
            # Some records may have landed: the next publish reconciles before it sends.
            fout = fouten.fout
            self.reset()
            oorzaak = (
                f"{fout.name()}: {fout.str()}"
                if fout is not None
                else f"{onbevestigd} records not confirmed"
            )
            raise PublishError(f"Kafka did not confirm the round: {oorzaak}")

    def _partitie_van(self, key: str, partitions: int) -> int:
        per_sleutel = self._partitie.setdefault(partitions, {})
        p = per_sleutel.get(key)
        if p is None:
            if len(per_sleutel) >= PARTITIES_MAX:
                per_sleutel.clear()
            p = per_sleutel[key] = partition_for(key.encode(), partitions)
        return p

    def _partition_count(self, producer: Producer, topic: str) -> int:
        count = self._partitions.get(topic)
        if count is not None:
            return count
        metadata = producer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or metadata.error is not None or not metadata.partitions:
            raise PublishError(f"topic {topic} does not exist")
        self._partitions[topic] = len(metadata.partitions)
        return len(metadata.partitions)

    def _drop_already_published(
        self, topic: str, partitions: int, messages: Sequence[OutgoingMessage]
    ) -> list[OutgoingMessage]:
        last = self._op_topic.get(topic)
        if last is None:
            store_ids = {m.store_id for m in messages if m.topic == topic}
            last = self._op_topic[topic] = last_positions(self._kafka, topic, store_ids)
        keep = []
        hoogste = max(last.values(), default=0)
        voorbij = False  # a row of this publish lies past all that was found
        for m in messages:
            if m.topic == topic:
                if m.position > hoogste:
                    voorbij = True
                elif m.position <= last.get(
                    (m.store_id, p := self._partitie_van(m.key, partitions)), 0
                ):
                    log.info(
                        "position %s is already on %s[%s]; not sent again", m.position, topic, p
                    )
                    continue
            keep.append(m)
        if voorbij:  # the relay sends in position order: later publishes lie past it all
            del self._op_topic[topic]
        return keep

    def reset(self) -> None:
        # After a failure the outcome of in-flight sends is unknown: drop them, start over with
        # a new producer (a new idempotence epoch) and reconcile before the next send.
        self._reconciled.clear()
        self._op_topic.clear()
        self._partitions.clear()
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.purge()
                producer.flush(0)
                producer.close()
            except Exception:  # pragma: no cover - closing a broken producer
                log.exception("closing the producer failed")

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(5)
            producer.close()


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
