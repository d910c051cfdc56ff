"""On PostgreSQL the migrations build their indexes online: while locaties_0005 builds its SP-GiST
index on a table that holds rows, another connection still writes to that table; an upgrade
interrupted halfway (an INVALID index left by a CONCURRENTLY build, one table done) completes
when it runs again; and two workers that start at once both finish.

The build is held at a known point by a transaction that has written to the table and stays
open: a CONCURRENTLY build waits for it without taking a lock that writers queue behind, a plain
``CREATE INDEX`` (or ``DROP INDEX``) queues a lock that every later write waits for."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, insert, text
from sqlalchemy.exc import IntegrityError

from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.bootstrap import VERSIONS
from shared.db import migrations
from shared.db.engine import make_engine
from shared.privacy import VERSIONS as PERSONEN
from tests.integration.test_bulk_kopie import _stand
from tests.support.infra import postgres_database
from tests.support.migraties import migreer

DIRS = [VERSIONS, PERSONEN]
SPGIST = ["ix_spoedlocaties_bbox_spgist", "ix_standen_bbox_spgist"]
WACHT_S = 60.0

_BBOX = """
SELECT c.relname, i.indisvalid, pg_get_indexdef(c.oid) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname IN ('spoedlocaties', 'spoedlocatie_standen') AND c.relname LIKE '%bbox%'
ORDER BY 1
"""


def _indexen(engine: Engine) -> list[tuple[str, bool, str]]:
    with engine.connect() as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute(text(_BBOX))]


def _locatie(locatie_id: str) -> dict[str, Any]:
    rij = {k: v for k, v in _stand(locatie_id, 1).items() if k in spoedlocaties.c}
    return rij | {"versie": 1, "bijgewerkt_op": datetime(2026, 1, 2, tzinfo=UTC)}


@pytest.fixture
def bij_0004() -> Iterator[Engine]:
    """A PostgreSQL database at locaties_0004 whose two tables hold rows (several standen per
    site)."""
    with postgres_database(DIRS) as engine:
        migreer(engine, migrations.alembic_config(DIRS), "downgrade", "locaties_0004")
        ids = [f"ZH{n:09d}" for n in range(200)]
        with engine.begin() as conn:
            conn.execute(insert(spoedlocaties), [_locatie(i) for i in ids])
            conn.execute(
                insert(spoedlocatie_standen), [_stand(i, v) for i in ids for v in (1, 2, 3)]
            )
        yield engine


def _autocommit(engine: Engine) -> Connection:
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _tot(voorwaarde: Callable[[], bool], wat: str) -> None:
    einde = time.monotonic() + WACHT_S
    while not voorwaarde():
        assert time.monotonic() < einde, f"never saw: {wat}"
        time.sleep(0.05)


class _Upgrade(threading.Thread):
    """``migrations.upgrade`` in a thread of its own, as a worker at start-up."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self._url = engine.url
        self.fout: BaseException | None = None

    def run(self) -> None:
        engine = make_engine(self._url.render_as_string(hide_password=False))
        try:
            migrations.upgrade(engine, DIRS)
        except BaseException as e:
            self.fout = e
        finally:
            engine.dispose()

    def klaar(self) -> None:
        self.join(WACHT_S)
        assert not self.is_alive(), "the upgrade did not finish"
        assert self.fout is None, repr(self.fout)


def _wachtend_op_index(kijker: Connection, behalve: set[int]) -> bool:
    """A backend of this database (not one of ``behalve``) waits for a lock in an index
    statement: the migration is held at its build."""
    return bool(
        kijker.execute(
            text(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%index%' "
                "AND NOT pid = ANY(:behalve)"
            ),
            {"behalve": list(behalve)},
        ).first()
    )


def _pid(conn: Connection) -> int:
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.parametrize("tabel", ["spoedlocaties", "spoedlocatie_standen"])
def test_writes_go_on_while_locaties_0005_builds_its_index(bij_0004: Engine, tabel: str) -> None:
    engine = bij_0004
    with _autocommit(engine) as kijker, engine.connect() as houder, engine.connect() as schrijver:
        # An open transaction that wrote to the table holds the build at its first wait.
        houder.execute(text(f"LOCK TABLE {tabel} IN ROW EXCLUSIVE MODE"))
        upgrade = _Upgrade(engine)
        upgrade.start()
        try:
            behalve = {_pid(kijker), _pid(houder), _pid(schrijver)}
            _tot(lambda: _wachtend_op_index(kijker, behalve), f"the build on {tabel} waiting")
            schrijver.execute(text("SET lock_timeout = '2s'"))
            if tabel == "spoedlocaties":
                schrijver.execute(insert(spoedlocaties), [_locatie("ZH999999999")])
                schrijver.execute(
                    text("UPDATE spoedlocaties SET bbox_min_x = 1 WHERE locatie_id = :id"),
                    {"id": "ZH000000007"},
                )
            else:
                schrijver.execute(insert(spoedlocatie_standen), [_stand("ZH999999999", 1)])
                schrijver.execute(
                    text("UPDATE spoedlocatie_standen SET bbox_min_x = 1 WHERE locatie_id = :id"),
                    {"id": "ZH000000007"},
                )
            schrijver.commit()
        finally:
            houder.commit()
            upgrade.join(WACHT_S)
        upgrade.klaar()
    indexen = _indexen(engine)
    assert [n for n, _, _ in indexen] == SPGIST
    assert all(geldig and "USING spgist" in d for _, geldig, d in indexen)


def test_an_upgrade_interrupted_halfway_completes_when_run_again(bij_0004: Engine) -> None:
    engine = bij_0004
    with _autocommit(engine) as conn:
        # As a run of locaties_0005 that was stopped: spoedlocaties done, and the build on
        # spoedlocatie_standen broken off, which leaves an INVALID index of that name (here
        # a unique build over the standen's duplicate site ids, which fails halfway).
        conn.execute(
            text(
                "CREATE INDEX CONCURRENTLY ix_spoedlocaties_bbox_spgist ON spoedlocaties "
                "USING spgist (box(point(bbox_min_x, bbox_min_y), point(bbox_max_x, bbox_max_y)))"
            )
        )
        conn.execute(text("DROP INDEX CONCURRENTLY ix_spoedlocaties_bbox_gist"))
        with pytest.raises(IntegrityError, match="unique"):
            conn.execute(
                text(
                    "CREATE UNIQUE INDEX CONCURRENTLY ix_standen_bbox_spgist "
                    "ON spoedlocatie_standen (locatie_id)"
                )
            )
    assert ("ix_standen_bbox_spgist", False) in [(n, g) for n, g, _ in _indexen(engine)]

    migrations.upgrade(engine, DIRS)

    indexen = _indexen(engine)
    assert [n for n, _, _ in indexen] == SPGIST
    assert all(geldig and "USING spgist" in d for _, geldig, d in indexen)
    with engine.connect() as conn:
        versies = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    # Past locaties_0005 (a later revision may follow it).
    assert any(v.startswith("locaties_") and v >= "locaties_0005" for v in versies), versies


def test_two_workers_that_start_at_once_both_finish(bij_0004: Engine) -> None:
    """The second waits for the migration lock while the first builds CONCURRENTLY, which waits
    for every older snapshot: the waiting must hold none, or the two wait for each other."""
    engine = bij_0004
    with _autocommit(engine) as kijker, engine.connect() as houder:
        houder.execute(text("LOCK TABLE spoedlocaties IN ROW EXCLUSIVE MODE"))
        eerste, tweede = _Upgrade(engine), _Upgrade(engine)
        eerste.start()
        try:
            behalve = {_pid(kijker), _pid(houder)}
            _tot(lambda: _wachtend_op_index(kijker, behalve), "the first worker's build waiting")
            er_al = set(
                kijker.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
                ).scalars()
            )
            tweede.start()
            _tot(
                lambda: bool(
                    kijker.execute(
                        text(
                            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                            "AND query ILIKE 'SELECT pg_%advisory%lock%' AND NOT pid = ANY(:er_al)"
                        ),
                        {"er_al": list(er_al)},
                    ).first()
                ),
                "the second worker waiting for the migration lock",
            )
            time.sleep(0.5)  # a few of its tries (or its blocking wait) while the build waits
        finally:
            houder.commit()
        eerste.klaar()
        tweede.klaar()
    assert [n for n, _, _ in _indexen(engine)] == SPGIST


def test_locaties_0004_interrupted_after_its_fill_completes_when_run_again(
    bij_0004: Engine,
) -> None:
    engine = bij_0004
    migreer(engine, migrations.alembic_config(DIRS), "downgrade", "locaties_0003")
    kolommen = [f"bbox_{k}" for k in ("min_x", "min_y", "max_x", "max_y")]
    with _autocommit(engine) as conn:
        # As a run of locaties_0004 that was stopped after its fill had committed (the columns
        # are there, empty here) and one of its indexes was built.
        for tabel in ("spoedlocaties", "spoedlocatie_standen"):
            for kolom in kolommen:
                conn.execute(text(f"ALTER TABLE {tabel} ADD COLUMN {kolom} double precision"))
        conn.execute(
            text(
                "CREATE INDEX CONCURRENTLY ix_spoedlocaties_bbox ON spoedlocaties "
                f"({', '.join(kolommen)})"
            )
        )

    migrations.upgrade(engine, DIRS)

    indexen = _indexen(engine)
    assert [n for n, _, _ in indexen] == SPGIST
    assert all(geldig for _, geldig, _ in indexen)
    with engine.connect() as conn:
        for tabel in ("spoedlocaties", "spoedlocatie_standen"):
            leeg = f"SELECT count(*) FROM {tabel} WHERE bbox_min_x IS NULL"
            assert conn.execute(text(leeg)).scalar_one() == 0


def test_a_waiting_worker_completes_when_the_migrating_one_dies_mid_build(
    bij_0004: Engine,
) -> None:
    """The session that holds the migration lock ends in the middle of a CONCURRENTLY build
    (the worker killed): PostgreSQL releases the lock, the worker that was waiting takes it,
    drops the INVALID index the build left and completes the upgrade."""
    engine = bij_0004
    with _autocommit(engine) as kijker, engine.connect() as houder:
        houder.execute(text("LOCK TABLE spoedlocatie_standen IN ROW EXCLUSIVE MODE"))
        eerste, tweede = _Upgrade(engine), _Upgrade(engine)
        eerste.start()
        try:
            behalve = {_pid(kijker), _pid(houder)}
            _tot(lambda: _wachtend_op_index(kijker, behalve), "the first worker's build waiting")
            bouwer = _bouwer(kijker, behalve)
            tweede.start()
            _tot(
                lambda: bool(
                    kijker.execute(
                        text(
                            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                            "AND query ILIKE 'SELECT pg_%advisory%lock%' "
                            "AND NOT pid = ANY(:behalve)"
                        ),
                        {"behalve": [*behalve, bouwer]},
                    ).first()
                ),
                "the second worker waiting for the migration lock",
            )
            kijker.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": bouwer})
            eerste.join(WACHT_S)
            assert not eerste.is_alive() and eerste.fout is not None
            _tot(
                lambda: _wachtend_op_index(kijker, behalve | {bouwer}),
                "the second worker's statements waiting",
            )
        finally:
            houder.commit()
        tweede.klaar()
        sloten = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        assert kijker.execute(text(sloten)).scalar_one() == 0
    indexen = _indexen(engine)
    assert [n for n, _, _ in indexen] == SPGIST
    assert all(geldig and "USING spgist" in d for _, geldig, d in indexen)


def _bouwer(kijker: Connection, behalve: set[int]) -> int:
    """The backend whose index statement waits for a lock."""
    return int(
        kijker.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%index%' "
                "AND NOT pid = ANY(:behalve)"
            ),
            {"behalve": list(behalve)},
        ).scalar_one()
    )
