"""A busy relay keeps up: a round that anchored publishes the batch it sealed, and anchors after
that (the anchor's append holds the event store's position counter until the round commits);
the next round, at once, seals the anchor with the next batch and publishes them as they were
built (an anchor goes to Kafka only once its round committed), without reading them back from
the outbox; after a failure it still sends the waiting rows first, each once, in order."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.eventstore.sql import SqlEventStore
from shared.messaging.publisher import InMemoryPublisher, PublishError
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.events import new_event

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _append(engine: Engine, n: int) -> None:
    with make_session_factory(engine)() as s, s.begin():
        for k in range(n):
            SqlEventStore(s).append(f"S{k}", "teller", 0, [new_event(1)], "t")


def test_a_round_that_anchored_publishes_both_batches(sql_engine: Engine) -> None:
    _append(sql_engine, 23)
    publisher = InMemoryPublisher()
    relay = OutboxRelay(
        make_session_factory(sql_engine),
        publisher,
        SOURCE,
        batch_size=5,
        sealer=Verzegelaar(SOURCE, anker_elke=5, batch=5),
    )
    # 5 sealed and published, then an anchor (position 24): sealed by the next round
    assert relay.run_once() == 5
    assert relay._full  # the anchor waits: the next round goes at once
    assert relay.run_once() == 5  # 5 more sealed and published, an anchor (25)
    publisher.fail_next = 1
    with pytest.raises(PublishError):
        relay.run_once()  # 5 sealed: Kafka is down, they wait (an anchor, 26)
    rondes = [relay.run_once() for _ in range(4)]
    assert sum(rondes) == 13
    posities = [m.position for m in publisher.sent]
    assert posities == sorted(set(posities))  # once each, in log order
    assert len(posities) == 23
