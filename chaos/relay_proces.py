"""A relay in its own process, for the scenario that kills it between publish and mark:
``--sterf-na N`` SIGKILLs the process right after its N-th publish returned (the records are on
Kafka, the outbox rows not yet marked, the round's transaction not committed).
``--zonder-reconciliatie`` switches off the publisher's check of what already landed, to show
that the scenario's counts do catch the doubles that check prevents. ``--blijf`` keeps it
running as a service's relay process does (elected through the advisory lock, woken by the
commits' NOTIFY) until SIGTERM, for the scenarios that load the store while Kafka fails."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from shared.db.engine import make_engine, make_session_factory
from shared.leadership import Leadership, leadership_for
from shared.messaging.kafka_client import from_credentials_file
from shared.messaging.publisher import KafkaPublisher, OutgoingMessage
from shared.outbox import OutboxRelay

SOURCE = "urn:nld:oin:00000001003214345000:systeem:chaos"


class SterfNaPublish(KafkaPublisher):
    def __init__(self, *args: object, sterf_na: int, reconcilieer: bool, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self._sterf_na = sterf_na
        self._reconcilieer = reconcilieer
        self._keer = 0

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        super().publish(messages)
        self._keer += 1
        if self._sterf_na and self._keer >= self._sterf_na:
            os.kill(os.getpid(), signal.SIGKILL)

    def _drop_already_published(
        self, topic: str, partitions: int, messages: Sequence[OutgoingMessage]
    ) -> list[OutgoingMessage]:
        if not self._reconcilieer:
            return list(messages)
        return super()._drop_already_published(topic, partitions, messages)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--database", required=True)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--inlog", required=True)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--sterf-na", type=int, default=0)
    p.add_argument("--zonder-reconciliatie", action="store_true")
    p.add_argument("--blijf", action="store_true", help="relay until SIGTERM, as a service does")
    p.add_argument("--levertijd-ms", type=int, default=30_000, help="the producer's timeout")
    args = p.parse_args(argv)
    engine = make_engine(args.database)
    sessions = make_session_factory(engine)
    publisher = SterfNaPublish(
        from_credentials_file(args.bootstrap, args.inlog),
        sterf_na=args.sterf_na,
        reconcilieer=not args.zonder_reconciliatie,
        delivery_timeout_ms=args.levertijd_ms,
    )
    relay = OutboxRelay(sessions, publisher, SOURCE, batch_size=args.batch)
    if args.blijf:
        return _blijf(relay, leadership_for(engine, "chaos"), publisher)
    deadline = time.monotonic() + 300
    while relay.pending() and time.monotonic() < deadline:
        relay.run_once()
    publisher.close()
    return 0 if not relay.pending() else 1


def _blijf(relay: OutboxRelay, leadership: Leadership, publisher: KafkaPublisher) -> int:
    stop = threading.Event()

    def stoppen(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        leadership.wake()

    signal.signal(signal.SIGTERM, stoppen)
    signal.signal(signal.SIGINT, stoppen)
    relay.run(stop, leadership, idle_wait=0.2)
    publisher.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
