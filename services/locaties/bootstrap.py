"""Wires the locaties service: engine, migrations, unit of work, relay. Called from the app's
lifespan (never at import time)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.adapters.projection import herbouw_standen
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.config import LocatiesSettings
from services.locaties.domain.commands import Commando
from services.locaties.domain.model import Spoedlocatie
from services.locaties.service_layer import messagebus
from services.locaties.service_layer.cache import AggregateCache
from services.locaties.service_layer.unit_of_work import (
    Actor,
    Correctiecontrole,
    LusLocatiesUnitOfWork,
    SqlLocatiesUnitOfWork,
    oefenbatch,
    speel_oefening_af,
)
from shared import gc_tuning
from shared.db import migrations
from shared.db.direct_async import AsyncStatements
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import source_urn
from shared.eventstore.awaited import AwaitedReads
from shared.eventstore.groepscommit import Committer, GroupCommitter
from shared.eventstore.groepscommit_lus import LoopGroupCommitter
from shared.http.app import ReadinessCheck, database_check
from shared.http.health import broker_check
from shared.http.metrics import Samples, store_meetwaarden, zonder_labels
from shared.leadership import leadership_for, lock_job
from shared.messaging.publisher import KafkaPublisher
from shared.outbox import OutboxRelay, RelayProcess, RelayThread
from shared.privacy import VERSIONS as PERSONEN_VERSIONS
from shared.privacy import Personen
from shared.zegel import Verzegelaar, verzegelaar

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
RELAY_MODULE = "services.locaties.entrypoints.relay"

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Container:
    settings: LocatiesSettings
    engine: Engine
    sessions: sessionmaker[Session]
    source: str
    verzegelaar: Verzegelaar
    relay: RelayThread | RelayProcess | None
    personen: Personen
    committer: Committer | None = None
    cache: AggregateCache[Spoedlocatie] = field(default_factory=AggregateCache)
    correctiecontrole: Correctiecontrole | None = None
    statements: AsyncStatements | None = None  # the loop's reads (PostgreSQL, group commit)

    def uow(self, actor: Actor, cache: bool = True) -> SqlLocatiesUnitOfWork:
        return SqlLocatiesUnitOfWork(
            self.sessions,
            actor,
            self.settings.spoedlocaties_topic,
            on_commit=self.relay.wake if self.relay else None,
            committer=self.committer,
            personen=self.personen,
            cache=self.cache if cache else None,
            correctiecontrole=self.correctiecontrole,
        )

    @property
    def op_lus(self) -> bool:
        """Whether a command on an existing site may run on the event loop (PostgreSQL with
        group commit, ``commando_op_lus`` on: ``service_layer/messagebus.py``)."""
        return (
            self.settings.commando_op_lus
            and self.committer is not None
            and self.statements is not None
        )

    def lus_uow(self, actor: Actor, cache: bool = True) -> LusLocatiesUnitOfWork:
        assert self.committer is not None and self.statements is not None
        return LusLocatiesUnitOfWork(
            self.sessions,
            AwaitedReads(self.statements),
            actor,
            self.settings.spoedlocaties_topic,
            on_commit=self.relay.wake if self.relay else None,
            committer=self.committer,
            personen=self.personen,
            cache=self.cache if cache else None,
            correctiecontrole=self.correctiecontrole,
        )

    def handle(self, cmd: Commando, actor: Actor, antwoord: Callable[[Spoedlocatie], T]) -> T:
        """The message bus (``service_layer/messagebus.py``), in the calling thread."""
        return messagebus.handle(cmd, actor, antwoord, self.uow)

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        checks = {"database": database_check(self.engine)}
        if self.settings.kafka_enabled:
            checks["kafka"] = broker_check(self.settings.kafka_bootstrap)
        return checks

    def meetwaarden(self) -> dict[str, Samples]:
        """For /metrics: outbox backlog, anchors, last position."""
        return zonder_labels(store_meetwaarden(self.sessions))

    async def opwarmen(self) -> None:
        """At start-up, on the event loop (the app's lifespan, before the first request):
        opens the connections the commands on the loop use and prepares their statements,
        the group commit's by a batch that is rolled back (nothing is recorded), and decodes
        what that batch would have recorded (as a site's first load does). Without it a
        worker's first commands waited 40-85 ms for their connections and first batch. A
        failure only costs that wait later: it is logged and the service starts. Then the
        start-up's objects are frozen out of the garbage collector's sight."""
        try:
            if self.statements is not None:
                await AwaitedReads(self.statements).opwarmen()
            if isinstance(self.committer, LoopGroupCommitter):
                topic, personen = self.settings.spoedlocaties_topic, self.personen
                antwoorden = await self.committer.opwarmen(lambda: oefenbatch(topic, personen))
                speel_oefening_af(antwoorden)
        except Exception:
            log.warning("opwarmen mislukt; de eerste commando's wachten langer", exc_info=True)
        gc_tuning.after_warm_up()

    async def aclose(self) -> None:
        """What must be closed on the event loop (before ``close``)."""
        if isinstance(self.committer, LoopGroupCommitter):
            await self.committer.aclose()
        if self.statements is not None:
            await self.statements.close()

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


def outbox_relay(
    settings: LocatiesSettings, sessions: sessionmaker[Session], source: str, zegel: Verzegelaar
) -> OutboxRelay:
    """The relay that seals, anchors and publishes the service's events; it runs without
    Kafka too (then it seals and anchors only). In a thread of a worker (``relay_enabled``)
    or in a process of its own (``entrypoints/relay.py``)."""
    publisher = None
    if settings.kafka_enabled:
        publisher = KafkaPublisher(settings.kafka_access(), client_id="locaties-relay")
    return OutboxRelay(sessions, publisher, source, sealer=zegel)


def _committer(
    settings: LocatiesSettings, engine: Engine, sessions: sessionmaker[Session]
) -> Committer:
    """With the commands on the event loop (``commando_op_lus``) and bootstrapped on it (the
    app's lifespan), the group commit's writer runs on that loop too (no thread, no GIL
    hand-over on the hot path; commands that fall back to a worker thread hand their request
    to it); otherwise writer threads."""
    writers = settings.group_commit_writers
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if settings.commando_op_lus and settings.group_commit_op_lus and loop is not None:
        return LoopGroupCommitter(
            engine, loop, writers=writers, gather_s=settings.group_commit_gather_s
        )
    return GroupCommitter(sessions, writers=writers)


def bootstrap(
    settings: LocatiesSettings, correctiecontrole: Correctiecontrole | None = None
) -> Container:
    url = settings.database()
    pool = {} if url.startswith("sqlite") else {"pool_size": settings.database_pool_size}
    engine = make_engine(url, **pool)
    migrate(engine)
    sessions = make_session_factory(engine)
    personen = Personen(settings.sleutelring())
    with sessions() as session:
        personen.controleer(session)
    vul_standen(sessions)
    source = source_urn(settings.oin, "bodemregie-locaties")
    zegel = verzegelaar(settings, source, settings.spoedlocaties_topic)
    relay: RelayThread | RelayProcess | None = None
    if settings.relay_enabled and settings.relay_process:
        # After this process migrated: the child's own migration then finds nothing to do.
        relay = RelayProcess(RELAY_MODULE, settings.model_dump_json().encode())
        relay.start()
    elif settings.relay_enabled:
        relay = RelayThread(
            outbox_relay(settings, sessions, source, zegel),
            name="locaties-relay",
            leadership=leadership_for(engine, "locaties"),
        )
        relay.start()
    committer: Committer | None = None
    statements = None
    if settings.group_commit and engine.dialect.name == "postgresql":
        committer = _committer(settings, engine, sessions)
        statements = AsyncStatements(engine)
    return Container(
        settings,
        engine,
        sessions,
        source,
        zegel,
        relay,
        personen,
        committer,
        correctiecontrole=correctiecontrole,
        statements=statements,
    )
