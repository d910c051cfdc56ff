"""An upgrade never holds a table's lock queue for long: a revision's statement waits at most
``lock_timeout`` for its lock, and is then rolled back and tried again, so the service's reads and
writes of that table go on meanwhile; the online index builds are exempt (their wait for older
transactions blocks no writer); and the connection goes back to the pool without the setting."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text

from services.locaties.adapters.tables import spoedlocaties
from shared.db import migrations
from shared.db.engine import make_engine
from tests.integration.locaties.test_online_indexen import (  # noqa: F401 (a fixture)
    DIRS,
    SPGIST,
    WACHT_S,
    _autocommit,
    _indexen,
    _locatie,
    _pid,
    _tot,
    _wachtend_op_index,
    bij_0004,
)
from tests.support.infra import postgres_database

pytestmark = pytest.mark.postgres

# A revision of a later release that needs the table to itself (ACCESS EXCLUSIVE).
REVISIE = """
from alembic import op

revision = "proef_0001"
down_revision = None
branch_labels = ("proef",)
depends_on = "locaties_0006"


def upgrade() -> None:
    op.execute("ALTER TABLE spoedlocaties ADD COLUMN proef integer")


def downgrade() -> None:
    op.execute("ALTER TABLE spoedlocaties DROP COLUMN proef")
"""


class _Upgrade(threading.Thread):
    def __init__(self, engine: Engine, dirs: list[Path], **opties: float) -> None:
        super().__init__(daemon=True)
        self._url, self._dirs, self._opties = engine.url, dirs, opties
        self.fout: BaseException | None = None

    def run(self) -> None:
        engine = make_engine(self._url.render_as_string(hide_password=False))
        try:
            migrations.upgrade(engine, self._dirs, **self._opties)  # type: ignore[arg-type]
        except BaseException as e:
            self.fout = e
        finally:
            engine.dispose()

    def klaar(self) -> None:
        self.join(WACHT_S)
        assert not self.is_alive(), "the upgrade did not finish"
        assert self.fout is None, repr(self.fout)


class _Pogingen(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.aantal = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "tried again" in record.getMessage():
            self.aantal += 1


@pytest.fixture
def pogingen() -> Iterator[_Pogingen]:
    handler = _Pogingen()
    logger = logging.getLogger("shared.db.migrations")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_a_revision_waiting_for_a_lock_gives_way_and_completes_later(
    tmp_path: Path, pogingen: _Pogingen
) -> None:
    (tmp_path / "proef_0001.py").write_text(REVISIE)
    with postgres_database(DIRS) as engine, engine.connect() as lange, engine.connect() as ander:
        # A long reader of the table (an auditor's replay): its transaction stays open.
        lange.execute(text("SELECT count(*) FROM spoedlocaties")).scalar_one()
        upgrade = _Upgrade(engine, [*DIRS, tmp_path], lock_timeout_s=0.3, wait_s=0.1)
        upgrade.start()
        try:
            _tot(lambda: pogingen.aantal >= 2, "the revision giving way twice")
            # Meanwhile the service writes and reads the table. Without the lock timeout the
            # ALTER TABLE would hold the queue, and these would wait for the long reader.
            ander.execute(text("SET statement_timeout = '30s'"))
            ander.execute(insert(spoedlocaties), [_locatie("ZH999999999")])
            ander.commit()
            assert ander.execute(text("SELECT count(*) FROM spoedlocaties")).scalar_one() == 1
            ander.commit()
            assert upgrade.is_alive(), "the upgrade ended while the long reader was open"
        finally:
            lange.commit()
        upgrade.klaar()
        kolommen = ander.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"),
            {"t": "spoedlocaties"},
        ).scalars()
        assert "proef" in set(kolommen)


def test_an_upgrade_that_cannot_get_its_lock_fails_after_its_tries(tmp_path: Path) -> None:
    (tmp_path / "proef_0001.py").write_text(REVISIE)
    with postgres_database(DIRS) as engine, engine.connect() as lange:
        lange.execute(text("SELECT count(*) FROM spoedlocaties")).scalar_one()
        try:
            with pytest.raises(Exception, match="lock timeout"):
                migrations.upgrade(
                    engine, [*DIRS, tmp_path], lock_timeout_s=0.1, wait_s=0.05, tries=3
                )
        finally:
            lange.commit()
        # The revisions before it stay; it is not recorded.
        with engine.connect() as conn:
            versies = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        assert "proef_0001" not in versies
        assert "locaties_0006" in versies


def test_the_online_index_builds_are_exempt(bij_0004: Engine) -> None:  # noqa: F811
    engine = bij_0004
    with _autocommit(engine) as kijker, engine.connect() as houder:
        # A transaction that wrote to the table: the CONCURRENTLY build waits for its end.
        houder.execute(text("LOCK TABLE spoedlocaties IN ROW EXCLUSIVE MODE"))
        upgrade = _Upgrade(engine, DIRS, lock_timeout_s=0.1, tries=1)
        upgrade.start()
        try:
            behalve = {_pid(kijker), _pid(houder)}
            _tot(lambda: _wachtend_op_index(kijker, behalve), "the build waiting")
            time.sleep(1.0)  # ten times the lock timeout: a build under it would have failed
        finally:
            houder.commit()
        upgrade.klaar()
    assert [n for n, _, _ in _indexen(engine)] == SPGIST


def test_the_connection_goes_back_to_the_pool_without_the_lock_timeout() -> None:
    with postgres_database(DIRS) as engine:
        migrations.upgrade(engine, DIRS, lock_timeout_s=0.25)
        with engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "0"
