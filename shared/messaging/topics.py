"""The project's Kafka topics, created explicitly (the broker does not auto-create)."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.messaging.kafka_client import KafkaAccess

log = logging.getLogger(__name__)

SPOEDLOCATIES = "bodem.spoedlocaties.v1"
KENNIS = "bodem.kennis.v1"
DEADLETTER = "bodem.deadletter.v1"
# Reports as published (rapportage's own log, sealed and anchored like the other two).
PUBLICATIES = "bodem.publicaties.v1"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int


# Event topics are the audit log: kept forever and never compacted.
AUDIT_LOG_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}
TOPICS = (
    TopicSpec(SPOEDLOCATIES, 6),
    TopicSpec(KENNIS, 3),
    TopicSpec(DEADLETTER, 1),
    TopicSpec(PUBLICATIES, 1),
)


def ensure_topics(
    kafka: KafkaAccess,
    specs: tuple[TopicSpec, ...] = TOPICS,
    timeout_s: float = 60.0,
    replicas: int = 1,
) -> None:
    """Create missing topics; waits for the broker up to ``timeout_s``. With ``replicas`` > 1
    (the three-broker cluster of deploy/kafka/cluster.sh: 3) each topic also requires
    ``replicas - 1`` in-sync replicas, so an ``acks=all`` write is on two brokers before it is
    confirmed and is refused rather than kept on one when two brokers are gone."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(
                **kafka.client_options(), client_id="bodemregie-admin", request_timeout_ms=10_000
            )
            break
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    try:
        existing = set(admin.list_topics())
        new = [
            NewTopic(
                s.name,
                num_partitions=s.partitions,
                replication_factor=replicas,
                topic_configs=topic_config(replicas),
            )
            for s in specs
            if s.name not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
            log.info("created topics %s", [t.name for t in new])
    finally:
        admin.close()


def topic_config(replicas: int) -> dict[str, str]:
    if replicas <= 1:
        return AUDIT_LOG_CONFIG
    return {**AUDIT_LOG_CONFIG, "min.insync.replicas": str(replicas - 1)}


def partition_for(key: bytes, partitions: int) -> int:
    """Kafka's default partitioning of keyed records (murmur2), so that the relay can compute
    where a record went without asking the producer."""
    from kafka.partitioner.default import murmur2

    return int((murmur2(key) & 0x7FFFFFFF) % partitions)
