"""The relay's direct CloudEvent builder (``shared.zegel.cloudevent``) gives exactly the dict
the definition gives (``from_recorded(to_recorded(row)).to_dict()``), key order included, so
the seal hashes and the bytes on Kafka are the same as before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from shared import integriteit as i
from shared.envelope import from_recorded
from shared.eventstore import EventMetadata, RecordedEvent
from shared.eventstore.tables import events
from shared.zegel import cloudevent

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"
STORE = "0b3c6d7e-0000-4000-8000-000000000001"
VORIGE, STROOM = "a" * 64, "b" * 64

METAS = [
    {"actor": "prs-1"},
    {
        "actor": "prs-2",
        "organisation": "ZH",
        "role": "bevoegd-gezag",
        "correlation_id": "c-1",
        "causation_id": "k-1",
    },
    {"actor": "bodemregie", "organisation": "", "role": None},
    {},
]
TIJDEN = [
    datetime(2010, 3, 15, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=1))),
]
IDS = [str(uuid4()), str(uuid4()).upper(), uuid4().hex]


def _row(meta: dict[str, Any], tijd: datetime, event_id: str) -> dict[str, Any]:
    return {
        "position": 42,
        "event_id": event_id,
        "stream_id": "ZH051300001",
        "stream_type": "spoedlocatie",
        "version": 3,
        "event_type": "spoedlocatie-status-gewijzigd",
        "schema_version": 2,
        "data": {"naar": "onderzocht", "bedrag": 1.5e-7, "lijst": [1, "x", None]},
        "event_metadata": meta,
        "occurred_at": tijd - timedelta(days=400),
        "recorded_at": tijd,
    }


def _tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    """The row as the relay reads it: the columns of ``events`` in their order."""
    return tuple(row[c.name] for c in events.c)


def _definitie(row: dict[str, Any]) -> dict[str, Any]:
    event = RecordedEvent(
        position=int(row["position"]),
        event_id=UUID(row["event_id"]),
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=int(row["version"]),
        event_type=row["event_type"],
        schema_version=int(row["schema_version"]),
        data=row["data"],
        metadata=EventMetadata.from_dict(row["event_metadata"]),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
    )
    return from_recorded(event, SOURCE, STORE, (i.NUL, VORIGE, STROOM)).to_dict()


@pytest.mark.parametrize("meta", METAS)
@pytest.mark.parametrize("tijd", TIJDEN)
@pytest.mark.parametrize("event_id", IDS)
def test_the_direct_cloudevent_equals_the_definition(
    meta: dict[str, Any], tijd: datetime, event_id: str
) -> None:
    row = _row(meta, tijd, event_id)
    snel = cloudevent(_tuple(row), SOURCE, STORE, VORIGE, STROOM)
    verwacht = _definitie(row)
    assert list(snel.items()) == list(verwacht.items())
    assert i.event_hash(snel) == i.event_hash(verwacht)


def test_remembered_times_and_types_are_each_events_own() -> None:
    """The builder remembers the texts of times and types it wrote: the same instant in
    another zone, the repeated clock hour of a zone (equal to the first within its zone, an
    hour later) and another type each still get their own text."""
    amsterdam = ZoneInfo("Europe/Amsterdam")
    momenten = [
        datetime(2026, 10, 25, 2, 30, tzinfo=amsterdam),
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=amsterdam),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 10, 25, 2, 30, tzinfo=amsterdam),
    ]
    for n, moment in enumerate(momenten * 2):
        row = _row({"actor": "prs-2", "organisation": "ZH"}, moment, IDS[0])
        row["event_type"] = f"spoedlocatie-soort-{n % 3}"
        assert list(cloudevent(_tuple(row), SOURCE, STORE, VORIGE, STROOM).items()) == list(
            _definitie(row).items()
        )
