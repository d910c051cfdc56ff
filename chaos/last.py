"""Load for the scenarios: writer threads that append one event per command to their own
streams through the event store and its outbox (the write path of every service), counting
what was acknowledged (the commit returned) per stream."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events

ACTOR = EventMetadata(
    actor="chaos@example.org", organisation="ZH", role="bevoegd-gezag", correlation_id="chaos"
)


def command(n: int) -> NewEvent:
    return NewEvent(
        event_type="teller-opgehoogd",
        data={"n": n},
        occurred_at=datetime(2012, 3, 1, tzinfo=UTC),
        metadata=ACTOR,
    )


@dataclass
class Last:
    """``threads`` writers share ``commands`` over ``streams`` streams (each stream belongs to one
    writer, so versions never conflict); after a failed commit the writer reads its stream's
    version again (the commit may have landed though its answer was lost) and goes on."""

    sessions: sessionmaker[Session]
    topic: str
    commands: int
    streams: int = 24
    threads: int = 4
    prefix: str = "CHAOS-"
    pause_s: float = 0.0
    acknowledged: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    _count: int = 0
    _issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    first_failure_at: float | None = None
    last_failure_at: float | None = None

    @property
    def accepted(self) -> int:
        return self._count

    def _next(self) -> bool:
        """Reserve one of the commands; False when all are taken."""
        with self._lock:
            if self._issued >= self.commands:
                return False
            self._issued += 1
            return True

    def _writer(self, mine: list[str]) -> None:
        versions = dict.fromkeys(mine, 0)
        i = 0
        while self._next():
            stream = mine[i % len(mine)]
            while not self._append(stream, versions, i):
                time.sleep(0.05)  # the command is retried, as a client retries after a 503
            i += 1
            if self.pause_s:
                time.sleep(self.pause_s)

    def _append(self, stream: str, versions: dict[str, int], i: int) -> bool:
        try:
            with self.sessions() as s, s.begin():
                SqlEventStore(s).append(
                    stream, "teller", versions[stream], [command(i)], self.topic
                )
        except Exception as exc:
            now = time.monotonic()
            with self._lock:
                self.failures.append(type(exc).__name__)
                self.first_failure_at = self.first_failure_at or now
                self.last_failure_at = now
            # The commit may have landed though its answer was lost: go on from what is stored.
            versions[stream] = self._stored_version(stream, versions[stream])
            return False
        versions[stream] += 1
        with self._lock:
            self._count += 1
            self.acknowledged[stream] = versions[stream]
        return True

    def _stored_version(self, stream: str, fallback: int) -> int:
        try:
            with self.sessions() as s:
                v = s.execute(
                    select(func.max(events.c.version)).where(events.c.stream_id == stream)
                ).scalar_one()
                return int(v or 0)
        except Exception:
            return fallback

    def start(self) -> None:
        names = [f"{self.prefix}{i:03d}" for i in range(self.streams)]
        for t in range(self.threads):
            mine = names[t :: self.threads]
            thread = threading.Thread(target=self._writer, args=(mine,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def wait_until(self, condition: Callable[[], bool], timeout_s: float = 600.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.05)

    def join(self, timeout_s: float = 600.0) -> None:
        for thread in self._threads:
            thread.join(timeout_s)
