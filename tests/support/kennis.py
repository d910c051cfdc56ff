"""The kennis service in a test: its settings on a test database, and a client of its app."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app
from tests.support.locaties import SECRET


def kennis_settings(engine: Engine, **settings: Any) -> KennisSettings:
    """Settings on ``engine`` with the tests' token secret, without Kafka unless asked."""
    return KennisSettings(
        database_url=engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        **{"kafka_enabled": False, **settings},
    )


def kennis_client(engine: Engine, **settings: Any) -> TestClient:
    """A client of the kennis app; enter it (``with``) to run the app's lifespan."""
    return TestClient(create_app(kennis_settings(engine, **settings)))
