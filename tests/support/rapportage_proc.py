"""The rapportage consumer as a separate process that can SIGKILL itself after N events, so a
test can crash it at a known point mid-stream (in the middle of a batch)."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from sqlalchemy.orm import Session

from services.rapportage.adapters import projection
from services.rapportage.bootstrap import migrate
from services.rapportage.config import RapportageSettings
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import CloudEvent, source_urn
from shared.messaging.consumer import (
    KafkaDeadLetterSink,
    KafkaProjectionConsumer,
    ProjectionProcessor,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kill-after", type=int, default=0)
    args = parser.parse_args()
    settings = RapportageSettings()
    engine = make_engine(settings.database())
    migrate(engine)
    handled = 0

    def handler(session: Session, event: CloudEvent) -> None:
        nonlocal handled
        projection.verwerk(session, event)
        handled += 1
        if args.kill_after and handled >= args.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    processor = ProjectionProcessor(
        settings.consumer_group,
        make_session_factory(engine),
        handler,
        KafkaDeadLetterSink(settings.kafka_access()),
        after_each=projection.markeer_verwerkt,
        source=source_urn(settings.oin, projection.SPOEDLOCATIES.producent),
    )
    consumer = KafkaProjectionConsumer(
        processor, [settings.spoedlocaties_topic], settings.kafka_access(), max_records=100
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    consumer.run(stop)


if __name__ == "__main__":
    main()
