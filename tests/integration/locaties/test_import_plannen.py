"""The import's look-ups by key (recorded line keys, the events of the batch's sites, the
current rows it replaces) probe an index once per key in every plan PostgreSQL may pick: a
custom plan for a small table and the generic plan psycopg's prepared statements reach after
five runs. A plan that scans the table makes every batch cost in proportion to all that was
ever imported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.sql.expression import ClauseElement

from services.locaties.adapters.bulk_projectie import (
    HUIDIG_KOLOMMEN,
    _verwijder_huidig,
)
from services.locaties.adapters.importregels import _LEES_PG, import_regels
from services.locaties.adapters.tables import spoedlocaties
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
            kopieer(session, spoedlocaties, HUIDIG_KOLOMMEN, [_huidig(n, nu) for n in range(5000)])
        yield engine


def _huidig(n: int, nu: datetime) -> tuple[Any, ...]:
    inhoud: dict[str, Any] = {
        "locatie_id": f"ZH{n:09d}",
        "bevoegd_gezag": "ZH",
        "provincie": "ZH",
        "gemeentecode": "0513",
        "naam": f"Locatie {n}",
        "bodemtype": "landbodem",
        "status": "onderzocht",
        "status_sinds": nu.date(),
        "registratiedatum": nu.date(),
        "risico_humaan": False,
        "risico_ecologisch": False,
        "risico_verspreiding": False,
        "risicos": [],
        "budget_euro": 0,
        "kosten_euro": 0,
        "verontreinigingsgroepen": [],
        "versie": 1,
        "bijgewerkt_op": nu,
    }
    return tuple(inhoud.get(k) for k in HUIDIG_KOLOMMEN)


def _plan(engine: Engine, statement: ClauseElement, params: dict[str, Any], modus: str) -> str:
    with engine.connect() as conn:
        conn.execute(text(f"SET plan_cache_mode = {modus}"))
        conn.execute(text("ANALYZE import_regels, events, spoedlocaties"))
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


def test_the_current_rows_replaced_are_found_by_primary_key_as_the_table_grows() -> None:
    """The current rows a batch replaces are found through the primary key, batch after batch,
    while the table grows from small: prepared (psycopg does after five runs) the statement kept
    the plan made while the table was small, a scan of the whole table that compared every row
    with every id at every later batch."""
    nu = datetime(2026, 1, 1, tzinfo=UTC)
    with postgres_database() as engine:
        migrations.upgrade(engine, [VERSIONS, PERSONEN_VERSIONS])
        sessions = make_session_factory(engine)
        with sessions() as session, session.begin():
            rauw = session.connection().connection
            voor = rauw.execute(_SCANS).fetchone()
            for batch in range(40):  # 125 sites a batch, as 1,000 lines of 8 per site
                sites = range(125 * batch, 125 * batch + 125)
                _verwijder_huidig(session, [f"ZH{n:09d}" for n in sites])
                kopieer(session, spoedlocaties, HUIDIG_KOLOMMEN, [_huidig(n, nu) for n in sites])
            na = rauw.execute(_SCANS).fetchone()
            instelling = rauw.execute("SHOW enable_seqscan").fetchone()
    assert voor is not None and na is not None
    assert (na[0] - voor[0], na[1] - voor[1]) == (0, 40 * 125)  # sequential, index
    assert instelling == ("on",)


# Scans of the table so far, this transaction's included.
_SCANS = "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'spoedlocaties'"
