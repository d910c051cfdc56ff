"""The loop writer's gathering (``LoopGroupCommitter(gather_s=...)``): a request that finds
fewer others waiting than the recent batches held waits for them, at most ``gather_s``, so
the clients of a closed loop share one batch instead of alternating between two. The waits
here are long (60 s) so that what is proved is the order, never a duration."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from shared.db.engine import make_session_factory
from shared.eventstore.groepscommit import PendingAppend
from shared.eventstore.groepscommit_lus import LoopGroupCommitter
from shared.eventstore.model import RecordedEvent
from shared.eventstore.sql import SqlEventStore
from tests.integration.test_groepscommit_rijen import TOEN, _events
from tests.support.groepscommit import Lus
from tests.support.infra import postgres_database


@contextmanager
def _schrijver(
    gather_s: float,
) -> Iterator[tuple[LoopGroupCommitter, Lus, sessionmaker[Session]]]:
    lus = Lus()
    try:
        with postgres_database() as engine:
            committer = LoopGroupCommitter(engine, lus.loop, gather_s=gather_s)
            try:
                yield committer, lus, make_session_factory(engine)
            finally:
                committer.close()
    finally:
        lus.stop()


def _append(stroom: int) -> list[PendingAppend]:
    return [PendingAppend(f"S{stroom}", "t", 0, _events(stroom), "t.spoedlocaties")]


def _drie_samen(committer: LoopGroupCommitter, lus: Lus) -> None:
    """Three requests submitted on the loop in one go: the first batch holds all three."""

    async def samen() -> list[list[RecordedEvent]]:
        antwoorden = [committer.submit(_append(s), TOEN, None) for s in range(3)]
        return list(await asyncio.gather(*antwoorden))  # type: ignore[arg-type]

    asyncio.run_coroutine_threadsafe(samen(), lus.loop).result(60)
    assert committer.batch_sizes == [3]


def _los(committer: LoopGroupCommitter, stroom: int) -> Future[list[RecordedEvent]]:
    antwoord = committer.submit(_append(stroom), TOEN, None)
    assert isinstance(antwoord, Future)  # from this thread: a thread's future
    return antwoord


def test_a_request_waits_for_as_many_as_the_recent_batches_held() -> None:
    """After a batch of three, a lone request waits until two more joined it: one batch of
    three again, where the eager writer commits it alone and the others after it."""
    with _schrijver(gather_s=60) as (committer, lus, sessions):
        _drie_samen(committer, lus)
        eerste = _los(committer, 3)
        time.sleep(0.3)  # time enough for an eager writer to commit it alone
        assert not eerste.done()
        rest = [_los(committer, s) for s in (4, 5)]
        antwoorden = [a.result(60) for a in (eerste, *rest)]
        assert committer.batch_sizes == [3, 3]
        with sessions() as session:
            assert [e for a in antwoorden for e in a] == SqlEventStore(session).read_all()[-6:]


def test_a_request_left_alone_is_committed_after_the_wait() -> None:
    """Fewer callers than before: the request commits by itself once ``gather_s`` passed
    (and the next batch's target follows the smaller size)."""
    with _schrijver(gather_s=0.05) as (committer, lus, _):
        _drie_samen(committer, lus)
        assert len(_los(committer, 3).result(60)) == 1
        assert len(_los(committer, 4).result(60)) == 2
        assert committer.batch_sizes == [3, 1, 1]


def test_closing_does_not_wait_out_the_gathering() -> None:
    """A writer gathering when the committer closes commits what waits and stops at once;
    the request is answered, not dropped after the close's own time-out."""
    with _schrijver(gather_s=600) as (committer, lus, _):
        _drie_samen(committer, lus)
        eerste = _los(committer, 3)
        committer.close()
        assert len(eerste.result(0)) == 1
        assert committer.batch_sizes == [3, 1]
