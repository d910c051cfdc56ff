"""Wires the rapportage service: engine, migrations, the consumer thread, the report builder."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import projectie
from services.rapportage.config import RapportageSettings
from services.rapportage.service_layer.rapportage import Rapportage
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory
from shared.messaging.consumer import (
    DeadLetterSink,
    KafkaDeadLetterSink,
    KafkaProjectionConsumer,
    ProjectionProcessor,
)

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


def processor(
    settings: RapportageSettings, sessions: sessionmaker[Session], dead_letters: DeadLetterSink
) -> ProjectionProcessor:
    return ProjectionProcessor(
        settings.consumer_group,
        sessions,
        projectie.verwerk,
        dead_letters,
        after_each=projectie.markeer_verwerkt,
    )


def kafka_consumer(
    settings: RapportageSettings, sessions: sessionmaker[Session]
) -> KafkaProjectionConsumer:
    sink = KafkaDeadLetterSink(settings.kafka_bootstrap)
    return KafkaProjectionConsumer(
        processor(settings, sessions, sink),
        [settings.spoedlocaties_topic],
        settings.kafka_bootstrap,
    )


@dataclass
class Container:
    settings: RapportageSettings
    engine: Engine
    sessions: sessionmaker[Session]
    rapportage: Rapportage
    stop: threading.Event = field(default_factory=threading.Event)
    consumer_thread: threading.Thread | None = None

    def check_database(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        self.stop.set()
        if self.consumer_thread is not None:
            self.consumer_thread.join(15)
        self.engine.dispose()


def migrate(engine: Engine) -> None:
    migrations.upgrade(engine, [VERSIONS])


def bootstrap(settings: RapportageSettings) -> Container:
    engine = make_engine(settings.database())
    migrate(engine)
    sessions = make_session_factory(engine)
    container = Container(settings, engine, sessions, Rapportage(sessions))
    if settings.kafka_enabled and settings.consumer_enabled:
        consumer = kafka_consumer(settings, sessions)
        container.consumer_thread = threading.Thread(
            target=_run_logged,
            args=(consumer, container.stop),
            name="rapportage-consumer",
            daemon=True,
        )
        container.consumer_thread.start()
    return container


def _run_logged(consumer: KafkaProjectionConsumer, stop: threading.Event) -> None:
    import logging

    log = logging.getLogger("services.rapportage.consumer")
    while not stop.is_set():
        try:
            consumer.run(stop)
        except Exception:
            # The read model stays as it was (the batch rolled back); retry after a pause.
            log.exception("rapportage consumer failed; restarting in 2 s")
            stop.wait(2)
