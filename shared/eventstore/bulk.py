"""Appending the events of many streams at once (bulk import).

On PostgreSQL one statement over one JSON document, whatever the number of events: positions
from the counter, the events, their outbox rows. The counter's row lock is taken there and held
to COMMIT, so positions stay gap-free and in commit order, as for every append (see ``sql.py``).
The unique ``(stream_id, version)`` refuses a version another writer took since the caller read
the stream; the caller's transaction then rolls back whole. On SQLite each stream goes through
the ordinary append.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

import orjson
from sqlalchemy import BigInteger, column, text
from sqlalchemy.orm import Session

from shared.eventstore.model import ConcurrencyError, NewEvent, RecordedEvent
from shared.eventstore.sql import SqlEventStore

# (stream id, stream type, expected version, new events, record time)
StreamAppend = tuple[str, str, int, Sequence[NewEvent], datetime]

_APPEND_PG = text(
    "WITH v AS (SELECT x.i, x.r->>'e' AS e, x.r->>'st' AS st, x.r->>'sy' AS sy, "
    "CAST(x.r->>'v' AS integer) AS ver, x.r->>'t' AS t, CAST(x.r->>'s' AS integer) AS s, "
    "x.r->'d' AS d, x.r->'m' AS m, CAST(x.r->>'o' AS timestamptz) AS o, "
    "CAST(x.r->>'r' AS timestamptz) AS r "
    "FROM json_array_elements(CAST(:rijen AS json)) WITH ORDINALITY AS x(r, i)), "
    "pos AS (UPDATE event_positions SET last_position = last_position + CAST(:n AS bigint) "
    "WHERE id = 1 RETURNING last_position - CAST(:n AS bigint) AS basis), "
    "ins AS (INSERT INTO events (position, event_id, stream_id, stream_type, version, "
    "event_type, schema_version, data, event_metadata, occurred_at, recorded_at) "
    "SELECT pos.basis + v.i, v.e, v.st, v.sy, v.ver, v.t, v.s, v.d, v.m, v.o, v.r "
    "FROM pos, v), "
    "ob AS (INSERT INTO outbox (position, topic) SELECT pos.basis + v.i, :topic "
    "FROM pos, v WHERE CAST(:topic AS varchar) IS NOT NULL) "
    "SELECT basis + 1 AS eerste FROM pos"
).columns(column("eerste", BigInteger))


def append_many(
    session: Session, appends: Sequence[StreamAppend], topic: str | None
) -> list[RecordedEvent]:
    """Append every stream's new events in the caller's transaction, streams in the given
    order, each stream's events in version order; returns them as recorded."""
    if session.get_bind().dialect.name != "postgresql":
        uit: list[RecordedEvent] = []
        for stream_id, stream_type, expected, new_events, recorded_at in appends:
            store = SqlEventStore(session, lambda at=recorded_at: at)
            uit += store.append(stream_id, stream_type, expected, new_events, topic)
        return uit
    # (event id, stream id, stream type, version, new event, record time), in append order
    nieuw = [
        (e.event_id or uuid4(), stream_id, stream_type, expected + 1 + k, e, recorded_at)
        for stream_id, stream_type, expected, new_events, recorded_at in appends
        for k, e in enumerate(new_events)
    ]
    if not nieuw:
        return []
    # One JSON document (serialised in C) instead of a parameter per cell.
    rijen = [
        {
            "e": str(event_id),
            "st": stream_id,
            "sy": stream_type,
            "v": version,
            "t": e.event_type,
            "s": e.schema_version,
            "d": e.data,
            "m": e.metadata.to_dict(),
            "o": e.occurred_at,
            "r": recorded_at,
        }
        for event_id, stream_id, stream_type, version, e, recorded_at in nieuw
    ]
    params: dict[str, Any] = {
        "n": len(nieuw),
        "topic": topic,
        "rijen": orjson.dumps(rijen).decode(),
    }
    eerste = session.execute(_APPEND_PG, params).scalar_one_or_none()
    if eerste is None:  # pragma: no cover - the counter row always exists
        raise ConcurrencyError(nieuw[0][1], nieuw[0][3] - 1)
    basis = int(eerste)
    return [
        RecordedEvent(
            position=basis + k,
            event_id=event_id,
            stream_id=stream_id,
            stream_type=stream_type,
            version=version,
            event_type=e.event_type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=e.metadata,
            occurred_at=e.occurred_at,
            recorded_at=recorded_at,
        )
        for k, (event_id, stream_id, stream_type, version, e, recorded_at) in enumerate(nieuw)
    ]
