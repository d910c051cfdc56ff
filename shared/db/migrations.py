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

Every other statement of an upgrade waits at most ``LOCK_TIMEOUT_S`` for a table's lock. A
statement waiting for a lock holds its place in that table's queue, and every later read and
write of the table queues behind it: an ``ALTER TABLE`` waiting without a limit behind a long
transaction (an auditor's replay, a report) would stop the service's writes for as long. When the
limit passes, that revision is rolled back (the ones before it stay committed) and the upgrade is
tried again after ``WAIT_S``, up to ``TRIES`` times; then the start fails with the lock error.
The online index builds are exempt: they take no lock that writers queue behind, and their wait
for older transactions is the point of building online.

A caller that hands alembic a connection inside a transaction of its own (SQLite always, tests
that migrate step by step) gets everything in that one transaction, and the plain statements.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command, op
from alembic.config import Config
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from shared.leadership import hold_job

log = logging.getLogger(__name__)

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"
# Set by env.py: may the revisions of this run build their indexes online?
ONLINE = "online_indexen"
ONGELDIG = text(
    "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE c.relname = :naam AND c.relnamespace = current_schema()::regnamespace "
    "AND NOT i.indisvalid"
)
# See the module's doc: how long a statement waits for a table's lock, how long between tries.
LOCK_TIMEOUT_S = 5.0
WAIT_S = 2.0
TRIES = 120
LOCK_NOT_AVAILABLE = "55P03"


def alembic_config(extra_version_dirs: list[Path] | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    dirs = [ALEMBIC_DIR / "versions", *(extra_version_dirs or [])]
    cfg.set_main_option("version_locations", " ".join(str(d) for d in dirs))
    cfg.set_main_option("path_separator", "space")
    return cfg


def upgrade(
    engine: Engine,
    extra_version_dirs: list[Path] | None = None,
    *,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
    wait_s: float = WAIT_S,
    tries: int = TRIES,
) -> None:
    """Bring the database to the newest revision of the shared core and of the service."""
    cfg = alembic_config(extra_version_dirs)
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
        return
    # Outside a transaction: alembic commits per revision (env.py), so the lock is a session's.
    with engine.connect() as conn, hold_job(conn, "migraties"), _lock_timeout(conn, lock_timeout_s):
        cfg.attributes["connection"] = conn
        for poging in range(1, tries + 1):
            try:
                command.upgrade(cfg, "heads")
                conn.commit()
                return
            except OperationalError as exc:
                if poging == tries or getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                conn.rollback()
                log.warning(
                    "migration waited %.1f s for a table's lock another session holds; "
                    "its revision is rolled back and tried again in %.1f s (%d of %d)",
                    *(lock_timeout_s, wait_s, poging, tries),
                )
                time.sleep(wait_s)


@contextmanager
def _lock_timeout(conn: Connection, seconden: float) -> Iterator[None]:
    """``lock_timeout`` for the session of ``conn`` (outside a transaction), reset afterwards:
    the connection goes back to the pool."""
    conn.execute(text(f"SET lock_timeout = {max(1, round(seconden * 1000))}"))
    conn.commit()
    try:
        yield
    finally:
        try:
            conn.rollback()
            conn.execute(text("RESET lock_timeout"))
            conn.commit()
        except DBAPIError:
            conn.invalidate()


@contextmanager
def _zonder_lock_timeout() -> Iterator[None]:
    """In an online index statement (autocommit): no ``lock_timeout`` (see the module's doc)."""
    bind = op.get_bind()
    oud = bind.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    bind.execute(text("SET lock_timeout = 0"))
    try:
        yield
    finally:
        bind.execute(text("SELECT set_config('lock_timeout', :oud, false)"), {"oud": oud})


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
    with op.get_context().autocommit_block(), _zonder_lock_timeout():
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
    with op.get_context().autocommit_block(), _zonder_lock_timeout():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {naam}")
