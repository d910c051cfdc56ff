"""Helpers to make events in tests."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.eventstore import EventMetadata, NewEvent

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
