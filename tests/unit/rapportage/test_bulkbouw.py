"""The start's bulk path (``Tijdlijnen.voeg_toe_rijen``: rows, the common case spelled out, a
back-dated fact applied to the states after it instead of refolding the site) gives exactly the
fold's state on every (peildatum, kennisdatum), on random histories with every awkward case:
back-dated facts, several facts on one date and one record day, corrections, record times that
run backwards, facts without a business date and kinds the fold ignores."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.rapportage.domain import feiten as f
from services.rapportage.domain.feitkolommen import Rij, microseconden
from services.rapportage.domain.rapporten import bekend_op
from services.rapportage.domain.tijdlijn import Tijdlijnen
from shared.vocabulaire import Status

BEGIN = date(2010, 1, 1)
STATUSSEN = [s.value for s in Status]
ONBEKEND = "spoedlocatie-iets-anders"
SOORTEN = [
    f.STATUS,
    f.STATUS,
    f.RISICO,
    f.KNELPUNT,
    f.BUDGET,
    f.KOSTEN,
    f.OVERDRACHT,
    f.PLANNING,
    ONBEKEND,
]


def _dag(kans: random.Random) -> str:
    return (BEGIN + timedelta(days=kans.randrange(0, 6 * 365))).isoformat()


def _data(kans: random.Random, soort: str) -> dict[str, Any]:
    data: dict[str, Any]
    if soort == f.STATUS:
        data = {"van": "?", "naar": kans.choice(STATUSSEN), "besluitdatum": _dag(kans)}
    elif soort == f.RISICO:
        data = {
            "risicotype": kans.choice(["humaan", "ecologisch", "verspreiding"]),
            "vastgesteld": kans.random() < 0.5,
            "beoordelingsdatum": _dag(kans),
        }
    elif soort == f.KNELPUNT:
        data = {"knelpunt": kans.choice(["geen", "financieel", "capaciteit"]), "datum": _dag(kans)}
    elif soort in (f.BUDGET, f.KOSTEN):
        data = {"bedrag_euro": kans.randrange(1, 10**6), "datum": _dag(kans)}
    elif soort == f.OVERDRACHT:
        data = {"naar": kans.choice(["ZH", "NH", "GM0363"]), "datum": _dag(kans)}
    elif soort == f.PLANNING:
        data = {
            veld: _dag(kans) if kans.random() < 0.8 else None
            for veld in ("onderzoek_gereed", "start_sanering", "afgehandeld")
        }
        data["datum"] = _dag(kans)
    else:
        data = {"iets": kans.randrange(100), "datum": _dag(kans)}
    veld = f.DATUMVELD.get(soort)
    if veld and kans.random() < 0.03:
        del data[veld]  # no business date: the fold skips it
    return data


def willekeurige_geschiedenis(seed: int, sites: int = 40) -> list[f.Feit]:
    """Per site a registration and 0-14 facts; the sites' facts interleaved in the log; record
    times mostly ascending (several on one day), sometimes a writer's clock behind."""
    kans = random.Random(seed)
    rijen: list[list[tuple[str, dict[str, Any]]]] = []
    for n in range(sites):
        registratie = {
            "bevoegd_gezag": "ZH",
            "gemeentecode": "0513",
            "naam": f"locatie {n}",
            "status": "potentieel-spoed",
            "registratiedatum": _dag(kans),
        }
        stappen = [(f.GEREGISTREERD, registratie)]
        for _ in range(kans.randrange(0, 15)):
            soort = kans.choice(SOORTEN)
            stappen.append((soort, _data(kans, soort)))
        rijen.append(stappen)
    alle: list[f.Feit] = []
    versies = [0] * sites
    moment = datetime(2010, 1, 1, tzinfo=UTC)
    open_ = [n for n in range(sites)]
    while open_:
        n = kans.choice(open_)
        lid = f"ZH0513{n:05d}"
        if versies[n] >= len(rijen[n]):
            open_.remove(n)
            continue
        soort, data = rijen[n][versies[n]]
        versies[n] += 1
        if versies[n] > 2 and kans.random() < 0.08:  # a correction of an earlier version
            versies[n] -= 1
            soort = f.CORRECTIE
            correctie = kans.choice(
                [{"besluitdatum": _dag(kans)}, {"naar": "gesaneerd"}, {"bedrag_euro": 5}, {}]
            )
            data = {
                "gecorrigeerde_versie": kans.randrange(1, versies[n] + 1),
                "correctie": correctie,
            }
        moment += timedelta(hours=kans.choice([0, 1, 5, 30, 24 * 20]))
        vastgelegd = moment - timedelta(days=3) if kans.random() < 0.05 else moment
        versie = sum(1 for x in alle if x.locatie_id == lid) + 1
        alle.append(f.Feit(len(alle) + 1, lid, versie, soort, vastgelegd, data))
    return alle


def _rij(x: f.Feit) -> Rij:
    return (x.positie, x.locatie_id, x.versie, x.soort, microseconden(x.vastgelegd_op), x.data)


def _in_sneden(alle: list[f.Feit], kans: random.Random) -> Tijdlijnen:
    """Built as the start builds them: rows, in slices of random size."""
    lijnen = Tijdlijnen()
    begin = 0
    while begin < len(alle):
        eind = begin + kans.randrange(1, 60)
        lijnen.voeg_toe_rijen([_rij(x) for x in alle[begin:eind]])
        begin = eind
    return lijnen


@pytest.mark.parametrize("seed", range(12))
def test_bulk_built_timelines_equal_the_fold_on_a_random_history(seed: int) -> None:
    alle = willekeurige_geschiedenis(seed)
    lijnen = _in_sneden(alle, random.Random(seed))
    per_feit = Tijdlijnen()
    per_feit.voeg_toe(alle)
    assert len(lijnen) == len(alle)
    peildata = [BEGIN + timedelta(days=61 * n) for n in range(38)]
    kennisdata = [None, *(date(2010, 1, 1) + timedelta(days=29 * n) for n in range(60))]
    for kennisdatum in kennisdata:
        bekend = bekend_op(alle, kennisdatum)
        for peildatum in peildata:
            verwacht = f.toestand_op(bekend, peildatum)
            assert lijnen.op(peildatum, kennisdatum) == verwacht, (peildatum, kennisdatum)
            assert per_feit.op(peildatum, kennisdatum) == verwacht, (peildatum, kennisdatum)


def test_the_random_history_has_the_cases_it_is_meant_to_have() -> None:
    """Else the test above would prove less than it says."""
    alle = [x for seed in range(12) for x in willekeurige_geschiedenis(seed)]
    soorten = {x.soort for x in alle}
    assert {f.CORRECTIE, ONBEKEND, f.STATUS, f.OVERDRACHT, f.PLANNING} <= soorten
    assert any(x.datum() is None and x.soort != f.CORRECTIE for x in alle)
    laatste: dict[str, date] = {}
    teruggedateerd = 0
    for x in alle:
        d = x.datum()
        if d is not None and x.locatie_id in laatste and d < laatste[x.locatie_id]:
            teruggedateerd += 1
        if d is not None:
            laatste[x.locatie_id] = max(d, laatste.get(x.locatie_id, d))
    assert teruggedateerd > 100
    vorige: dict[str, datetime] = {}
    achteruit = 0
    for x in alle:
        if x.locatie_id in vorige and x.vastgelegd_op < vorige[x.locatie_id]:
            achteruit += 1
        vorige[x.locatie_id] = x.vastgelegd_op
    assert achteruit > 5


def test_a_failed_slice_leaves_the_columns_of_equal_length() -> None:
    """The fixed-width columns of a slice are added at once; a fact that fails takes them
    back to the facts taken in."""
    registratie = willekeurige_geschiedenis(1, sites=1)[0]
    us = microseconden(registratie.vastgelegd_op)
    zonder_naar = {"van": "?", "besluitdatum": "2030-01-01"}  # a status change without "naar"
    rijen: list[Rij] = [
        _rij(registratie),
        (2, registratie.locatie_id, 2, f.STATUS, us, zonder_naar),
        (3, registratie.locatie_id, 3, f.KOSTEN, us, {"bedrag_euro": 5, "datum": "2031-01-01"}),
    ]
    lijnen = Tijdlijnen()
    with pytest.raises(KeyError):
        lijnen.voeg_toe_rijen(rijen)
    lengtes = {len(k) for k in (*lijnen.kolommen.arrays(), lijnen.kolommen.inhoud)}
    assert len(lengtes) == 1 and lengtes != {3}
