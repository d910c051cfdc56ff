"""Rows sealed while Kafka was down wait in the outbox and go out from there later (the
relay's backlog read, ``OutboxRelay._from_outbox``): each as the CloudEvent the event store and
the seal table describe, the same content the live path sends, with a seal that verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import Engine, select

from shared import integriteit
from shared.db.engine import make_session_factory
from shared.envelope import from_recorded
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore, to_recorded
from shared.eventstore.tables import event_seals, events
from shared.messaging.publisher import InMemoryPublisher, PublishError
from shared.outbox import OutboxRelay, store_id

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"
META = EventMetadata(
    actor="prs-ö", organisation="ZH", role="bevoegd-gezag", correlation_id="c-1", causation_id="k"
)


def _commit(engine: Engine, stream: str, version: int) -> None:
    with make_session_factory(engine).begin() as session:
        SqlEventStore(session).append(
            stream,
            "spoedlocatie",
            version,
            [
                NewEvent(
                    "spoedlocatie-status-gewijzigd",
                    {"naar": "onderzocht", "toelichting": "Zoë’s ∑ 1.5e-07", "n": [version, 0.1]},
                    datetime(2012, 3, 1, 12, 30, tzinfo=UTC),
                    META,
                )
            ],
            "t",
        )


def test_the_backlog_goes_out_as_the_store_holds_it(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    publisher = InMemoryPublisher(fail_next=1)
    relay = OutboxRelay(sessions, publisher, SOURCE)
    for n in range(5):
        _commit(sql_engine, f"S-{n % 2}", n // 2)
    with pytest.raises(PublishError):
        relay.run_once()  # Kafka down: the five are sealed and wait in the outbox
    assert not publisher.sent
    _commit(sql_engine, "S-0", 3)
    assert relay.run_once() == 6  # the five from the outbox, then the new one as sealed

    with sessions() as session:
        store = store_id(session)
        rows = session.execute(
            select(
                events, event_seals.c.hash, event_seals.c.prev_hash, event_seals.c.stream_prev_hash
            )
            .join(event_seals, event_seals.c.position == events.c.position)
            .order_by(events.c.position)
        ).all()
    assert [m.position for m in publisher.sent] == [r.position for r in rows]
    for m, r in zip(publisher.sent, rows, strict=True):
        verwacht = from_recorded(
            to_recorded(r), SOURCE, store, (r.hash, r.prev_hash, r.stream_prev_hash)
        ).to_dict()
        doc = orjson.loads(m.value)
        assert doc == verwacht
        assert list(doc) == list(verwacht)
        assert integriteit.event_hash(doc) == r.hash
        assert (m.topic, m.key, m.store_id) == ("t", r.stream_id, store)
