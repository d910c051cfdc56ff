"""Reading a whole topic back in tests."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from shared.envelope import CloudEvent
from tests.support.infra import kafka_as


def read_topic(
    bootstrap: str, topic: str, expect_at_least: int = 0, timeout_s: float = 60.0
) -> dict[int, list[CloudEvent]]:
    """All records of ``topic`` per partition, in offset order, parsed as CloudEvents (read as
    admin)."""
    consumer = KafkaConsumer(
        **kafka_as(bootstrap=bootstrap).client_options(), group_id=None, enable_auto_commit=False
    )
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        out: dict[int, list[CloudEvent]] = {tp.partition: [] for tp in tps}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ends = consumer.end_offsets(tps)
            if all(consumer.position(tp) >= ends[tp] for tp in tps) and (
                sum(len(v) for v in out.values()) >= expect_at_least
            ):
                break
            for tp, records in consumer.poll(timeout_ms=500).items():
                out[tp.partition].extend(CloudEvent.from_json(r.value) for r in records)
        return out
    finally:
        consumer.close()
