"""The relay's two publishers behave alike: the fake the unit tests use (InMemoryPublisher) and
the real one on librdkafka (KafkaPublisher). Each scenario runs against both and reads back
what reached "the topic" (the fake's list, the real topic read as admin)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import uuid4

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from shared.messaging.publisher import (
    InMemoryPublisher,
    KafkaPublisher,
    OutgoingMessage,
    Publisher,
    PublishError,
)
from shared.messaging.topics import TopicSpec, ensure_topics, partition_for
from tests.support.events import teller_bericht
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as
from tests.support.kafka_read import read_topic

pytestmark = [pytest.mark.kafka]
STORE = str(uuid4())


def _message(position: int, stream: str, version: int, topic: str) -> OutgoingMessage:
    return teller_bericht(position, stream, version, topic, STORE)


def _batch(topic: str, n: int = 30, streams: int = 5) -> list[OutgoingMessage]:
    return [_message(i, f"S-{i % streams}", (i - 1) // streams + 1, topic) for i in range(1, n + 1)]


@dataclass
class Kant:
    """One side of the contract: how to make a publisher, what reached the topic (per stream,
    the versions in the order they landed), how to make the next publish fail."""

    publisher: Callable[[], Publisher]
    op_topic: Callable[[str, int], dict[str, list[int]]]
    nieuw_topic: Callable[[], str]


def _fake() -> Kant:
    gedeeld = InMemoryPublisher()

    def op_topic(topic: str, _verwacht: int) -> dict[str, list[int]]:
        uit: dict[str, list[int]] = {}
        for m in gedeeld.sent:
            if m.topic == topic:
                uit.setdefault(m.key, []).append((m.position - 1) // 5 + 1)
        return uit

    return Kant(lambda: gedeeld, op_topic, lambda: f"fake.{uuid.uuid4().hex[:8]}")


def _kafka() -> Kant:
    def op_topic(topic: str, verwacht: int) -> dict[str, list[int]]:
        uit: dict[str, list[int]] = {}
        for records in read_topic(KAFKA_BOOTSTRAP, topic, expect_at_least=verwacht).values():
            for e in records:
                uit.setdefault(str(e.subject), []).append(int(e.sequence))
        return uit

    return Kant(lambda: KafkaPublisher(kafka_as()), op_topic, lambda: create_topic(KAFKA_BOOTSTRAP))


@pytest.fixture(params=["fake", "kafka"])
def kant(request: pytest.FixtureRequest) -> Iterator[Kant]:
    yield _fake() if request.param == "fake" else _kafka()


def _verwacht(batch: list[OutgoingMessage]) -> dict[str, list[int]]:
    uit: dict[str, list[int]] = {}
    for m in batch:
        uit.setdefault(m.key, []).append((m.position - 1) // 5 + 1)
    return uit


def test_every_message_lands_once_in_order_per_key(kant: Kant) -> None:
    topic = kant.nieuw_topic()
    batch = _batch(topic)
    publisher = kant.publisher()
    publisher.publish(batch[:12])
    publisher.publish(batch[12:])
    publisher.close()
    assert kant.op_topic(topic, 30) == _verwacht(batch)


def test_published_but_not_marked_is_not_sent_again(kant: Kant) -> None:
    """The relay's crash or failed mark between publish and commit: the next publish of the
    same rows (after ``reset``, or by a new publisher) adds only what was not there."""
    topic = kant.nieuw_topic()
    batch = _batch(topic)
    eerste = kant.publisher()
    eerste.publish(batch[:20])
    eerste.reset()
    eerste.publish(batch)
    eerste.close()
    tweede = kant.publisher()
    tweede.publish(batch[25:])
    tweede.close()
    assert kant.op_topic(topic, 30) == _verwacht(batch)


def test_what_landed_before_is_not_sent_again_by_a_later_publish_either(kant: Kant) -> None:
    """A relay that was killed after publishing 20 rows it had not marked: its successor sends
    them in more than one publish (an anchor round sends up to its anchor first, the rest
    after its commit), and none of them twice."""
    topic = kant.nieuw_topic()
    batch = _batch(topic)
    eerste = kant.publisher()
    eerste.publish(batch[:20])
    eerste.close()
    tweede = kant.publisher()
    tweede.publish(batch[:8])
    tweede.publish(batch[8:14])
    tweede.publish(batch[14:])
    tweede.close()
    assert kant.op_topic(topic, 30) == _verwacht(batch)


def test_a_publish_that_is_not_confirmed_raises_and_the_retry_lands_each_once(kant: Kant) -> None:
    topic = kant.nieuw_topic()
    batch = _batch(topic, n=10)
    publisher = kant.publisher()
    if isinstance(publisher, InMemoryPublisher):
        publisher.fail_next = 1
        ontbreekt = topic
    else:
        # A topic that does not exist yet: the broker cannot take the records.
        ontbreekt = f"test.{uuid.uuid4().hex[:10]}"
        batch = _batch(ontbreekt, n=10)
    with pytest.raises(PublishError):
        publisher.publish(batch)
    if not isinstance(publisher, InMemoryPublisher):
        ensure_topics(kafka_as(), (TopicSpec(ontbreekt, 3),))
    publisher.publish(batch)
    publisher.close()
    assert kant.op_topic(ontbreekt, 10) == _verwacht(batch)


def test_the_real_publisher_puts_each_key_where_reconciliation_looks() -> None:
    """Reconciliation reads the last record of the partition ``partition_for`` names: every
    record must land exactly there (librdkafka's own partitioner would not put it there)."""
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    batch = [_message(i, f"ZH0513{i:05d}", 1, topic) for i in range(1, 61)]
    publisher = KafkaPublisher(kafka_as())
    publisher.publish(batch)
    publisher.close()
    per_partitie = read_topic(KAFKA_BOOTSTRAP, topic, expect_at_least=60)
    assert sum(len(v) for v in per_partitie.values()) == 60
    for partitie, records in per_partitie.items():
        for e in records:
            assert partition_for(str(e.subject).encode(), 6) == partitie, e.subject


def _topic_tot_20_kb(partities: int) -> str:
    """A new topic whose broker refuses records larger than 20 kB."""
    topic = f"test.{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(**kafka_as().client_options())
    try:
        configs = {"max.message.bytes": "20000"}
        admin.create_topics([NewTopic(topic, partities, 1, topic_configs=configs)])
    finally:
        admin.close()
    return topic


def _opgevuld(message: OutgoingMessage, tekens: int) -> OutgoingMessage:
    """``message`` with a field of ``tekens`` characters added to its JSON value."""
    return message._replace(value=message.value[:-1] + b', "vulling": "' + b"x" * tekens + b'"}')


def test_a_record_the_broker_refuses_fails_the_publish_and_only_it_stays_off() -> None:
    """The producer reports failed records only (``delivery.report.only.error``): a record the
    broker refuses after it was produced (larger than its topic takes) must still fail the
    publish, and the retry of the round (the relay's next round, smaller records) lands each
    once."""
    topic = _topic_tot_20_kb(partities=3)
    batch = _batch(topic, n=10)
    te_groot = _opgevuld(batch[6], 100_000)
    publisher = KafkaPublisher(kafka_as())
    with pytest.raises(PublishError, match="MSG_SIZE_TOO_LARGE"):
        publisher.publish([*batch[:6], te_groot, *batch[7:]])
    publisher.publish(batch)
    publisher.close()
    assert _op_topic_per_stroom(topic, 10) == _verwacht(batch)


def _op_topic_per_stroom(topic: str, verwacht: int) -> dict[str, list[int]]:
    uit: dict[str, list[int]] = {}
    for records in read_topic(KAFKA_BOOTSTRAP, topic, expect_at_least=verwacht).values():
        for e in records:
            uit.setdefault(str(e.subject), []).append(int(e.sequence))
    return uit


def test_a_refused_record_leaves_no_gap_that_reconciliation_would_skip() -> None:
    """The broker refuses a record whose partition has records queued behind it in later
    batches (the refused one fills a batch of its own). The idempotent producer without the
    gapless guarantee went on with those later batches after the refusal: records 8-10 landed,
    1-7 did not, and the retry's reconciliation (last position per partition: 10) then skipped
    1-7 for good, which the relay marked published. Nothing behind a failed record may land
    before it."""
    topic = _topic_tot_20_kb(partities=1)
    batch = [_message(i, "S-1", i, topic) for i in range(1, 11)]
    te_groot = _opgevuld(batch[3], 995_000)
    publisher = KafkaPublisher(kafka_as())
    with pytest.raises(PublishError):
        publisher.publish([*batch[:3], te_groot, *batch[4:]])
    publisher.publish(batch)
    publisher.close()
    assert _op_topic_per_stroom(topic, 10) == {"S-1": list(range(1, 11))}
