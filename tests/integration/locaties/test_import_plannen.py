"""The import's look-ups by key (recorded line keys, the events of the batch's sites) probe an
index once per key in every plan PostgreSQL may pick: a custom plan for a small table and the
generic plan psycopg's prepared statements reach after five runs. A plan that scans the table
makes every batch cost in proportion to all that was ever imported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.sql.expression import ClauseElement

from services.locaties.adapters.importregels import _LEES_PG, import_regels
from services.locaties.bootstrap import VERSIONS
from shared.db import migrations
from shared.db.engine import make_session_factory
from shared.db.kopie import kopieer
from shared.eventstore.bulk import _LAAD_PG
from shared.eventstore.tables import events
from shared.privacy import VERSIONS as PERSONEN_VERSIONS
from tests.support.infra import postgres_database


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """A database with what one import of 5,000 lines left behind (the plans change with the
    tables' sizes: on empty tables a scan costs nothing)."""
    with postgres_database() as engine:
        migrations.upgrade(engine, [VERSIONS, PERSONEN_VERSIONS])
        nu = datetime(2026, 1, 1, tzinfo=UTC)
        with make_session_factory(engine)() as session, session.begin():
            kopieer(
                session,
                import_regels,
                ("scope", "sleutel", "vingerafdruk", "locatie_id", "versie", "vastgelegd_op"),
                [
                    ("s" * 64, f"r{n}", "f" * 64, f"ZH{n // 5:09d}", n % 5 + 1, nu)
                    for n in range(5000)
                ],
            )
            kopieer(
                session,
                events,
                tuple(k.name for k in events.c),
                [
                    (
                        n,
                        str(uuid4()),
                        f"ZH{n // 5:09d}",
                        "spoedlocatie",
                        n % 5 + 1,
                        "x",
                        1,
                        {},
                        {},
                        nu,
                        nu,
                    )
                    for n in range(1, 5001)
                ],
            )
        yield engine


def _plan(engine: Engine, statement: ClauseElement, params: dict[str, Any], modus: str) -> str:
    with engine.connect() as conn:
        conn.execute(text(f"SET plan_cache_mode = {modus}"))
        conn.execute(text("ANALYZE import_regels, events"))
        sql = str(statement.compile(dialect=engine.dialect))
        regels = conn.exec_driver_sql(f"EXPLAIN {sql}", params).scalars().all()
        conn.rollback()
    return "\n".join(regels)


@pytest.mark.parametrize("modus", ["force_custom_plan", "force_generic_plan"])
def test_recorded_line_keys_are_looked_up_by_primary_key(engine: Engine, modus: str) -> None:
    params = {"scope": "s" * 64, "sleutels": [f"k{n}" for n in range(1000)]}
    plan = _plan(engine, _LEES_PG, params, modus)
    assert "Index Scan using import_regels_pkey" in plan, plan
    assert "Seq Scan on import_regels" not in plan, plan


@pytest.mark.parametrize("modus", ["force_custom_plan", "force_generic_plan"])
def test_sites_are_loaded_by_their_stream_index(engine: Engine, modus: str) -> None:
    params = {"ids": [f"ZH{n:09d}" for n in range(200)]}
    plan = _plan(engine, _LAAD_PG, params, modus)
    assert "uq_events_stream_version" in plan, plan
    assert "Seq Scan on events" not in plan, plan
