"""One instance of a read-model consumer (rapportage or kennis) in its own process, wired exactly
as the service wires it, that can SIGKILL itself after N events (``--sterf-na``): in the middle
of a batch, before the batch's transaction commits. Settings come from the environment
(BODEMREGIE_*), as for the service."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from typing import Any

from services.kennis.bootstrap import voortgang_processor
from services.kennis.config import KennisSettings
from services.rapportage.bootstrap import migrate, processor
from services.rapportage.config import RapportageSettings
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory
from shared.messaging.consumer import KafkaDeadLetterSink, KafkaProjectionConsumer


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("dienst", choices=("rapportage", "kennis"))
    p.add_argument("--sterf-na", type=int, default=0)
    args = p.parse_args(argv)
    settings: Any
    if args.dienst == "rapportage":
        settings = RapportageSettings()
        engine = make_engine(settings.database())
        migrate(engine)
        sessions = make_session_factory(engine)
        verwerker = processor(settings, sessions, KafkaDeadLetterSink(settings.kafka_access()))
    else:
        from services.kennis.bootstrap import PERSONEN_VERSIONS, VERSIONS

        settings = KennisSettings()
        engine = make_engine(settings.database())
        migrations.upgrade(engine, [VERSIONS, PERSONEN_VERSIONS])
        sessions = make_session_factory(engine)
        verwerker = voortgang_processor(
            settings, sessions, KafkaDeadLetterSink(settings.kafka_access())
        )
    if args.sterf_na:
        handler = verwerker._handler  # the service's own handler, counted
        gezien = 0

        def tellend(session: Any, event: Any) -> None:
            nonlocal gezien
            handler(session, event)
            gezien += 1
            if gezien >= args.sterf_na:
                os.kill(os.getpid(), signal.SIGKILL)

        verwerker._handler = tellend
    consumer = KafkaProjectionConsumer(
        verwerker, [settings.spoedlocaties_topic], settings.kafka_access(), max_records=100
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    consumer.run(stop)


if __name__ == "__main__":
    main()
