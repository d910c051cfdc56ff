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

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    Row,
    TextualSelect,
    bindparam,
    column,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.direct import execute
from shared.db.types import UtcDateTime
from shared.eventstore.model import ConcurrencyError, EventMetadata, NewEvent, RecordedEvent
from shared.eventstore.tables import event_positions, events, outbox


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqlEventStore:
    """Works inside the caller's session and transaction (the unit of work commits)."""

    def __init__(self, session: Session, clock: Any = _utcnow) -> None:
        self._session = session
        self._clock = clock
        self._dialect: str | None = None

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
        recorded_at = self._clock()
        rows = [
            {
                "event_id": str(e.event_id or uuid4()),
                "version": expected_version + 1 + i,
                "event_type": e.event_type,
                "schema_version": e.schema_version,
                "data": e.data,
                "event_metadata": e.metadata.to_dict(),
                "occurred_at": e.occurred_at,
            }
            for i, e in enumerate(new_events)
        ]
        try:
            if self._postgresql():
                appended = self._append_postgres(
                    stream_id, stream_type, expected_version, rows, recorded_at, topic
                )
            else:
                appended = self._append_portable(
                    stream_id, stream_type, expected_version, rows, recorded_at, topic
                )
        except IntegrityError as exc:
            # Another writer committed this version first. The caller's transaction is now
            # unusable and must roll back, which also hands back the counter increment.
            raise ConcurrencyError(stream_id, expected_version) from exc
        if appended is None:
            raise ConcurrencyError(stream_id, expected_version)
        first, recorded_at = appended
        return [
            RecordedEvent(
                position=first + i,
                event_id=UUID(str(row["event_id"])),
                stream_id=stream_id,
                stream_type=stream_type,
                version=expected_version + 1 + i,
                event_type=new_events[i].event_type,
                schema_version=new_events[i].schema_version,
                data=new_events[i].data,
                metadata=new_events[i].metadata,
                occurred_at=new_events[i].occurred_at,
                recorded_at=recorded_at,
            )
            for i, row in enumerate(rows)
        ]

    def _append_portable(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        rows: list[dict[str, Any]],
        recorded_at: datetime,
        topic: str | None,
    ) -> tuple[int, datetime] | None:
        current = self._session.execute(
            select(events.c.version, events.c.recorded_at)
            .where(events.c.stream_id == stream_id)
            .order_by(events.c.version.desc())
            .limit(1)
        ).first()
        if (current.version if current else 0) != expected_version:
            return None
        if current is not None:
            recorded_at = max(recorded_at, current.recorded_at)
        last = self._session.execute(
            update(event_positions)
            .where(event_positions.c.id == 1)
            .values(last_position=event_positions.c.last_position + len(rows))
            .returning(event_positions.c.last_position)
        ).scalar_one()
        first = int(last) - len(rows) + 1
        self._session.execute(
            insert(events),
            [
                {
                    **row,
                    "position": first + i,
                    "stream_id": stream_id,
                    "stream_type": stream_type,
                    "recorded_at": recorded_at,
                }
                for i, row in enumerate(rows)
            ],
        )
        if topic is not None:
            self._session.execute(
                insert(outbox), [{"position": first + i, "topic": topic} for i in range(len(rows))]
            )
        return first, recorded_at

    def _append_postgres(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        rows: list[dict[str, Any]],
        recorded_at: datetime,
        topic: str | None,
    ) -> tuple[int, datetime] | None:
        """One round trip: take positions, check the expected version, insert the events and
        their outbox rows; returns the first position and the record time. A failed version
        check inserts nothing and returns None; the counter increment then rolls back with the
        caller's transaction."""
        params: dict[str, Any] = {
            "n": len(rows),
            "stream": stream_id,
            "stype": stream_type,
            "expected": expected_version,
            "recorded": recorded_at,
            "topic": topic,
        }
        for i, row in enumerate(rows):
            params.update(
                {
                    f"i{i}": i,
                    f"e{i}": row["event_id"],
                    f"v{i}": row["version"],
                    f"t{i}": row["event_type"],
                    f"s{i}": row["schema_version"],
                    f"d{i}": json.dumps(row["data"]),
                    f"m{i}": json.dumps(row["event_metadata"]),
                    f"o{i}": row["occurred_at"],
                }
            )
        sql = _postgres_append_sql(len(rows), expected_version > 0, topic is not None)
        uitkomst = self._session.execute(sql, params).first()
        if uitkomst is None or uitkomst.eerste is None:
            return None
        return int(uitkomst.eerste), uitkomst.vastgelegd

    def load(self, stream_id: str, up_to_version: int | None = None) -> list[RecordedEvent]:
        if self._postgresql():
            # A command's load on a cache miss: prepared, straight on psycopg (no statement
            # compiled, no SQLAlchemy row processing).
            gelezen = execute(
                self._session.connection(),
                _LOAD if up_to_version is None else _LOAD_TOT,
                (stream_id,) if up_to_version is None else (stream_id, up_to_version),
            )
            return [_from_row(r) for r in gelezen]
        query = select(events).where(events.c.stream_id == stream_id)
        if up_to_version is not None:
            query = query.where(events.c.version <= up_to_version)
        rows = self._session.execute(query.order_by(events.c.version)).all()
        return [to_recorded(r) for r in rows]

    def _postgresql(self) -> bool:
        if self._dialect is None:
            self._dialect = self._session.get_bind().dialect.name
        return self._dialect == "postgresql"

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


@lru_cache(maxsize=64)
def _postgres_append_sql(n: int, check_version: bool, with_outbox: bool) -> TextualSelect:
    """The single-statement append for ``n`` events, built once per shape."""
    values = ", ".join(
        f"(:i{i}, :e{i}, :v{i}, :t{i}, :s{i}, CAST(:d{i} AS json), CAST(:m{i} AS json), :o{i})"
        for i in range(n)
    )
    # The previous event: it must exist (the version check) and its record time is the floor
    # of the new one's (record time never goes backwards within a stream).
    vorige = (
        "(SELECT recorded_at FROM events WHERE stream_id = CAST(:stream AS varchar) "
        "AND version = CAST(:expected AS integer))"
    )
    check = f" AND EXISTS {vorige}" if check_version else ""
    recorded = f"GREATEST(:recorded, {vorige})" if check_version else ":recorded"
    outbox_cte = (
        ", ob AS (INSERT INTO outbox (position, topic) SELECT position, :topic FROM ins)"
        if with_outbox
        else ""
    )
    return (
        text(
            "WITH pos AS (UPDATE event_positions "
            "SET last_position = last_position + CAST(:n AS bigint) "
            "WHERE id = 1 RETURNING last_position), "
            "ins AS (INSERT INTO events (position, event_id, stream_id, stream_type, version, "
            "event_type, schema_version, data, event_metadata, occurred_at, recorded_at) "
            "SELECT pos.last_position - CAST(:n AS bigint) + 1 + v.i, v.e, "
            f"CAST(:stream AS varchar), :stype, v.v, v.t, v.s, v.d, v.m, v.o, {recorded} "
            f"FROM pos, (VALUES {values}) AS v(i, e, v, t, s, d, m, o) WHERE TRUE{check} "
            f"RETURNING position, recorded_at){outbox_cte} "
            "SELECT min(position) AS eerste, min(recorded_at) AS vastgelegd FROM ins"
        )
        .bindparams(
            bindparam("recorded", type_=UtcDateTime),
            *[bindparam(f"o{i}", type_=UtcDateTime) for i in range(n)],
        )
        .columns(column("eerste", BigInteger), column("vastgelegd", UtcDateTime))
    )


_COLUMNS = ", ".join(c.name for c in events.c)
_LOAD = f"SELECT {_COLUMNS} FROM events WHERE stream_id = %s ORDER BY version"
_LOAD_TOT = f"SELECT {_COLUMNS} FROM events WHERE stream_id = %s AND version <= %s ORDER BY version"


def _from_row(row: tuple[Any, ...]) -> RecordedEvent:
    """An event from a row of ``_LOAD`` as psycopg reads it (JSON parsed by the connection's
    loader; timestamps in the session's time zone, made UTC as ``UtcDateTime`` does)."""
    (position, event_id, stream_id, stream_type, version, event_type, schema_version, data,
     metadata, occurred_at, recorded_at) = row  # fmt: skip
    return RecordedEvent(
        position=position,
        event_id=UUID(event_id),
        stream_id=stream_id,
        stream_type=stream_type,
        version=version,
        event_type=event_type,
        schema_version=schema_version,
        data=data,
        metadata=EventMetadata.from_dict(metadata),
        occurred_at=occurred_at.astimezone(UTC),
        recorded_at=recorded_at.astimezone(UTC),
    )


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
