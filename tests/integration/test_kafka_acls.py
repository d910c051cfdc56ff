"""The broker refuses what a principal may not do (real Kafka with SASL/SCRAM and ACLs).

Each test grants the deployment's ACLs (shared/messaging/acls.grants) on topics and consumer
groups of its own, so it can run beside other tests on the shared test broker, and then acts as
the service principals with the credentials kafka.sh generated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from auditor import export
from shared.messaging.acls import (
    AUDITOR,
    KENNIS_PRINCIPAL,
    LOCATIES,
    RAPPORTAGE,
    Names,
    ensure_acls,
    granted,
    grants,
    revoke_acls,
)
from shared.messaging.consumer import DeadLetter, KafkaDeadLetterSink, Record
from shared.messaging.kafka_client import KafkaAccess, credentials_file
from shared.messaging.publisher import KafkaPublisher, OutgoingMessage
from shared.messaging.topics import TopicSpec, ensure_topics
from tests.support.infra import KAFKA_BOOTSTRAP, KAFKA_CREDENTIALS, kafka_as

pytestmark = pytest.mark.kafka

# Fail fast: a refused login otherwise retries for 30 s before giving up.
QUICK = {"bootstrap_timeout_ms": 5000, "request_timeout_ms": 5000}


@pytest.fixture(scope="module")
def names() -> Iterator[Names]:
    tag = uuid.uuid4().hex[:10]
    names = Names(
        spoedlocaties=f"test.acl.{tag}.spoedlocaties",
        kennis=f"test.acl.{tag}.kennis",
        deadletter=f"test.acl.{tag}.deadletter",
        publicaties=f"test.acl.{tag}.publicaties",
        rapportage_group=f"test-acl-{tag}-rapportage",
        kennis_group=f"test-acl-{tag}-kennis",
    )
    admin = kafka_as()
    ensure_topics(
        admin,
        (
            TopicSpec(names.spoedlocaties, 2),
            TopicSpec(names.kennis, 1),
            TopicSpec(names.deadletter, 1),
            TopicSpec(names.publicaties, 1),
        ),
    )
    ensure_acls(admin, grants(names))
    yield names
    revoke_acls(admin, {(g.resource, g.name) for g in grants(names)})


def _event(topic: str, position: int, subject: str) -> OutgoingMessage:
    value = json.dumps(
        {"specversion": "1.0", "id": str(uuid.uuid4()), "subject": subject, "position": position}
    ).encode()
    return OutgoingMessage(topic, subject, value, position, "store-acl")


def _publish_as(principal: str, *messages: OutgoingMessage) -> None:
    """Through the relay's own publisher (idempotent producer, reconciliation first)."""
    publisher = KafkaPublisher(kafka_as(principal))
    try:
        publisher.publish(messages)
    finally:
        publisher.close()


def _producer(kafka: KafkaAccess, **options: Any) -> KafkaProducer:
    return KafkaProducer(
        **kafka.client_options(), acks="all", max_block_ms=5000, **QUICK, **options
    )


def _on_topic(topic: str) -> int:
    """How many records the topic holds (its end offsets, read as admin)."""
    consumer = KafkaConsumer(**kafka_as().client_options(), group_id=None)
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(tps).values())
    finally:
        consumer.close()


def test_the_broker_holds_exactly_the_deployment_grants(names: Names) -> None:
    expected = set(grants(names))
    assert granted(kafka_as(), {(g.resource, g.name) for g in expected}) == expected


def test_locaties_publishes_its_topic_and_reconciles_by_reading_it(names: Names) -> None:
    publisher = KafkaPublisher(kafka_as(LOCATIES))
    publisher.publish(
        [_event(names.spoedlocaties, 1, "ZH0001"), _event(names.spoedlocaties, 2, "ZH0002")]
    )
    publisher.close()
    # A second relay first reads back what landed (last_positions), then sends nothing twice.
    again = KafkaPublisher(kafka_as(LOCATIES))
    again.publish(
        [_event(names.spoedlocaties, 2, "ZH0002"), _event(names.spoedlocaties, 3, "ZH0003")]
    )
    again.close()
    assert _on_topic(names.spoedlocaties) == 3


@pytest.mark.parametrize("principal", [RAPPORTAGE, KENNIS_PRINCIPAL, AUDITOR])
def test_only_locaties_may_write_the_spoedlocaties_topic(names: Names, principal: str) -> None:
    before = _on_topic(names.spoedlocaties)
    producer = _producer(kafka_as(principal), enable_idempotence=False)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(names.spoedlocaties, key=b"ZH0009", value=b"{}").get(10)
    finally:
        producer.close(timeout=1)
    assert _on_topic(names.spoedlocaties) == before


def test_the_relay_of_another_service_is_refused(names: Names) -> None:
    """The real relay code as rapportage: its idempotent producer gets a producer id (rapportage
    writes dead letters), but the topic refuses it; nothing is written."""
    from shared.messaging.publisher import PublishError

    publisher = KafkaPublisher(kafka_as(RAPPORTAGE), delivery_timeout_ms=6000)
    with pytest.raises(PublishError, match="TOPIC_AUTHORIZATION_FAILED"):
        publisher.publish([_event(names.spoedlocaties, 90, "ZH0090")])
    publisher.close()


@pytest.mark.parametrize("principal", [LOCATIES, KENNIS_PRINCIPAL, AUDITOR])
def test_only_rapportage_may_write_the_publications_topic(names: Names, principal: str) -> None:
    publisher = KafkaPublisher(kafka_as(RAPPORTAGE))
    publisher.publish([_event(names.publicaties, 1, "publicaties")])
    publisher.close()
    before = _on_topic(names.publicaties)
    producer = _producer(kafka_as(principal), enable_idempotence=False)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(names.publicaties, key=b"publicaties", value=b"{}").get(10)
    finally:
        producer.close(timeout=1)
    assert _on_topic(names.publicaties) == before


def test_only_kennis_may_write_the_kennis_topic(names: Names) -> None:
    publisher = KafkaPublisher(kafka_as(KENNIS_PRINCIPAL))
    publisher.publish([_event(names.kennis, 1, "KV-1")])
    publisher.close()
    producer = _producer(kafka_as(LOCATIES), enable_idempotence=False)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(names.kennis, key=b"KV-2", value=b"{}").get(10)
    finally:
        producer.close(timeout=1)
    assert _on_topic(names.kennis) == 1


def test_the_auditor_reads_but_may_not_write(names: Names) -> None:
    _publish_as(LOCATIES, _event(names.spoedlocaties, 50, "ZH0050"))
    gelezen = export.uit_kafka(kafka_as(AUDITOR), names.spoedlocaties, toon=False)
    assert 50 in {int(e["position"]) for e in gelezen}
    # Not even a producer id: the auditor has WRITE on no topic at all.
    producer = _producer(kafka_as(AUDITOR))
    try:
        with pytest.raises(KafkaError, match="ClusterAuthorizationFailed"):
            producer.send(names.spoedlocaties, key=b"ZH0051", value=b"{}").get(10)
    finally:
        producer.close(timeout=1)


def test_rapportage_reads_with_its_own_groups_and_dead_letters(names: Names) -> None:
    access = kafka_as(RAPPORTAGE)
    tp = TopicPartition(names.spoedlocaties, 0)
    consumer = KafkaConsumer(
        **access.client_options(),
        group_id=names.rapportage_group,
        enable_auto_commit=False,
        **QUICK,
    )
    try:
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        consumer.poll(timeout_ms=2000)
        consumer.commit()  # offsets of its own group: allowed
    finally:
        consumer.close(autocommit=False)
    other = KafkaConsumer(
        **access.client_options(), group_id=names.kennis_group, enable_auto_commit=False, **QUICK
    )
    try:
        other.assign([tp])
        with pytest.raises(GroupAuthorizationFailedError):
            other.committed(tp)  # kennis's group is not rapportage's to read or move
    finally:
        other.close(autocommit=False)
    sink = KafkaDeadLetterSink(access, names.deadletter)
    sink.send([DeadLetter("rapportage", Record(names.spoedlocaties, 0, 7, b"k", b"x"), "test")])
    sink.close()
    assert _on_topic(names.deadletter) == 1


def test_a_wrong_password_is_refused(names: Names) -> None:
    impostor = KafkaAccess(KAFKA_BOOTSTRAP, LOCATIES, "not-the-password")
    with pytest.raises(KafkaError):
        _producer(impostor)


def test_an_anonymous_client_can_neither_produce_nor_consume(names: Names) -> None:
    anonymous = KafkaAccess(KAFKA_BOOTSTRAP)
    with pytest.raises(KafkaError):
        _producer(anonymous)
    with pytest.raises(KafkaError):
        consumer = KafkaConsumer(**anonymous.client_options(), group_id=None, **QUICK)
        consumer.partitions_for_topic(names.spoedlocaties)


def test_a_forged_event_copied_from_the_topic_is_refused_by_the_broker(names: Names) -> None:
    """The attack from issue 11: copy a registration from the topic, give it a new site, the
    next position and an all-zero hash, produce it with plain kafka-python; without
    credentials, and with the read-only ones an auditor has."""
    _publish_as(LOCATIES, _event(names.spoedlocaties, 70, "ZH0070"))
    before = _on_topic(names.spoedlocaties)
    original = next(
        e
        for e in export.uit_kafka(kafka_as(AUDITOR), names.spoedlocaties, toon=False)
        if e["subject"] == "ZH0070"
    )
    forged = {**original, "subject": "ZH9999", "position": 71, "hash": "0" * 64}
    value = json.dumps(forged).encode()
    for attacker in (KafkaAccess(KAFKA_BOOTSTRAP), kafka_as(AUDITOR)):
        with pytest.raises(KafkaError):
            producer = _producer(attacker, enable_idempotence=False)
            try:
                producer.send(names.spoedlocaties, key=b"ZH9999", value=value).get(10)
            finally:
                producer.close(timeout=1)
    after = [e["subject"] for e in export.uit_kafka(kafka_as(), names.spoedlocaties, toon=False)]
    assert len(after) == before
    assert "ZH9999" not in after


def test_only_admin_creates_topics(names: Names) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        ensure_topics(
            kafka_as(LOCATIES), (TopicSpec(f"{names.spoedlocaties}.extra", 1),), timeout_s=5
        )


def test_audit_export_logs_in_with_the_auditors_file_and_says_when_refused(
    names: Names, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bodemregie.cli import main

    _publish_as(LOCATIES, _event(names.spoedlocaties, 80, "ZH0080"))
    uit = tmp_path / "log.jsonl"
    bron = ["audit", "export", "--kafka", KAFKA_BOOTSTRAP, "--stil", "-o", str(uit)]
    auditor = str(credentials_file(AUDITOR, KAFKA_CREDENTIALS))
    assert main([*bron, "--kafka-inlog", auditor, "--topic", names.spoedlocaties]) == 0
    assert '"subject":"ZH0080"' in uit.read_text(encoding="utf-8")
    locaties = str(credentials_file(LOCATIES, KAFKA_CREDENTIALS))
    with pytest.raises(SystemExit) as refused:
        main([*bron, "--kafka-inlog", locaties, "--topic", names.kennis])
    assert refused.value.code == 2
    assert "mag het niet lezen" in capsys.readouterr().err
