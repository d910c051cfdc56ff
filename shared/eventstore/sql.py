"""Event store on SQLAlchemy (SQLite and PostgreSQL).

Concurrency: the key ``(stream_id, version)`` is unique, so of two writers appending the same
version exactly one commits; the other gets :class:`ConcurrencyError`.

Global order without gaps: positions come from the single row of ``event_positions``, updated in
the appending transaction. Its row lock is held until commit, so transactions receive positions
in the order they commit and a rolled-back transaction hands its numbers back. A reader polling
``position > n`` therefore never skips an event that commits later with a lower position, the
failure mode of plain sequences and autoincrement columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.eventstore.model import ConcurrencyError, EventMetadata, NewEvent, RecordedEvent
from shared.eventstore.tables import event_positions, events, outbox


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqlEventStore:
    """Works inside the caller's session and transaction (the unit of work commits)."""

    def __init__(self, session: Session, clock: Any = _utcnow) -> None:
        self._session = session
        self._clock = clock

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
        current = self._session.execute(
            select(events.c.version)
            .where(events.c.stream_id == stream_id)
            .order_by(events.c.version.desc())
            .limit(1)
        ).scalar()
        if (current or 0) != expected_version:
            raise ConcurrencyError(stream_id, expected_version)
        last = self._session.execute(
            update(event_positions)
            .where(event_positions.c.id == 1)
            .values(last_position=event_positions.c.last_position + len(new_events))
            .returning(event_positions.c.last_position)
        ).scalar_one()
        first = last - len(new_events) + 1
        recorded_at = self._clock()
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
                recorded_at=recorded_at,
            )
            for i, e in enumerate(new_events)
        ]
        try:
            with self._session.begin_nested():
                self._session.execute(insert(events), [_row(r) for r in recorded])
                if topic is not None:
                    self._session.execute(
                        insert(outbox),
                        [{"position": r.position, "topic": topic} for r in recorded],
                    )
        except IntegrityError as exc:
            # The version check above and this insert race with other writers; the unique key
            # settles it. The counter update stays in our (now failing) transaction.
            raise ConcurrencyError(stream_id, expected_version) from exc
        return recorded

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[RecordedEvent]:
        query = select(events).where(events.c.stream_id == stream_id)
        if up_to_version is not None:
            query = query.where(events.c.version <= up_to_version)
        rows = self._session.execute(query.order_by(events.c.version)).all()
        return [to_recorded(r) for r in rows]

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        rows = self._session.execute(
            select(events)
            .where(events.c.position > after_position)
            .order_by(events.c.position)
            .limit(limit)
        ).all()
        return [to_recorded(r) for r in rows]

    def last_position(self) -> int:
        return int(
            self._session.execute(
                select(event_positions.c.last_position).where(event_positions.c.id == 1)
            ).scalar_one()
        )


def _row(r: RecordedEvent) -> dict[str, Any]:
    return {
        "position": r.position,
        "event_id": str(r.event_id),
        "stream_id": r.stream_id,
        "stream_type": r.stream_type,
        "version": r.version,
        "event_type": r.event_type,
        "schema_version": r.schema_version,
        "data": r.data,
        "event_metadata": r.metadata.to_dict(),
        "occurred_at": r.occurred_at,
        "recorded_at": r.recorded_at,
    }


def to_recorded(row: Row[Any]) -> RecordedEvent:
    m = row._mapping
    return RecordedEvent(
        position=int(m["position"]),
        event_id=UUID(m["event_id"]),
        stream_id=m["stream_id"],
        stream_type=m["stream_type"],
        version=int(m["version"]),
        event_type=m["event_type"],
        schema_version=int(m["schema_version"]),
        data=m["data"],
        metadata=EventMetadata.from_dict(m["event_metadata"]),
        occurred_at=m["occurred_at"],
        recorded_at=m["recorded_at"],
    )
