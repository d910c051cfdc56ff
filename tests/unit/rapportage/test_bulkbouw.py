"""The start's bulk path (``Tijdlijnen.voeg_toe_rijen``: rows, the common case spelled out, a
back-dated fact applied to the states after it instead of refolding the site) gives exactly the
fold's state on every (peildatum, kennisdatum), on random histories with every awkward case:
back-dated facts, several facts on one date and one record day, corrections, record times that
run backwards, facts without a business date and kinds the fold ignores."""

from __future__ import annotations

import json
import pickle
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.rapportage.adapters.voorlezer import UITSTELLEN
from services.rapportage.domain import feiten as f
from services.rapportage.domain.feitkolommen import (
    ENKEL_VELD,
    GetypeerdeRij,
    Rij,
    getypeerd,
    microseconden,
    uit_getypeerd,
)
from services.rapportage.domain.rapporten import bekend_op
from services.rapportage.domain.snede import Nummering, Snede
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
        # Now and then an amount the typed columns do not keep (a bool, a float, beyond 64
        # bits): such a fact is read from its data.
        bedrag = kans.choice([kans.randrange(1, 10**6)] * 12 + [True, 7.0, 2**64 + 3])
        data = {"bedrag_euro": bedrag, "datum": _dag(kans)}
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


def _rij_getypeerd(x: f.Feit) -> Rij | GetypeerdeRij:
    """As the read model gives it: from the typed columns where the fact has them, without
    its JSON (``GetypeerdeRij``)."""
    g = getypeerd(x.soort, x.data)
    kop = (x.positie, x.locatie_id, x.versie, x.soort, microseconden(x.vastgelegd_op))
    return (*kop, x.data) if g is None else (*kop, None, *g)


def _in_sneden(
    alle: list[f.Feit],
    kans: random.Random,
    rij: Callable[[f.Feit], Rij | GetypeerdeRij] = _rij,
) -> Tijdlijnen:
    """Built as the start builds them: rows, in slices of random size."""
    lijnen = Tijdlijnen()
    begin = 0
    while begin < len(alle):
        eind = begin + kans.randrange(1, 60)
        lijnen.voeg_toe_rijen([rij(x) for x in alle[begin:eind]])
        begin = eind
    return lijnen


@pytest.mark.parametrize("getypeerd", [False, True], ids=["json", "getypeerd"])
@pytest.mark.parametrize("seed", range(12))
def test_bulk_built_timelines_equal_the_fold_on_a_random_history(
    seed: int, getypeerd: bool
) -> None:
    """Also from the typed columns (as the start reads the log since rapportage_0006)."""
    alle = willekeurige_geschiedenis(seed)
    lijnen = _in_sneden(alle, random.Random(seed), _rij_getypeerd if getypeerd else _rij)
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
    # Typed facts of every single-field kind, texts and integers, and single-field facts
    # without them (no date, an amount that is no 64-bit integer).
    getypeerde = [(x.soort, getypeerd(x.soort, x.data)) for x in alle if x.soort in ENKEL_VELD]
    assert {s for s, g in getypeerde if g is not None} == set(ENKEL_VELD)
    assert any(g is not None and g[2] is not None for _, g in getypeerde)
    assert {s for s, g in getypeerde if g is None} >= {f.STATUS, f.BUDGET, f.KOSTEN}
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


@pytest.mark.parametrize("seed", range(4))
def test_typed_rows_keep_the_columns_the_json_keeps(seed: int) -> None:
    """What the typed columns give is what the facts' columns keep of the whole JSON: the
    same content, dates and kinds, so ``van_site`` (a refold, a snapshot) gives equal facts."""
    alle = willekeurige_geschiedenis(seed)
    uit_json = _in_sneden(alle, random.Random(seed)).kolommen
    getypeerd_ = _in_sneden(alle, random.Random(seed), _rij_getypeerd).kolommen
    assert getypeerd_.arrays() == uit_json.arrays()
    assert getypeerd_.inhoud == uit_json.inhoud


def test_what_the_typed_columns_keep() -> None:
    datum = {"datum": "2012-03-04"}
    assert getypeerd(f.BUDGET, {"bedrag_euro": 5, **datum, "bron": "x"}) == ("2012-03-04", None, 5)
    assert getypeerd(f.KNELPUNT, {"knelpunt": "geen", **datum}) == ("2012-03-04", "geen", None)
    assert uit_getypeerd(f.STATUS, "2012-03-04", "onderzocht", None) == {
        "naar": "onderzocht",
        "besluitdatum": "2012-03-04",
    }
    gevallen: list[tuple[str, dict[str, Any]]] = [
        (f.BUDGET, {"bedrag_euro": True, **datum}),  # a bool is no amount of its own
        (f.BUDGET, {"bedrag_euro": 2**63, **datum}),  # beyond a 64-bit column
        (f.BUDGET, {"bedrag_euro": 7.0, **datum}),
        (f.BUDGET, {"bedrag_euro": 5}),  # no business date
        (f.BUDGET, {"bedrag_euro": 5, "datum": None}),
        (f.STATUS, {"besluitdatum": "2012-03-04"}),  # no "naar": the fold's error stays
        (f.GEREGISTREERD, {"naam": "x", "registratiedatum": "2012-03-04"}),  # several fields
        (f.CORRECTIE, {"gecorrigeerde_versie": 2, "correctie": {}}),
        ("spoedlocatie-iets-anders", {"naar": "x", "datum": "2012-03-04"}),
    ]
    for soort, data in gevallen:
        assert getypeerd(soort, data) is None, (soort, data)
    assert getypeerd(f.BUDGET, {"bedrag_euro": -(2**63), **datum}) is not None


@pytest.mark.parametrize("seed", range(6))
def test_one_slicer_over_all_slices_builds_what_fact_by_fact_builds(seed: int) -> None:
    """As the start reads the log (``Tijdlijnfeiten``): one ``Snijder`` numbers the sites
    across every slice, so a slice's fact finds a site of an earlier slice by its number.
    The same states, columns and order of sites as fact by fact."""
    alle = willekeurige_geschiedenis(seed)
    kans = random.Random(seed)
    lijnen = Tijdlijnen()
    snijder, nummering = lijnen.snijder(), Nummering()
    begin = 0
    while begin < len(alle):
        eind = begin + kans.randrange(1, 60)
        snede = snijder.snijd([_rij_getypeerd(x) for x in alle[begin:eind]])
        lijnen.voeg_toe_snede(snede, nummering)
        begin = eind
    per_feit = Tijdlijnen()
    per_feit.voeg_toe(alle)
    assert lijnen.kolommen.arrays() == per_feit.kolommen.arrays()
    assert lijnen.kolommen.inhoud == per_feit.kolommen.inhoud
    assert [lid for lid, _ in lijnen.sites()] == [lid for lid, _ in per_feit.sites()]
    assert len(nummering.sites) == len(per_feit.sites())
    for kennisdatum in [None, *(date(2010, 1, 1) + timedelta(days=91 * n) for n in range(25))]:
        for peildatum in [BEGIN + timedelta(days=91 * n) for n in range(25)]:
            assert lijnen.op(peildatum, kennisdatum) == per_feit.op(peildatum, kennisdatum)


def test_a_slicer_after_facts_added_chains_on_from_them() -> None:
    """A slicer made after some facts (a tail read after the start) numbers afresh but
    chains every site's facts on from its last one."""
    alle = willekeurige_geschiedenis(3)
    helft = len(alle) // 2
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle[:helft])
    snede = lijnen.snijder().snijd([_rij(x) for x in alle[helft:]])
    lijnen.voeg_toe_snede(snede, Nummering())
    per_feit = Tijdlijnen()
    per_feit.voeg_toe(alle)
    assert lijnen.kolommen.arrays() == per_feit.kolommen.arrays()
    for lid, _ in per_feit.sites():
        assert lijnen.feiten_van(lid) == per_feit.feiten_van(lid)


def test_a_plan_or_risk_with_fields_missing_is_built_as_the_fold_builds_it() -> None:
    """The bulk build reads a plan and a risk assessment from their content tuples (a field
    the fact lacks is kept as ``ONTBREEKT`` there): a missing planned date is no date, as in
    the fold; a risk assessment without its outcome fails as the fold fails."""
    registratie = willekeurige_geschiedenis(1, sites=1)[0]
    lid, us = registratie.locatie_id, microseconden(registratie.vastgelegd_op)
    plan = {"start_sanering": "2031-02-03", "datum": "2031-01-01"}  # two of three dates
    feiten = [
        registratie,
        f.Feit(2, lid, 2, f.PLANNING, registratie.vastgelegd_op, plan),
        f.Feit(3, lid, 3, f.PLANNING, registratie.vastgelegd_op, {"datum": "2031-01-02"}),
    ]
    lijnen = Tijdlijnen()
    lijnen.voeg_toe_rijen([_rij(x) for x in feiten[:2]])
    peil = date(2031, 1, 1)
    assert lijnen.op(peil) == f.toestand_op(feiten[:2], peil)
    assert lijnen.op(peil)[lid].planning == (None, date(2031, 2, 3), None, peil)
    lijnen.voeg_toe_rijen([_rij(feiten[2])])
    assert lijnen.op(date(2031, 1, 2)) == f.toestand_op(feiten, date(2031, 1, 2))
    zonder_uitkomst = {"risicotype": "humaan", "beoordelingsdatum": "2031-01-03"}
    with pytest.raises(KeyError):
        lijnen.voeg_toe_rijen([(4, lid, 4, f.RISICO, us, zonder_uitkomst)])
    with pytest.raises(KeyError):
        f.toestand_op(
            [*feiten, f.Feit(4, lid, 4, f.RISICO, registratie.vastgelegd_op, zonder_uitkomst)],
            date(2031, 1, 3),
        )


def _rij_ruw(x: f.Feit) -> tuple[Any, ...]:
    """As ``Stroom.lees_ruwe_rijen`` gives it: a fact without typed columns with its JSON."""
    g = getypeerd(x.soort, x.data)
    kop = (x.positie, x.locatie_id, x.versie, x.soort, microseconden(x.vastgelegd_op))
    return (*kop, json.dumps(x.data), None, None, None) if g is None else (*kop, None, *g)


@pytest.mark.parametrize("seed", range(4))
def test_json_text_read_by_the_slicer_or_left_to_the_builder_builds_the_same(seed: int) -> None:
    """Rows with their data as JSON text (the child that reads ahead), read by the slicer or,
    for the kinds it is told (``UITSTELLEN``; here also every kind), left to the builder
    through the pipe: the same columns and the same states as from parsed rows."""
    alle = willekeurige_geschiedenis(seed)
    verwacht = _in_sneden(alle, random.Random(seed), _rij_getypeerd)
    for uitstellen in (frozenset(), UITSTELLEN, frozenset(SOORTEN)):
        lijnen, kans, begin = Tijdlijnen(), random.Random(seed), 0
        snijder, nummering = lijnen.snijder(), Nummering()
        uitgesteld = 0
        while begin < len(alle):
            eind = begin + kans.randrange(1, 60)
            snede = snijder.snijd([_rij_ruw(x) for x in alle[begin:eind]], uitstellen)
            uitgesteld += len(snede.uitgesteld)
            # Through the pipe, as the child sends it.
            lijnen.voeg_toe_snede(Snede(*pickle.loads(pickle.dumps(tuple(snede)))), nummering)
            begin = eind
        assert (uitgesteld > 20) == bool(uitstellen)
        k, v = lijnen.kolommen, verwacht.kolommen
        assert k.arrays() == v.arrays() and k.inhoud == v.inhoud
        for kennisdatum in (None, date(2011, 3, 1), date(2013, 1, 1)):
            for peildatum in (date(2010, 6, 1), date(2012, 1, 1), date(2016, 1, 1)):
                gebouwd = lijnen.op(peildatum, kennisdatum)
                assert gebouwd == verwacht.op(peildatum, kennisdatum)
