"""Migrating a test database to a revision, as the tests of migrations do between checks."""

from __future__ import annotations

from typing import Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def migreer(
    engine: Engine, cfg: Config, richting: Literal["upgrade", "downgrade"], doel: str
) -> None:
    """alembic's ``upgrade`` or ``downgrade`` to ``doel`` on ``engine``, in one transaction."""
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, richting)(cfg, doel)
