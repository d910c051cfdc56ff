"""The outbox relay: seals committed events, publishes them to Kafka and marks their outbox rows.

Events and outbox rows commit in one transaction (see ``SqlEventStore.append``). The relay runs
apart from the request path, in the one process that leads (``shared/leadership.py``): a process
of its own (``RelayProcess``, or started beside the API by ``make run``, compose or
``shared.http.workers --relay``), or in the embedded single-process default a thread
(``RelayThread``).
A commit wakes it; it then waits a few milliseconds more so that concurrent commits join the same
round, and a round is one transaction: seal what was committed (and anchor when due, see
``shared/zegel.py``), publish the sealed, unpublished rows in global order (the publisher keeps
one copy per row on the topic, even across failures) and mark them. Kafka being down never fails
a command, nor stops sealing: the seals commit, the rows wait, and the relay catches up when the
broker returns. Without Kafka (development, tests) the relay only seals and anchors.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine, bindparam, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from shared.eventstore.tables import event_seals, events, outbox, store_identity
from shared.leadership import Leadership, SoleLeader, lock_job, lock_key
from shared.messaging.publisher import OutgoingMessage, Publisher, PublishError
from shared.relay_round import RoundTransaction, give_back
from shared.zegel import Ronde, Verzegelaar, cloudevent

log = logging.getLogger(__name__)


_MARKEER = (
    update(outbox)
    .where(outbox.c.position.in_(bindparam("posities", expanding=True)))
    .values(published_at=bindparam("nu"))
)
# On PostgreSQL the positions travel as one text the server splits: an expanding IN renders a
# parameter per row, which costs the relay ~15 µs per published row.
_MARKEER_PG = text(
    "UPDATE outbox SET published_at = :nu "
    "WHERE position = ANY(CAST(string_to_array(:posities, ',') AS bigint[]))"
).bindparams(bindparam("nu", type_=outbox.c.published_at.type))


# The same in the query string of the round's last round trip (``shared.relay_round``): the
# relay's own timestamp and integers as literals.
_MARKEER_DIRECT = (
    "UPDATE outbox SET published_at = '%s'::timestamptz WHERE position = ANY('{%s}'::bigint[])"
)
FENCE = lock_key("outbox-batch")
# Before the COMMIT of a round that did not anchor (``OutboxRelay._commit``).
_ASYNCHROON = "SET LOCAL synchronous_commit = off"


def markeer(session: Session, positions: list[int]) -> None:
    """Mark these outbox rows published, now."""
    nu = datetime.now(UTC)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_MARKEER_PG, {"posities": ",".join(map(str, positions)), "nu": nu})
    else:
        session.execute(_MARKEER, {"posities": positions, "nu": nu})


def store_id(session: Session) -> str:
    return str(session.execute(select(store_identity.c.store_id)).scalar_one())


class OutboxRelay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        publisher: Publisher | None,
        source: str,
        batch_size: int = 500,
        sealer: Verzegelaar | None = None,
        anchor_interval_s: float = 300.0,
        direct: bool | None = None,
        async_commit: bool = True,
    ) -> None:
        """``direct``: rounds through ``shared.relay_round`` (by default on PostgreSQL; False
        sends the round's statements one by one through SQLAlchemy, as SQLite does, which
        ``bench/relay_kosten.py --vergelijk`` measures against). ``async_commit``: rounds
        on PostgreSQL that did not anchor commit without waiting for the WAL flush (see
        ``_commit``; False: every round waits)."""
        self._sessions = sessions
        self._publisher = publisher
        self._source = source
        self._batch_size = batch_size
        self._store_id: str | None = None
        self._sealer = sealer or Verzegelaar(source, batch=batch_size)
        self._anchor_interval_s = anchor_interval_s
        self._last_anchor = time.monotonic()
        self._full = False
        # Sealed rows of earlier rounds may wait unpublished (at start, after Kafka failed, a
        # round that sealed more than a batch): then the round reads them from the outbox.
        # Otherwise it publishes what it sealed itself, without reading it again.
        self._behind = True
        # An anchor and what its round sealed after it, held back until that round committed
        # (``_publish``): the next round sends them first, as they were built.
        self._na_commit: list[OutgoingMessage] = []
        self._volgende: list[OutgoingMessage] = []  # this round's, until it commits
        self._direct = direct
        self._unmarked: list[int] = []  # published in this round, not yet committed as marked
        # While ``run`` loops (``keeping_connection``), the rounds on PostgreSQL keep their
        # connection (in autocommit, see ``shared.relay_round``) from one round to the next
        # instead of a session and a pool checkout each: that bookkeeping was ~30 % of a
        # loaded relay's CPU per round.
        self._keep = False
        self._kept: Connection | None = None
        self._cursor: psycopg.Cursor[Any] | None = None  # the kept connection's
        self._async_commit = async_commit

    def _commit(self, tx: RoundTransaction, positions: list[int], ronde: Ronde) -> None:
        """The marks and COMMIT in one round trip (just COMMIT when nothing was published).

        A round that wrote seals or marks but no anchor commits asynchronously (when
        ``async_commit``): COMMIT returns before its WAL is flushed, which spares every round
        an fsync wait and the server's flush (measured ~0.1-0.15 ms of backend CPU and 1-3 ms
        of wall time per round on this machine), while what it wrote is visible at once and
        survives the relay's death as any commit does. Only a crash of PostgreSQL itself can
        lose it, and then only rounds after the last flushed commit (a command's synchronous
        commit flushes all WAL before it). What such a round wrote is made again identically:
        an event's seal is a function of the committed event rows and the chain before it,
        so the next leader seals the same hashes from the durable head, and the rows whose
        marks were lost are found on the topic by the publisher's reconciliation, which runs
        after every failed round and at the start of every term (a crash of PostgreSQL ends
        every connection, so the relay always sees one or the other). That holds only on a
        kept connection (``keeping_connection``), whose death the next round sees: one that
        goes back to the pool after the round may come back through a pre-ping that replaces
        it without a word, so such rounds wait for their flush. An anchor is not made again
        identically (its time and id are new), so a round that anchored waits for its flush."""
        statements = []
        if positions:
            # Only integers and the relay's own timestamp reach the query string.
            statements.append(
                _MARKEER_DIRECT
                % (datetime.now(UTC).isoformat(), ",".join(map(str, map(int, positions))))
            )
        if (
            self._async_commit
            and self._keep
            and ronde.verankerd is None
            and (positions or ronde.verzegeld)
        ):
            statements.append(_ASYNCHROON)
        tx.commit("; ".join(statements))

    def run_once(self, force_anchor: bool = False) -> int:
        """One round in one transaction: seal, anchor when due (after ``anchor_interval_s``
        without new events, or when ``force_anchor``), publish one batch of sealed events and
        mark it. Returns how many rows were published. Raises PublishError after committing
        the seals."""
        quiet = time.monotonic() - self._last_anchor > self._anchor_interval_s
        self._unmarked = []
        self._volgende = []
        try:
            engine = self._direct_engine()
            if engine is not None:
                ronde, published, error = self._direct_round(engine, force_anchor, quiet)
            else:
                with self._sessions() as session, session.begin():
                    # One round at a time per database, whoever thinks it leads: a fence for a
                    # leader that lost its lock without noticing yet.
                    lock_job(session, "outbox-batch")
                    ronde, published, error = self._round(session, None, force_anchor, quiet)
        except Exception:
            self._sealer.vergeet()
            self._behind = True
            self._na_commit = []
            if self._publisher is not None:
                # Published but not marked (this round's, or an asynchronous round's that a
                # crash of PostgreSQL lost, see ``_commit``): reconcile, not re-send.
                self._publisher.reset()
            raise
        self._sealer.bevestig(ronde)
        self._na_commit = self._volgende
        if ronde.verankerd is not None or (quiet and not ronde.verzegeld):
            self._last_anchor = time.monotonic()
        # After an anchor, go on at once: the next round publishes it (``_publish``).
        self._full = (
            ronde.verzegeld >= self._sealer.batch
            or len(published) >= self._batch_size
            or bool(self._na_commit)
            or ronde.wacht
        )
        if error is not None:
            raise error
        return len(published)

    def _direct_engine(self) -> Engine | None:
        """The engine whose rounds go through ``shared.relay_round``: PostgreSQL, unless
        ``direct`` is False (or the session factory has no engine of its own)."""
        bind = self._sessions.kw.get("bind")
        if self._direct is False or not isinstance(bind, Engine):
            return None
        self._direct = bind.dialect.name == "postgresql"
        return bind if self._direct else None

    def _direct_round(
        self, engine: Engine, force_anchor: bool, quiet: bool
    ) -> tuple[Ronde, list[int], PublishError | None]:
        """A round on PostgreSQL: the fence is taken by its first round trip together with
        BEGIN and the read (``shared/relay_round.py``). Its statements go straight to the
        connection; a session on the same connection serves the rarer paths (the head after a
        change of leader, anchors, rows left from earlier rounds) in the same transaction. The
        connection is kept for the next round while ``run`` loops, else it goes back to the
        pool as it came (an embedded relay shares the pool with the API); after a failure it
        always goes back (a lost one is replaced by the pool)."""
        connection = self._kept or engine.connect()
        self._kept = None
        keep = self._keep
        tx: RoundTransaction | None = None
        try:
            session = Session(bind=connection, expire_on_commit=False)
            tx = RoundTransaction(
                connection, FENCE, keep_autocommit=keep, cursor=self._cursor if keep else None
            )
            try:
                uitkomst = self._round(session, tx, force_anchor, quiet)
                if session.in_transaction():
                    # The server committed with the round (``tx``): this only ends the
                    # session's own bookkeeping (psycopg sends nothing when idle).
                    session.commit()
            except BaseException:
                keep = False
                tx.rollback()
                with suppress(Exception):
                    session.rollback()
                raise
            finally:
                session.close()
        finally:
            if keep:
                self._kept, self._cursor = connection, None if tx is None else tx.cursor
            else:
                self._cursor = None
                give_back(connection)
        return uitkomst

    @contextmanager
    def keeping_connection(self) -> Iterator[None]:
        """Rounds (``run_once``) within keep one connection from round to round, as ``run``
        does, and may commit asynchronously (``_commit``); it goes back to the pool at the
        end."""
        self._keep = True
        try:
            yield
        finally:
            self._keep = False
            self._let_go()

    def _let_go(self) -> None:
        """Give the kept connection back to the pool (the loop ends, or this one no longer
        leads). Its asynchronous rounds may yet be lost to a crash that a later round on a
        connection from the pool would not notice: reconcile before the next send."""
        connection, self._kept = self._kept, None
        self._cursor = None
        if connection is not None:
            self._behind = True
            if self._publisher is not None:
                self._publisher.reset()
            with suppress(Exception):
                give_back(connection)

    def _round(
        self, session: Session, tx: RoundTransaction | None, force_anchor: bool, quiet: bool
    ) -> tuple[Ronde, list[int], PublishError | None]:
        """Seal, anchor when due, publish and mark, in the session's transaction (``tx``: it
        also commits)."""
        if self._store_id is None:
            if tx is not None:
                tx.begin()  # read under the fence, in the round's transaction
            self._store_id = store_id(session)
        # With a publisher, the anchor (when due) is made after the publish and sealed by the
        # next round: its append holds the position counter until this round commits, and
        # every writer waits for that (``Verzegelaar.veranker``); a publish waits for the
        # broker. A forced anchor (the last one, on a graceful stop) is sealed in its own round
        # as before: should that round's publish fail, it still waits sealed in the outbox.
        later = self._publisher is not None and not force_anchor
        ronde = self._sealer.ronde(session, self._store_id, force_anchor, quiet, tx, not later)
        published: list[int] = []
        error: PublishError | None = None
        if self._publisher is not None:
            try:
                published = self._publish(session, self._store_id, ronde, tx)
            except PublishError as exc:
                error = exc  # the seals commit all the same
                self._behind = True
        if later:
            self._sealer.veranker(session, self._store_id, ronde, force_anchor, quiet, tx)
        self._unmarked = published  # until the round commits
        if tx is not None:
            self._commit(tx, published, ronde)
        return ronde, published, error

    def _publish(
        self, session: Session, store: str, ronde: Ronde, tx: RoundTransaction | None
    ) -> list[int]:
        """Publish the next sealed, unpublished rows and mark them (in the round's
        transaction; with ``tx`` the caller marks them, in the round trip of its COMMIT);
        returns their positions. Rows sealed in earlier rounds and still waiting go first (read
        from the outbox); then what this round sealed, as it was built."""
        assert self._publisher is not None
        # What the last round held back (``_volgende``) waits below the head: sent first as it
        # was built, or with the rest read from the outbox.
        held, self._na_commit = self._na_commit, []
        messages = held
        if self._behind:
            messages = self._from_outbox(session, store, ronde.vanaf)
        if not self._behind or len(messages) < self._batch_size:
            # Fewer than a batch waited from earlier rounds: that was all of them. Then all
            # this round sealed goes too (at most two batches: one before an anchor, one after),
            # so that a busy relay never falls behind into reading its own rows back.
            dumps, bericht = orjson.dumps, OutgoingMessage
            nieuw = [
                bericht(topic, stream_id, dumps(doc), position, store)
                for position, topic, stream_id, doc in ronde.berichten
            ]
            anker = ronde.verankerd
            if anker is not None:
                # Except an anchor and what was sealed after it: an anchor is not made again
                # identically (a new id and time), so should this round not commit, Kafka
                # would hold an anchor the store does not. The next round sends them first.
                self._volgende = [m for m in nieuw if m.position > anker]
                nieuw = nieuw[: len(nieuw) - len(self._volgende)]
            messages += nieuw
            self._behind = False
        else:
            self._behind = True
        if not messages:
            return []
        self._publisher.publish(messages)
        positions = [m.position for m in messages]
        if tx is not None:
            return positions
        try:
            markeer(session, positions)
        except Exception:
            self._publisher.reset()  # published but not marked: reconcile next round
            raise
        return positions

    def _from_outbox(self, session: Session, store: str, up_to: int) -> list[OutgoingMessage]:
        """Unpublished rows sealed before this round (position up to ``up_to``), in order."""
        rows = session.execute(
            select(
                events,
                outbox.c.topic,
                event_seals.c.hash,
                event_seals.c.prev_hash,
                event_seals.c.stream_prev_hash,
            )
            .join(outbox, outbox.c.position == events.c.position)
            .join(event_seals, event_seals.c.position == events.c.position)
            .where(outbox.c.published_at.is_(None), outbox.c.position <= up_to)
            .order_by(outbox.c.position)
            .limit(self._batch_size)
        ).all()
        # Built as the round builds its own (``shared.zegel.cloudevent``, held equal to
        # ``from_recorded(...).to_dict()``), with the seal the database holds: a backlog (Kafka
        # was down while an import was sealed) went through the event and envelope objects and
        # the standard library's encoder, several times the cost per row.
        dumps, bericht, source = orjson.dumps, OutgoingMessage, self._source
        messages = []
        for row in rows:  # the columns of ``events`` first, as ``cloudevent`` reads them
            doc = cloudevent(row, source, store, row.prev_hash, row.stream_prev_hash)
            doc["hash"] = row.hash
            messages.append(bericht(row.topic, row.stream_id, dumps(doc), row.position, store))
        return messages

    def pending(self) -> int:
        with self._sessions() as session:
            return int(
                session.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                ).scalar_one()
            )

    def run(
        self,
        stop: threading.Event,
        leadership: Leadership | None = None,
        idle_wait: float = 0.5,
        max_backoff: float = 5.0,
        follower_wait: float = 1.0,
        coalesce_s: float = 0.005,
        coalesce_max: int = 100,
    ) -> None:
        """Loop until ``stop`` is set, sealing and publishing while this process leads
        (``leadership``; by default the only process); failures are logged and retried with
        backoff.

        Commits wake the relay through ``leadership`` (in this process, or through PostgreSQL from
        any process); the idle poll covers the left. Rounds start at most every ``coalesce_s``:
        after a wake-up the relay waits for what is left of that since its last round began
        (or until ``coalesce_max`` more commits were signalled), so that the commits of that
        moment share one round. A commit after a quiet spell goes at once, and under load
        (rounds as long as the interval or longer) rounds follow each other without a pause:
        what was committed during one is the next one's batch, so waiting on top of it only
        added latency (measured: the 5 ms gather after every round was ~40 % of the relay's
        cycle at 700 commits/s). After a full round (a whole batch) it goes on at once. A
        follower asks for the lead every
        ``follower_wait`` seconds; on becoming the leader, and after any failure, the chain head
        is read from the database again."""
        leadership = leadership or SoleLeader()
        try:
            with self.keeping_connection():
                self._loop(
                    stop,
                    leadership,
                    idle_wait,
                    max_backoff,
                    follower_wait,
                    coalesce_s,
                    coalesce_max,
                )
        finally:
            leadership.close()

    def _loop(
        self,
        stop: threading.Event,
        leadership: Leadership,
        idle_wait: float,
        max_backoff: float,
        follower_wait: float,
        coalesce_s: float,
        coalesce_max: int,
    ) -> None:
        backoff = idle_wait
        led = False
        at_once = True
        begun = time.monotonic()  # the last round's start
        while not stop.is_set():
            if not leadership.am_leader():
                if led:
                    log.warning("outbox relay: no longer the leader")
                    self._let_go()
                led = False
                stop.wait(follower_wait)
                continue
            if not led:
                # Another process may have sealed while this one did not lead, or PostgreSQL
                # lost this one's last asynchronous rounds (the lead's connection ended first):
                # read the head again and reconcile with the topic before sending. What the
                # other leader sealed but could not publish waits below the head, in the
                # outbox: read it (``_publish``), or it waits for this one's next failure.
                self._sealer.vergeet()
                self._behind = True
                if self._publisher is not None:
                    self._publisher.reset()
                led, at_once = True, True
            try:
                if not at_once:
                    leadership.wait(idle_wait)
                    if stop.is_set():
                        break
                    left = coalesce_s - (time.monotonic() - begun)
                    if left > 0:
                        leadership.gather(left, coalesce_max)
                begun = time.monotonic()
                self.run_once()
                backoff = idle_wait
                at_once = self._full
                continue
            except PublishError as exc:
                log.warning("outbox relay: Kafka unavailable, retrying in %.1fs: %s", backoff, exc)
            except Exception:
                log.exception("outbox relay: unexpected failure, retrying in %.1fs", backoff)
            stop.wait(backoff)
            backoff = min(max_backoff, backoff * 2)
            at_once = True
        if led and leadership.am_leader():
            self.shut_down()

    def shut_down(self) -> None:
        """On a graceful stop: anchor everything sealed (so no event waits for the next anchor
        while the service is down) and try once to publish that anchor (in a round of its own,
        once it is committed: ``_publish``)."""
        try:
            self.run_once(force_anchor=True)
            self.run_once()
        except PublishError as exc:
            log.warning("outbox relay: final anchor stays in the outbox: %s", exc)
        except Exception:
            log.exception("outbox relay: could not anchor on shutdown")


class RelayThread:
    """Runs a relay in a daemon thread for a service's lifespan; with several processes per
    database, ``leadership`` lets only one of them seal and publish."""

    def __init__(
        self,
        relay: OutboxRelay,
        name: str = "outbox-relay",
        leadership: Leadership | None = None,
        idle_wait: float = 0.5,
    ) -> None:
        self._stop = threading.Event()
        self._leadership = leadership or SoleLeader()
        self._thread = threading.Thread(
            target=relay.run,
            args=(self._stop, self._leadership, idle_wait),
            name=name,
            daemon=True,
        )

    def wake(self) -> None:
        """Tell the relay that new events were committed."""
        self._leadership.wake()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._leadership.wake()
        self._thread.join(timeout)


class RelayProcess:
    """Runs a service's relay entrypoint (``python -m module``) as a child process for the
    app's lifespan, so that rounds and requests share no GIL; with several API processes
    (``uvicorn --workers``) each starts one and the leadership lets one of them relay. The
    settings go to it as JSON on its stdin (not in its command line or environment, where
    other users could read the secrets). It watches this process and ends when it is gone, so
    a SIGKILLed API leaves no relay behind. Commits wake it through the database (NOTIFY, or
    its poll of the position counter on SQLite), so ``wake`` has nothing to do."""

    def __init__(self, module: str, settings_json: bytes, restart_wait: float = 1.0) -> None:
        self._module = module
        self._settings = settings_json
        self._restart_wait = restart_wait
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    def wake(self) -> None:
        pass

    def start(self) -> None:
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="relay-process", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                self._module,
                "--instellingen",
                "-",
                "--ouder",
                str(os.getpid()),
            ],
            stdin=subprocess.PIPE,
        )
        assert process.stdin is not None
        process.stdin.write(self._settings)
        process.stdin.close()
        self._process = process

    def _watch(self) -> None:
        """A relay process that dies is replaced (the new one reads the chain head from the
        database and reconciles with Kafka before it sends)."""
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.wait(self._restart_wait):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                log.warning(
                    "outbox relay process %s ended (%s); starting another", process.pid, code
                )
                self._spawn()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: the relay anchors what it sealed and ends; killed after ``timeout``."""
        with self._lock:
            self._stopping.set()
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("outbox relay process %s did not stop in time; killed", process.pid)
                process.kill()
                process.wait()
        if self._watcher is not None:
            self._watcher.join(timeout)
