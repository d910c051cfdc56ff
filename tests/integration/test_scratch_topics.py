"""Scratch topics made by the tests and the benchmarks are deleted again, so the shared broker
does not collect thousands of partitions run after run."""

from __future__ import annotations

import pytest
from kafka.admin import KafkaAdminClient

from tests.support import infra
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, delete_topics, kafka_as


def _topics() -> set[str]:
    admin = KafkaAdminClient(**kafka_as().client_options())
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def test_a_made_topic_is_recorded_for_the_session_end_and_deleted_by_name() -> None:
    name = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    assert name in infra._MADE
    assert name in _topics()
    assert delete_topics([name]) == []
    assert name not in _topics()
    # Deleting again (the session's end will) is not a failure.
    assert delete_topics([name]) == []


def test_a_scratch_topic_is_deleted_after_its_measurement_even_when_it_fails() -> None:
    with pytest.raises(RuntimeError), infra.scratch_topic(2) as name:
        assert name.startswith("bench.")
        assert name in _topics()
        raise RuntimeError("the measurement broke")
    assert name not in _topics()
    assert name not in infra._MADE
