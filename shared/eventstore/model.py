"""Value types and the interface of the event store; backends live beside this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


class ConcurrencyError(Exception):
    """Another writer appended to the stream first: the expected version is stale."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id!r} is no longer at version {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version


class StreamNotFound(Exception):
    def __init__(self, stream_id: str) -> None:
        super().__init__(f"stream {stream_id!r} does not exist")
        self.stream_id = stream_id


@dataclass(frozen=True)
class EventMetadata:
    """Who did it and why: the acting user and the ids that tie a command to its effects.

    ``actor`` is the person's pseudonym from the service's person store (``prs-<uuid>``,
    ``shared/privacy``) or a system name (``bodemregie``), never a login or e-mail address: the
    event is sealed into the hash chain and kept on Kafka forever, so personal data in it could
    never be erased. Events recorded before pseudonyms may still hold a login; they are read as
    they are."""

    actor: str
    organisation: str | None = None
    role: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> EventMetadata:
        return cls(
            actor=str(raw.get("actor", "")),
            organisation=raw.get("organisation"),
            role=raw.get("role"),
            correlation_id=raw.get("correlation_id"),
            causation_id=raw.get("causation_id"),
        )


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended. ``occurred_at`` is business time (when it happened)."""

    event_type: str
    data: dict[str, Any]
    occurred_at: datetime
    metadata: EventMetadata
    schema_version: int = 1
    # None: the store makes a random UUID (version 4). One given here is stored as given and,
    # on PostgreSQL, not checked for uniqueness (``shared_0005_event_id`` dropped that index;
    # SQLite still refuses a duplicate): a caller that supplies ids must make them unique.
    event_id: UUID | None = None


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: ``position`` is global and gapless, ``version`` counts within a stream,
    ``recorded_at`` is record time (when the system learnt of it)."""

    position: int
    event_id: UUID
    stream_id: str
    stream_type: str
    version: int
    event_type: str
    schema_version: int
    data: dict[str, Any]
    metadata: EventMetadata
    occurred_at: datetime
    recorded_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


class EventStore(Protocol):
    """The contract every backend meets; ``tests/integration/test_eventstore_contract.py``
    runs one suite against the in-memory fake, SQLite and PostgreSQL."""

    def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
        topic: str | None = None,
    ) -> list[RecordedEvent]:
        """Append after ``expected_version`` (0 for a new stream) or raise ConcurrencyError.

        With ``topic`` an outbox row per event is written in the same transaction. Record time
        never goes backwards within a stream: a clock behind the stream's last event (another
        writer's clock ahead) records at that event's time, so "what was known at time T" is
        always a prefix of the stream."""
        ...

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[RecordedEvent]:
        """The stream's events, oldest first; empty when the stream does not exist."""
        ...

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Events of all streams in global order, starting after ``after_position``."""
        ...

    def last_position(self) -> int: ...
