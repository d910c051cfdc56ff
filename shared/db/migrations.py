"""Run alembic migrations programmatically.

The shared core's revisions live in ``shared/db/alembic/versions`` on the branch ``shared``.
A service adds its own versions directory; its first revision ``depends_on`` ``shared_0001``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from shared.leadership import lock_job

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"


def alembic_config(extra_version_dirs: list[Path] | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    dirs = [ALEMBIC_DIR / "versions", *(extra_version_dirs or [])]
    cfg.set_main_option("version_locations", " ".join(str(d) for d in dirs))
    cfg.set_main_option("path_separator", "space")
    return cfg


def upgrade(engine: Engine, extra_version_dirs: list[Path] | None = None) -> None:
    """Bring the database to the newest revision of the shared core and of the service."""
    cfg = alembic_config(extra_version_dirs)
    with engine.begin() as conn:
        lock_job(conn, "migraties")  # several workers start at once: one migrates
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
