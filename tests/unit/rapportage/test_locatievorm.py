"""A state (``Locatie``) keeps what its site's states share in one tuple (``basis``) to save
four slots per state at national scale. Outwardly it must stay the dataclass it was: the same
fields by name, the same text (the answers' fingerprints are taken from it) and the same
equality, and a snapshot must give back equal states. Checked against that dataclass, kept
here as it was, on the states of random histories (corrections, back-dated facts, record
times that run backwards) and on a registration that a correction renames."""

from __future__ import annotations

import pickle
import random
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta

import pytest

from services.rapportage.domain import feiten as f
from services.rapportage.domain import planfeiten
from services.rapportage.domain.tijdlijn import LENGTE, LENGTE_BITS, Tijdlijnen, kennis
from shared.vocabulaire import Status
from tests.unit.rapportage.test_bulkbouw import BEGIN, willekeurige_geschiedenis


@dataclass(slots=True)
class Locatie:  # named as the original: its text starts with the class name
    """``feiten.Locatie`` as it was before ``basis`` (session 6)."""

    locatie_id: str
    bevoegd_gezag: str
    gemeentecode: str
    naam: str
    registratiedatum: date
    status: Status = Status.POTENTIEEL_SPOED
    status_sinds: date | None = None
    afgehandeld_op: date | None = None
    risicos: dict[str, bool] = field(default_factory=dict)
    eerste_beoordeling: dict[str, date] = field(default_factory=dict)
    knelpunt: str | None = None
    budget_euro: int = 0
    kosten_euro: int = 0
    afgehandeld_vastgelegd_op: datetime | None = None
    planning: planfeiten.Plantuple | None = None
    bodemtype: str = "landbodem"


def _oud(stand: f.Locatie) -> Locatie:
    return Locatie(*(getattr(stand, veld) for veld in f.VELDEN))


def _standen(seed: int) -> list[f.Locatie]:
    alle = willekeurige_geschiedenis(seed)
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle)
    uit: list[f.Locatie] = []
    for n in range(0, 38, 3):
        peildatum = BEGIN + timedelta(days=61 * n)
        for kennisdatum in (None, date(2011, 6, 1), date(2013, 1, 1)):
            uit.extend(lijnen.op(peildatum, kennisdatum).values())
    return uit


def test_the_fields_are_the_dataclass_fields_in_its_order() -> None:
    assert tuple(v.name for v in fields(Locatie)) == f.VELDEN


@pytest.mark.parametrize("seed", range(4))
def test_a_state_shows_and_compares_as_the_dataclass_did(seed: int) -> None:
    standen = _standen(seed)
    assert len(standen) > 300
    for stand in standen:
        oud = _oud(stand)
        assert repr(stand) == repr(oud)
        assert stand.velden() == tuple(getattr(oud, v.name) for v in fields(Locatie))
    kans = random.Random(seed)
    paren = [(kans.choice(standen), kans.choice(standen)) for _ in range(2000)]
    paren += [(s, f.kopie(s)) for s in standen[:200]]
    assert any(a == b and a is not b for a, b in paren)
    assert any(a != b for a, b in paren)
    for a, b in paren:
        assert (a == b) is (_oud(a) == _oud(b))
        assert (a != b) is (_oud(a) != _oud(b))
    assert standen[0] != "Locatie" and standen[0] != _oud(standen[0])  # only a Locatie is equal


@pytest.mark.parametrize("seed", range(2))
def test_a_pickled_state_comes_back_equal(seed: int) -> None:
    standen = _standen(seed)[:500]
    geladen = pickle.loads(pickle.dumps(standen, 5))
    assert geladen == standen
    assert [repr(x) for x in geladen] == [repr(x) for x in standen]


def test_a_corrected_registration_gives_the_states_after_it_the_new_basis() -> None:
    """A correction of the registration's name is folded in: the states from then on show
    the new name (a new basis), the ones before it as known then the old."""
    moment = datetime(2012, 1, 1, 9, tzinfo=UTC)
    registratie = {
        "bevoegd_gezag": "ZH",
        "gemeentecode": "0513",
        "naam": "oud",
        "status": "potentieel-spoed",
        "registratiedatum": "2011-01-01",
    }
    status = {"van": "?", "naar": "onderzocht", "besluitdatum": "2011-06-01"}
    correctie = {"gecorrigeerde_versie": 1, "correctie": {"naam": "nieuw"}, "reden": "typfout"}
    alle = [
        f.Feit(1, "ZH0513A", 1, f.GEREGISTREERD, moment, registratie),
        f.Feit(2, "ZH0513A", 2, f.STATUS, moment + timedelta(days=1), status),
        f.Feit(3, "ZH0513A", 3, f.CORRECTIE, moment + timedelta(days=30), correctie),
    ]
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle)
    nu = lijnen.op(date(2012, 1, 1))["ZH0513A"]
    toen = lijnen.op(date(2012, 1, 1), date(2012, 1, 5))["ZH0513A"]
    assert (nu.naam, toen.naam) == ("nieuw", "oud")
    assert nu.status is toen.status is Status.ONDERZOCHT
    assert repr(nu) == repr(_oud(nu)) and "naam='nieuw'" in repr(nu)
    assert nu == f.toestand_op(alle, date(2012, 1, 1))["ZH0513A"]


def test_a_record_day_and_what_it_knew_are_one_ordered_int() -> None:
    """``_Site.kennis``: ordered by day, then count, so a bisect on a kennisdatum finds its
    last record day; a count that would run into the day's bits is refused."""
    assert kennis(700_000, 3) < kennis(700_000, 4) < kennis(700_001, 0)
    waarde = kennis(700_000, 5)
    assert (waarde >> LENGTE_BITS, waarde & LENGTE) == (700_000, 5)
    assert kennis(3_652_059, LENGTE) < 2**63  # the last day of year 9999 fits
    with pytest.raises(ValueError):
        kennis(700_000, LENGTE + 1)
