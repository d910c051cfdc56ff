"""Wires the kennis service: engine, migrations, unit of work, relay (the shared outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from services.kennis.config import KennisSettings
from services.kennis.service_layer.unit_of_work import SqlKennisUnitOfWork
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import source_urn
from shared.messaging.publisher import KafkaPublisher
from shared.outbox import OutboxRelay, RelayThread
from shared.zegel import Verzegelaar

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@dataclass
class Container:
    settings: KennisSettings
    engine: Engine
    sessions: sessionmaker[Session]
    relay: RelayThread | None

    def uow(self) -> SqlKennisUnitOfWork:
        return SqlKennisUnitOfWork(
            self.sessions,
            self.settings.kennis_topic,
            on_commit=self.relay.wake if self.relay else None,
        )

    def check_database(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        if self.relay is not None:
            self.relay.stop()
        self.engine.dispose()


def bootstrap(settings: KennisSettings) -> Container:
    engine = make_engine(settings.database())
    migrations.upgrade(engine, [VERSIONS])
    sessions = make_session_factory(engine)
    relay = None
    if settings.kafka_enabled and settings.relay_enabled:
        source = source_urn(settings.oin, "bodemregie-kennis")
        publisher = KafkaPublisher(settings.kafka_bootstrap, client_id="kennis-relay")
        zegel = Verzegelaar(source, settings.anker_elke, anker_topic=settings.kennis_topic)
        relay = RelayThread(
            OutboxRelay(sessions, publisher, source, verzegelaar=zegel), name="kennis-relay"
        )
        relay.start()
    return Container(settings, engine, sessions, relay)
