"""A relay process on SQLite (``make run``): it leads through a file lock beside the database, so
a second relay process on the same file only follows, and it notices other processes' commits
through the position counter, since no NOTIFY crosses processes there."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from shared.leadership import PollingLeadership, SoleLeader, leadership_for


def _commit(engine: Engine, version: int) -> None:
    with make_session_factory(engine).begin() as session:
        SqlEventStore(session).append(
            "S-1",
            "teller",
            version,
            [NewEvent("opgehoogd", {}, datetime.now(UTC), EventMetadata(actor="a"))],
            "t",
        )


def test_one_relay_process_per_sqlite_file_leads(sqlite_engine: Engine) -> None:
    eerste = leadership_for(sqlite_engine, "locaties", own_process=True)
    tweede = PollingLeadership(sqlite_engine, "locaties")
    assert isinstance(eerste, PollingLeadership)
    assert isinstance(leadership_for(sqlite_engine, "locaties"), SoleLeader)  # the thread's
    try:
        assert eerste.am_leader()
        assert not tweede.am_leader()
        assert eerste.am_leader()
        eerste.close()  # (or its process died: the kernel drops the lock)
        assert tweede.am_leader()
    finally:
        eerste.close()
        tweede.close()


def test_a_commit_of_another_process_ends_the_wait(sqlite_engine: Engine) -> None:
    leader = PollingLeadership(sqlite_engine, "locaties", poll_s=0.01)
    try:
        assert leader.am_leader()
        woke = threading.Event()

        def wait() -> None:
            leader.wait(600)
            woke.set()

        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        time.sleep(0.1)
        assert not woke.is_set()  # nothing was committed: it waits
        _commit(sqlite_engine, 0)  # on a connection of its own, as another process's
        assert woke.wait(60), "the commit did not end the wait"
        # What was seen is not seen again: the next wait waits for the next commit.
        woke.clear()
        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        time.sleep(0.1)
        assert not woke.is_set()
        _commit(sqlite_engine, 1)
        assert woke.wait(60)
    finally:
        leader.close()
