"""The bulk build's spelled-out kinds (``Tijdlijnen.voeg_toe_snede``: single fields, risk
assessments, plans, registrations from their content) and the JSON the child that reads ahead
leaves to the service (``UITSTELLEN``) on facts the demo never writes: fields missing or null,
values of another type, a second registration, facts before the registration, kinds the fold
does not know. Built the three ways the start builds (rows, typed rows, JSON text through the
pipe) they equal the fact-by-fact build and the fold, or fail as the fact-by-fact build fails."""

from __future__ import annotations

import pickle
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.rapportage.adapters.voorlezer import UITSTELLEN
from services.rapportage.domain import feiten as f
from services.rapportage.domain.snede import Nummering, Snede
from services.rapportage.domain.tijdlijn import Tijdlijnen
from tests.unit.rapportage.test_bulkbouw import _rij, _rij_getypeerd, _rij_ruw

BEGIN = date(2010, 1, 1)
WEG = object()  # the field is left out


def _dag(kans: random.Random) -> str:
    return (BEGIN + timedelta(days=kans.randrange(0, 3 * 365))).isoformat()


def _kies(kans: random.Random, gewoon: Any, *anders: Any) -> Any:
    return gewoon if kans.random() < 0.6 else kans.choice(anders)


def _data(kans: random.Random, soort: str) -> dict[str, Any]:
    data: dict[str, Any]
    if soort == f.GEREGISTREERD:
        data = {
            "bevoegd_gezag": _kies(kans, "ZH", None, WEG, 7),
            "gemeentecode": _kies(kans, "0513", None, WEG),
            "naam": _kies(kans, "locatie", None, WEG, ""),
            "status": _kies(kans, "potentieel-spoed", "gesaneerd", WEG),
            "bodemtype": _kies(kans, WEG, "waterbodem", "landbodem", None, 5, "onbekend"),
            "registratiedatum": _dag(kans),
        }
    elif soort == f.STATUS:
        data = {"naar": _kies(kans, "gesaneerd", "in-onderzoek", WEG), "besluitdatum": _dag(kans)}
    elif soort == f.RISICO:
        data = {
            "risicotype": _kies(kans, "humaan", "ecologisch", None, WEG),
            "vastgesteld": _kies(kans, True, False, None, 0, 1, "ja", WEG),
            "beoordelingsdatum": _dag(kans),
        }
    elif soort == f.PLANNING:
        data = {
            veld: _kies(kans, _dag(kans), None, "", WEG)
            for veld in ("onderzoek_gereed", "start_sanering", "afgehandeld")
        }
        data["datum"] = _dag(kans)
    elif soort == f.KNELPUNT:
        data = {"knelpunt": _kies(kans, "financieel", "geen", None, WEG), "datum": _dag(kans)}
    elif soort in (f.BUDGET, f.KOSTEN):
        data = {"bedrag_euro": _kies(kans, kans.randrange(1, 1000), "12", WEG), "datum": _dag(kans)}
    elif soort == f.OVERDRACHT:
        data = {"naar": _kies(kans, "NH", None, WEG), "datum": _dag(kans)}
    else:
        data = {"iets": 1, "datum": _dag(kans)}
    return {k: v for k, v in data.items() if v is not WEG}


SOORTEN = [
    f.GEREGISTREERD,
    f.STATUS,
    f.RISICO,
    f.RISICO,
    f.PLANNING,
    f.PLANNING,
    f.KNELPUNT,
    f.BUDGET,
    f.KOSTEN,
    f.OVERDRACHT,
    "spoedlocatie-onbekend",
]


def _geschiedenis(kans: random.Random) -> list[f.Feit]:
    """One site: mostly a registration first, then a few facts (dates mostly ascending, the
    bulk build's spelled-out case)."""
    lid = "ZH051300001"
    soorten = [kans.choice(SOORTEN) for _ in range(kans.randrange(1, 6))]
    if kans.random() < 0.85:
        soorten.insert(0, f.GEREGISTREERD)
    moment = datetime(2010, 1, 1, tzinfo=UTC)
    alle = []
    for n, soort in enumerate(soorten, start=1):
        moment += timedelta(days=1)
        alle.append(f.Feit(n, lid, n, soort, moment, _data(kans, soort)))
    return alle


def _bouw(alle: list[f.Feit], hoe: str) -> Tijdlijnen:
    lijnen = Tijdlijnen()
    if hoe == "per feit":
        lijnen.voeg_toe(alle)
    elif hoe == "rijen":
        lijnen.voeg_toe_rijen([_rij(x) for x in alle])
    elif hoe == "getypeerd":
        lijnen.voeg_toe_rijen([_rij_getypeerd(x) for x in alle])
    else:  # JSON text, left to this process, through the pipe
        snede = lijnen.snijder().snijd([_rij_ruw(x) for x in alle], UITSTELLEN)
        lijnen.voeg_toe_snede(Snede(*pickle.loads(pickle.dumps(tuple(snede)))), Nummering())
    return lijnen


def _uitslag(alle: list[f.Feit], hoe: str) -> Any:
    try:
        lijnen = _bouw(alle, hoe)
    except Exception as exc:
        return type(exc)
    return [lijnen.op(BEGIN + timedelta(days=d)) for d in range(0, 4 * 365, 30)]


@pytest.mark.parametrize("seed", range(6))
def test_odd_facts_build_as_fact_by_fact_and_as_the_fold(seed: int) -> None:
    kans = random.Random(seed)
    gelukt = mislukt = 0
    for _ in range(400):
        alle = _geschiedenis(kans)
        verwacht = _uitslag(alle, "per feit")
        for hoe in ("rijen", "getypeerd", "json"):
            assert _uitslag(alle, hoe) == verwacht, (hoe, [(x.soort, x.data) for x in alle])
        if isinstance(verwacht, type):
            mislukt += 1
            continue
        gelukt += 1
        for n, peil in enumerate(range(0, 4 * 365, 30)):
            try:
                fold = f.toestand_op(alle, BEGIN + timedelta(days=peil))
            except Exception:
                continue
            assert verwacht[n] == fold
    assert gelukt > 50 and mislukt > 50  # both kinds of history were tried


@pytest.mark.parametrize("tekst", ["{kapot", "[1, 2]", "null", '"tekst"'])
@pytest.mark.parametrize("soort", [f.RISICO, f.PLANNING, f.STATUS])
def test_bad_json_fails_the_build_as_before_and_takes_nothing_in(soort: str, tekst: str) -> None:
    """A fact whose JSON is no object fails the slice in this process whether the slicer read
    it or left it here (``UITSTELLEN``), with the same error, and takes none of its slice in
    (before, the child failed on it and this process then failed reading it itself)."""
    registratie = f.Feit(
        1,
        "ZH051300001",
        1,
        f.GEREGISTREERD,
        datetime(2010, 1, 1, tzinfo=UTC),
        {
            "bevoegd_gezag": "ZH",
            "gemeentecode": "0513",
            "naam": "x",
            "status": "potentieel-spoed",
            "registratiedatum": "2010-01-01",
        },
    )
    kop = (2, registratie.locatie_id, 2, soort, 1_300_000_000_000_000)
    fouten: list[type[Exception] | None] = []
    for uitstellen in (frozenset(), UITSTELLEN):
        lijnen = Tijdlijnen()
        lijnen.voeg_toe_rijen([_rij(registratie)])
        rij: Any = (*kop, tekst, None, None, None)
        try:
            snede = lijnen.snijder().snijd([rij], uitstellen)
            lijnen.voeg_toe_snede(snede, Nummering())
        except Exception as exc:
            fouten.append(type(exc))
        else:
            fouten.append(None)
        assert len(lijnen) == 1 and len(lijnen.kolommen) == 1
    assert fouten[0] is not None and fouten[0] == fouten[1]
