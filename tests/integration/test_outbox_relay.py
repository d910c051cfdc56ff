"""The outbox relay: committed events reach the publisher once, in order, despite failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, func, select

from shared.db.engine import make_session_factory
from shared.envelope import CloudEvent
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import outbox
from shared.integriteit import ANKER_TYPE
from shared.leadership import SoleLeader
from shared.messaging.publisher import InMemoryPublisher, OutgoingMessage, PublishError
from shared.outbox import OutboxRelay, RelayThread
from shared.zegel import Verzegelaar, laatste_zegel
from tests.support.events import new_event

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"


def _append(engine: Engine, stream: str, expected: int, n: int, topic: str | None = "t") -> None:
    sessions = make_session_factory(engine)
    with sessions() as s, s.begin():
        SqlEventStore(s).append(stream, "teller", expected, [new_event(i) for i in range(n)], topic)


def test_an_event_and_its_outbox_row_commit_together(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    with pytest.raises(RuntimeError), sessions() as s, s.begin():
        SqlEventStore(s).append("A", "teller", 0, [new_event(1)], "t")
        raise RuntimeError("the command fails after appending")
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(outbox)).scalar_one() == 0
        assert SqlEventStore(s).read_all() == []


def test_the_relay_publishes_in_order_as_cloudevents_and_marks_rows(sql_engine: Engine) -> None:
    _append(sql_engine, "A", 0, 2)
    _append(sql_engine, "B", 0, 1)
    _append(sql_engine, "X", 0, 1, topic=None)  # not every stream is published
    publisher = InMemoryPublisher()
    relay = OutboxRelay(make_session_factory(sql_engine), publisher, SOURCE)
    assert relay.run_once() == 3
    assert relay.run_once() == 0
    assert relay.pending() == 0
    assert [m.position for m in publisher.sent] == [1, 2, 3]
    envelope = CloudEvent.from_json(publisher.sent[1].value)
    assert (envelope.subject, envelope.sequence, envelope.source) == ("A", 2, SOURCE)
    assert envelope.type == "nl.overheid.bodem.teller-opgehoogd"
    assert envelope.extensions["position"] == 2
    assert envelope.extensions["occurredat"] == "2012-03-01T00:00:00Z"


def test_a_publish_failure_keeps_rows_for_the_next_round(sql_engine: Engine) -> None:
    _append(sql_engine, "A", 0, 3)
    publisher = InMemoryPublisher(fail_next=1)
    relay = OutboxRelay(make_session_factory(sql_engine), publisher, SOURCE)
    with pytest.raises(PublishError):
        relay.run_once()
    assert relay.pending() == 3
    with make_session_factory(sql_engine)() as s:
        assert laatste_zegel(s)[0] == 3  # the seals commit while Kafka is down: the feed grows
    assert relay.run_once() == 3
    assert [m.position for m in publisher.sent] == [1, 2, 3]


def test_a_graceful_stop_anchors_and_publishes_everything_sealed(sql_engine: Engine) -> None:
    _append(sql_engine, "A", 0, 3)
    publisher = InMemoryPublisher()
    sessions = make_session_factory(sql_engine)
    zegel = Verzegelaar(SOURCE, anker_elke=1000, anker_topic="t")
    thread = RelayThread(OutboxRelay(sessions, publisher, SOURCE, sealer=zegel))
    thread.start()
    thread.stop()
    anker = CloudEvent.from_json(publisher.sent[-1].value)
    assert anker.type.endswith(ANKER_TYPE)
    assert anker.data["totEnMetPositie"] == 3  # the three events, far below anker_elke
    assert [m.position for m in publisher.sent] == [1, 2, 3, 4]


class _Telpublisher(InMemoryPublisher):
    """Counts the batches: one per round that published."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[int]] = []

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        super().publish(messages)
        self.batches.append([m.position for m in messages])


class _Wachter(SoleLeader):
    """Tells when the relay is idle, waiting for a commit."""

    def __init__(self) -> None:
        super().__init__()
        self.wacht_al = threading.Event()

    def wait(self, timeout: float) -> None:
        self.wacht_al.set()
        super().wait(timeout)


class _Gatherer(_Wachter):
    """Tells when the relay gathers after a wake-up, once no signal can be lost any more.

    ``SoleLeader.gather`` starts its count at zero under its condition's lock: a commit
    signalled between the wake-up and that reset is not counted (the flake: with two of the
    ten commits signalled in that gap, the round waited for the whole interval). Here the
    relay holds the lock (re-entrant) from the moment it says it gathers until it waits, so a
    ``wake`` after ``gathering`` counts."""

    def __init__(self) -> None:
        super().__init__()
        self.gathering = threading.Event()

    def gather(self, within: float, signals: int) -> None:
        with self._condition:
            self.gathering.set()
            super().gather(within, signals)


def test_the_relay_gathers_the_commits_of_a_moment_into_one_round(sql_engine: Engine) -> None:
    publisher = _Telpublisher()
    relay = OutboxRelay(make_session_factory(sql_engine), publisher, SOURCE)
    stop, leiding = threading.Event(), _Gatherer()
    # Up to 60 s or 9 more commits after the first wakes it: the ten commits below share one
    # round, which starts at the tenth. Had it not gathered, the first commit would go alone;
    # had it waited for the 60 s instead, the loop below would give up at 30 s with the commits
    # still pending (a margin no loaded machine comes near). The nine commit while it gathers.
    loop = threading.Thread(
        target=relay.run,
        args=(stop, leiding),
        kwargs={"idle_wait": 90.0, "coalesce_s": 60.0, "coalesce_max": 9},
    )
    loop.start()
    try:
        assert leiding.wacht_al.wait(10)  # the first round (nothing to do) is over
        start = time.monotonic()
        _append(sql_engine, "S0", 0, 1)
        leiding.wake()
        assert leiding.gathering.wait(10)
        for n in range(1, 10):
            _append(sql_engine, f"S{n}", 0, 1)
            leiding.wake()
        while relay.pending() and time.monotonic() - start < 30:
            time.sleep(0.01)
        assert not relay.pending()
    finally:
        stop.set()
        leiding.wake()
        loop.join(10)
    assert publisher.batches[0] == list(range(1, 11))


class _Verzamelaar(_Wachter):
    """Records how long the relay gathered after each wake-up."""

    def __init__(self) -> None:
        super().__init__()
        self.gathered: list[float] = []

    def gather(self, within: float, signals: int) -> None:
        self.gathered.append(within)
        super().gather(within, signals)


def test_a_commit_after_a_quiet_spell_is_not_held_back(
    sql_engine: Engine,
) -> None:
    """Rounds start at most every ``coalesce_s``: the relay gathers only what is left of that
    since its last round began, so a commit after a quiet spell (longer than the interval) is
    not held back (and, the same rule, neither is a round after one as long as the interval)."""
    publisher = _Telpublisher()
    relay = OutboxRelay(make_session_factory(sql_engine), publisher, SOURCE)
    stop, leiding = threading.Event(), _Verzamelaar()
    loop = threading.Thread(
        target=relay.run,
        args=(stop, leiding),
        kwargs={"idle_wait": 90.0, "coalesce_s": 0.2, "coalesce_max": 100},
    )
    loop.start()
    try:
        assert leiding.wacht_al.wait(10)  # the first round (nothing to do) is over
        time.sleep(0.3)  # quiet for longer than the interval
        leiding.wacht_al.clear()
        _append(sql_engine, "S", 0, 1)
        leiding.wake()
        start = time.monotonic()
        while relay.pending() and time.monotonic() - start < 30:
            time.sleep(0.01)
        assert leiding.wacht_al.wait(10)  # that round is over too
    finally:
        stop.set()
        leiding.wake()
        loop.join(10)
    assert publisher.batches == [[1]]
    assert leiding.gathered == []  # it did not wait on top of the quiet spell
