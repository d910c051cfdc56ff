"""The group commit's one-statement round on PostgreSQL (``projection._ronde_pg``) leaves both
read models byte for byte as the general path's statements (``projection._ronde_algemeen``:
the current rows upserted, the open rows closed and read back, the closed interval and the
new row built in Python and inserted) leave them, on a history with late registrations,
back-dated facts, transfers, corrections and sites with a geometry."""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import orjson
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from services.locaties.adapters import projection, projection_pg
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain import commands
from services.locaties.domain.model import Spoedlocatie
from shared.db.engine import make_session_factory
from shared.eventstore.model import EventMetadata, RecordedEvent
from shared.vocabulaire import Status
from tests.integration.locaties.test_groepscommit import _database, _run_plan
from tests.integration.locaties.test_historische_lijst import _plan
from tests.support.groepscommit import Maak

# A polygon in RD (a JSON column with floats, and the bounding-box columns).
VLAK = {
    "type": "Polygon",
    "coordinates": [
        [
            [155000.5, 463000.25],
            [155100.0, 463000.25],
            [155000.5, 463100.125],
            [155000.5, 463000.25],
        ]
    ],
}


def _als_tekst(engine: Engine) -> dict[str, list[str]]:
    """Every row of both read models as PostgreSQL prints it: each value's text, JSON as
    stored; ``bijgewerkt_op`` (the wall clock of the write) left out."""
    with engine.connect() as conn:
        conn.execute(text(f"UPDATE {spoedlocaties.name} SET bijgewerkt_op = '2000-01-01Z'"))
        return {
            tabel: list(
                conn.execute(text(f"SELECT t::text FROM {tabel} AS t ORDER BY t::text")).scalars()
            )
            for tabel in (spoedlocaties.name, spoedlocatie_standen.name)
        }


@contextmanager
def _rondes_vastgelegd(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Yields the rounds (copies, in commit order) that the committed transactions projected;
    a rolled-back transaction's are dropped."""
    open_rondes: dict[int, list[Any]] = defaultdict(list)
    vastgelegd: list[Any] = []
    ronde_pg = projection._ronde_pg

    def onthoud(session: Session, ronde: list[Any]) -> None:
        open_rondes[id(session)].append(copy.deepcopy(ronde))
        ronde_pg(session, ronde)

    def gecommit(session: Session) -> None:
        vastgelegd.extend(open_rondes.pop(id(session), []))

    def teruggedraaid(session: Session) -> None:
        open_rondes.pop(id(session), None)

    monkeypatch.setattr(projection, "_ronde_pg", onthoud)
    event.listen(Session, "after_commit", gecommit)
    event.listen(Session, "after_rollback", teruggedraaid)
    try:
        yield vastgelegd
    finally:
        event.remove(Session, "after_commit", gecommit)
        event.remove(Session, "after_rollback", teruggedraaid)


@pytest.mark.parametrize("zaad", [2026, 7, 11])
def test_one_statement_rounds_write_what_the_general_path_writes(
    schrijver: Maak, monkeypatch: pytest.MonkeyPatch, zaad: int
) -> None:
    stappen = _plan(random.Random(zaad), 30)
    for stap in stappen[::3]:
        if stap.commando is commands.RegistreerSpoedlocatie:
            stap.velden["geometrie_rd"] = VLAK
    # The sites the statement extended itself (the others it hands back to the general path).
    verlengd: list[str] = []
    projecteer_ronde = projection_pg.projecteer_ronde

    def tel(session: Session, rijen: list[tuple[Any, ...]]) -> dict[str, int]:
        terug = projecteer_ronde(session, rijen)
        verlengd.extend(r[0] for r in rijen if r[3] == projection_pg.VERLENG and r[0] not in terug)
        return terug

    monkeypatch.setattr(projection_pg, "projecteer_ronde", tel)
    with _database() as snel, _database() as algemeen:
        with _rondes_vastgelegd(monkeypatch) as rondes:
            committer = schrijver(make_session_factory(snel))
            try:
                _run_plan(snel, stappen, committer)
            finally:
                committer.close()
        assert max(committer.batch_sizes) > 1  # rounds of several sites
        soorten = {(len(nieuw), nieuw[0].version > 1) for r in rondes for _, nieuw in r if nieuw}
        assert (1, True) in soorten
        assert len(verlengd) > len(rondes) // 2
        # The same rounds, in the same order, through the general path's statements.
        sessions = make_session_factory(algemeen)
        for ronde in rondes:
            with sessions.begin() as session:
                projection._ronde_algemeen(session, copy.deepcopy(ronde))
        # The registrations (without the committer) took the one-statement path too.
        snel_tekst, algemeen_tekst = _als_tekst(snel), _als_tekst(algemeen)
        assert len(snel_tekst[spoedlocatie_standen.name]) > 3 * len(rondes) // 2
        assert any('"Polygon"' in r for r in snel_tekst[spoedlocaties.name])
        assert snel_tekst == algemeen_tekst


def _vastgelegd(locatie: Spoedlocatie, op: datetime) -> list[RecordedEvent]:
    """The site's pending events as the batch records them (at ``op``)."""
    eerste = locatie.version - len(locatie.pending)
    uit = [
        RecordedEvent(
            position=0,
            event_id=uuid4(),
            stream_id=locatie.id,
            stream_type=locatie.stream_type,
            version=eerste + 1 + i,
            event_type=e.event_type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=EventMetadata(actor="test"),
            occurred_at=e.occurred_at,
            recorded_at=op,
        )
        for i, e in enumerate(locatie.pending)
    ]
    locatie.pending = []
    return uit


def test_an_open_row_with_json_written_otherwise_is_closed_as_the_general_path_does() -> None:
    """The bulk import writes JSON as orjson's compact text; the general path's copy of such a
    row holds ``json.dumps``'s text of its values, and so does the one-statement round's."""
    with _database() as snel, _database() as algemeen:
        for engine, ronde in ((snel, projection._ronde_pg), (algemeen, projection._ronde_algemeen)):
            locatie = Spoedlocatie.registreer(
                "ZH051300001", "ZH", "0513", "x", "landbodem", ("pak", "minerale-olie"), VLAK,
                date(2011, 1, 3),
            )  # fmt: skip
            sessions = make_session_factory(engine)
            with sessions.begin() as session:
                ronde(session, [(locatie, _vastgelegd(locatie, datetime(2011, 1, 4, tzinfo=UTC)))])
                session.execute(
                    text(
                        "UPDATE spoedlocatie_standen SET "
                        "verontreinigingsgroepen = CAST(:groepen AS json), "
                        "geometrie_rd = CAST(:vlak AS json)"
                    ),
                    {
                        "groepen": orjson.dumps(["pak", "minerale-olie"]).decode(),
                        "vlak": orjson.dumps(VLAK).decode(),
                    },
                )
            locatie.wijzig_status(Status.ONDERZOCHT, date(2012, 6, 1), "")
            with sessions.begin() as session:
                ronde(session, [(locatie, _vastgelegd(locatie, datetime(2012, 6, 2, tzinfo=UTC)))])
        snel_tekst = _als_tekst(snel)
        assert len(snel_tekst[spoedlocatie_standen.name]) == 3
        assert snel_tekst == _als_tekst(algemeen)
