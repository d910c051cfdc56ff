"""The event store: one stream per aggregate, optimistic concurrency, a gapless global order."""

from shared.eventstore.model import (
    ConcurrencyError,
    EventMetadata,
    EventStore,
    NewEvent,
    RecordedEvent,
    StreamNotFound,
)

__all__ = [
    "ConcurrencyError",
    "EventMetadata",
    "EventStore",
    "NewEvent",
    "RecordedEvent",
    "StreamNotFound",
]
