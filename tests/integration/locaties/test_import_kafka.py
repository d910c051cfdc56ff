"""A bulk import reaches Kafka: every imported event once on the topic, sealed, in each site's
order, and the published log verifies (real broker, PostgreSQL)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine

from auditor import verify
from tests.integration.locaties.test_import import _importeer, _regels
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic
from tests.support.kafka_read import read_topic
from tests.support.locaties import locaties_client, verzegeld

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_imported_events_are_sealed_and_on_kafka_once_and_verify(pg_engine: Engine) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    regels = [r for i in range(1, 61) for r in _regels(f"ZH0513{i:05d}")]
    with locaties_client(
        pg_engine, kafka_enabled=True, kafka_bootstrap=KAFKA_BOOTSTRAP, spoedlocaties_topic=topic
    ) as api:
        assert {u["status"] for u in _importeer(api, regels)} == {201}
        # Sent again: nothing new is recorded, so nothing new is published.
        assert {u.get("herhaald") for u in _importeer(api, regels)} == {True}
        verzegeld(api)
        per_partitie = read_topic(KAFKA_BOOTSTRAP, topic, expect_at_least=len(regels))
    events = [e for records in per_partitie.values() for e in records]
    posities = [int(e.extensions["position"]) for e in events]
    assert len(events) == len(regels)
    assert max(Counter(posities).values()) == 1  # nothing doubled
    assert sorted(posities) == list(range(min(posities), min(posities) + len(regels)))
    for records in per_partitie.values():
        per_site: dict[str, list[int]] = {}
        for e in records:
            per_site.setdefault(e.subject or "", []).append(e.sequence or 0)
        assert all(v == sorted(v) for v in per_site.values())
    log = sorted((e.to_dict() for e in events), key=lambda d: int(d["position"]))
    uitslag = verify.controleer(log)
    assert uitslag.in_orde, uitslag.bevindingen[:3]
