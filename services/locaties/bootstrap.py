"""Wires the locaties service: engine, migrations, unit of work, relay. Called from the app's
lifespan (never at import time)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.adapters.projection import herbouw_standen
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.config import LocatiesSettings
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.db import migrations
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import source_urn
from shared.eventstore.groepscommit import GroupCommitter
from shared.http.app import ReadinessCheck, database_check
from shared.leiding import leadership_for, lock_job
from shared.messaging.publisher import KafkaPublisher
from shared.outbox import OutboxRelay, RelayThread
from shared.privacy import VERSIONS as PERSONEN_VERSIONS
from shared.privacy import NieuwePersoon, Personen
from shared.zegel import Verzegelaar, verzegelaar

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@dataclass
class Container:
    settings: LocatiesSettings
    engine: Engine
    sessions: sessionmaker[Session]
    source: str
    verzegelaar: Verzegelaar
    relay: RelayThread | None
    personen: Personen
    committer: GroupCommitter | None = None

    def wie(self, login: str) -> tuple[str, NieuwePersoon | None]:
        """The caller's pseudonym, or a fresh one for a first-time caller that the command
        stores (``word_persoon``) once the policy allowed it. Only reads."""
        with self.sessions() as session:
            return self.personen.wie(session, login)

    def uow(self) -> SqlLocatiesUnitOfWork:
        return SqlLocatiesUnitOfWork(
            self.sessions,
            self.settings.spoedlocaties_topic,
            on_commit=self.relay.wake if self.relay else None,
            committer=self.committer,
            personen=self.personen,
        )

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {"database": database_check(self.engine)}

    def close(self) -> None:
        if self.committer is not None:
            self.committer.close()
        if self.relay is not None:
            self.relay.stop()
        self.engine.dispose()


def migrate(engine: Engine) -> None:
    migrations.upgrade(engine, [VERSIONS, PERSONEN_VERSIONS])


def vul_standen(sessions: sessionmaker[Session]) -> None:
    """Build the bitemporal history from the events when it is empty but sites exist (the
    first start after the migration that added it)."""
    with sessions.begin() as session:
        lock_job(session, "locaties-standen")
        leeg = session.execute(select(spoedlocatie_standen.c.locatie_id).limit(1)).first()
        sites = session.execute(select(spoedlocaties.c.locatie_id).limit(1)).first()
        if leeg is None and sites is not None:
            herbouw_standen(session)


def bootstrap(settings: LocatiesSettings) -> Container:
    engine = make_engine(settings.database())
    migrate(engine)
    sessions = make_session_factory(engine)
    personen = Personen(settings.sleutelring())
    with sessions() as session:
        personen.controleer(session)
    vul_standen(sessions)
    source = source_urn(settings.oin, "bodemregie-locaties")
    zegel = verzegelaar(settings, source, settings.spoedlocaties_topic)
    relay = None
    if settings.relay_enabled:
        # Only the relay seals: it runs without Kafka too (then it seals and anchors only).
        publisher = None
        if settings.kafka_enabled:
            publisher = KafkaPublisher(settings.kafka_access(), client_id="locaties-relay")
        relay = RelayThread(
            OutboxRelay(sessions, publisher, source, sealer=zegel),
            name="locaties-relay",
            leadership=leadership_for(engine, "locaties"),
        )
        relay.start()
    committer = None
    if settings.group_commit and engine.dialect.name == "postgresql":
        committer = GroupCommitter(sessions)
    return Container(settings, engine, sessions, source, zegel, relay, personen, committer)
