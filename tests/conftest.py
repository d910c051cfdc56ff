from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shared.messaging.acls import ADMIN
from shared.messaging.kafka_client import credentials_file
from tests.support.groepscommit import SOORTEN, Maak, schrijvers
from tests.support.infra import (
    KAFKA_CREDENTIALS,
    delete_made_topics,
    postgres_database,
    sqlite_database,
)

logging.getLogger("kafka").setLevel(logging.WARNING)


@pytest.fixture(autouse=True, scope="session")
def _kafka_login_as_admin() -> Iterator[None]:
    """Services built by the tests (and their subprocesses) log in to the test broker as admin,
    since every test makes its own topics and consumer groups; tests of the service principals'
    rights log in as those explicitly (tests/integration/test_kafka_acls.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(
            "BODEMREGIE_KAFKA_CREDENTIALS_FILE", str(credentials_file(ADMIN, KAFKA_CREDENTIALS))
        )
        yield


@pytest.fixture(autouse=True, scope="session")
def _delete_test_topics() -> Iterator[None]:
    """The topics the tests made on the shared broker are deleted when the session ends."""
    yield
    delete_made_topics()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    with postgres_database() as engine:
        yield engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    with sqlite_database(tmp_path) as engine:
        yield engine


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Both SQL backends; tests using it run once per backend."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as engine:
            yield engine
    else:
        with postgres_database() as engine:
            yield engine


@pytest.fixture(params=SOORTEN)
def schrijver(request: pytest.FixtureRequest) -> Iterator[Maak]:
    """Both group-commit writers (a thread, the event loop's); tests using it run once per
    writer (``tests/support/groepscommit.py``)."""
    with schrijvers(request.param) as maak:
        yield maak
