"""Run alembic migrations programmatically.

The shared core's revisions live in ``shared/db/alembic/versions`` on the branch ``shared``.
A service adds its own versions directory; its first revision ``depends_on`` ``shared_0001``.

On PostgreSQL ``upgrade`` holds a session-level advisory lock for the whole upgrade (of several
workers starting at once, one migrates; the others wait and find nothing left to do) and runs
every revision in a transaction of its own. A revision that indexes a table which may hold rows
builds and drops its indexes with ``maak_index`` and ``verwijder_index``: ``CONCURRENTLY``,
outside the revision's transaction, so writes to the table go on while the index builds. Those
statements are idempotent (``IF [NOT] EXISTS``, an INVALID index left by an interrupted build is
dropped first), so a revision interrupted between them runs again from its start.

A caller that hands alembic a connection inside a transaction of its own (SQLite always, tests
that migrate step by step) gets everything in that one transaction, and the plain statements.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, op
from alembic.config import Config
from sqlalchemy import Engine, text

from shared.leadership import hold_job

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"
# Set by env.py: may the revisions of this run build their indexes online?
ONLINE = "online_indexen"
ONGELDIG = text(
    "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE c.relname = :naam AND c.relnamespace = current_schema()::regnamespace "
    "AND NOT i.indisvalid"
)


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
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
        return
    # Outside a transaction: alembic commits per revision (env.py), so the lock is a session's.
    with engine.connect() as conn, hold_job(conn, "migraties"):
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        conn.commit()


def online() -> bool:
    """Inside a revision: are its index statements to run ``CONCURRENTLY``?"""
    cfg = op.get_context().config
    return cfg is not None and bool(cfg.attributes.get(ONLINE))


def maak_index(naam: str, tabel: str, definitie: str) -> None:
    """``CREATE INDEX naam ON tabel definitie`` (``definitie``: ``(a, b)``, ``USING gist
    (...)``); online, when the run allows it, and then idempotent."""
    if not online():
        op.execute(f"CREATE INDEX {naam} ON {tabel} {definitie}")
        return
    with op.get_context().autocommit_block():
        # An interrupted CONCURRENTLY build leaves an INVALID index of that name, which
        # IF NOT EXISTS would keep. Under the migration lock nobody else is building it.
        if op.get_bind().execute(ONGELDIG, {"naam": naam}).first():
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {naam}")
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {naam} ON {tabel} {definitie}")


def verwijder_index(naam: str) -> None:
    """``DROP INDEX naam``; online, when the run allows it, and then idempotent."""
    if not online():
        op.execute(f"DROP INDEX {naam}")
        return
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {naam}")
