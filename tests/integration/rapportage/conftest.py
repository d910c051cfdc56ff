"""The rapportage read model on both databases (a module that needs SQLite only declares its
own ``engine``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.infra import postgres_database, sqlite_database
from tests.support.rapportage import RAPPORTAGE_VERSIONS


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        with sqlite_database(tmp_path, RAPPORTAGE_VERSIONS) as e:
            yield e
    else:
        with postgres_database(RAPPORTAGE_VERSIONS) as e:
            yield e
