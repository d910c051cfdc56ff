"""A small read model for consumer tests: per stream the count and sum of ``data.n``.

Run as a module it is a consumer process that can kill itself with SIGKILL in the middle of a
batch (``--kill-after N``), which is how the tests crash a consumer at a known point.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.orm import Session

from shared.db.engine import make_engine, make_session_factory
from shared.envelope import CloudEvent
from shared.messaging.consumer import (
    DeadLetterSink,
    KafkaProjectionConsumer,
    ProjectionProcessor,
)
from shared.settings import ServiceSettings

test_metadata = MetaData()
tellers = Table(
    "test_tellers",
    test_metadata,
    Column("stream_id", String(100), primary_key=True),
    Column("aantal", Integer, nullable=False),
    Column("som", Integer, nullable=False),
    Column("laatste_versie", Integer, nullable=False),
)


def apply(session: Session, event: CloudEvent) -> None:
    if "n" not in event.data or not isinstance(event.data["n"], int):
        raise ValueError("data.n ontbreekt")
    row = session.execute(select(tellers).where(tellers.c.stream_id == event.subject)).first()
    if row is None:
        session.execute(
            insert(tellers).values(
                stream_id=event.subject,
                aantal=1,
                som=event.data["n"],
                laatste_versie=event.sequence,
            )
        )
    else:
        session.execute(
            update(tellers)
            .where(tellers.c.stream_id == event.subject)
            .values(
                aantal=row.aantal + 1, som=row.som + event.data["n"], laatste_versie=event.sequence
            )
        )


def snapshot(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(tellers).order_by(tellers.c.stream_id))]


def processor(
    engine: Engine, group: str, sink: DeadLetterSink, kill_after: int = 0
) -> ProjectionProcessor:
    handled = 0

    def handler(session: Session, event: CloudEvent) -> None:
        nonlocal handled
        apply(session, event)
        handled += 1
        if kill_after and handled >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    return ProjectionProcessor(group, make_session_factory(engine), handler, sink)


def main() -> None:
    from shared.messaging.consumer import KafkaDeadLetterSink

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--max-records", type=int, default=500)
    args = parser.parse_args()
    engine = make_engine(args.db)
    kafka = ServiceSettings(kafka_bootstrap=args.bootstrap).kafka_access()
    proc = processor(engine, args.group, KafkaDeadLetterSink(kafka), args.kill_after)
    consumer = KafkaProjectionConsumer(proc, [args.topic], kafka, max_records=args.max_records)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    consumer.run(stop)


if __name__ == "__main__":
    main()
