"""Wires the rapportage service: engine, migrations, the consumer thread, the report builder."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import projection
from services.rapportage.adapters.momentopname import Momentopname
from services.rapportage.adapters.projection import Stroom
from services.rapportage.config import RapportageSettings
from services.rapportage.service_layer.publiceren import Publicaties
from services.rapportage.service_layer.rapportage import Rapportage
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import source_urn
from shared.http.app import ReadinessCheck, database_check
from shared.http.consumer_health import consumer_checks, consumer_samples
from shared.http.metrics import Samples, store_meetwaarden, zonder_labels
from shared.leadership import leadership_for
from shared.messaging.consumer import (
    DeadLetterSink,
    KafkaDeadLetterSink,
    KafkaProjectionConsumer,
    ProjectionProcessor,
)
from shared.messaging.publisher import KafkaPublisher
from shared.outbox import OutboxRelay, RelayThread
from shared.zegel import verzegelaar

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


def stromen(settings: RapportageSettings) -> list[tuple[Stroom, str, str]]:
    """What this service consumes: (stream, topic, consumer group)."""
    return [
        (projection.SPOEDLOCATIES, settings.spoedlocaties_topic, settings.consumer_group),
        (projection.KENNIS, settings.kennis_topic, f"{settings.consumer_group}-kennis"),
    ]


def processor(
    settings: RapportageSettings,
    sessions: sessionmaker[Session],
    dead_letters: DeadLetterSink,
    stroom: Stroom = projection.SPOEDLOCATIES,
    groep: str | None = None,
) -> ProjectionProcessor:
    return ProjectionProcessor(
        groep or settings.consumer_group,
        sessions,
        stroom.verwerk,
        dead_letters,
        after_each=stroom.markeer_verwerkt,
        source=source_urn(settings.oin, stroom.producent),
    )


def kafka_consumers(
    settings: RapportageSettings, sessions: sessionmaker[Session]
) -> list[KafkaProjectionConsumer]:
    kafka = settings.kafka_access()
    sink = KafkaDeadLetterSink(kafka)
    return [
        KafkaProjectionConsumer(processor(settings, sessions, sink, stroom, groep), [topic], kafka)
        for stroom, topic, groep in stromen(settings)
    ]


@dataclass
class Container:
    settings: RapportageSettings
    engine: Engine
    sessions: sessionmaker[Session]
    rapportage: Rapportage
    publicaties: Publicaties | None = None  # None only in tests that wire the reports alone
    relay: RelayThread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    consumer_threads: list[threading.Thread] = field(default_factory=list)
    consumers: list[KafkaProjectionConsumer] = field(default_factory=list)

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        checks = {"database": database_check(self.engine), "tijdlijnen": self._tijdlijnen_klaar}
        if self.settings.kafka_enabled and self.settings.consumer_enabled:
            checks |= consumer_checks(
                self.settings.kafka_bootstrap, self.settings.consumer_max_lag, self.consumers
            )
        return checks

    def meetwaarden(self) -> dict[str, Samples]:
        """For /metrics: dead letters and consumer lag per consumer group, and the outbox
        backlog, anchors and last position of the publications' log."""
        return {
            **zonder_labels(store_meetwaarden(self.sessions)),
            **consumer_samples(self.sessions, self.consumers),
        }

    def _tijdlijnen_klaar(self) -> None:
        if not self.rapportage.bijgehouden.is_set():
            raise RuntimeError("de tijdlijnen worden nog opgebouwd")

    def close(self) -> None:
        self.stop.set()
        if self.relay is not None:
            self.relay.stop()
        for thread in self.consumer_threads:
            thread.join(15)
        self.engine.dispose()


def migrate(engine: Engine) -> None:
    migrations.upgrade(engine, [VERSIONS])


def bootstrap(settings: RapportageSettings) -> Container:
    engine = make_engine(settings.database())
    migrate(engine)
    sessions = make_session_factory(engine)
    pad = settings.momentopname()
    momentopname = None if pad is None else Momentopname(pad, sessions)
    rapportage = Rapportage(
        sessions,
        bevries=True,
        momentopname=momentopname,
        voorlezen=settings.tijdlijnen_voorlezen,
    )
    relay = publicatie_relay(settings, engine, sessions)
    publicaties = Publicaties(
        sessions, rapportage, settings.publicaties_topic, relay.wake if relay else None
    )
    container = Container(settings, engine, sessions, rapportage, publicaties, relay)
    if settings.kafka_enabled and settings.consumer_enabled:
        for consumer in kafka_consumers(settings, sessions):
            container.consumers.append(consumer)
            thread = threading.Thread(
                target=_run_logged,
                args=(consumer, container.stop),
                name=f"{consumer.processor.name}-consumer",
                daemon=True,
            )
            thread.start()
            container.consumer_threads.append(thread)
    # Keeps the timelines up with the watermark, so requests do not wait for the backlog (at
    # start: the whole log).
    bijhouder = threading.Thread(
        target=_houd_bij,
        args=(container.rapportage, container.stop),
        name="rapportage-tijdlijnen",
        daemon=True,
    )
    bijhouder.start()
    container.consumer_threads.append(bijhouder)
    return container


def publicatie_relay(
    settings: RapportageSettings, engine: Engine, sessions: sessionmaker[Session]
) -> RelayThread | None:
    """The relay of the publications' log: seals and anchors (also without Kafka), and puts
    them on the publications topic (shared/outbox.py, as locaties and kennis do)."""
    if not settings.relay_enabled:
        return None
    source = source_urn(settings.oin, "bodemregie-rapportage")
    publisher = None
    if settings.kafka_enabled:
        publisher = KafkaPublisher(settings.kafka_access(), client_id="rapportage-relay")
    relay = RelayThread(
        OutboxRelay(
            sessions,
            publisher,
            source,
            sealer=verzegelaar(settings, source, settings.publicaties_topic),
        ),
        name="rapportage-relay",
        leadership=leadership_for(engine, "rapportage"),
    )
    relay.start()
    return relay


def _houd_bij(rapportage: Rapportage, stop: threading.Event, pauze: float = 2.0) -> None:
    while not stop.is_set():
        try:
            rapportage.houd_bij()
        except Exception:
            logging.getLogger("services.rapportage").exception("timelines not updated")
        stop.wait(pauze)


def _run_logged(consumer: KafkaProjectionConsumer, stop: threading.Event) -> None:
    log = logging.getLogger("services.rapportage.consumer")
    while not stop.is_set():
        try:
            consumer.run(stop)
        except Exception:
            # The read model stays as it was (the batch rolled back); retry after a pause.
            log.exception("rapportage consumer failed; restarting in 2 s")
            stop.wait(2)
