"""A relay that leads again after another process led meanwhile publishes what that one left:
rows it sealed but could not publish (Kafka failed) wait in the outbox below the chain head,
where a relay finds them only when it reads the outbox (``OutboxRelay._behind``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.messaging.publisher import InMemoryPublisher, PublishError
from shared.outbox import OutboxRelay
from tests.support.relay import Leiding, commit_teller

pytestmark = pytest.mark.postgres
SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _wacht(tot: Callable[[], bool]) -> bool:
    start = time.monotonic()
    while not tot() and time.monotonic() - start < 20:
        time.sleep(0.02)
    return tot()


def test_a_new_term_publishes_what_the_other_leader_sealed_but_did_not_publish(
    pg_engine: Engine,
) -> None:
    sessions = make_session_factory(pg_engine)
    publisher = InMemoryPublisher()
    relay = OutboxRelay(sessions, publisher, SOURCE)
    leiding, stop = Leiding(), threading.Event()
    loop = threading.Thread(
        target=relay.run,
        args=(stop, leiding),
        kwargs={"idle_wait": 0.05, "follower_wait": 0.05},
    )
    loop.start()
    try:
        commit_teller(pg_engine, "A", 0)
        leiding.wake()
        assert _wacht(lambda: len(publisher.sent) == 1)

        leiding.weg.set()  # another process leads for a while
        assert _wacht(leiding.gezien.is_set)
        commit_teller(pg_engine, "B", 0)
        ander = OutboxRelay(sessions, InMemoryPublisher(fail_next=1), SOURCE)
        with pytest.raises(PublishError):
            ander.run_once()  # sealed position 2, Kafka failed: the row waits in the outbox
        assert relay.pending() == 1

        leiding.weg.clear()  # and this one leads again
        leiding.wake()
        assert _wacht(lambda: relay.pending() == 0), "the other leader's row was never sent"
    finally:
        stop.set()
        leiding.wake()
        loop.join(30)
    assert [m.position for m in publisher.sent][:2] == [1, 2]
