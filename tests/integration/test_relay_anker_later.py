"""With a publisher the relay anchors after it published and the next round seals the anchor
(``Verzegelaar.veranker``). A quiet relay's anchor is sealed and sent by the round after it, and
then the relay rests (it does not anchor its own anchors round after round); a graceful stop
anchors what was sealed and leaves that anchor sealed in the outbox also when Kafka is down
(the feed, a prefix of the sealed log, then holds it while the relay is gone)."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, func, select

from shared.db.engine import make_session_factory
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import event_seals, events, outbox
from shared.integriteit import ANKER_STREAM, ANKER_TYPE
from shared.messaging.publisher import InMemoryPublisher
from shared.outbox import OutboxRelay
from shared.zegel import Verzegelaar
from tests.support.events import new_event

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _append(engine: Engine, n: int, eerste: int = 0) -> None:
    with make_session_factory(engine)() as s, s.begin():
        for k in range(eerste, eerste + n):
            SqlEventStore(s).append(f"S{k}", "teller", 0, [new_event(1)], "t")


def _tel(engine: Engine) -> tuple[int, int, int, int]:
    """Events, seals, anchors, unpublished outbox rows."""
    with engine.connect() as conn:
        return (
            int(conn.execute(select(func.count()).select_from(events)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(event_seals)).scalar_one()),
            int(
                conn.execute(
                    select(func.count())
                    .select_from(events)
                    .where(events.c.stream_id == ANKER_STREAM)
                ).scalar_one()
            ),
            int(
                conn.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                ).scalar_one()
            ),
        )


def _relay(engine: Engine, anker_elke: int = 1000) -> tuple[InMemoryPublisher, OutboxRelay]:
    """A relay with an in-memory publisher, anchoring every ``anker_elke`` events."""
    publisher = InMemoryPublisher()
    sealer = Verzegelaar(SOURCE, anker_elke=anker_elke, anker_topic="t")
    return publisher, OutboxRelay(make_session_factory(engine), publisher, SOURCE, sealer=sealer)


def test_a_quiet_anchor_is_sealed_and_sent_by_the_next_round_then_the_relay_rests(
    sql_engine: Engine,
) -> None:
    _append(sql_engine, 3)
    publisher, relay = _relay(sql_engine)
    assert relay.run_once() == 3
    assert not relay._full

    relay._last_anchor = time.monotonic() - 10_000  # quiet for longer than the interval
    assert relay.run_once() == 0  # nothing new: it anchors (unsealed)
    assert _tel(sql_engine) == (4, 3, 1, 1)
    assert relay._full  # the anchor waits: the next round at once
    assert relay.run_once() == 1  # sealed and sent
    assert _tel(sql_engine) == (4, 4, 1, 0)
    assert not relay._full
    for _ in range(3):  # at rest: no anchor of the anchor
        assert relay.run_once() == 0
        assert not relay._full
    assert _tel(sql_engine) == (4, 4, 1, 0)
    anker = orjson.loads(publisher.sent[-1].value)
    assert ANKER_TYPE in anker["type"] and anker["data"]["totEnMetPositie"] == 3


def test_an_idle_relay_does_not_anchor_its_last_anchor_again_and_again(
    sql_engine: Engine,
) -> None:
    """Quiet spell after quiet spell, and a graceful stop, with nothing recorded but the last
    anchor: no new anchor (each would be the next spell's "new event", one an interval for as
    long as the service idles). The next real event is anchored together with that anchor."""
    _append(sql_engine, 3)
    publisher, relay = _relay(sql_engine)
    relay.run_once()
    for _ in range(3):
        relay._last_anchor = time.monotonic() - 10_000
        while relay.run_once() or relay._full:
            pass
    assert _tel(sql_engine) == (4, 4, 1, 0)
    relay.shut_down()
    assert _tel(sql_engine) == (4, 4, 1, 0)

    _append(sql_engine, 1, eerste=3)
    relay._last_anchor = time.monotonic() - 10_000
    while relay.run_once() or relay._full:
        pass
    relay._last_anchor = time.monotonic() - 10_000
    while relay.run_once() or relay._full:
        pass
    assert _tel(sql_engine) == (6, 6, 2, 0)
    anker = orjson.loads(publisher.sent[-1].value)
    assert anker["data"]["vanafPositie"] == 4 and anker["data"]["totEnMetPositie"] == 5


def test_a_final_anchor_is_sealed_when_kafka_is_down_at_the_stop(sql_engine: Engine) -> None:
    _append(sql_engine, 3)
    publisher, relay = _relay(sql_engine)
    assert relay.run_once() == 3
    _append(sql_engine, 2, eerste=3)
    publisher.fail_next = 10  # Kafka is down from here on
    relay.shut_down()  # logs that the final anchor stays in the outbox
    # Everything, the anchor too, is sealed: it waits in the outbox for the next relay.
    assert _tel(sql_engine) == (6, 6, 1, 3)
    assert len(publisher.sent) == 3


def test_a_final_anchor_is_sealed_and_sent_at_the_stop(sql_engine: Engine) -> None:
    _append(sql_engine, 3)
    publisher, relay = _relay(sql_engine)
    relay.shut_down()  # the forced round, then the round that sends its anchor
    assert _tel(sql_engine) == (4, 4, 1, 0)
    assert [m.position for m in publisher.sent] == [1, 2, 3, 4]
    anker = orjson.loads(publisher.sent[-1].value)
    assert ANKER_TYPE in anker["type"] and anker["data"]["totEnMetPositie"] == 3


def test_a_round_that_dies_after_its_anchor_leaves_nothing_twice(
    sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Published, anchored, then the round fails before its commit (as a crash would end it):
    the seals and the anchor are gone, the next rounds seal the same hashes (already on the
    topic: reconciled, not sent again) and anchor anew."""
    _append(sql_engine, 3)
    publisher, relay = _relay(sql_engine, anker_elke=3)
    echt = Verzegelaar.veranker

    def sterft(self: Verzegelaar, *a: Any, **kw: Any) -> bool:
        assert echt(self, *a, **kw)
        raise RuntimeError("the round dies before its commit")

    monkeypatch.setattr(Verzegelaar, "veranker", sterft)
    with pytest.raises(RuntimeError):
        relay.run_once()
    assert [m.position for m in publisher.sent] == [1, 2, 3]
    assert _tel(sql_engine) == (3, 0, 0, 3)
    monkeypatch.undo()
    while relay.run_once() or relay._full:
        pass
    assert _tel(sql_engine) == (4, 4, 1, 0)
    with sql_engine.connect() as conn:
        opgeslagen = dict(conn.execute(select(event_seals.c.position, event_seals.c.hash)).all())
    verzonden = {m.position: orjson.loads(m.value)["hash"] for m in publisher.sent}
    assert verzonden == opgeslagen
