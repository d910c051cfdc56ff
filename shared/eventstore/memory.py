"""In-memory event store for unit tests; the contract suite keeps it honest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

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
        stream = [e for e in self.log if e.stream_id == stream_id]
        if (stream[-1].version if stream else 0) != expected_version:
            raise ConcurrencyError(stream_id, expected_version)
        now = max(self.clock(), stream[-1].recorded_at) if stream else self.clock()
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
