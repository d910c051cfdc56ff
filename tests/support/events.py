"""Helpers to make events in tests."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from shared.envelope import from_recorded
from shared.eventstore import EventMetadata, NewEvent, RecordedEvent
from shared.messaging.publisher import OutgoingMessage

ACTOR = EventMetadata(
    actor="tester@example.org", organisation="ZH", role="bevoegd-gezag", correlation_id="corr-1"
)


def new_event(
    n: int = 1, event_type: str = "teller-opgehoogd", occurred_at: datetime | None = None
) -> NewEvent:
    return NewEvent(
        event_type=event_type,
        data={"n": n},
        occurred_at=occurred_at or datetime(2012, 3, 1, tzinfo=UTC),
        metadata=ACTOR,
    )


SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def teller_bericht(
    position: int, stream: str, version: int, topic: str, store: str, n: int | None = None
) -> OutgoingMessage:
    """A recorded counter event as the relay hands it to a publisher (``n`` defaults to the
    position)."""
    now = datetime.now(UTC)
    event = RecordedEvent(
        position=position,
        event_id=uuid4(),
        stream_id=stream,
        stream_type="teller",
        version=version,
        event_type="teller-opgehoogd",
        schema_version=1,
        data={"n": position if n is None else n},
        metadata=ACTOR,
        occurred_at=now,
        recorded_at=now,
    )
    return OutgoingMessage(
        topic, stream, from_recorded(event, SOURCE, store).to_json(), position, store
    )
