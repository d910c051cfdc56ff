"""One contract, three backends: the in-memory fake, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.eventstore import ConcurrencyError, NewEvent, RecordedEvent
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.sql import SqlEventStore
from tests.support.events import ACTOR, new_event
from tests.support.infra import postgres_database, sqlite_database


class Klok:
    """The stores' clock: the real time unless a test sets ``nu``."""

    def __init__(self) -> None:
        self.nu: datetime | None = None

    def __call__(self) -> datetime:
        return self.nu or datetime.now(UTC)


class Harness:
    """Runs each store call in its own transaction, as a unit of work would."""

    def __init__(self, call: Callable[[Callable[[Any], Any]], Any], klok: Klok) -> None:
        self._call = call
        self.klok = klok

    def append(
        self, stream: str, expected: int, events: Sequence[NewEvent], topic: str | None = None
    ) -> list[RecordedEvent]:
        return self._call(lambda s: s.append(stream, "teller", expected, events, topic))

    def load(self, stream: str, up_to: int | None = None) -> list[RecordedEvent]:
        return self._call(lambda s: s.load(stream, up_to))

    def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return self._call(lambda s: s.read_all(after, limit))

    def last_position(self) -> int:
        return self._call(lambda s: s.last_position())


def _sql_harness(engine: Engine) -> Harness:
    sessions = make_session_factory(engine)
    klok = Klok()

    def call(fn: Callable[[Any], Any]) -> Any:
        with sessions() as session, session.begin():
            return fn(SqlEventStore(session, klok))

    return Harness(call, klok)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "memory":
        klok = Klok()
        memory = InMemoryEventStore(clock=klok)
        yield Harness(lambda fn: fn(memory), klok)
    elif request.param == "sqlite":
        with sqlite_database(tmp_path) as engine:
            yield _sql_harness(engine)
    else:
        with postgres_database() as engine:
            yield _sql_harness(engine)


def test_a_new_stream_starts_at_version_one(store: Harness) -> None:
    recorded = store.append("T-1", 0, [new_event(1), new_event(2)])
    assert [e.version for e in recorded] == [1, 2]
    loaded = store.load("T-1")
    assert [(e.version, e.data) for e in loaded] == [(1, {"n": 1}), (2, {"n": 2})]
    assert [e.event_id for e in loaded] == [e.event_id for e in recorded]


def test_a_stale_expected_version_is_refused_and_stores_nothing(store: Harness) -> None:
    store.append("T-1", 0, [new_event(1)])
    with pytest.raises(ConcurrencyError):
        store.append("T-1", 0, [new_event(99)])
    with pytest.raises(ConcurrencyError):
        store.append("T-1", 5, [new_event(99)])
    assert [e.data["n"] for e in store.load("T-1")] == [1]
    assert store.last_position() == 1


def test_the_global_feed_is_gapless_and_in_commit_order(store: Harness) -> None:
    store.append("A", 0, [new_event(1), new_event(2)])
    store.append("B", 0, [new_event(3)])
    store.append("A", 2, [new_event(4)])
    feed = store.read_all()
    assert [(e.position, e.stream_id, e.version) for e in feed] == [
        (1, "A", 1),
        (2, "A", 2),
        (3, "B", 1),
        (4, "A", 3),
    ]
    assert [e.position for e in store.read_all(after=2, limit=1)] == [3]
    assert store.last_position() == 4


def test_business_time_record_time_and_metadata_are_kept(store: Harness) -> None:
    occurred = datetime(2011, 8, 15, 0, 0, tzinfo=UTC)
    before = datetime.now(UTC)
    store.append("T-1", 0, [new_event(1, occurred_at=occurred)])
    (event,) = store.load("T-1")
    assert event.occurred_at == occurred
    assert before <= event.recorded_at <= datetime.now(UTC)
    assert event.metadata == ACTOR
    assert event.stream_type == "teller"


def test_load_can_stop_at_a_version_and_unknown_streams_are_empty(store: Harness) -> None:
    store.append("T-1", 0, [new_event(1), new_event(2), new_event(3)])
    assert [e.version for e in store.load("T-1", up_to=2)] == [1, 2]
    assert store.load("missing") == []


def test_record_time_never_goes_backwards_within_a_stream(store: Harness) -> None:
    """A writer whose clock is behind the stream's last event records at that event's time,
    so what was known at any moment is a prefix of the stream; other streams are unaffected."""
    store.klok.nu = datetime(2013, 5, 1, 12, 0, tzinfo=UTC)
    eerste = store.append("T-1", 0, [new_event(1)])[0].recorded_at
    store.klok.nu = datetime(2013, 5, 1, 11, 0, tzinfo=UTC)  # another server, an hour behind
    [tweede, derde] = store.append("T-1", 1, [new_event(2), new_event(3)])
    ander = store.append("T-2", 0, [new_event(1)])[0]
    assert tweede.recorded_at == derde.recorded_at == eerste
    assert ander.recorded_at == datetime(2013, 5, 1, 11, 0, tzinfo=UTC)
    assert [e.recorded_at for e in store.load("T-1")] == [eerste] * 3
    store.klok.nu = datetime(2013, 5, 2, tzinfo=UTC)
    assert store.append("T-1", 3, [new_event(4)])[0].recorded_at == store.klok.nu
