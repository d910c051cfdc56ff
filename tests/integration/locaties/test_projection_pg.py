"""The batch writer's read-model statements on PostgreSQL (``adapters/projection_pg.py``:
prepared, the rows as one JSON document) write and return exactly the rows SQLAlchemy's
statements write and return, value by value and, for JSON columns, text by text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from services.locaties import bootstrap
from services.locaties.adapters import projection, projection_pg
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from shared.db.engine import make_session_factory
from tests.support.infra import postgres_database

ZOMERTIJD = timezone(timedelta(hours=2))


def _inhoud(i: int) -> dict[str, Any]:
    return {
        "bevoegd_gezag": "ZH",
        "provincie": "ZH",
        "gemeentecode": "0513",
        "naam": f'Gasfabriek "Oost" {i} – één',
        "bodemtype": "landbodem",
        "status": "onderzocht",
        "status_sinds": date(2011, 6, i + 1),
        "registratiedatum": date(2011, 1, 3),
        "afgehandeld_op": None,
        "risico_humaan": i % 2 == 0,
        "risico_ecologisch": False,
        "risico_verspreiding": True,
        "risicos": [{"risicotype": "humaan", "vastgesteld": True, "criteria": ["a", "ü"]}],
        "knelpunt": None,
        "budget_euro": 10**12 + i,
        "kosten_euro": 0,
        "verontreinigingsgroepen": [],
        # A site without a geometry: the JSON value null, as SQLAlchemy writes it.
        "geometrie_rd": None if i % 2 else {"type": "Point", "coordinates": [155000.5, 463000.25]},
        "bbox_min_x": None if i % 2 else 0.1 + 0.2,
        "bbox_min_y": None if i % 2 else 1e-7,
        "bbox_max_x": None if i % 2 else 155000.5,
        "bbox_max_y": None if i % 2 else -463000.125,
    }


def _huidig(i: int, versie: int) -> dict[str, Any]:
    return {
        "locatie_id": f"ZH0513{i:05d}",
        **_inhoud(i),
        "versie": versie,
        "bijgewerkt_op": datetime(2012, 3, 1, 10, 0, 0, 123456 + i, tzinfo=ZOMERTIJD),
    }


def _stand(i: int) -> dict[str, Any]:
    return {
        "locatie_id": f"ZH0513{i:05d}",
        "geldig_vanaf": date(2011, 6, i + 1),
        "versie_vanaf": 2,
        "geldig_tot": None,
        "bekend_vanaf": datetime(2012, 3, 1, 8, 0, i, tzinfo=UTC),
        "bekend_tot": None,
        **_inhoud(i),
    }


def _sqlalchemy_huidig(session: Session, rijen: list[dict[str, Any]]) -> None:
    session.execute(projection._huidig_upsert("postgresql"), rijen).all()


def _sqlalchemy_standen(session: Session, rijen: list[dict[str, Any]]) -> None:
    session.execute(insert(spoedlocatie_standen), rijen)


def _sqlalchemy_sluit(
    session: Session, sluiten: list[tuple[str, date, datetime]]
) -> dict[str, list[dict[str, Any]]]:
    uit: dict[str, list[dict[str, Any]]] = {}
    for lid, datum, tot in sluiten:
        for row in session.execute(
            projection._SLUIT_OPEN, {"_id": lid, "_datum": datum, "_tot": tot}
        ):
            uit.setdefault(lid, []).append(dict(row._mapping))
    return uit


@contextmanager
def _database() -> Iterator[Engine]:
    with postgres_database() as engine:
        bootstrap.migrate(engine)
        yield engine


def _als_tekst(engine: Engine) -> dict[str, list[str]]:
    """Every row of both tables as PostgreSQL prints it: each value's text, JSON as stored."""
    with engine.connect() as conn:
        return {
            tabel: list(
                conn.execute(text(f"SELECT t::text FROM {tabel} AS t ORDER BY t::text")).scalars()
            )
            for tabel in (spoedlocaties.name, spoedlocatie_standen.name)
        }


def _schrijf(
    engine: Engine,
    huidig: Callable[[Session, list[dict[str, Any]]], None],
    standen: Callable[[Session, list[dict[str, Any]]], None],
    sluit: Callable[[Session, list[tuple[str, date, datetime]]], Any],
) -> Any:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        huidig(session, [_huidig(i, 1) for i in range(4)])
        standen(session, [_stand(i) for i in range(4)])
    with sessions.begin() as session:
        huidig(session, [_huidig(i, 2) for i in range(4)])  # the upsert's update
        tot = datetime(2012, 3, 2, 9, 0, tzinfo=ZOMERTIJD)
        # Site 3's open row is dated after the event: nothing to close.
        return sluit(
            session,
            [(f"ZH0513{i:05d}", date(2011, 6, 3), tot) for i in range(4)],
        )


def test_the_prepared_statements_write_and_return_what_sqlalchemy_does() -> None:
    with _database() as gewoon, _database() as direct:
        verwacht = _schrijf(gewoon, _sqlalchemy_huidig, _sqlalchemy_standen, _sqlalchemy_sluit)
        gekregen = _schrijf(
            direct,
            projection_pg.schrijf_huidig,
            projection_pg.voeg_standen_toe,
            projection_pg.sluit_open,
        )
        assert sorted(verwacht) == sorted(gekregen) == [f"ZH0513{i:05d}" for i in range(3)]
        assert {k: list(v) for k, v in gekregen.items()} == verwacht
        assert _als_tekst(direct) == _als_tekst(gewoon)
