"""A start from the timelines' snapshot gives the answers of a start from the whole log, and a
snapshot that does not belong to the log (or is not the file the service wrote) is refused:
the service then builds the timelines from the log."""

from __future__ import annotations

import hashlib
import io
import pickle
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.orm import Session

from services.rapportage.adapters import momentopname, tables
from services.rapportage.adapters.momentopname import Momentopname
from services.rapportage.adapters.projection import SPOEDLOCATIES, Stroom
from services.rapportage.domain import feiten as f
from services.rapportage.domain import feitkolommen
from services.rapportage.domain.feitkolommen import GetypeerdeRij, Rij, microseconden
from services.rapportage.domain.rapporten import bekend_op
from services.rapportage.domain.tijdlijn import Tijdlijnen
from services.rapportage.service_layer.rapportage import Rapportage
from shared.db.engine import make_session_factory
from tests.support.rapportage import STORE, feitrijen
from tests.support.tijdlijnen import lastige_geschiedenis, paren

RAPPORTEN = ("voortgang", "bevoegde-gezagen", "deadlines")


def _hash(positie: int) -> str:
    return hashlib.sha256(f"log-{positie}".encode()).hexdigest()


def _feiten() -> list[f.Feit]:
    """The history with corrections, late and back-dated facts, with ids that fit the table."""
    alle, _ = lastige_geschiedenis()
    ids: dict[str, str] = {}
    return [
        replace(
            x,
            locatie_id=ids.setdefault(x.locatie_id, f"{x.locatie_id[:2]}{len(ids):09d}"),
        )
        for x in alle
    ]


def _verwerk(engine: Engine, feiten: list[f.Feit], getypeerd: bool = True) -> None:
    """The facts, their positions' chain hashes and the watermark, as the projection leaves
    them (the projection itself is tested elsewhere)."""
    with engine.begin() as conn:
        conn.execute(insert(tables.feiten), feitrijen(feiten, getypeerd))
        conn.execute(
            insert(tables.zegels),
            [{"positie": x.positie, "hash": _hash(x.positie)} for x in feiten],
        )
        conn.execute(delete(tables.bron))
        conn.execute(insert(tables.bron).values(id=1, store_id=STORE, watermark=feiten[-1].positie))


@pytest.fixture
def gelezen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many facts each start read from the read model."""
    teller: list[int] = []
    lees = Stroom.lees_rijen

    def tel(
        self: Stroom, session: Session, tot_en_met: int, na: int = 0
    ) -> list[Rij | GetypeerdeRij]:
        uit = lees(self, session, tot_en_met, na)
        teller.append(len(uit))
        return uit

    monkeypatch.setattr(Stroom, "lees_rijen", tel)
    return teller


def _rapporten(rapportage: Rapportage) -> list[object]:
    return [rapportage.rapport(naam, p, k).inhoud for naam in RAPPORTEN for p, k in paren()[::9]]


def _start(engine: Engine, pad: Path, opnieuw_na: int = 100_000) -> Rapportage:
    sessions = make_session_factory(engine)
    opname = Momentopname(pad, sessions, opnieuw_na=opnieuw_na)
    # Read here: ``gelezen`` counts the reads of this process (a child that reads ahead reads
    # the same: test_voorlezer.py).
    rapportage = Rapportage(sessions, per_keer=500, momentopname=opname, voorlezen=False)
    rapportage.houd_bij()
    opname.wacht()  # the snapshot is written apart
    return rapportage


def test_a_start_from_the_snapshot_answers_as_the_fold(
    engine: Engine, tmp_path: Path, gelezen: list[int]
) -> None:
    alle = _feiten()
    # The awkward facts (corrections, back-dated, clocks apart) are at the end: in the tail.
    deel = len(alle) - 300
    _verwerk(engine, alle[:deel])
    pad = tmp_path / "tijdlijnen.momentopname"
    _start(engine, pad)
    assert pad.exists() and sum(gelezen) == deel
    _verwerk(engine, alle[deel:])

    gelezen.clear()
    rapportage = _start(engine, pad)
    assert sum(gelezen) == len(alle) - deel  # only the tail after the snapshot
    with rapportage.vast(len(alle)) as feiten:
        for peildatum, kennisdatum in paren():
            verwacht = f.toestand_op(bekend_op(alle, kennisdatum), peildatum)
            assert feiten.stand_op(peildatum, kennisdatum) == verwacht
    gelezen.clear()
    zonder = Rapportage(make_session_factory(engine), voorlezen=False)
    zonder.houd_bij()
    assert sum(gelezen) == len(alle)
    assert _rapporten(rapportage) == _rapporten(zonder)


def test_a_start_that_read_much_of_the_log_writes_a_new_snapshot(
    engine: Engine, tmp_path: Path, gelezen: list[int]
) -> None:
    alle = _feiten()
    _verwerk(engine, alle[:1000])
    pad = tmp_path / "m"
    _start(engine, pad)
    _verwerk(engine, alle[1000:1100])
    _start(engine, pad, opnieuw_na=200)  # 100 new positions: the snapshot stays
    _verwerk(engine, alle[1100:])
    _start(engine, pad, opnieuw_na=200)  # many: a new one
    gelezen.clear()
    _start(engine, pad)
    assert sum(gelezen) == 0
    with engine.connect() as conn:
        assert conn.execute(select(tables.momentopname.c.positie)).scalar() == len(alle)


def _snapshot(engine: Engine, tmp_path: Path) -> tuple[list[f.Feit], Path]:
    alle = _feiten()
    _verwerk(engine, alle)
    pad = tmp_path / "tijdlijnen.momentopname"
    _start(engine, pad)
    assert Momentopname(pad, make_session_factory(engine)).laad() is not None
    return alle, pad


def _refused_then_rebuilt(
    engine: Engine, pad: Path, alle: list[f.Feit], gelezen: list[int]
) -> None:
    assert Momentopname(pad, make_session_factory(engine)).laad() is None
    gelezen.clear()
    rapportage = Rapportage(
        make_session_factory(engine),
        momentopname=Momentopname(pad, make_session_factory(engine)),
    )
    rapportage.houd_bij()
    assert sum(gelezen) == len(alle)  # built from the log
    peildatum, kennisdatum = date(2012, 12, 31), date(2013, 2, 1)
    with rapportage.vast(len(alle)) as feiten:
        verwacht = f.toestand_op(bekend_op(alle, kennisdatum), peildatum)
        assert feiten.stand_op(peildatum, kennisdatum) == verwacht


def test_a_changed_file_is_refused(engine: Engine, tmp_path: Path, gelezen: list[int]) -> None:
    alle, pad = _snapshot(engine, tmp_path)
    inhoud = bytearray(pad.read_bytes())
    inhoud[len(inhoud) // 2] ^= 1
    pad.write_bytes(bytes(inhoud))
    _refused_then_rebuilt(engine, pad, alle, gelezen)


def test_a_consistent_rewrite_without_the_database_is_refused(
    engine: Engine, tmp_path: Path, gelezen: list[int]
) -> None:
    """Another file with the right header (other timelines, or code to run): the database
    names the digest of the file the service wrote."""
    alle, pad = _snapshot(engine, tmp_path)
    andere = tmp_path / "andere"
    sessions = make_session_factory(engine)
    with engine.begin() as conn:
        rij = conn.execute(select(tables.momentopname)).one()
    lijnen = Rapportage(sessions)
    lijnen.houd_bij()
    with lijnen.vast(len(alle)) as feiten:
        # As many facts, one name changed: only the digest tells.
        _, site = next(iter(feiten.tijdlijnen.sites()))
        stand = site.standen[-1]
        assert stand is not None
        b = stand.basis
        stand.basis = (b[0], b[1], "vervalst", b[3], b[4])
        Momentopname(andere, sessions).schrijf(feiten.tijdlijnen, len(alle))
    with engine.begin() as conn:
        conn.execute(delete(tables.momentopname))
        conn.execute(insert(tables.momentopname).values(**rij._asdict()))
    andere.replace(pad)
    _refused_then_rebuilt(engine, pad, alle, gelezen)


def test_a_snapshot_that_names_other_code_runs_nothing(
    engine: Engine, tmp_path: Path, gelezen: list[int]
) -> None:
    alle, pad = _snapshot(engine, tmp_path)
    spoor = tmp_path / "uitgevoerd"

    class Kwaad:
        def __reduce__(self) -> tuple[object, ...]:
            return (Path.touch, (spoor,))

    kop = pickle.load(pad.open("rb"))
    inhoud = pickle.dumps(kop, 5) + pickle.dumps(Kwaad(), 5)
    pad.write_bytes(inhoud)
    with engine.begin() as conn:
        conn.execute(update(tables.momentopname).values(digest=hashlib.sha256(inhoud).hexdigest()))
    _refused_then_rebuilt(engine, pad, alle, gelezen)
    assert not spoor.exists()


@pytest.mark.parametrize("verandering", ["hash", "store", "watermark", "rij", "feit"])
def test_a_snapshot_of_another_log_is_refused(
    engine: Engine, tmp_path: Path, gelezen: list[int], verandering: str
) -> None:
    alle, pad = _snapshot(engine, tmp_path)
    with engine.begin() as conn:
        if verandering == "hash":  # the log was rewritten up to the snapshot's position
            conn.execute(
                update(tables.zegels)
                .where(tables.zegels.c.positie == len(alle))
                .values(hash=_hash(0))
            )
        elif verandering == "store":  # another log, same positions and hashes
            conn.execute(
                update(tables.bron).values(store_id="22222222-2222-3333-4444-555555555555")
            )
        elif verandering == "watermark":  # the read model was emptied and is filling again
            conn.execute(update(tables.bron).values(watermark=len(alle) - 1))
        elif verandering == "rij":
            conn.execute(delete(tables.momentopname))
        else:  # the read model lost a fact the snapshot holds
            conn.execute(delete(tables.feiten).where(tables.feiten.c.positie == 5))
            alle = [x for x in alle if x.positie != 5]
    if verandering == "watermark":
        alle = alle[:-1]
    _refused_then_rebuilt(engine, pad, alle, gelezen)


def test_the_log_reads_back_as_it_was_written(engine: Engine) -> None:
    """The start reads rows as the driver gives them: record times come back in UTC (also
    when the session speaks another zone) and the JSON as written, big integers included."""
    alle = _feiten()[:200]
    alle[5] = replace(
        alle[5],
        data={
            **alle[5].data,
            "groot": 2**70 + 1,
            "klein": -(2**63) - 1,
            "x": [1.5, None, "é"],
        },
    )
    alle[6] = replace(alle[6], vastgelegd_op=alle[6].vastgelegd_op.replace(microsecond=123456))
    # Rows without the typed columns, whose JSON the start reads whole (rows with them give
    # only the fields the fold reads: tests/integration/rapportage/test_getypeerd.py).
    _verwerk(engine, alle, getypeerd=False)
    with make_session_factory(engine)() as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'Asia/Kathmandu'"))
        gelezen = Stroom.lees_feiten(SPOEDLOCATIES, session, 150, na=3)
        rijen = Stroom.lees_rijen(SPOEDLOCATIES, session, 150, na=3)
    assert gelezen == alle[3:150]
    assert {x.vastgelegd_op.utcoffset() for x in gelezen} == {timedelta(0)}
    # As the start reads them: the record time in microseconds, exact to the microsecond.
    assert rijen == [
        (
            x.positie,
            x.locatie_id,
            x.versie,
            x.soort,
            microseconden(x.vastgelegd_op),
            x.data,
        )
        for x in alle[3:150]
    ]


def test_a_kind_keeps_its_code_in_the_next_process(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind the fold ignores gets the next free code when first seen: a snapshot that used
    it loads only where it means the same kind."""
    basis = feitkolommen.SOORTEN[:8]

    def nieuw_proces() -> None:
        monkeypatch.setattr(feitkolommen, "SOORTEN", list(basis))
        monkeypatch.setattr(feitkolommen, "_CODES", {s: i for i, s in enumerate(basis)})

    alle = _feiten()
    vreemd = replace(alle[0], positie=len(alle) + 1, versie=999, soort="x-nieuw", data={"a": 1})
    alle.append(vreemd)
    nieuw_proces()
    _verwerk(engine, alle)
    pad = tmp_path / "m"
    _start(engine, pad)

    nieuw_proces()
    geladen = Momentopname(pad, make_session_factory(engine)).laad()
    assert geladen is not None
    site = dict(geladen.tijdlijnen.sites())[vreemd.locatie_id]
    assert geladen.tijdlijnen.kolommen.van_site(site.laatste, vreemd.locatie_id)[-1] == vreemd

    nieuw_proces()
    feitkolommen._code("x-ander")
    assert Momentopname(pad, make_session_factory(engine)).laad() is None


def test_a_snapshot_that_cannot_be_written_leaves_the_start_as_it_was(
    engine: Engine, tmp_path: Path
) -> None:
    alle = _feiten()
    _verwerk(engine, alle)
    bezet = tmp_path / "bestand"
    bezet.write_text("geen map")
    rapportage = _start(engine, bezet / "m")  # its directory is a file
    assert rapportage.bijgehouden.is_set() and rapportage.houd_bij() == len(alle)
    with engine.connect() as conn:
        assert conn.execute(select(tables.momentopname)).first() is None


def test_the_first_start_is_ready_before_its_snapshot_is_written(
    engine: Engine, tmp_path: Path, gelezen: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot is written apart, from the timelines as they were when the start was
    ready, while the service reads on: a restart from it reads exactly the facts after it."""
    alle = _feiten()
    deel = len(alle) - 300
    _verwerk(engine, alle)
    with engine.begin() as conn:
        conn.execute(update(tables.bron).values(watermark=deel))
    vrij = tmp_path / "vrij"
    schrijf = momentopname._schrijf_bestand

    def later(*argumenten: Any) -> str:
        # The child waits for the test (at most 20 s: without a child it blocks the start).
        for _ in range(200):
            if vrij.exists():
                break
            time.sleep(0.1)
        return schrijf(*argumenten)

    monkeypatch.setattr(momentopname, "_schrijf_bestand", later)
    pad = tmp_path / "m"
    sessions = make_session_factory(engine)
    opname = Momentopname(pad, sessions)
    rapportage = Rapportage(sessions, per_keer=500, momentopname=opname)
    assert rapportage.houd_bij() == deel
    assert rapportage.bijgehouden.is_set() and not pad.exists()
    with engine.begin() as conn:
        conn.execute(update(tables.bron).values(watermark=len(alle)))
    assert rapportage.houd_bij() == len(alle)  # the service reads on meanwhile
    vrij.touch()
    opname.wacht()
    with engine.connect() as conn:
        assert conn.execute(select(tables.momentopname.c.positie)).scalar() == deel
    gelezen.clear()
    opnieuw = _start(engine, pad)
    assert sum(gelezen) == len(alle) - deel
    with opnieuw.vast(len(alle)) as feiten:
        for peildatum, kennisdatum in paren()[::5]:
            verwacht = f.toestand_op(bekend_op(alle, kennisdatum), peildatum)
            assert feiten.stand_op(peildatum, kennisdatum) == verwacht


def _objecten(tijdlijnen: Tijdlijnen) -> dict[str, int]:
    """Per field of the states, how many distinct objects all states hold (and the ints of
    the content column)."""
    ids: dict[str, set[int]] = {}
    for _, site in tijdlijnen.sites():
        for standen in [site.standen, *(oud.standen for _, oud in site.oude or [])]:
            for stand in standen:
                for veld in VELDEN:
                    ids.setdefault(veld, set()).add(id(getattr(stand, veld)))
    inhoud = tijdlijnen.kolommen.inhoud
    ids["inhoud"] = {id(x) for x in inhoud if type(x) is int}
    return {veld: len(x) for veld, x in ids.items()}


VELDEN = (
    "budget_euro",
    "kosten_euro",
    "basis",
    "naam",
    "status_sinds",
    "risicos",
    "eerste_beoordeling",
)


def _naam_van_registratie(tijdlijnen: Tijdlijnen) -> int:
    """How many sites' states all hold a name object of the registrations' content (the
    same object, not an equal copy)."""
    kolommen, registratie = tijdlijnen.kolommen, feitkolommen.code(f.GEREGISTREERD)
    namen = {
        id(inhoud[2])
        for soort, inhoud in zip(kolommen.soort, kolommen.inhoud, strict=True)
        if soort == registratie
    }
    return sum(
        all(id(s.naam) in namen for s in site.standen if s is not None)
        for _, site in tijdlijnen.sites()
    )


def test_a_loaded_snapshot_shares_what_the_first_start_shares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pickle shares no ints (each state would hold its own budget and costs, each fact its
    own amount) and shares objects only within one part: the states loaded hold no more
    distinct objects than the timelines written, and a site's name is its registration's (in
    the content column)."""
    tijdlijnen = Tijdlijnen()
    tijdlijnen.voeg_toe(_feiten())
    eerste = _objecten(tijdlijnen)
    assert eerste["budget_euro"] > 50  # amounts beyond the ints Python keeps once
    sites = len(tijdlijnen.sites())
    gedeeld = _naam_van_registratie(tijdlijnen)
    assert gedeeld > sites * 0.9
    # Many small parts: what is shared across parts counts.
    monkeypatch.setattr(momentopname, "SITES_PER_DEEL", 7)
    monkeypatch.setattr(momentopname, "INHOUD_PER_DEEL", 50)
    bestand = io.BytesIO()
    momentopname._schrijf(pickle.Pickler(bestand, 5), tijdlijnen, 1, "h", "s")
    bestand.seek(0)
    geladen = momentopname._lees(momentopname._Lezer(bestand), 1, "h", "s").tijdlijnen
    assert {v: n <= eerste[v] for v, n in _objecten(geladen).items()} == dict.fromkeys(eerste, True)
    assert _naam_van_registratie(geladen) >= gedeeld
