"""The group commit's prepared append (``shared/eventstore/groepscommit.py``: one statement,
the events as one JSON document) records exactly the rows the single append through SQLAlchemy
records (``SqlEventStore``): every column as PostgreSQL prints it, the JSON texts included, and
the same outbox rows; the events it returns equal the ones read back."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from shared.db.engine import make_session_factory
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.groepscommit import CommitRequest, GroupCommitter, PendingAppend
from shared.eventstore.groepscommit_lus import LoopGroupCommitter
from shared.eventstore.model import RecordedEvent
from shared.eventstore.sql import SqlEventStore
from tests.support.groepscommit import Lus, Maak
from tests.support.infra import postgres_database

WINTERTIJD = timezone(timedelta(hours=1))
T = TypeVar("T")
TOEN = datetime(2012, 3, 1, 9, 30, 0, 250000, tzinfo=UTC)


def _events(stroom: int) -> list[NewEvent]:
    meta = EventMetadata(actor="prs-ä", organisation="ZH", role="bevoegd-gezag", correlation_id="c")
    return [
        NewEvent(
            f"soort-{k}",
            {"tekst": f'"één" \\ {stroom}-{k} – ✓', "getal": 0.1 + k, "lijst": [None, True, {}]},
            datetime(2011, 2, 1 + k, 23, 59, 59, 999999, tzinfo=WINTERTIJD),
            meta,
            schema_version=k + 1,
            event_id=UUID(int=stroom * 100 + k + 1),
        )
        for k in range(1 + stroom % 3)
    ]


def _topic(stroom: int) -> str | None:
    return None if stroom == 2 else "t.spoedlocaties"  # a stream without outbox rows too


def _rijen(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return {
            tabel: list(
                conn.execute(text(f"SELECT t::text FROM {tabel} AS t ORDER BY 1")).scalars()
            )
            for tabel in ("events", "outbox", "event_positions")
        }


def test_the_prepared_append_records_what_the_single_append_records(schrijver: Maak) -> None:
    """With either writer: the loop's sends the same statement through the async driver."""
    with postgres_database() as gewoon, postgres_database() as gegroepeerd:
        enkel: list[RecordedEvent] = []
        with make_session_factory(gewoon).begin() as session:
            store = SqlEventStore(session, clock=lambda: TOEN)
            for stroom in range(4):
                enkel += store.append(f"S{stroom}", "t", 0, _events(stroom), _topic(stroom))
        committer = schrijver(make_session_factory(gegroepeerd))
        try:
            groep = committer.commit(
                [PendingAppend(f"S{s}", "t", 0, _events(s), _topic(s)) for s in range(4)],
                TOEN,
                None,
            )
        finally:
            committer.close()
        assert _rijen(gegroepeerd) == _rijen(gewoon)
        assert groep == enkel
        with make_session_factory(gegroepeerd)() as session:
            assert SqlEventStore(session).read_all() == groep
            # The load's prepared path reads what SQLAlchemy's select reads, in UTC.
            s2 = [e for e in groep if e.stream_id == "S2"]
            geladen = SqlEventStore(session).load("S2")
            assert geladen == s2 and len(s2) == 3
            assert SqlEventStore(session).load("S2", up_to_version=2) == s2[:2]
            assert all(e.recorded_at.tzinfo is UTC is e.occurred_at.tzinfo for e in geladen)
            gelezen = session.execute(text("SELECT statement FROM pg_prepared_statements"))
            assert any("ORDER BY version" in s for s in gelezen.scalars())


def test_an_event_loop_awaits_its_commits_without_a_thread_each() -> None:
    """``submit``: one thread (an event loop) has many commits in flight, so they share
    batches, which blocking ``commit`` calls from one thread never could."""

    async def schrijf(committer: GroupCommitter) -> list[list[RecordedEvent]]:
        return await asyncio.gather(
            *(
                asyncio.wrap_future(
                    committer.submit(
                        [PendingAppend(f"S{s}", "t", 0, _events(s), _topic(s))], TOEN, None
                    )
                )
                for s in range(16)
            )
        )

    with postgres_database() as engine:
        committer = GroupCommitter(make_session_factory(engine))
        try:
            antwoorden = asyncio.run(schrijf(committer))
        finally:
            committer.close()
        assert max(committer.batch_sizes) > 1
        assert [len(a) for a in antwoorden] == [1 + s % 3 for s in range(16)]
        with make_session_factory(engine)() as session:
            assert SqlEventStore(session).read_all() == sorted(
                (e for a in antwoorden for e in a), key=lambda e: e.position
            )


def test_a_commit_cancelled_while_queued_records_nothing_and_the_writer_serves_on() -> None:
    """An awaiting caller that is cancelled (``asyncio.wrap_future`` cancels the future it
    wraps, e.g. under ``gather`` or a client that went away) while its request still waits in
    the queue: nothing of it is recorded, and the writer answers the requests after it."""
    eerste_loopt, verder = threading.Event(), threading.Event()

    def houd_eerste_vast(_: Session, batch: list[CommitRequest]) -> None:
        if any(a.stream_id == "S0" for r in batch for a in r.appends):
            eerste_loopt.set()
            assert verder.wait(60)

    def verzoek(s: int) -> list[PendingAppend]:
        return [PendingAppend(f"S{s}", "t", 0, _events(s), _topic(s))]

    with postgres_database() as engine:
        committer = GroupCommitter(make_session_factory(engine), before_commit=houd_eerste_vast)
        try:
            eerste = committer.submit(verzoek(0), TOEN, None)
            assert eerste_loopt.wait(60)
            afgebroken = committer.submit(verzoek(1), TOEN, None)
            assert afgebroken.cancel()
            derde = committer.submit(verzoek(3), TOEN, None)
            verder.set()
            assert len(eerste.result(60)) == 1
            assert len(derde.result(60)) == 1  # (the writer thread died here before)
            assert len(committer.commit(verzoek(4), TOEN, None)) == 2
        finally:
            verder.set()
            committer.close()
        with make_session_factory(engine)() as session:
            assert {e.stream_id for e in SqlEventStore(session).read_all()} == {"S0", "S3", "S4"}


def _verzoek(s: int) -> list[PendingAppend]:
    return [PendingAppend(f"S{s}", "t", 0, _events(s), _topic(s))]


def _op_lus(
    houd: Callable[[Session, list[CommitRequest]], None] | None,
    werk: Callable[[LoopGroupCommitter], Coroutine[Any, Any, T]],
) -> tuple[T, list[RecordedEvent], list[int]]:
    """``werk`` on the loop the loop's writer runs on; what it returned, what the store holds
    afterwards and the committed batches' sizes."""
    lus = Lus()
    try:
        with postgres_database() as engine:
            committer = LoopGroupCommitter(engine, lus.loop, before_commit=houd)
            try:
                gedaan = asyncio.run_coroutine_threadsafe(werk(committer), lus.loop).result(60)
            finally:
                committer.close()
            with make_session_factory(engine)() as session:
                return gedaan, SqlEventStore(session).read_all(), committer.batch_sizes
    finally:
        lus.stop()


def test_callers_on_the_writers_loop_await_loop_futures_that_share_batches() -> None:
    """On its own loop the writer answers with loop futures (no thread-safe wake-up per
    command), and the commands waiting together share a transaction."""

    async def schrijf(committer: LoopGroupCommitter) -> list[list[RecordedEvent]]:
        futures = [committer.submit(_verzoek(s), TOEN, None) for s in range(16)]
        assert all(isinstance(f, asyncio.Future) for f in futures)
        return await asyncio.gather(*futures)  # type: ignore[arg-type]

    antwoorden, opgeslagen, groottes = _op_lus(None, schrijf)
    assert groottes == [16]  # all were queued before the writer first ran
    assert [len(a) for a in antwoorden] == [1 + s % 3 for s in range(16)]
    assert opgeslagen == sorted((e for a in antwoorden for e in a), key=lambda e: e.position)


def test_a_loop_caller_cancelled_while_queued_or_during_its_batch_leaves_the_writer_serving() -> (
    None
):
    """Cancelled while queued: nothing of it is recorded. Cancelled while its batch runs
    (the batch commits it; the caller just no longer hears): the writer answers the others
    and serves on (setting a cancelled future's result raised and ended the writer)."""

    def annuleer_s1(_: Session, batch: list[CommitRequest]) -> None:
        for r in batch:
            if any(a.stream_id == "S1" for a in r.appends):
                r.result.cancel()

    async def schrijf(committer: LoopGroupCommitter) -> list[int]:
        eerste = committer.submit(_verzoek(0), TOEN, None)
        tijdens = committer.submit(_verzoek(1), TOEN, None)
        afgebroken = committer.submit(_verzoek(3), TOEN, None)
        assert afgebroken.cancel()  # before the writer took it
        lengtes = [len(await asyncio.wait_for(eerste, 30))]  # type: ignore[arg-type]
        assert tijdens.cancelled()
        later = committer.submit(_verzoek(4), TOEN, None)
        lengtes.append(len(await asyncio.wait_for(later, 30)))  # type: ignore[arg-type]
        return lengtes

    lengtes, opgeslagen, _ = _op_lus(annuleer_s1, schrijf)
    assert lengtes == [1, 2]
    assert {e.stream_id for e in opgeslagen} == {"S0", "S1", "S4"}
