"""Session 9's schema migrations (``shared_0004_zonder_fk``, ``shared_0005_event_id``,
``locaties_0005``) run on a database that already holds events, outbox rows, seals and
read-model rows with and without a bounding box: up, down (the keys and indexes come back over
the rows) and up again, on SQLite and PostgreSQL, keeping every row and the map's filter."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, func, insert, select

from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.bootstrap import VERSIONS
from services.locaties.entrypoints.routes_spoedlocaties import bbox_filter
from shared.db import migrations
from shared.db.engine import make_session_factory
from shared.db.migrations import alembic_config
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import event_seals, events, outbox
from shared.privacy import VERSIONS as PERSONEN
from tests.integration.test_bulk_kopie import _stand
from tests.support.events import new_event

DIRS: list[Path] = [VERSIONS, PERSONEN]
VOOR = ("shared_0003_zegels", "locaties_0004")


def _migreer(engine: Engine, richting: str, *doelen: str) -> None:
    cfg = alembic_config(DIRS)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        for doel in doelen:
            getattr(command, richting)(cfg, doel)


def _tel(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (events, outbox, event_seals, spoedlocatie_standen)
        )


def _in_kader(engine: Engine) -> list[str]:
    t = spoedlocatie_standen
    kader = bbox_filter(t, (84000.0, 446000.0, 85000.0, 448000.0), engine.dialect.name)
    with engine.connect() as conn:
        return list(
            conn.execute(select(t.c.locatie_id).where(kader).order_by(t.c.locatie_id)).scalars()
        )


def test_the_schema_migrations_go_up_down_and_up_over_existing_rows(sql_engine: Engine) -> None:
    migrations.upgrade(sql_engine, DIRS)
    _migreer(sql_engine, "downgrade", *VOOR)
    sessions = make_session_factory(sql_engine)
    with sessions() as session, session.begin():
        recorded = SqlEventStore(session).append("T-1", "teller", 0, [new_event(1)], "t")
        recorded += SqlEventStore(session).append("T-2", "teller", 0, [new_event(2)], "t")
        session.execute(
            insert(event_seals),
            [
                {"position": e.position, "hash": "a" * 64, "prev_hash": "b" * 64}
                | {"stream_prev_hash": "c" * 64}
                for e in recorded
            ],
        )
        geen = {f"bbox_{k}": None for k in ("min_x", "min_y", "max_x", "max_y")}
        session.execute(
            insert(spoedlocatie_standen),
            [
                _stand("ZH000000001", 1, bbox_max_x=84200.0, bbox_max_y=447100.0),
                _stand("ZH000000002", 1, geometrie_rd=None, **geen),
                _stand("ZH000000003", 1, bbox_min_x=1.0, bbox_min_y=1.0)
                | {"bbox_max_x": 2.0, "bbox_max_y": 2.0},
            ],
        )
    telling = _tel(sql_engine)
    assert telling == (2, 2, 2, 3)
    assert _in_kader(sql_engine) == ["ZH000000001"]
    _migreer(sql_engine, "upgrade", "heads")
    assert (_tel(sql_engine), _in_kader(sql_engine)) == (telling, ["ZH000000001"])
    _migreer(sql_engine, "downgrade", *VOOR)
    assert (_tel(sql_engine), _in_kader(sql_engine)) == (telling, ["ZH000000001"])
    # As a service starts: on PostgreSQL a revision per transaction, indexes built online.
    migrations.upgrade(sql_engine, DIRS)
    assert (_tel(sql_engine), _in_kader(sql_engine)) == (telling, ["ZH000000001"])
