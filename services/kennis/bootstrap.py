"""Wires the kennis service: engine, migrations, unit of work, relay (the shared outbox)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.kennis.adapters import voortgang
from services.kennis.config import KennisSettings
from services.kennis.service_layer.unit_of_work import SqlKennisUnitOfWork
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import source_urn
from shared.http.app import ReadinessCheck, database_check
from shared.http.consumer_health import consumer_checks, consumer_samples
from shared.http.metrics import (
    Samples,
    store_meetwaarden,
    zonder_labels,
)
from shared.leadership import leadership_for
from shared.messaging.consumer import (
    DeadLetterSink,
    KafkaDeadLetterSink,
    KafkaProjectionConsumer,
    ProjectionProcessor,
)
from shared.messaging.publisher import KafkaPublisher
from shared.outbox import OutboxRelay, RelayThread
from shared.privacy import VERSIONS as PERSONEN_VERSIONS
from shared.privacy import NieuwePersoon, Personen
from shared.unit_of_work import Actor
from shared.zegel import verzegelaar

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


def voortgang_processor(
    settings: KennisSettings, sessions: sessionmaker[Session], dead_letters: DeadLetterSink
) -> ProjectionProcessor:
    """Reads bodem.spoedlocaties.v1 for who leads the remediation (koplopers): only events
    sealed by locaties count."""
    return ProjectionProcessor(
        "kennis-voortgang",
        sessions,
        voortgang.verwerk,
        dead_letters,
        source=source_urn(settings.oin, "bodemregie-locaties"),
    )


@dataclass
class Container:
    settings: KennisSettings
    engine: Engine
    sessions: sessionmaker[Session]
    relay: RelayThread | None
    personen: Personen
    stop: threading.Event = field(default_factory=threading.Event)
    consumer_thread: threading.Thread | None = None
    consumers: list[KafkaProjectionConsumer] = field(default_factory=list)

    def wie(self, login: str) -> tuple[str, NieuwePersoon | None]:
        """The caller's pseudonym, or a fresh one for a first-time caller that the command
        stores (``word_persoon``) once the policy allowed it. Only reads."""
        with self.sessions() as session:
            return self.personen.wie(session, login)

    def uow(self, actor: Actor | None = None) -> SqlKennisUnitOfWork:
        """A unit of work for a command of ``actor`` (without one: for reads only)."""
        return SqlKennisUnitOfWork(
            self.sessions,
            self.settings.kennis_topic,
            on_commit=self.relay.wake if self.relay else None,
            personen=self.personen,
            actor=actor,
        )

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        checks = {"database": database_check(self.engine)}
        if self.settings.kafka_enabled:
            checks |= consumer_checks(
                self.settings.kafka_bootstrap, self.settings.consumer_max_lag, self.consumers
            )
        return checks

    def meetwaarden(self) -> dict[str, Samples]:
        """For /metrics: outbox backlog, anchors, last position, dead letters, consumer lag."""
        return {
            **zonder_labels(store_meetwaarden(self.sessions)),
            **consumer_samples(self.sessions, self.consumers),
        }

    def close(self) -> None:
        self.stop.set()
        if self.relay is not None:
            self.relay.stop()
        if self.consumer_thread is not None:
            self.consumer_thread.join(15)
        self.engine.dispose()


def bootstrap(settings: KennisSettings) -> Container:
    engine = make_engine(settings.database())
    migrations.upgrade(engine, [VERSIONS, PERSONEN_VERSIONS])
    sessions = make_session_factory(engine)
    personen = Personen(settings.sleutelring())
    with sessions() as session:
        personen.controleer(session)
    relay = None
    if settings.kafka_enabled and settings.relay_enabled:
        source = source_urn(settings.oin, "bodemregie-kennis")
        publisher = KafkaPublisher(settings.kafka_access(), client_id="kennis-relay")
        zegel = verzegelaar(settings, source, settings.kennis_topic)
        relay = RelayThread(
            OutboxRelay(sessions, publisher, source, sealer=zegel),
            name="kennis-relay",
            leadership=leadership_for(engine, "kennis"),
        )
        relay.start()
    container = Container(settings, engine, sessions, relay, personen)
    if settings.kafka_enabled:
        consumer = KafkaProjectionConsumer(
            voortgang_processor(settings, sessions, KafkaDeadLetterSink(settings.kafka_access())),
            [settings.spoedlocaties_topic],
            settings.kafka_access(),
        )
        container.consumers.append(consumer)
        container.consumer_thread = threading.Thread(
            target=consumer.run, args=(container.stop,), name="kennis-voortgang", daemon=True
        )
        container.consumer_thread.start()
    return container
