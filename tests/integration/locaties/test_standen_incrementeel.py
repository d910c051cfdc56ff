"""The bitemporal rows kept command by command (mostly by extending the open row) equal the
rows a full replay of every site's history gives, on a history with late registrations, facts
dated before earlier ones, transfers and corrections recorded years later; SQLite and
PostgreSQL."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, Row, select

from services.locaties import bootstrap
from services.locaties.adapters import projection
from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.db.engine import make_session_factory
from shared.vocabulaire import Knelpunt
from tests.integration.locaties.test_historische_lijst import _namens, _plan, _vul

ZH = _namens("ZH")


def _rijen(engine: Engine) -> list[Row[Any]]:
    t = spoedlocatie_standen.c
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(spoedlocatie_standen).order_by(t.locatie_id, t.geldig_vanaf, t.versie_vanaf)
            ).all()
        )


def test_the_incremental_rows_equal_the_full_replay(
    sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    bootstrap.migrate(sql_engine)
    herberekend: list[str] = []
    replay = projection._herbereken

    def tel(session: Any, locatie: Any, nieuw: Any) -> None:
        herberekend.append(nieuw[0].event_type)
        replay(session, locatie, nieuw)

    monkeypatch.setattr(projection, "_herbereken", tel)
    stappen = _plan(random.Random(2013), 24)
    assert len(_vul(sql_engine, stappen)) == 24
    monkeypatch.undo()
    # Most commands only extend the open row; corrections and back-dated facts replay.
    assert 0 < len(herberekend) < len(stappen) // 2
    assert "spoedlocatie-registratie-gecorrigeerd" in herberekend
    assert set(herberekend) - {"spoedlocatie-registratie-gecorrigeerd"}
    incrementeel = _rijen(sql_engine)
    with make_session_factory(sql_engine).begin() as session:
        assert projection.herbouw_standen(session) == 24
    assert _rijen(sql_engine) == incrementeel
    assert len(incrementeel) > 3 * 24  # closed rows too, not just one per site


def test_an_event_that_changes_nothing_shown_leaves_the_rows_alone(sql_engine: Engine) -> None:
    """Same date, same visible state: the full replay finds the same rows, so must the step."""
    bootstrap.migrate(sql_engine)
    sessions = make_session_factory(sql_engine)
    registratie = commands.RegistreerSpoedlocatie(
        "ZH", "0513", "Gasfabriek", "landbodem", ("pak",), None, date(2012, 3, 1)
    )
    locatie = handlers.handle(registratie, SqlLocatiesUnitOfWork(sessions).namens(ZH))
    # Versions 2 and 3 set the same bottleneck on the same date; version 4 on a later date,
    # version 5 another one on that same date.
    for versie, datum, knelpunt in (
        (1, date(2012, 5, 1), Knelpunt.TECHNISCH),
        (2, date(2012, 5, 1), Knelpunt.TECHNISCH),
        (3, date(2012, 6, 1), Knelpunt.TECHNISCH),
        (4, date(2012, 6, 1), Knelpunt.FINANCIEEL),
    ):
        cmd = commands.StelKnelpuntVast(locatie.id, versie, knelpunt, datum, "")
        locatie = handlers.handle(cmd, SqlLocatiesUnitOfWork(sessions).namens(ZH))
    assert locatie.version == 5
    incrementeel = _rijen(sql_engine)
    with sessions.begin() as session:
        projection.herbouw_standen(session)
    assert _rijen(sql_engine) == incrementeel
    # Registration, its closed copy and the knelpunt rows: version 3 added nothing.
    assert 3 not in {r.versie_vanaf for r in incrementeel}
