"""Commands through the locaties API end up on bodem.spoedlocaties.v1 as valid CloudEvents."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine

from shared.envelope import CloudEvent
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as
from tests.support.locaties import NIEUW, locaties_client, token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_status_changes_reach_the_topic_as_cloudevents_in_order(pg_engine: Engine) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    consumer = KafkaConsumer(**kafka_as().client_options(), group_id=None)
    tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    start = consumer.end_offsets(tps)
    headers = token()
    with locaties_client(
        pg_engine, kafka_enabled=True, kafka_bootstrap=KAFKA_BOOTSTRAP, spoedlocaties_topic=topic
    ) as api:
        created = api.post("/v1/spoedlocaties", json=NIEUW, headers=headers)
        locatie_id = created.json()["locatieId"]
        for version, naar in enumerate(["onderzocht", "ernstig-spoed", "saneringsplan"], 1):
            response = api.post(
                f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen",
                json={"naar": naar, "besluitdatum": f"201{version}-01-01"},
                headers={**headers, "If-Match": f'"{version}"'},
            )
            assert response.status_code == 201
        store = api.get(f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen", headers=headers).json()[
            "gebeurtenissen"
        ][0]["storeid"]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, start[tp])
        ours: list[CloudEvent] = []
        deadline = time.monotonic() + 30
        while len(ours) < 4 and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    event = CloudEvent.from_json(record.value)  # raises if not valid
                    if event.extensions.get("storeid") == store:
                        assert record.key == locatie_id.encode()
                        ours.append(event)
    consumer.close()
    assert [e.sequence for e in ours] == [1, 2, 3, 4]
    assert {e.subject for e in ours} == {locatie_id}
    assert ours[0].type == "nl.overheid.bodem.spoedlocatie-geregistreerd"
    assert ours[3].type == "nl.overheid.bodem.spoedlocatie-status-gewijzigd"
    assert ours[3].data["naar"] == "saneringsplan"
    assert ours[3].source == "urn:nld:oin:00000001003214345000:systeem:bodemregie-locaties"
    assert ours[3].extensions["occurredat"] == "2013-01-01T00:00:00Z"
