"""Reading a topic back whole: (stream, version) per record, partition after partition."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from shared.envelope import CloudEvent
from shared.messaging.kafka_client import KafkaAccess


def records(
    kafka: KafkaAccess, topic: str, prefix: str = "", timeout_s: float = 120.0
) -> list[tuple[str, int]]:
    """Every record of ``topic`` whose subject starts with ``prefix`` as (subject, sequence),
    in offset order within each partition."""
    consumer = KafkaConsumer(**kafka.client_options(), group_id=None, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        out: dict[int, list[tuple[str, int]]] = {tp.partition: [] for tp in tps}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(consumer.position(tp) >= ends[tp] for tp in tps):
                break
            for tp, batch in consumer.poll(timeout_ms=500).items():
                for r in batch:
                    event = CloudEvent.from_json(r.value)
                    if event.subject.startswith(prefix):
                        out[tp.partition].append((event.subject, int(event.sequence)))
        else:
            raise TimeoutError(f"could not read {topic} to its end in {timeout_s} s")
        return [r for p in sorted(out) for r in out[p]]
    finally:
        consumer.close()
