"""In-memory event store for unit tests; the contract suite keeps it honest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import uuid4

from shared.eventstore.model import ConcurrencyError, NewEvent, RecordedEvent


@dataclass
class OutboxEntry:
    position: int
    topic: str
    published: bool = False


@dataclass
class InMemoryEventStore:
    log: list[RecordedEvent] = field(default_factory=list)
    outbox: list[OutboxEntry] = field(default_factory=list)

    def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
        topic: str | None = None,
    ) -> list[RecordedEvent]:
        if not new_events:
            return []
        current = max((e.version for e in self.log if e.stream_id == stream_id), default=0)
        if current != expected_version:
            raise ConcurrencyError(stream_id, expected_version)
        now = datetime.now(UTC)
        first = len(self.log) + 1
        recorded = [
            RecordedEvent(
                position=first + i,
                event_id=e.event_id or uuid4(),
                stream_id=stream_id,
                stream_type=stream_type,
                version=expected_version + 1 + i,
                event_type=e.event_type,
                schema_version=e.schema_version,
                data=e.data,
                metadata=e.metadata,
                occurred_at=e.occurred_at,
                recorded_at=now,
            )
            for i, e in enumerate(new_events)
        ]
        self.log.extend(recorded)
        if topic is not None:
            self.outbox.extend(OutboxEntry(r.position, topic) for r in recorded)
        return recorded

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[RecordedEvent]:
        return [
            e
            for e in self.log
            if e.stream_id == stream_id and (up_to_version is None or e.version <= up_to_version)
        ]

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return [e for e in self.log if e.position > after_position][:limit]

    def last_position(self) -> int:
        return len(self.log)
