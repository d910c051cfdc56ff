"""The rule that an idle relay does not anchor its last anchor (``Verzegelaar._veranker``): it
skips only an anchor over that anchor alone. Whatever else is sealed after the last anchor is
anchored as before: with anchors every event the relay ends, a relay that read its head from
the database (a restart, a failed round) rests as the one that anchored, and an event committed
between the anchored head and the anchor is anchored with it at the next quiet spell."""

from __future__ import annotations

import time
from collections.abc import Sequence

import orjson
import pytest
from sqlalchemy import Engine, select

from shared.db.engine import make_session_factory
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events
from shared.integriteit import ANKER_STREAM
from shared.messaging.publisher import InMemoryPublisher, OutgoingMessage
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.events import new_event

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _append(engine: Engine, n: int, eerste: int = 0) -> None:
    with make_session_factory(engine)() as s, s.begin():
        for k in range(eerste, eerste + n):
            SqlEventStore(s).append(f"S{k}", "teller", 0, [new_event(1)], "t")


def _relay(
    engine: Engine, anker_elke: int, publisher: InMemoryPublisher | None = None
) -> OutboxRelay:
    sealer = Verzegelaar(SOURCE, anker_elke=anker_elke, anker_topic="t")
    return OutboxRelay(make_session_factory(engine), publisher, SOURCE, sealer=sealer)


def _tot_rust(relay: OutboxRelay, stil: bool = False) -> int:
    """Rounds until the relay has nothing to do at once (after a quiet spell: ``stil``); how
    many. Bounded: a relay that anchors its anchors would go on for ever."""
    if stil:
        relay._last_anchor = time.monotonic() - 10_000
    for n in range(1, 51):
        if not relay.run_once() and not relay._full:
            return n
    raise AssertionError("the relay does not come to rest")


def _ankers(engine: Engine) -> list[tuple[int, int, int]]:
    """Each anchor's own position and the positions it anchors (from, to)."""
    with engine.connect() as conn:
        rijen = conn.execute(
            select(events.c.position, events.c.data)
            .where(events.c.stream_id == ANKER_STREAM)
            .order_by(events.c.position)
        ).all()
    uit = []
    for positie, data in rijen:
        d = orjson.loads(data) if isinstance(data, (str, bytes)) else data
        uit.append((int(positie), int(d["vanafPositie"]), int(d["totEnMetPositie"])))
    return uit


@pytest.mark.parametrize("kafka", [True, False], ids=["kafka", "zonder-kafka"])
def test_anchoring_every_event_comes_to_rest_and_anchors_every_real_event(
    sql_engine: Engine, kafka: bool
) -> None:
    """With Kafka the anchor is sealed by the round after it (``veranker``); without, in its
    own round (``ronde``), as the relay of a service with Kafka off."""
    _append(sql_engine, 3)
    relay = _relay(sql_engine, anker_elke=1, publisher=InMemoryPublisher() if kafka else None)
    _tot_rust(relay)
    _tot_rust(relay, stil=True)
    relay.shut_down()
    assert _ankers(sql_engine) == [(4, 1, 3)]
    _append(sql_engine, 2, eerste=3)
    _tot_rust(relay)
    _tot_rust(relay, stil=True)
    # The first anchor and the two events, then rest.
    assert _ankers(sql_engine) == [(4, 1, 3), (7, 4, 6)]


def test_a_relay_that_reads_its_head_from_the_database_rests_too(sql_engine: Engine) -> None:
    _append(sql_engine, 3)
    relay = _relay(sql_engine, anker_elke=1000, publisher=InMemoryPublisher())
    _tot_rust(relay)
    _tot_rust(relay, stil=True)
    assert _ankers(sql_engine) == [(4, 1, 3)]
    relay._sealer.vergeet()  # as after a failed round or a new term
    _tot_rust(relay, stil=True)
    relay.shut_down()
    opvolger = _relay(sql_engine, anker_elke=1000, publisher=InMemoryPublisher())  # a restart
    _tot_rust(opvolger, stil=True)
    opvolger.shut_down()
    assert _ankers(sql_engine) == [(4, 1, 3)]


class _SchrijftTussendoor(InMemoryPublisher):
    """Commits one more event (another connection) during the first publish: after the round
    sealed its events and before its anchor takes the next position."""

    engine: Engine | None = None

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        super().publish(messages)
        if self.engine is not None:
            engine, self.engine = self.engine, None
            _append(engine, 1, eerste=100)


def test_an_event_committed_before_the_anchor_is_anchored_with_it(pg_engine: Engine) -> None:
    """The anchor over 1..3 gets position 5 (4 is an event that committed meanwhile): sealed,
    it is not "the anchor alone" (4 came after the anchored head), so the quiet spell anchors
    4 and 5; then the relay rests."""
    _append(pg_engine, 3)
    publisher = _SchrijftTussendoor()
    publisher.engine = pg_engine
    relay = _relay(pg_engine, anker_elke=3, publisher=publisher)
    _tot_rust(relay)
    assert _ankers(pg_engine) == [(5, 1, 3)]
    _tot_rust(relay, stil=True)
    _tot_rust(relay, stil=True)
    relay.shut_down()
    assert _ankers(pg_engine) == [(5, 1, 3), (6, 4, 5)]
