"""The rapportage projection on a real database: facts, watermark, poison, upcasting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from services.rapportage.adapters import projection
from services.rapportage.adapters.tables import feiten
from services.rapportage.config import RapportageSettings
from services.rapportage.service_layer.rapportage import Rapportage
from shared.db.engine import make_session_factory
from shared.eventstore.tables import dead_letters
from shared.messaging.consumer import ListDeadLetterSink, ProjectionProcessor
from tests.support.infra import sqlite_database
from tests.support.rapportage import (
    RAPPORTAGE_VERSIONS,
    STORE,
    envelope,
    record,
    registratie,
    status,
    verzegel,
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with sqlite_database(tmp_path, RAPPORTAGE_VERSIONS) as e:
        yield e


def _processor(engine: Engine, sink: ListDeadLetterSink) -> ProjectionProcessor:
    from services.rapportage.bootstrap import processor

    return processor(RapportageSettings(), make_session_factory(engine), sink)


def _watermark(engine: Engine) -> int:
    with make_session_factory(engine)() as s:
        return projection.watermark(s)


def test_the_watermark_only_covers_a_gapless_prefix(engine: Engine) -> None:
    proc = _processor(engine, ListDeadLetterSink())
    een, drie, twee, vier = verzegel(
        registratie(1, "ZH051300001"),
        status(3, "ZH051300001", 2, "onderzocht", "2010-05-01"),
        registratie(2, "UT035600001"),
        status(4, "UT035600001", 2, "onderzocht", "2010-06-01"),
    )
    # Two partitions: positions 1 and 3 on one, 2 and 4 on the other; the second runs late.
    proc.process([record(0, een, 0), record(1, drie, 0)])
    assert _watermark(engine) == 1
    proc.process([record(0, twee, 1)])
    assert _watermark(engine) == 3
    proc.process([record(1, vier, 1)])
    assert _watermark(engine) == 4


def test_reports_only_use_facts_up_to_the_watermark(engine: Engine) -> None:
    proc = _processor(engine, ListDeadLetterSink())
    een, drie, twee = verzegel(
        registratie(1, "ZH051300001"), registratie(3, "ZH051300002"), registratie(2, "ZH051300003")
    )
    proc.process([record(0, een, 0), record(1, drie, 0)])
    rapportage = Rapportage(make_session_factory(engine))
    rapport = rapportage.rapport("voortgang", date(2020, 1, 1))
    assert rapport.positie == 1
    assert rapport.inhoud["samenvatting"]["geregistreerd"] == 1
    # Kept up in the background: the timelines follow the watermark, not beyond it.
    assert rapportage.houd_bij() == 1
    proc.process([record(0, twee, 1)])
    assert rapportage.houd_bij() == 3
    assert rapportage.rapport("voortgang", date(2020, 1, 1)).positie == 3


def test_poison_events_are_dead_lettered_and_their_positions_still_count(engine: Engine) -> None:
    sink = ListDeadLetterSink()
    proc = _processor(engine, sink)
    log = verzegel(
        registratie(1, "ZH051300001"),
        envelope(2, "ZH051300001", 2, "spoedlocatie-verhuisd", {"x": 1}),
        envelope(3, "ZH051300001", 3, "spoedlocatie-status-gewijzigd", {"van": "a"}),
        status(4, "ZH051300001", 4, "onderzocht", "2010-02-30"),
        status(5, "ZH051300001", 5, "onderzocht", "2010-05-01"),
    )
    proc.process(
        [
            *(record(i, e) for i, e in enumerate(log[:4])),
            record(4, b"not even json"),
            record(5, verzegel(registratie(1, "ZZ000000001", store="9" * 8 + STORE[8:]))[0]),
            record(6, log[4]),
        ]
    )
    reasons = {d.record.offset: d.reason for d in sink.letters}
    assert sorted(reasons) == [1, 2, 3, 4, 5]
    assert "onbekend type" in reasons[1]
    assert "mist naar, besluitdatum" in reasons[2]
    assert "month" in reasons[3] or "day" in reasons[3]
    assert "CloudEvent" in reasons[4]
    # Position 1 of another log: its seal holds, but the chain goes on from the first.
    assert "positie 1 is al ingenomen" in reasons[5]
    assert _watermark(engine) == 5
    with engine.connect() as conn:
        assert conn.execute(select(feiten.c.positie)).scalars().all() == [1, 5]
        assert len(conn.execute(select(dead_letters)).all()) == 5


def test_an_old_schema_version_is_upcast_on_read(engine: Engine) -> None:
    proc = _processor(engine, ListDeadLetterSink())
    oud = envelope(
        2,
        "ZH051300001",
        2,
        "spoedlocatie-status-gewijzigd",
        {"van": "potentieel-spoed", "status": "onderzocht", "besluitdatum": "2010-05-01"},
        schemaversion=0,
    )
    proc.process([record(i, e) for i, e in enumerate(verzegel(registratie(1, "ZH051300001"), oud))])
    with engine.connect() as conn:
        data = conn.execute(select(feiten.c.data).where(feiten.c.positie == 2)).scalar_one()
    assert data["naar"] == "onderzocht" and "status" not in data
    rapport = Rapportage(make_session_factory(engine)).rapport("voortgang", date(2011, 1, 1))
    assert rapport.inhoud["perStatus"]["onderzocht"] == 1


def test_the_service_is_ready_once_its_timelines_caught_up(engine: Engine) -> None:
    from services.rapportage.bootstrap import Container

    proc = _processor(engine, ListDeadLetterSink())
    proc.process([record(0, verzegel(registratie(1, "ZH051300001"))[0], 0)])
    sessions = make_session_factory(engine)
    settings = RapportageSettings(database_url="sqlite://", kafka_enabled=False)
    container = Container(settings, engine, sessions, Rapportage(sessions))
    checks = container.readiness_checks()
    checks["database"]()
    with pytest.raises(RuntimeError, match="tijdlijnen"):
        checks["tijdlijnen"]()
    assert container.rapportage.houd_bij() == 1
    checks["tijdlijnen"]()
