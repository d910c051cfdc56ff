"""Access to the real PostgreSQL and Kafka that `make test` starts (deploy/ scripts)."""

from __future__ import annotations

import logging
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from shared.db import migrations
from shared.db.engine import make_engine
from shared.messaging.acls import ADMIN, Names, ensure_acls, grants, revoke_acls
from shared.messaging.kafka_client import (
    CREDENTIALS_DIR,
    KafkaAccess,
    credentials_file,
    from_credentials_file,
)

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get(
    "BODEMREGIE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"
)
KAFKA_BOOTSTRAP = os.environ.get("BODEMREGIE_TEST_KAFKA", "localhost:9092")
# The logins deploy/kafka/kafka.sh generated when it started the test brokers.
KAFKA_CREDENTIALS = Path(os.environ.get("BODEMREGIE_TEST_KAFKA_CREDENTIALS", str(CREDENTIALS_DIR)))
# The disposable broker of the tests that kill Kafka (its own name, storage and ports).
CHAOS_KAFKA_NAME = os.environ.get("BODEMREGIE_TEST_CHAOS_KAFKA_NAME", "kafka-chaos")
CHAOS_KAFKA_PORT = int(os.environ.get("BODEMREGIE_TEST_CHAOS_KAFKA_PORT", "19092"))


def login_file(principal: str) -> str:
    """A principal's credentials file, for ``BODEMREGIE_KAFKA_CREDENTIALS_FILE`` in settings."""
    return str(credentials_file(principal, KAFKA_CREDENTIALS))


@contextmanager
def service_grants(names: Names, bootstrap: str = KAFKA_BOOTSTRAP) -> Iterator[None]:
    """The deployment's ACLs on a test's own topics and groups, so that its services can log in
    as their own principals (as in ``make run``); the grants on the test's resources (names
    starting with ``test``) are revoked afterwards, those on shared names stay."""
    admin = kafka_as(ADMIN, bootstrap)
    ensure_acls(admin, grants(names))
    try:
        yield
    finally:
        revoke_acls(
            admin, {(g.resource, g.name) for g in grants(names) if g.name.startswith("test")}
        )


def kafka_as(principal: str = ADMIN, bootstrap: str = KAFKA_BOOTSTRAP) -> KafkaAccess:
    """A login to the test broker. Tests act as admin (super user: they create their own topics
    and consumer groups) unless they test what a service principal may do."""
    return from_credentials_file(bootstrap, credentials_file(principal, KAFKA_CREDENTIALS))


@contextmanager
def postgres_database(extra_version_dirs: list[Path] | None = None) -> Iterator[Engine]:
    """A new, migrated PostgreSQL database, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    try:
        migrations.upgrade(engine, extra_version_dirs)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_database(
    directory: Path, extra_version_dirs: list[Path] | None = None
) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{directory / f'{uuid.uuid4().hex[:8]}.sqlite'}")
    try:
        migrations.upgrade(engine, extra_version_dirs)
        yield engine
    finally:
        engine.dispose()


# The topics ``create_topic`` made in this process on the shared test broker, deleted at the
# end of the test session (``delete_made_topics``); the services' topics are kept for ever, so
# without it every run left its topics on the broker (2,600 partitions after two weeks).
_MADE: list[str] = []


def create_topic(bootstrap: str, partitions: int = 3, prefix: str = "test") -> str:
    from shared.messaging.topics import TopicSpec, ensure_topics

    name = f"{prefix}.{uuid.uuid4().hex[:10]}"
    ensure_topics(kafka_as(ADMIN, bootstrap), (TopicSpec(name, partitions),))
    if bootstrap == KAFKA_BOOTSTRAP:
        _MADE.append(name)
    return name


def delete_topics(names: list[str], bootstrap: str = KAFKA_BOOTSTRAP) -> list[str]:
    """Delete scratch topics, best effort (a clean-up never fails a test or a measurement);
    returns the names it could not delete, and logs them."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError, UnknownTopicOrPartitionError

    if not names:
        return []
    try:
        admin = KafkaAdminClient(
            **kafka_as(ADMIN, bootstrap).client_options(),
            client_id="bodemregie-opruimen",
            request_timeout_ms=30_000,
        )
    except KafkaError as exc:
        log.warning("scratch topics not deleted (%s): %s", exc, names)
        return list(names)
    over: list[str] = []
    try:
        antwoord = admin.delete_topics(names, timeout_ms=30_000, raise_errors=False)
        for t in antwoord["topics"]:
            if t["error_code"] not in (0, UnknownTopicOrPartitionError.errno):
                over.append(t["name"])
    except KafkaError as exc:
        log.warning("scratch topics not deleted (%s): %s", exc, names)
        return list(names)
    finally:
        admin.close()
    if over:
        log.warning("scratch topics not deleted: %s", over)
    return over


def delete_made_topics() -> list[str]:
    """Delete the topics ``create_topic`` made on the shared broker in this process."""
    names, _MADE[:] = list(_MADE), []
    return delete_topics(names)


@contextmanager
def scratch_topic(partitions: int, prefix: str = "bench") -> Iterator[str]:
    """A topic of its own on the shared broker for a measurement, deleted afterwards."""
    name = create_topic(KAFKA_BOOTSTRAP, partitions, prefix)
    try:
        yield name
    finally:
        _MADE.remove(name)
        delete_topics([name])


class Broker:
    """A disposable Kafka broker (own ports and storage) for tests that kill it."""

    def __init__(self, name: str = CHAOS_KAFKA_NAME, port: int = CHAOS_KAFKA_PORT) -> None:
        # Same credentials directory: the broker is formatted with the same SCRAM users.
        self.env = {
            **os.environ,
            "KAFKA_NAME": name,
            "KAFKA_PORT": str(port),
            "KAFKA_CREDENTIALS": str(KAFKA_CREDENTIALS),
        }
        self.bootstrap = f"localhost:{port}"
        self._script = str(ROOT / "deploy" / "kafka" / "kafka.sh")

    def _run(self, action: str) -> None:
        subprocess.run([self._script, action], env=self.env, check=True, stdout=subprocess.DEVNULL)

    @property
    def admin(self) -> KafkaAccess:
        return kafka_as(ADMIN, self.bootstrap)

    def start(self) -> None:
        self._run("start")

    def kill(self) -> None:
        self._run("kill")

    def stop(self) -> None:
        self._run("stop")


def advisory_lock_holders(engine: Engine) -> list[str]:
    """The application names of the sessions holding an advisory lock in this database (a
    relay's lead)."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
                )
            ).scalars()
        )
