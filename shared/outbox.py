"""The outbox relay: seals committed events, publishes them to Kafka and marks their outbox rows.

Events and outbox rows commit in one transaction (see ``SqlEventStore.append``). The relay runs
apart from the request path, in a thread of the one process that leads (``shared/leiding.py``).
A commit wakes it; it then waits a few milliseconds more so that concurrent commits join the same
round, and a round is one transaction: seal what was committed (and anchor when due, see
``shared/zegel.py``), publish the sealed, unpublished rows in global order (the publisher keeps
one copy per row on the topic, even across failures) and mark them. Kafka being down never fails
a command, nor stops sealing: the seals commit, the rows wait, and the relay catches up when the
broker returns. Without Kafka (development, tests) the relay only seals and anchors.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import orjson
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.envelope import from_recorded
from shared.eventstore.sql import to_recorded
from shared.eventstore.tables import event_seals, events, outbox, store_identity
from shared.leiding import AlleenIk, Leiding, vergrendel
from shared.messaging.publisher import OutgoingMessage, Publisher, PublishError
from shared.zegel import Ronde, Verzegelaar

log = logging.getLogger(__name__)


_MARKEER = (
    update(outbox)
    .where(outbox.c.position.in_(bindparam("posities", expanding=True)))
    .values(published_at=bindparam("nu"))
)


def store_id(session: Session) -> str:
    return str(session.execute(select(store_identity.c.store_id)).scalar_one())


class OutboxRelay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        publisher: Publisher | None,
        source: str,
        batch_size: int = 500,
        verzegelaar: Verzegelaar | None = None,
        anker_interval_s: float = 300.0,
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._source = source
        self._batch_size = batch_size
        self._store_id: str | None = None
        self._verzegelaar = verzegelaar or Verzegelaar(source, batch=batch_size)
        self._anker_interval_s = anker_interval_s
        self._laatste_anker = time.monotonic()
        self._vol = False
        # Sealed rows of earlier rounds may wait unpublished (at start, after Kafka failed, a
        # round that sealed more than a batch): then the round reads them from the outbox.
        # Otherwise it publishes what it sealed itself, without reading it again.
        self._achterstand = True

    def run_once(self, forceer_anker: bool = False) -> int:
        """One round in one transaction: seal, anchor when due (after ``anker_interval_s``
        without new events, or when ``forceer_anker``), publish one batch of sealed events and
        mark it. Returns how many rows were published. Raises PublishError after committing
        the seals."""
        stil = time.monotonic() - self._laatste_anker > self._anker_interval_s
        gepubliceerd: list[int] = []
        fout: PublishError | None = None
        try:
            with self._sessions() as session, session.begin():
                # One round at a time per database, whoever thinks it leads: a fence for a
                # leader that lost its lock without noticing yet.
                vergrendel(session, "outbox-batch")
                if self._store_id is None:
                    self._store_id = store_id(session)
                ronde = self._verzegelaar.ronde(session, self._store_id, forceer_anker, stil)
                if self._publisher is not None:
                    try:
                        gepubliceerd = self._publiceer(session, self._store_id, ronde)
                    except PublishError as exc:
                        fout = exc  # the seals commit all the same
                        self._achterstand = True
        except Exception:
            self._verzegelaar.vergeet()
            self._achterstand = True
            if gepubliceerd and self._publisher is not None:
                # Published but not marked: the next round must reconcile, not re-send.
                self._publisher.reset()
            raise
        self._verzegelaar.bevestig(ronde)
        if ronde.verankerd is not None or (stil and not ronde.verzegeld):
            self._laatste_anker = time.monotonic()
        self._vol = ronde.verzegeld >= self._verzegelaar.batch or len(gepubliceerd) >= (
            self._batch_size
        )
        if fout is not None:
            raise fout
        return len(gepubliceerd)

    def _publiceer(self, session: Session, store: str, ronde: Ronde) -> list[int]:
        """Publish the next sealed, unpublished rows and mark them (in the round's
        transaction); returns their positions. Rows sealed in earlier rounds and still waiting
        go first (read from the outbox); then what this round sealed, as it was built."""
        assert self._publisher is not None
        messages: list[OutgoingMessage] = []
        if self._achterstand:
            messages = self._uit_outbox(session, store, ronde.vanaf)
        if len(messages) < self._batch_size:
            # Fewer than a batch waited from earlier rounds: that was all of them. Then all
            # this round sealed goes too (at most two batches: one before an anchor, one after),
            # so that a busy relay never falls behind into reading its own rows back.
            messages += [
                OutgoingMessage(
                    topic=b.topic,
                    key=b.stream_id,
                    value=orjson.dumps(b.cloudevent),
                    position=b.position,
                    store_id=store,
                )
                for b in ronde.berichten
            ]
            self._achterstand = False
        else:
            self._achterstand = True
        if not messages:
            return []
        self._publisher.publish(messages)
        positions = [m.position for m in messages]
        try:
            session.execute(_MARKEER, {"posities": positions, "nu": datetime.now(UTC)})
        except Exception:
            self._publisher.reset()  # published but not marked: reconcile next round
            raise
        return positions

    def _uit_outbox(self, session: Session, store: str, tot: int) -> list[OutgoingMessage]:
        """Unpublished rows sealed before this round (position up to ``tot``), in order."""
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
            .where(outbox.c.published_at.is_(None), outbox.c.position <= tot)
            .order_by(outbox.c.position)
            .limit(self._batch_size)
        ).all()
        messages = []
        for row in rows:
            event = to_recorded(row)
            zegel = (row.hash, row.prev_hash, row.stream_prev_hash)
            envelope = from_recorded(event, self._source, store, zegel)
            messages.append(
                OutgoingMessage(
                    topic=row.topic,
                    key=event.stream_id,
                    value=envelope.to_json(),
                    position=event.position,
                    store_id=store,
                )
            )
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
        leiding: Leiding | None = None,
        idle_wait: float = 0.5,
        max_backoff: float = 5.0,
        volg_wacht: float = 1.0,
        samenvoegen_s: float = 0.005,
        samenvoegen_max: int = 100,
    ) -> None:
        """Loop until ``stop`` is set, sealing and publishing while this process leads
        (``leiding``; by default the only process); failures are logged and retried with
        backoff.

        Commits wake the relay through ``leiding`` (in this process, or through PostgreSQL from
        any process); the idle poll covers the rest. After a wake-up the relay waits up to
        ``samenvoegen_s`` more, or until ``samenvoegen_max`` more commits were signalled, so
        that the commits of that moment share one round; after a full round (a whole batch)
        it goes on at once. A follower asks for the lead every
        ``volg_wacht`` seconds; on becoming the leader, and after any failure, the chain head
        is read from the database again."""
        leiding = leiding or AlleenIk()
        backoff = idle_wait
        leidde = False
        meteen = True
        while not stop.is_set():
            if not leiding.leid_ik():
                if leidde:
                    log.warning("outbox relay: no longer the leader")
                leidde = False
                stop.wait(volg_wacht)
                continue
            if not leidde:
                # Another process may have sealed while this one did not lead.
                self._verzegelaar.vergeet()
                leidde, meteen = True, True
            try:
                if not meteen:
                    leiding.wacht(idle_wait)
                    if stop.is_set():
                        break
                    leiding.verzamel(samenvoegen_s, samenvoegen_max)
                self.run_once()
                backoff = idle_wait
                meteen = self._vol
                continue
            except PublishError as exc:
                log.warning("outbox relay: Kafka unavailable, retrying in %.1fs: %s", backoff, exc)
            except Exception:
                log.exception("outbox relay: unexpected failure, retrying in %.1fs", backoff)
            stop.wait(backoff)
            backoff = min(max_backoff, backoff * 2)
            meteen = True
        if leidde and leiding.leid_ik():
            self.sluit_af()
        leiding.sluit()

    def sluit_af(self) -> None:
        """On a graceful stop: anchor everything sealed (so no event waits for the next anchor
        while the service is down) and try once to publish that anchor."""
        try:
            self.run_once(forceer_anker=True)
        except PublishError as exc:
            log.warning("outbox relay: final anchor stays in the outbox: %s", exc)
        except Exception:
            log.exception("outbox relay: could not anchor on shutdown")


class RelayThread:
    """Runs a relay in a daemon thread for a service's lifespan; with several processes per
    database, ``leiding`` lets only one of them seal and publish."""

    def __init__(
        self,
        relay: OutboxRelay,
        name: str = "outbox-relay",
        leiding: Leiding | None = None,
        idle_wait: float = 0.5,
    ) -> None:
        self._stop = threading.Event()
        self._leiding = leiding or AlleenIk()
        self._thread = threading.Thread(
            target=relay.run,
            args=(self._stop, self._leiding, idle_wait),
            name=name,
            daemon=True,
        )

    def wake(self) -> None:
        """Tell the relay that new events were committed."""
        self._leiding.wek()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._leiding.wek()
        self._thread.join(timeout)
