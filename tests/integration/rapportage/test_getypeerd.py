"""The typed columns of the spoedlocaties facts (migration rapportage_0006): the projection
writes them, the migration fills them for the facts already there, and the start reads them
instead of the JSON, with the same timelines as the facts read whole (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select

from services.rapportage.adapters import tables
from services.rapportage.adapters.projection import SPOEDLOCATIES
from services.rapportage.domain import feiten as f
from services.rapportage.domain.feitkolommen import getypeerd, microseconden
from services.rapportage.domain.tijdlijn import Tijdlijnen
from shared.db.engine import make_session_factory
from shared.db.migrations import alembic_config
from tests.support.infra import sqlite_database
from tests.support.rapportage import (
    RAPPORTAGE_VERSIONS,
    feitrijen,
    record,
    registratie,
    status,
    verzegel,
)
from tests.support.tijdlijnen import lastige_geschiedenis, paren


def _feiten() -> list[f.Feit]:
    """The awkward history, with ids that fit the table and a few single-field facts the
    typed columns cannot hold (read from their JSON)."""
    alle, _ = lastige_geschiedenis()
    ids: dict[str, str] = {}
    alle = [
        replace(x, locatie_id=ids.setdefault(x.locatie_id, f"{x.locatie_id[:2]}{len(ids):09d}"))
        for x in alle
    ]
    for i in range(0, len(alle), 7):  # record times to the microsecond
        alle[i] = replace(
            alle[i], vastgelegd_op=alle[i].vastgelegd_op.replace(microsecond=i % 999_983)
        )
    budgetten = [i for i, x in enumerate(alle) if x.soort == f.BUDGET]
    for i, bedrag in zip(budgetten, [True, 2**64 + 1, 12.0], strict=False):
        alle[i] = replace(alle[i], data={**alle[i].data, "bedrag_euro": bedrag})
    return alle


def _schrijf(engine: Engine, alle: list[f.Feit], getypeerd_: bool) -> None:
    """The facts as the projection writes them, or as rows from before rapportage_0006."""
    with engine.begin() as conn:
        conn.execute(insert(tables.feiten), feitrijen(alle, getypeerd_))


def _typen(engine: Engine) -> dict[int, tuple[object, ...]]:
    t = tables.feiten
    with engine.connect() as conn:
        return {
            r.positie: (r.datum, r.tekst, r.getal, r.vastgelegd_us)
            for r in conn.execute(
                select(t.c.positie, t.c.datum, t.c.tekst, t.c.getal, t.c.vastgelegd_us)
            )
        }


def test_the_start_reads_the_typed_columns_with_the_same_timelines(engine: Engine) -> None:
    alle = _feiten()
    _schrijf(engine, alle, getypeerd_=True)
    typen = _typen(engine)
    zonder = {
        x.positie
        for x in alle
        if x.soort == f.BUDGET and x.data["bedrag_euro"] in (True, 2**64 + 1, 12.0)
    }
    assert len(zonder) == 3 and all(typen[p][:3] == (None, None, None) for p in zonder)
    assert all(t[3] is not None for t in typen.values())
    assert sum(1 for t in typen.values() if t[1] is not None) > 100
    assert sum(1 for t in typen.values() if t[2] is not None) > 10
    with make_session_factory(engine)() as session:
        rijen = SPOEDLOCATIES.lees_rijen(session, len(alle))
        gelezen = SPOEDLOCATIES.lees_feiten(session, len(alle))
    assert gelezen == alle  # the facts read whole keep all of their JSON
    verwacht = []
    for x in alle:
        g = getypeerd(x.soort, x.data)
        kop = (x.positie, x.locatie_id, x.versie, x.soort, microseconden(x.vastgelegd_op))
        # A fact with typed columns as the driver gives them (``GetypeerdeRij``).
        verwacht.append((*kop, x.data) if g is None else (*kop, None, *g))
    assert rijen == verwacht
    uit_rijen, uit_feiten = Tijdlijnen(), Tijdlijnen()
    for begin in range(0, len(rijen), 700):
        uit_rijen.voeg_toe_rijen(rijen[begin : begin + 700])
    uit_feiten.voeg_toe(gelezen)
    for peildatum, kennisdatum in paren():
        assert uit_rijen.op(peildatum, kennisdatum) == uit_feiten.op(peildatum, kennisdatum)
    assert uit_rijen.kolommen.inhoud == uit_feiten.kolommen.inhoud


def test_the_migration_fills_the_facts_already_there_as_the_projection_would(
    engine: Engine,
) -> None:
    """Down to rapportage_0005 (the columns go) and up again: the migration fills them for
    the facts there as the projection writes them."""
    alle = _feiten()
    _schrijf(engine, alle, getypeerd_=True)
    verwacht = _typen(engine)
    assert verwacht == {x.positie: tuple(SPOEDLOCATIES.typen(x).values()) for x in alle}
    assert sum(1 for t in verwacht.values() if t[:3] != (None, None, None)) > 100
    cfg = alembic_config(RAPPORTAGE_VERSIONS)
    for stap, doel in ((command.downgrade, "rapportage_0005"), (command.upgrade, "heads")):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            stap(cfg, doel)
    assert _typen(engine) == verwacht


def test_the_projection_writes_the_typed_columns(tmp_path: Path) -> None:
    from services.rapportage.bootstrap import processor
    from services.rapportage.config import RapportageSettings
    from shared.messaging.consumer import ListDeadLetterSink

    with sqlite_database(tmp_path, RAPPORTAGE_VERSIONS) as e:
        proc = processor(RapportageSettings(), make_session_factory(e), ListDeadLetterSink())
        een, twee = verzegel(
            registratie(1, "ZH051300001"), status(2, "ZH051300001", 2, "onderzocht", "2010-05-01")
        )
        proc.process([record(0, een, 0), record(1, twee, 0)])
        typen = _typen(e)
        assert {p: t[:3] for p, t in typen.items()} == {
            1: (None, None, None),
            2: ("2010-05-01", "onderzocht", None),
        }
        with make_session_factory(e)() as session:
            assert [t[3] for t in typen.values()] == [
                microseconden(x.vastgelegd_op) for x in SPOEDLOCATIES.lees_feiten(session, 2)
            ]


def test_a_child_reads_the_log_ahead_with_connections_of_its_own(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """The first start's child (``adapters/voorlezer.py``) on both databases: it reads the
    slices with its own connection (the JSON of some kinds left to this process as text) and
    the timelines are those read in this process; the parent's pooled connection still works
    after it."""
    from services.rapportage.service_layer.geheugen import Tijdlijnfeiten
    from services.rapportage.service_layer.unit_of_work import SqlLogboek

    alle = _feiten()
    _schrijf(engine, alle, getypeerd_=True)
    sessions = make_session_factory(engine)
    logboek = SqlLogboek(sessions, SPOEDLOCATIES)
    assert logboek.apart_leesbaar()
    gelezen = []
    for voorlezen in (True, False):
        feiten = Tijdlijnfeiten(300, voorlezen=voorlezen)
        with feiten.vast(logboek, len(alle)):
            pass
        assert (feiten.voorlezer is not None) is voorlezen
        gelezen.append(feiten.tijdlijnen)
    apart, hier = gelezen
    # The child gave every slice (it did not give up, leaving this process to read the rest).
    assert "voorlezer gestopt" not in caplog.text
    assert apart.kolommen.arrays() == hier.kolommen.arrays()
    assert apart.kolommen.inhoud == hier.kolommen.inhoud
    assert [lid for lid, _ in apart.sites()] == [lid for lid, _ in hier.sites()]
    for peildatum, kennisdatum in paren():
        assert apart.op(peildatum, kennisdatum) == hier.op(peildatum, kennisdatum)
    assert logboek.watermark() == 0  # no watermark written; the pool's connection is sound
