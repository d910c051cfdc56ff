"""The outbox relay: publishes committed events to Kafka and marks their outbox rows.

Events and outbox rows commit in one transaction (see ``SqlEventStore.append``). The relay reads
unpublished rows in global order, publishes them (the publisher keeps one copy per row on the
topic, even across failures) and only then marks them published. Kafka being down never fails a
command: rows wait, and the relay catches up when the broker returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.envelope import from_recorded
from shared.eventstore.sql import to_recorded
from shared.eventstore.tables import event_seals, events, outbox, store_identity
from shared.leiding import AlleenIk, Leiding, vergrendel
from shared.messaging.publisher import OutgoingMessage, Publisher, PublishError
from shared.zegel import Verzegelaar

log = logging.getLogger(__name__)


def store_id(session: Session) -> str:
    return str(session.execute(select(store_identity.c.store_id)).scalar_one())


class OutboxRelay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        publisher: Publisher,
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
        self._verzegelaar = verzegelaar or Verzegelaar(source)
        self._anker_interval_s = anker_interval_s
        self._laatste_anker = time.monotonic()

    def seal(self) -> int:
        """Seal committed events and anchor when due; returns how many were sealed."""
        with self._sessions() as session, session.begin():
            if self._store_id is None:
                self._store_id = store_id(session)
            sealed = self._verzegelaar.verzegel(session, self._store_id)
            stil = not sealed and time.monotonic() - self._laatste_anker > self._anker_interval_s
            if self._verzegelaar.veranker(session, forceer=stil) is not None or stil:
                self._laatste_anker = time.monotonic()
        return sealed

    def run_once(self) -> int:
        """Seal, then publish one batch of sealed events; returns how many rows were
        published. Raises PublishError."""
        self.seal()
        with self._een_tegelijk():
            return self._publiceer(self._store_id or "")  # set by seal()

    @contextmanager
    def _een_tegelijk(self) -> Iterator[None]:
        """One batch at a time per database, whoever thinks it leads: a fence for a leader
        that lost its lock without noticing yet (held until the batch is marked)."""
        with self._sessions() as session, session.begin():
            vergrendel(session, "outbox-batch")
            yield

    def _publiceer(self, store: str) -> int:
        with self._sessions() as session, session.begin():
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
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.position)
                .limit(self._batch_size)
            ).all()
        if not rows:
            return 0
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
        self._publisher.publish(messages)
        positions = [m.position for m in messages]
        try:
            with self._sessions() as session, session.begin():
                session.execute(
                    update(outbox)
                    .where(outbox.c.position.in_(positions))
                    .values(published_at=datetime.now(UTC))
                )
        except Exception:
            # Published but not marked: the next round must reconcile instead of re-sending.
            self._publisher.reset()
            raise
        return len(messages)

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
    ) -> None:
        """Loop until ``stop`` is set, publishing while this process leads (``leiding``; by
        default the only process); failures are logged and retried with backoff.

        Commits wake the relay through ``leiding`` (in this process, or through PostgreSQL from
        any process); the idle poll covers the rest. A follower asks for the lead every
        ``volg_wacht`` seconds."""
        leiding = leiding or AlleenIk()
        backoff = idle_wait
        leidde = False
        while not stop.is_set():
            if not leiding.leid_ik():
                if leidde:
                    log.warning("outbox relay: no longer the leader")
                leidde = False
                stop.wait(volg_wacht)
                continue
            leidde = True
            try:
                published = self.run_once()
                backoff = idle_wait
                if published:
                    continue
                leiding.wacht(idle_wait)
                continue
            except PublishError as exc:
                log.warning("outbox relay: Kafka unavailable, retrying in %.1fs: %s", backoff, exc)
            except Exception:
                log.exception("outbox relay: unexpected failure, retrying in %.1fs", backoff)
            stop.wait(backoff)
            backoff = min(max_backoff, backoff * 2)
        if leidde and leiding.leid_ik():
            self.sluit_af()
        leiding.sluit()

    def sluit_af(self) -> None:
        """On a graceful stop: anchor everything sealed (so no event waits for the next anchor
        while the service is down) and try once to publish that anchor."""
        try:
            self.seal()
            with self._sessions() as session, session.begin():
                self._verzegelaar.veranker(session, forceer=True)
            self.run_once()
        except PublishError as exc:
            log.warning("outbox relay: final anchor stays in the outbox: %s", exc)
        except Exception:
            log.exception("outbox relay: could not anchor on shutdown")


class RelayThread:
    """Runs a relay in a daemon thread for a service's lifespan; with several processes per
    database, ``leiding`` lets only one of them publish."""

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
