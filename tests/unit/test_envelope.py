from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared.envelope import CloudEvent, EnvelopeError, event_type_name, from_recorded, source_urn
from shared.eventstore import EventMetadata, RecordedEvent


def _recorded() -> RecordedEvent:
    return RecordedEvent(
        position=7,
        event_id=uuid4(),
        stream_id="ZH059900001",
        stream_type="spoedlocatie",
        version=3,
        event_type="spoedlocatie-status-gewijzigd",
        schema_version=1,
        data={"status": "gesaneerd"},
        metadata=EventMetadata(actor="a@zh.nl", organisation="ZH", correlation_id="c1"),
        occurred_at=datetime(2015, 12, 31, tzinfo=UTC),
        recorded_at=datetime(2016, 1, 14, 9, 30, tzinfo=UTC),
    )


def test_a_stored_event_becomes_an_nl_gov_cloudevent() -> None:
    doc = from_recorded(_recorded(), source_urn("00000001003214345000", "locaties"), "s1").to_dict()
    assert doc["specversion"] == "1.0"
    assert doc["source"] == "urn:nld:oin:00000001003214345000:systeem:locaties"
    assert doc["type"] == "nl.overheid.bodem.spoedlocatie-status-gewijzigd"
    assert doc["subject"] == "ZH059900001"
    assert doc["time"] == "2016-01-14T09:30:00Z"  # record time
    assert doc["occurredat"] == "2015-12-31T00:00:00Z"  # business time
    assert doc["sequence"] == "3"
    assert doc["correlationid"] == "c1"
    assert all(k.isalnum() and k.islower() and len(k) <= 20 for k in doc)


def test_the_envelope_round_trips_through_json() -> None:
    event = from_recorded(_recorded(), "urn:nld:oin:1:systeem:x", "s1")
    assert CloudEvent.from_json(event.to_json()) == event


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not JSON"),
        (b"[]", "JSON object"),
        (b'{"specversion":"1.0","source":"urn:x","type":"a.b"}', "missing attributes: id"),
        (b'{"id":"1","specversion":"0.3","source":"urn:x","type":"a.b"}', "specversion"),
        (b'{"id":"1","specversion":"1.0","source":"http://x","type":"a.b"}', "URN"),
        (
            b'{"id":"1","specversion":"1.0","source":"urn:x","type":"Status Gewijzigd"}',
            "reverse-DNS",
        ),
        (b'{"id":"1","specversion":"1.0","source":"urn:x","type":"a.b","data":[]}', "data"),
    ],
)
def test_invalid_envelopes_are_refused_with_a_reason(raw: bytes, message: str) -> None:
    with pytest.raises(EnvelopeError, match=message):
        CloudEvent.from_json(raw)


def test_extension_names_follow_the_profile() -> None:
    event = CloudEvent(
        "1", "urn:x", "a.b", "s", datetime.now(UTC), {}, 1, extensions={"Not_Allowed": "x"}
    )
    with pytest.raises(EnvelopeError):
        event.to_dict()


def test_type_names_get_the_reverse_dns_prefix_once() -> None:
    assert event_type_name("kennisvraag-gesteld") == "nl.overheid.bodem.kennisvraag-gesteld"
    assert event_type_name("nl.overheid.bodem.x") == "nl.overheid.bodem.x"
