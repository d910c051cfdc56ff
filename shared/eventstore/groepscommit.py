"""Group commit (PostgreSQL): one writer per process commits the commands waiting at that
moment in one transaction, so many commands share one fsync and one hold of the position lock.

A command's unit of work loads and decides in its own transaction (which writes nothing) and
hands its appends and read-model writes to :class:`GroupCommitter`. The writer thread takes
everything queued, and in one transaction: reads the streams' current versions and fails the stale
requests alone (:class:`ConcurrencyError`), writes the read models, then appends all events of
all streams in one statement that takes the position counter last (its row lock, which orders
commits and keeps positions gap-free, is held only from that statement to COMMIT), wakes the
relay with one NOTIFY and commits. Only then does each caller get its answer, so a batch that
fails before or at COMMIT acknowledged nothing and left nothing (it rolls back whole). A failed
batch of several is retried one request per transaction, so an error (a writer in another
process taking a version first, a read model refusing a row, a lost connection) fails only the
command that causes it. (A connection lost during COMMIT itself leaves it unknown whether the
batch landed, as for any transaction: the retry then finds the versions taken and answers with
ConcurrencyError; nothing is recorded twice.)

The batch's transaction and answers (:class:`BatchWriter`) are shared with the writer on the
event loop (``groepscommit_lus.LoopGroupCommitter``), which runs them in a greenlet on an async
connection instead of in a thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import queue
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import uuid4

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.db.direct import aware, execute, json_rows, rollback_keeping_prepared
from shared.eventstore.model import ConcurrencyError, NewEvent, RecordedEvent
from shared.leadership import CHANNEL

log = logging.getLogger(__name__)

# Writes the read models of many requests at once, in the batch's transaction: each request's
# own part (what its command changed) with its recorded events, in the batch's order. The events'
# positions are not known yet then (the counter is taken last): they are 0.
BatchProjection = Callable[[Session, list[tuple[Any, list[RecordedEvent]]]], None]


@dataclass(frozen=True)
class Projection:
    """A request's read-model writes: ``write`` is shared by the requests of one kind, which the
    batch hands to it together (a few statements per batch instead of a few per command)."""

    write: BatchProjection
    part: Any


# The pseudonyms of logins, looked up in the batch's transaction: ``{login: pseudonym}`` for
# the logins the person store knows (``shared.privacy.store.Personen.zoek_veel``).
Pseudoniemen = Callable[[Session, Collection[str]], Mapping[str, str]]


@dataclass(frozen=True)
class Wie:
    """Who acts in a request, resolved by the batch: the events are stamped with the login's
    pseudonym there, one lookup for the whole batch instead of a round trip per command."""

    login: str
    zoek: Pseudoniemen


# The actor of an event whose pseudonym the batch fills in (the request's ``wie``); an event
# that names its own actor keeps it.
TE_BEPALEN = ""


class OnbekendePersoon(Exception):
    """The login never acted here: the request's own transaction must make the person (the
    caller commits it the usual way); nothing of it was recorded."""


@dataclass(frozen=True)
class PendingAppend:
    """One stream's new events, as ``EventStore.append`` takes them."""

    stream_id: str
    stream_type: str
    expected_version: int
    events: Sequence[NewEvent]
    topic: str | None


# A request's answer: a thread's future, or (a caller on the writer's own event loop,
# ``groepscommit_lus.LoopGroupCommitter``) the loop's.
Antwoord = Future[list[RecordedEvent]] | asyncio.Future[list[RecordedEvent]]


@dataclass(eq=False)  # a request is itself, whatever it holds (a key of the batch's answers)
class CommitRequest:
    appends: list[PendingAppend]
    recorded_at: datetime
    project: Projection | None = None
    wie: Wie | None = None  # None: the events carry their actor already
    result: Antwoord = field(default_factory=Future)


class Committer(Protocol):
    """What a unit of work commits through: the writer thread or the loop's writer."""

    def submit(
        self,
        appends: list[PendingAppend],
        recorded_at: datetime,
        project: Projection | None,
        wie: Wie | None = None,
    ) -> Antwoord: ...

    def close(self) -> None: ...


class BatchWriter:
    """One batch's transaction and its answers, whoever runs it: a writer thread
    (:class:`GroupCommitter`) or a task on the event loop running it in a greenlet
    (``groepscommit_lus.LoopGroupCommitter``), on a SQLAlchemy ``Connection`` either way."""

    def __init__(
        self,
        max_batch: int = 256,
        before_commit: Callable[[Session, list[CommitRequest]], None] | None = None,
    ) -> None:
        """``before_commit`` runs just before COMMIT (tests inject failures there)."""
        self._max_batch = max_batch
        self._before_commit = before_commit
        self.batch_sizes: list[int] = []  # of committed batches, for tests and benchmarks

    def _take(
        self, first: CommitRequest, rest: queue.SimpleQueue[CommitRequest | None]
    ) -> tuple[list[CommitRequest], bool]:
        """``first`` and what else waits (up to the batch's size), and whether a stop marker
        came; without the requests whose caller gave up meanwhile."""
        batch = [first]
        stop = False
        while len(batch) < self._max_batch:
            try:
                nxt = rest.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                stop = True
                break
            batch.append(nxt)
        # A request whose future was cancelled while it waited (an awaiting caller that
        # was cancelled: ``asyncio.wrap_future`` cancels what it wraps) is not committed;
        # the others' thread futures can no longer be cancelled, so their answer always
        # lands (set_result on a cancelled future raised and ended this writer).
        return [r for r in batch if _still_wanted(r.result)], stop

    def _commit_batch(self, connection: Connection, batch: list[CommitRequest]) -> None:
        try:
            answers = self._transaction(connection, batch)
        except Exception as exc:
            if len(batch) == 1:
                _answer(batch[0], self._as_conflict(connection, exc, batch[0]))
                return
            log.warning("group commit of %d failed (%s); one by one", len(batch), exc)
            for request in batch:
                self._commit_batch(connection, [request])
            return
        self.batch_sizes.append(len(answers))
        for request, answer in answers.items():
            _answer(request, answer)

    def _as_conflict(
        self, connection: Connection, exc: Exception, request: CommitRequest
    ) -> Exception:
        """A writer of another batch in flight (this process's or another's) took a version
        between our check and our append: the append, or before it a read-model row that
        writer wrote too, refuses it. Then the request is stale, as it would have been had it
        come later; any other failure is the request's own. (Read on the writer's own
        connection, whose failed transaction has rolled back.)"""
        if not isinstance(exc, IntegrityError):
            return exc
        if connection.in_transaction():
            connection.rollback()
        with connection.begin():
            current = _current(connection, sorted({a.stream_id for a in request.appends}))
        stale = next(
            (
                a
                for a in request.appends
                if current.get(a.stream_id, (0, None))[0] != a.expected_version
            ),
            None,
        )
        return exc if stale is None else ConcurrencyError(stale.stream_id, stale.expected_version)

    def oefen(
        self, connection: Connection, batch: list[CommitRequest]
    ) -> dict[CommitRequest, list[RecordedEvent] | BaseException]:
        """Runs ``batch``'s whole transaction on ``connection`` (every statement a real batch
        sends, prepared there) and rolls it back: nothing is recorded, no caller is answered
        and no NOTIFY is delivered. Returns the answers it would have given. A writer's warm-up
        at start-up: the first real batch on a new connection took 40-85 ms (the connection,
        its first prepares, the backend's first reads of the catalogue). While it runs it holds
        the position counter's lock as any batch does, for as long; it waits for a lock at
        most ``_OEFEN_WACHT`` (then raises: the worker starts without it)."""
        try:
            self._transaction(connection, batch, terugdraaien=True)
        except _Teruggedraaid as oefening:
            return oefening.answers
        raise AssertionError("the warm-up's transaction was not rolled back")

    def _transaction(
        self, connection: Connection, batch: list[CommitRequest], terugdraaien: bool = False
    ) -> dict[CommitRequest, list[RecordedEvent] | BaseException]:
        answers: dict[CommitRequest, list[RecordedEvent] | BaseException] = {}
        # The session owns the transaction on the writer's connection: COMMIT on leaving the
        # block, ROLLBACK on an error.
        with Session(bind=connection, expire_on_commit=False) as session, session.begin():
            if terugdraaien:
                # The warm-up waits for the counter's lock (and its site's rows) as a batch
                # does; held elsewhere for long (an import's transaction, a stuck session) it
                # gives up rather than keep the worker from starting.
                session.connection().exec_driver_sql(_OEFEN_WACHT)
            current = _current(
                session.connection(), sorted({a.stream_id for r in batch for a in r.appends})
            )
            pseudoniemen = _pseudoniemen(session, batch)
            accepted: list[tuple[CommitRequest, list[RecordedEvent]]] = []
            for request in batch:
                actor = None
                if request.wie is not None:
                    actor = pseudoniemen.get(request.wie.login)
                    if actor is None:
                        answers[request] = OnbekendePersoon()
                        continue
                stale = next(
                    (
                        a
                        for a in request.appends
                        if current.get(a.stream_id, (0, None))[0] != a.expected_version
                    ),
                    None,
                )
                if stale is not None:
                    answers[request] = ConcurrencyError(stale.stream_id, stale.expected_version)
                    continue
                recorded = []
                for a in request.appends:
                    last = current.get(a.stream_id, (0, None))[1]
                    at = max(request.recorded_at, last) if last else request.recorded_at
                    recorded += _recorded(a, at, actor)
                    # A later request of this batch on the same stream is stale now.
                    current[a.stream_id] = (a.expected_version + len(a.events), at)
                accepted.append((request, recorded))
            rows = [e for _, recorded in accepted for e in recorded]
            topics = {
                (a.stream_id, a.expected_version + 1 + i): a.topic
                for r, _ in accepted
                for a in r.appends
                for i in range(len(a.events))
            }
            _project(session, accepted)
            if rows:
                first = _append(session, rows, [topics[(e.stream_id, e.version)] for e in rows])
                for request, recorded in accepted:
                    answers[request] = [
                        dataclasses.replace(e, position=first + k) for k, e in enumerate(recorded)
                    ]
                    first += len(recorded)
            if terugdraaien:
                rollback_keeping_prepared(session.connection())
                raise _Teruggedraaid(answers)
            if self._before_commit is not None:
                self._before_commit(session, batch)
        return answers


# How long a warm-up batch waits for a lock (``BatchWriter.oefen``): it only saves a worker's
# first commands some milliseconds.
_OEFEN_WACHT = "SET LOCAL lock_timeout = '2s'"


class _Teruggedraaid(Exception):
    """Ends a warm-up batch's transaction (``BatchWriter.oefen``) with its answers."""

    def __init__(self, answers: dict[CommitRequest, list[RecordedEvent] | BaseException]) -> None:
        super().__init__("warm-up batch rolled back")
        self.answers = answers


class GroupCommitter(BatchWriter):
    """The per-process writer thread(s). ``commit`` blocks until the request's batch committed
    (returns the recorded events) or it failed (raises, e.g. ConcurrencyError); ``submit``
    returns that answer as a future."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        max_batch: int = 256,
        before_commit: Callable[[Session, list[CommitRequest]], None] | None = None,
        writers: int = 1,
    ) -> None:
        """With ``writers`` > 1 that many batches are in flight: one prepares (reads the
        versions, writes the read models) while another waits for the position lock or its
        COMMIT, so the round trips and the fsync of one batch overlap the work of the next
        (the lock is taken by the append, last, so it orders the batches' positions as
        before)."""
        super().__init__(max_batch, before_commit)
        self._engine: Engine = sessions.kw["bind"]
        self._queue: queue.SimpleQueue[CommitRequest | None] = queue.SimpleQueue()
        self._closing = threading.Lock()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._run, name="group-commit", daemon=True)
            for _ in range(writers)
        ]
        for thread in self._threads:
            thread.start()

    def commit(
        self,
        appends: list[PendingAppend],
        recorded_at: datetime,
        project: Projection | None,
        wie: Wie | None = None,
    ) -> list[RecordedEvent]:
        """With ``wie`` the request's events stamped with the actor ``TE_BEPALEN`` get that
        login's pseudonym (:class:`OnbekendePersoon` when it has none)."""
        return self.submit(appends, recorded_at, project, wie).result()

    def submit(
        self,
        appends: list[PendingAppend],
        recorded_at: datetime,
        project: Projection | None,
        wie: Wie | None = None,
    ) -> Future[list[RecordedEvent]]:
        """As ``commit``, without waiting: the future holds the answer once the batch
        committed. An event loop awaits it (``asyncio.wrap_future``) with no worker thread
        blocked meanwhile (a thread hop costs ~0.1 ms CPU and ~0.4 ms wall on a busy 2-core
        machine)."""
        future: Future[list[RecordedEvent]] = Future()
        request = CommitRequest(appends, recorded_at, project, wie, future)
        with self._closing:
            # Under the lock: nothing is queued after the stop marker, so no caller waits
            # for an answer that never comes.
            if self._closed:
                raise RuntimeError("the group committer is stopped")
            self._queue.put(request)
        return future

    def close(self) -> None:
        """Commits what is queued, then stops the writer."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            for _ in self._threads:  # one stop marker each
                self._queue.put(None)
        for thread in self._threads:
            thread.join(30)

    def _run(self) -> None:
        # Its own connection, held from batch to batch: no pool checkout (and no pre-ping round
        # trip) per batch. A lost connection fails its batch (retried one by one, see
        # _commit_batch) and is replaced on next use.
        with self._engine.connect() as connection:
            self._serve(connection)

    def _serve(self, connection: Connection) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._take(first, self._queue)
            if batch:
                self._commit_batch(connection, batch)
            if stop:
                return


def _still_wanted(future: Antwoord) -> bool:
    """Whether the request's caller still waits: a thread's future is marked running (it can
    no longer be cancelled), a loop's future is checked."""
    if isinstance(future, asyncio.Future):
        return not future.cancelled()
    return future.set_running_or_notify_cancel()


def _answer(request: CommitRequest, answer: list[RecordedEvent] | BaseException) -> None:
    if request.result.done():
        return  # a loop's future whose caller was cancelled during the batch
    if isinstance(answer, BaseException):
        request.result.set_exception(answer)
    else:
        request.result.set_result(answer)


def _project(session: Session, accepted: list[tuple[CommitRequest, list[RecordedEvent]]]) -> None:
    """Each projection writer once, with the parts of all its requests (in batch order)."""
    parts: dict[BatchProjection, list[tuple[Any, list[RecordedEvent]]]] = {}
    for request, recorded in accepted:
        if request.project is not None:
            parts.setdefault(request.project.write, []).append((request.project.part, recorded))
    for write, items in parts.items():
        write(session, items)


def _pseudoniemen(session: Session, batch: list[CommitRequest]) -> dict[str, str]:
    """The pseudonyms of the batch's logins: one statement per person store (there is one)."""
    logins: dict[Pseudoniemen, set[str]] = {}
    for request in batch:
        if request.wie is not None:
            logins.setdefault(request.wie.zoek, set()).add(request.wie.login)
    gevonden: dict[str, str] = {}
    for zoek, namen in logins.items():
        gevonden.update(zoek(session, namen))
    return gevonden


def _recorded(a: PendingAppend, recorded_at: datetime, actor: str | None) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            position=0,
            event_id=e.event_id or uuid4(),
            stream_id=a.stream_id,
            stream_type=a.stream_type,
            version=a.expected_version + 1 + i,
            event_type=e.event_type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=(
                dataclasses.replace(e.metadata, actor=actor)
                if actor is not None and e.metadata.actor == TE_BEPALEN
                else e.metadata
            ),
            occurred_at=e.occurred_at,
            recorded_at=recorded_at,
        )
        for i, e in enumerate(a.events)
    ]


def _current(connection: Connection, streams: list[str]) -> dict[str, tuple[int, datetime]]:
    """Each stream's last version and record time (streams without events are absent): its
    newest row by the ``(stream_id, version)`` key, one index probe per stream."""
    rows = execute(connection, _CURRENT, (json_rows(streams),))
    return {stream: (int(version), at.astimezone(UTC)) for stream, version, at in rows}


_CURRENT = (
    "SELECT v.s, e.version, e.recorded_at FROM jsonb_array_elements_text(%s::jsonb) AS v(s) "
    "CROSS JOIN LATERAL (SELECT version, recorded_at FROM events WHERE stream_id = v.s "
    "ORDER BY version DESC LIMIT 1) AS e"
)


def _append(session: Session, rows: list[RecordedEvent], topics: list[str | None]) -> int:
    """All events of the batch, of any number of streams, in one statement: positions from the
    counter (taken here, last), the events, their outbox rows, the NOTIFY that wakes the relay;
    returns the first position. One text whatever the batch's size, prepared on the server,
    the events as one JSON document (``shared/db/direct.py``); their data and metadata go as
    the same ``json.dumps`` text the single append stores. The unique ``(stream_id, version)``
    still refuses a version another process took meanwhile."""
    for e in rows:
        aware(e.occurred_at)
        aware(e.recorded_at)
    document = json_rows(
        [
            (
                i,
                str(e.event_id),
                e.stream_id,
                e.stream_type,
                e.version,
                e.event_type,
                e.schema_version,
                json.dumps(e.data),
                json.dumps(e.metadata.to_dict()),
                e.occurred_at,
                e.recorded_at,
                topic,
            )
            for i, (e, topic) in enumerate(zip(rows, topics, strict=True))
        ]
    )
    ((first, _),) = execute(session.connection(), _APPEND, (len(rows), document))
    return int(first)


_APPEND = (
    "WITH n AS (SELECT CAST(%s AS bigint) AS n), "
    "v AS (SELECT (r->>0)::bigint AS i, r->>1 AS e, r->>2 AS st, r->>3 AS sy, "
    "(r->>4)::integer AS ver, r->>5 AS t, (r->>6)::integer AS s, (r->>7)::json AS d, "
    "(r->>8)::json AS m, (r->>9)::timestamptz AS o, (r->>10)::timestamptz AS r, r->>11 AS p "
    "FROM jsonb_array_elements(%s::jsonb) AS r), "
    "pos AS (UPDATE event_positions SET last_position = last_position + (SELECT n FROM n) "
    "WHERE id = 1 RETURNING last_position - (SELECT n FROM n) + 1 AS eerste), "
    "ins AS (INSERT INTO events (position, event_id, stream_id, stream_type, version, "
    "event_type, schema_version, data, event_metadata, occurred_at, recorded_at) "
    "SELECT pos.eerste + v.i, v.e, v.st, v.sy, v.ver, v.t, v.s, v.d, v.m, v.o, v.r "
    "FROM pos, v), "
    "ob AS (INSERT INTO outbox (position, topic) SELECT pos.eerste + v.i, v.p "
    "FROM pos, v WHERE v.p IS NOT NULL) "
    # The relay's wake-up (``shared.leadership.notify_commit``) in the same round trip:
    # PostgreSQL delivers it on COMMIT.
    f"SELECT eerste, pg_notify('{CHANNEL}', '') AS gewekt FROM pos"
)
