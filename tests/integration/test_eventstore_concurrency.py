"""Concurrent writers against the real databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.eventstore import ConcurrencyError
from shared.eventstore.sql import SqlEventStore
from tests.support.events import new_event


def test_of_concurrent_appends_to_one_stream_version_exactly_one_wins(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    with sessions() as s, s.begin():
        SqlEventStore(s).append("S-1", "teller", 0, [new_event(0)])
    barrier = threading.Barrier(8)

    def attempt(n: int) -> str:
        barrier.wait()
        try:
            with sessions() as s, s.begin():
                SqlEventStore(s).append("S-1", "teller", 1, [new_event(n)])
            return "won"
        except ConcurrencyError:
            return "lost"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(1, 9)))
    assert outcomes.count("won") == 1
    assert outcomes.count("lost") == 7
    with sessions() as s:
        events = SqlEventStore(s).load("S-1")
        assert [e.version for e in events] == [1, 2]
        assert SqlEventStore(s).last_position() == 2


def test_a_reader_following_the_feed_never_skips_an_event_under_concurrent_commits(
    sql_engine: Engine,
) -> None:
    """A sequence-based store fails this: a reader sees position n+1 committed before n and
    moves past n for good. Here every position the reader sees is its previous one plus one."""
    sessions = make_session_factory(sql_engine)
    writers, appends_each = 6, 40
    done = threading.Event()
    seen: list[int] = []
    problems: list[str] = []

    def write(w: int) -> None:
        for i in range(appends_each):
            with sessions() as s, s.begin():
                SqlEventStore(s).append(f"W{w}-{i}", "teller", 0, [new_event(i), new_event(i)])

    def follow() -> None:
        last = 0
        while True:
            finished = done.is_set()
            with sessions() as s, s.begin():
                batch = SqlEventStore(s).read_all(last, limit=50)
            for e in batch:
                if e.position != last + 1:
                    problems.append(f"after {last} came {e.position}")
                last = e.position
                seen.append(e.position)
            if finished and not batch:
                return

    reader = threading.Thread(target=follow)
    reader.start()
    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    done.set()
    reader.join(60)
    assert problems == []
    assert seen == list(range(1, writers * appends_each * 2 + 1))
