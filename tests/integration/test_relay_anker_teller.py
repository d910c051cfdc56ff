"""A round that anchors takes the event store's position counter (the anchor is an event) and
holds its row lock until it commits; every writer's append waits for that, a bulk import's next
batch too. So the relay anchors after it published, never while it waits for the broker: the
counter is free during every publish, and then only commits (the next round seals and sends
the anchor, as any committed event); what is sealed, anchored and sent is as before."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from shared.db.engine import make_session_factory
from shared.integriteit import ANKER_TYPE
from shared.messaging.publisher import InMemoryPublisher, OutgoingMessage
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.relay import commit_teller

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


class _ProbeertTeller(InMemoryPublisher):
    """Tries, during every publish, to take the position counter's row lock from another
    connection without waiting; notes when it was held."""

    def __init__(self, pg_engine: Engine) -> None:
        super().__init__()
        self._pg = pg_engine
        self.bezet: list[list[int]] = []

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        with self._pg.connect() as conn, conn.begin():
            try:
                conn.execute(text("SELECT 1 FROM event_positions WHERE id = 1 FOR UPDATE NOWAIT"))
            except OperationalError:
                self.bezet.append([m.position for m in messages])
        super().publish(messages)


def test_the_relay_publishes_without_holding_the_position_counter(pg_engine: Engine) -> None:
    publisher = _ProbeertTeller(pg_engine)
    relay = OutboxRelay(
        make_session_factory(pg_engine),
        publisher,
        SOURCE,
        sealer=Verzegelaar(SOURCE, anker_elke=3, anker_topic="t"),
    )
    with relay.keeping_connection():
        for n in range(7):
            commit_teller(pg_engine, "A", n)
            relay.run_once()
        for _ in range(3):  # the last anchor: sealed and sent by the rounds after its own
            relay.run_once()
    assert publisher.bezet == []
    assert not relay.pending()

    with pg_engine.connect() as conn:
        opgeslagen = {
            int(p): str(h)
            for p, h in conn.execute(text("SELECT position, hash FROM event_seals")).all()
        }
    verzonden = [(m.position, orjson.loads(m.value)) for m in publisher.sent]
    ankers = [p for p, doc in verzonden if ANKER_TYPE in doc["type"]]
    assert ankers == [4, 7, 10]  # every third position, as before
    assert [p for p, _ in verzonden] == sorted(opgeslagen)  # each once, in order
    assert {p: str(doc["hash"]) for p, doc in verzonden} == opgeslagen
