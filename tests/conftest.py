from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.infra import postgres_database, sqlite_database

logging.getLogger("kafka").setLevel(logging.WARNING)


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
