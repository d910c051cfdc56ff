"""An anchor is not made again identically (a new event id and time): should the round that
made it not commit (its connection lost at COMMIT, PostgreSQL crashed), the next round makes
another. So an anchor goes to Kafka only once it is committed, never from the round that made
it: what Kafka carries is always what the store holds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import orjson
import pytest
from sqlalchemy import Engine, text

from shared.db.engine import make_engine, make_session_factory
from shared.integriteit import ANKER_TYPE
from shared.messaging.publisher import InMemoryPublisher, OutgoingMessage
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.relay import commit_teller

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"
NAAM = "test-relay-anker"


@pytest.fixture
def relay_engine(pg_engine: Engine) -> Iterator[Engine]:
    engine = make_engine(
        pg_engine.url.render_as_string(hide_password=False),
        pool_size=1,
        pool_pre_ping=False,
        connect_args={"application_name": NAAM},
    )
    yield engine
    engine.dispose()


class _VerliestAnkerronde(InMemoryPublisher):
    """Ends the relay's connection right after the first anchor was published: the round that
    made it cannot commit."""

    def __init__(self, pg_engine: Engine) -> None:
        super().__init__()
        self._pg = pg_engine
        self.eens = False

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        super().publish(messages)
        if not self.eens and any(ANKER_TYPE in orjson.loads(m.value)["type"] for m in messages):
            self.eens = True
            with self._pg.begin() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = :naam"
                    ),
                    {"naam": NAAM},
                )


def test_an_anchor_whose_round_did_not_commit_never_reaches_kafka(
    pg_engine: Engine, relay_engine: Engine
) -> None:
    publisher = _VerliestAnkerronde(pg_engine)
    relay = OutboxRelay(
        make_session_factory(relay_engine),
        publisher,
        SOURCE,
        sealer=Verzegelaar(SOURCE, anker_elke=3, anker_topic="t"),
    )
    for n in range(3):
        commit_teller(pg_engine, "A", n)
    with relay.keeping_connection():
        for _ in range(10):  # the anchor round may fail once; then it is made again
            try:
                relay.run_once()
            except Exception:
                continue
            if not relay.pending():
                break
    assert not relay.pending()

    with pg_engine.connect() as conn:
        opgeslagen = {
            int(p): str(h)
            for p, h in conn.execute(text("SELECT position, hash FROM event_seals")).all()
        }
    verzonden = {m.position: str(orjson.loads(m.value)["hash"]) for m in publisher.sent}
    assert len(opgeslagen) == 4  # three events and their anchor
    assert verzonden == opgeslagen  # each as the store holds it, the anchor too
