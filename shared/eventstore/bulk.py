"""Appending the events of many streams at once (bulk import).

On PostgreSQL three statements, whatever the number of events: positions from the counter, then
the events by binary COPY (``shared.db.kopie``) and their outbox rows by one INSERT of a series.
The counter's row lock is taken by the first and held to COMMIT, so positions stay gap-free and
in commit order, as for every append (see ``sql.py``).
The unique ``(stream_id, version)`` refuses a version another writer took since the caller read
the stream; the caller's transaction then rolls back whole. On SQLite each stream goes through
the ordinary append.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, SafeUUID

from sqlalchemy import BigInteger, String, bindparam, column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from shared.aggregate import UNSTAMPED, stamp
from shared.db.kopie import kopieer
from shared.eventstore.model import ConcurrencyError, EventMetadata, NewEvent, RecordedEvent
from shared.eventstore.sql import SqlEventStore, to_recorded
from shared.eventstore.tables import events, outbox

# (stream id, stream type, expected version, new events, record time)
StreamAppend = tuple[str, str, int, Sequence[NewEvent], datetime]

_POSITIES_PG = text(
    "UPDATE event_positions SET last_position = last_position + CAST(:n AS bigint) "
    "WHERE id = 1 RETURNING last_position - CAST(:n AS bigint) AS basis"
).columns(column("basis", BigInteger))

_EVENT_KOLOMMEN = tuple(events.c.keys())

# The outbox rows of positions van..tot, as the single append writes them (published_at NULL).
_OUTBOX_PG = text(
    f"INSERT INTO {outbox.name} (position, topic) "
    "SELECT generate_series(CAST(:van AS bigint), CAST(:tot AS bigint)), CAST(:topic AS varchar)"
)


# The streams' events by one probe of the (stream_id, version) index per stream: OFFSET 0 keeps
# the subquery from being flattened into a join the planner could run as a scan of the whole
# log (as ``stream_id = ANY(:array)`` can: a generic plan made while the log was small, with a
# parameter array compared element by element with every row).
_LAAD_PG = (
    text(
        f"SELECT {', '.join(f'e.{k.name}' for k in events.c)} "
        "FROM unnest(CAST(:ids AS varchar[])) AS k(id) CROSS JOIN LATERAL "
        "(SELECT * FROM events WHERE stream_id = k.id OFFSET 0) AS e "
        "ORDER BY e.stream_id, e.version"
    )
    .bindparams(bindparam("ids", type_=ARRAY(String)))
    .columns(*events.c)
)


def load_many(session: Session, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
    """The events of each of these streams that has any, in version order, in one query."""
    if not stream_ids:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        rijen = session.execute(_LAAD_PG, {"ids": list(stream_ids)}).all()
    else:
        rijen = session.execute(
            select(events)
            .where(events.c.stream_id.in_(list(stream_ids)))
            .order_by(events.c.stream_id, events.c.version)
        ).all()
    uit: dict[str, list[RecordedEvent]] = {}
    for rij in rijen:
        e = to_recorded(rij)
        uit.setdefault(e.stream_id, []).append(e)
    return uit


# Byte maps that set a random UUID's version (4) and variant (RFC 4122) bits, as
# ``UUID(bytes=..., version=4)`` sets them, for all of a batch's ids at once.
_VERSIE_4 = bytes((b & 0x0F) | 0x40 for b in range(256))
_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))


def _uuid4s(n: int) -> list[tuple[UUID, str]]:
    """``uuid4()`` n times, each with its text form, from one read of the system's randomness.
    Each is the UUID that ``UUID(bytes=b, version=4)`` makes of its 16 random bytes, built as
    that constructor builds it but without its per-call argument checks, and the text is cut
    from one hex string of the whole batch (``str(uuid)`` formats each anew): ~1.4 instead of
    ~2.7 µs an event. ``tests/unit/test_bulk_ids.py`` holds them equal to the constructor's."""
    ruw = bytearray(os.urandom(16 * n))
    ruw[6::16] = ruw[6::16].translate(_VERSIE_4)
    ruw[8::16] = ruw[8::16].translate(_VARIANT)
    hexa = ruw.hex()
    nieuw, zet, veilig = object.__new__, object.__setattr__, SafeUUID.unknown
    uit = []
    for i in range(0, 16 * n, 16):
        u = nieuw(UUID)
        zet(u, "int", int.from_bytes(ruw[i : i + 16]))
        zet(u, "is_safe", veilig)
        h = hexa[2 * i : 2 * i + 32]
        uit.append((u, f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"))
    return uit


def append_many(
    session: Session,
    appends: Sequence[StreamAppend],
    topic: str | None,
    stempel: EventMetadata | None = None,
) -> list[RecordedEvent]:
    """Append every stream's new events in the caller's transaction, streams in the given
    order, each stream's events in version order; returns them as recorded. ``stempel``: the
    metadata of the events recorded without any (``shared.aggregate.stamp``'s rule, applied as
    the rows are built instead of copying every event first); without it, such an event is
    refused as ``stamp`` refuses it."""
    if session.get_bind().dialect.name != "postgresql":
        uit: list[RecordedEvent] = []
        for stream_id, stream_type, expected, new_events, recorded_at in appends:
            store = SqlEventStore(session, lambda at=recorded_at: at)
            gestempeld = stamp(list(new_events), stempel)
            uit += store.append(stream_id, stream_type, expected, gestempeld, topic)
        return uit
    aantal = sum(len(new_events) for _, _, _, new_events, _ in appends)
    if not aantal:
        return []
    ids = iter(_uuid4s(aantal))
    # (event id, its text, stream id, stream type, version, new event, record time), in append
    # order
    nieuw = [
        (
            *((e.event_id, str(e.event_id)) if e.event_id else next(ids)),
            stream_id,
            stream_type,
            expected + 1 + k,
            e,
            recorded_at,
        )
        for stream_id, stream_type, expected, new_events, recorded_at in appends
        for k, e in enumerate(new_events)
    ]
    # One metadata object stamps a whole batch: its dict is built once.
    metadata: dict[int, tuple[EventMetadata, dict[str, Any]]] = {}
    for *_, e, _ in nieuw:
        if id(e.metadata) not in metadata:
            eigen = e.metadata
            if eigen is UNSTAMPED:
                if stempel is None:
                    stamp([e], None)  # refuses it, as for every append
                    raise AssertionError  # pragma: no cover - stamp raised
                eigen = stempel
            metadata[id(e.metadata)] = (eigen, eigen.to_dict())
    # The counter first (its row lock, held to COMMIT, orders the commits), then the events and
    # their outbox rows, with the positions it handed out.
    basis = session.execute(_POSITIES_PG, {"n": len(nieuw)}).scalar_one_or_none()
    if basis is None:  # pragma: no cover - the counter row always exists
        raise ConcurrencyError(nieuw[0][2], nieuw[0][4] - 1)
    basis = int(basis) + 1
    kopieer(
        session,
        events,
        _EVENT_KOLOMMEN,
        [
            (
                basis + k,
                tekst,
                stream_id,
                stream_type,
                version,
                e.event_type,
                e.schema_version,
                e.data,
                metadata[id(e.metadata)][1],
                e.occurred_at,
                recorded_at,
            )
            for k, (_, tekst, stream_id, stream_type, version, e, recorded_at) in enumerate(nieuw)
        ],
    )
    if topic is not None:
        # One outbox row per position, made by the server: a row of Python per event less.
        session.execute(_OUTBOX_PG, {"van": basis, "tot": basis + len(nieuw) - 1, "topic": topic})
    return [
        _vastgelegd(
            basis + k,
            event_id,
            stream_id,
            stream_type,
            version,
            e.event_type,
            e.schema_version,
            e.data,
            metadata[id(e.metadata)][0],
            e.occurred_at,
            recorded_at,
        )
        for k, (event_id, _, stream_id, stream_type, version, e, recorded_at) in enumerate(nieuw)
    ]


def _vastgelegd(
    position: int,
    event_id: UUID,
    stream_id: str,
    stream_type: str,
    version: int,
    event_type: str,
    schema_version: int,
    data: dict[str, Any],
    metadata: EventMetadata,
    occurred_at: datetime,
    recorded_at: datetime,
) -> RecordedEvent:
    """``RecordedEvent(...)`` with these fields and no ``extra``, built without the frozen
    dataclass's ``__init__``, which sets each of its twelve fields through a call of its own
    (~2.3 instead of ~0.7 µs an event). ``tests/integration/test_bulk_kopie.py`` compares them
    with the single load's, which fails when ``RecordedEvent`` gains a field this does not set."""
    e = _NIEUW(RecordedEvent)
    v = e.__dict__
    v["position"] = position
    v["event_id"] = event_id
    v["stream_id"] = stream_id
    v["stream_type"] = stream_type
    v["version"] = version
    v["event_type"] = event_type
    v["schema_version"] = schema_version
    v["data"] = data
    v["metadata"] = metadata
    v["occurred_at"] = occurred_at
    v["recorded_at"] = recorded_at
    v["extra"] = {}
    return e


_NIEUW = object.__new__
