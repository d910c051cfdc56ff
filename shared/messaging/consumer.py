"""Idempotent Kafka consumer for read models.

The Kafka offset of each partition and the read-model change are written in the *same* database
transaction, and on (re)assignment the consumer seeks to the offsets in the database, not to the
ones Kafka remembers. A crash at any point therefore neither loses nor double-applies an event.
Per stream it also remembers the last version applied, so a duplicate copy of an event on the
topic is skipped. An event the handler cannot process is recorded in ``dead_letters``, sent to
the dead-letter topic, and the partition moves on. Given the producer's ``source``, the consumer
also checks every event's seal before the handler sees it (:mod:`shared.messaging.zegelcontrole`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from sqlalchemy import CursorResult, Table, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.envelope import CloudEvent, EnvelopeError
from shared.eventstore.tables import consumer_offsets, consumer_streams, dead_letters
from shared.messaging.kafka_client import KafkaAccess
from shared.messaging.record import Record
from shared.messaging.topics import DEADLETTER
from shared.messaging.zegelcontrole import Ontvangen, Zegelcontrole, Zegelfout

log = logging.getLogger(__name__)

Handler = Callable[[Session, CloudEvent], None]


class SkipEvent(Exception):
    """Raised by a handler for an event it deliberately ignores (not an error)."""


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    record: Record
    reason: str

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "consumer": self.consumer,
                "topic": self.record.topic,
                "partition": self.record.partition,
                "offset": self.record.offset,
                "key": self.record.key.decode(errors="replace") if self.record.key else None,
                "reason": self.reason,
                "payload": self.record.value.decode(errors="replace"),
            }
        ).encode()


class DeadLetterSink(Protocol):
    def send(self, letters: Sequence[DeadLetter]) -> None:
        """Deliver before the batch commits; raising aborts the batch (it is retried)."""
        ...


class KafkaDeadLetterSink:
    def __init__(self, kafka: KafkaAccess, topic: str = DEADLETTER) -> None:
        self._producer = KafkaProducer(
            **kafka.client_options(), acks="all", enable_idempotence=True
        )
        self._topic = topic

    def send(self, letters: Sequence[DeadLetter]) -> None:
        futures = [
            self._producer.send(self._topic, key=(d.record.key or b""), value=d.to_json())
            for d in letters
        ]
        self._producer.flush(timeout=30)
        for f in futures:
            f.get(timeout=1)

    def close(self) -> None:
        self._producer.close(timeout=5)


class ListDeadLetterSink:
    """Fake for unit tests."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def send(self, letters: Sequence[DeadLetter]) -> None:
        self.letters.extend(letters)


class ProjectionProcessor:
    """Applies batches of records to a read model with exactly-once effect."""

    def __init__(
        self,
        name: str,
        sessions: sessionmaker[Session],
        handler: Handler,
        dead_letters: DeadLetterSink,
        after_each: Handler | None = None,
        source: str | None = None,
        voorsprong: int | None = None,
    ) -> None:
        """``after_each`` runs for every new event in the same transaction, whether the handler
        applied, skipped or dead-lettered it (e.g. to track which positions were processed).
        With ``source`` (the producer's CloudEvents source) every event's seal is checked
        before the handler sees it, in log order (:mod:`shared.messaging.zegelcontrole`):
        a broken, unsealed or foreign event is dead-lettered and never reaches the handler,
        as is one more than ``voorsprong`` positions beyond the last accepted one."""
        self.name = name
        self._sessions = sessions
        self._handler = handler
        self._dead_letters = dead_letters
        self._after_each = after_each
        self._zegels = Zegelcontrole(name, source, voorsprong) if source is not None else None

    def stored_offsets(self, topic: str) -> dict[int, int]:
        with self._sessions() as session:
            return self._offsets(session, topic)

    def _offsets(self, session: Session, topic: str) -> dict[int, int]:
        rows = session.execute(
            select(consumer_offsets.c.kafka_partition, consumer_offsets.c.next_offset).where(
                consumer_offsets.c.consumer == self.name, consumer_offsets.c.topic == topic
            )
        ).all()
        return {int(p): int(o) for p, o in rows}

    def process(self, records: Sequence[Record]) -> None:
        """Apply a batch in one transaction, together with the new offsets."""
        if not records:
            return
        letters: list[DeadLetter] = []
        with self._sessions() as session, session.begin():
            stored = {t: self._offsets(session, t) for t in {r.topic for r in records}}
            versions: dict[str, int] = {}
            next_offsets: dict[tuple[str, int], int] = {}
            sealed: list[Ontvangen] = []
            for record in records:
                if record.offset < stored[record.topic].get(record.partition, 0):
                    continue  # applied before a crash or a rebalance
                next_offsets[(record.topic, record.partition)] = record.offset + 1
                if self._zegels is None:
                    reason = self._apply(session, record, versions)
                else:
                    try:
                        sealed.append(self._zegels.ontvang(record))
                        reason = None
                    except Zegelfout as exc:
                        reason = str(exc)
                if reason is not None:
                    self._dead_letter(session, record, reason, letters)
            if self._zegels is not None:
                # The verification and the projection commit together, in log order.
                for ontvangen, reason in self._zegels.in_volgorde(session, sealed):
                    if reason is None:
                        reason = self._project(session, ontvangen.event, versions)
                    if reason is not None:
                        self._dead_letter(session, ontvangen.record, reason, letters)
            for (topic, partition), next_offset in next_offsets.items():
                _upsert(
                    session,
                    consumer_offsets,
                    {"consumer": self.name, "topic": topic, "kafka_partition": partition},
                    {"next_offset": next_offset},
                )
            if letters:
                self._dead_letters.send(letters)

    def _dead_letter(
        self, session: Session, record: Record, reason: str, letters: list[DeadLetter]
    ) -> None:
        letters.append(DeadLetter(self.name, record, reason))
        session.execute(
            insert(dead_letters).values(
                consumer=self.name,
                topic=record.topic,
                kafka_partition=record.partition,
                kafka_offset=record.offset,
                message_key=_als_tekst(record.key) if record.key else None,
                payload=_als_tekst(record.value),
                reason=reason,
                recorded_at=datetime.now(UTC),
            )
        )

    def _apply(self, session: Session, record: Record, versions: dict[str, int]) -> str | None:
        """Apply one record; returns the dead-letter reason, or None when it was handled."""
        try:
            event = CloudEvent.from_json(record.value)
        except EnvelopeError as exc:
            return f"ongeldige CloudEvent: {exc}"
        return self._project(session, event, versions)

    def _project(self, session: Session, event: CloudEvent, versions: dict[str, int]) -> str | None:
        stream = event.subject
        if stream not in versions:
            versions[stream] = (
                session.execute(
                    select(consumer_streams.c.version).where(
                        consumer_streams.c.consumer == self.name,
                        consumer_streams.c.stream_id == stream,
                    )
                ).scalar()
                or 0
            )
        if event.sequence <= versions[stream]:
            log.info("%s: skipping duplicate %s v%s", self.name, stream, event.sequence)
            return None
        versions[stream] = event.sequence
        _upsert(
            session,
            consumer_streams,
            {"consumer": self.name, "stream_id": stream},
            {"version": event.sequence},
        )
        if self._after_each is not None:
            self._after_each(session, event)
        savepoint = session.begin_nested()
        try:
            self._handler(session, event)
            savepoint.commit()
        except SkipEvent:
            savepoint.rollback()
        except Exception as exc:
            savepoint.rollback()
            log.warning("%s: dead-lettering %s v%s: %s", self.name, stream, event.sequence, exc)
            return f"{type(exc).__name__}: {exc}"
        return None


def _upsert(session: Session, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    where = [table.c[k] == v for k, v in key.items()]
    result = cast(CursorResult[Any], session.execute(update(table).where(*where).values(**values)))
    if not result.rowcount:
        session.execute(insert(table).values(**key, **values))


class _SeekToStoredOffsets(ConsumerRebalanceListener):
    def __init__(self, consumer: KafkaConsumer, processor: ProjectionProcessor) -> None:
        self._consumer = consumer
        self._processor = processor

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        pass

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        for tp in assigned:
            stored = self._processor.stored_offsets(tp.topic).get(tp.partition)
            if stored is None:
                self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, stored)


def _lag(consumer: KafkaConsumer) -> int | None:
    """Sum over the assigned partitions of high watermark minus position, from what the last
    fetches said (no request to the broker); None while no partition's end is known."""
    total: int | None = None
    for tp in consumer.assignment():
        end = consumer.highwater(tp)
        if end is None:
            continue
        try:
            position = consumer.position(tp, timeout_ms=0)
        except Exception:  # position not known yet (just assigned)
            continue
        if position is not None:
            total = (total or 0) + max(0, end - position)
    return total if total is not None else (0 if consumer.assignment() == set() else None)


class KafkaProjectionConsumer:
    """Drives a :class:`ProjectionProcessor` from a Kafka consumer group."""

    def __init__(
        self,
        processor: ProjectionProcessor,
        topics: Sequence[str],
        kafka: KafkaAccess,
        max_records: int = 500,
        **kafka_options: Any,
    ) -> None:
        self.processor = processor
        self._topics = list(topics)
        self._kafka = kafka
        self._max_records = max_records
        self._options = kafka_options
        # Records between this member's positions and the ends of its partitions as of its last
        # poll (None before the first): read by /v1/ready and /metrics from other threads.
        self.lag: int | None = None

    def run(self, stop: threading.Event) -> None:
        consumer = KafkaConsumer(
            **self._kafka.client_options(),
            group_id=self.processor.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # A crashed member blocks its partitions until this expires; keep restarts quick.
            session_timeout_ms=10_000,
            heartbeat_interval_ms=3_000,
            **self._options,
        )
        consumer.subscribe(self._topics, listener=_SeekToStoredOffsets(consumer, self.processor))
        try:
            while not stop.is_set():
                polled = consumer.poll(timeout_ms=500, max_records=self._max_records)
                records = [
                    Record(r.topic, r.partition, r.offset, r.key, r.value)
                    for batch in polled.values()
                    for r in batch
                ]
                records.sort(key=lambda r: (r.topic, r.partition, r.offset))
                self.processor.process(records)
                self.lag = _lag(consumer)
                if records:
                    # Informational only (lag monitoring); positions come from the database.
                    consumer.commit_async()
        finally:
            consumer.close(autocommit=False)


def _als_tekst(raw: bytes) -> str:
    """Kafka bytes as a text column can hold them: what is no UTF-8 and the NUL character,
    which PostgreSQL's text refuses (a dead letter that cannot be stored would roll back the
    consumer's batch, and the record would come back on every poll), as U+FFFD."""
    return raw.decode(errors="replace").replace("\x00", "\ufffd")
