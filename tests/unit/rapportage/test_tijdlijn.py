"""Timelines give exactly the fold's state on every (peildatum, kennisdatum), also after
corrections, late registrations and facts that keep arriving."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from services.rapportage.domain import feiten as f
from services.rapportage.domain.rapporten import bekend_op
from services.rapportage.domain.tijdlijn import Tijdlijnen
from tests.support.tijdlijnen import KENNISDATA, PEILDATA, lastige_geschiedenis


def test_timelines_equal_the_fold_on_every_peildatum_and_kennisdatum() -> None:
    alle, status = lastige_geschiedenis()
    helft = len(alle) // 2
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle[:helft])
    for peildatum in PEILDATA[::7]:
        assert lijnen.op(peildatum) == f.toestand_op(alle[:helft], peildatum)
    lijnen.voeg_toe(alle[helft:])
    for peildatum in PEILDATA:
        assert lijnen.op(peildatum) == f.toestand_op(alle, peildatum), peildatum
    # Far apart, and a few weeks apart (facts are recorded up to 44 days after their date).
    paren = [(p, k) for k in KENNISDATA for p in PEILDATA[::3] if p <= k]
    paren += [(p, p + timedelta(days=20)) for p in PEILDATA]
    for peildatum, kennisdatum in paren:
        verwacht = f.toestand_op(bekend_op(alle, kennisdatum), peildatum)
        assert lijnen.op(peildatum, kennisdatum) == verwacht, (peildatum, kennisdatum)
    # The correction moved the decision: known in 2020, not yet in 2018.
    assert lijnen.op(date(2017, 1, 1))[status.locatie_id].afgehandeld_op == date(2016, 3, 1)
    eerder = lijnen.op(date(2017, 1, 1), date(2018, 1, 1))[status.locatie_id].afgehandeld_op
    assert eerder == date.fromisoformat(status.data["besluitdatum"])


def test_a_late_fact_changes_the_past_only_from_its_record_day() -> None:
    registratie = f.Feit(
        1,
        "ZH051300001",
        1,
        f.GEREGISTREERD,
        datetime(2011, 1, 10, tzinfo=UTC),
        {
            "bevoegd_gezag": "ZH",
            "gemeentecode": "0513",
            "naam": "Gasfabriek",
            "status": "potentieel-spoed",
            "registratiedatum": "2011-01-05",
        },
    )
    status = f.Feit(
        2,
        "ZH051300001",
        2,
        f.STATUS,
        datetime(2012, 3, 1, tzinfo=UTC),
        {"van": "potentieel-spoed", "naar": "onderzocht", "besluitdatum": "2012-02-01"},
    )
    budget = replace(
        status,
        positie=3,
        versie=3,
        soort=f.BUDGET,
        vastgelegd_op=datetime(2013, 5, 1, tzinfo=UTC),
        data={"bedrag_euro": 900, "datum": "2011-06-01"},
    )
    lijnen = Tijdlijnen()
    lijnen.voeg_toe([registratie, status, budget])
    peildatum = date(2011, 12, 31)
    assert lijnen.op(peildatum, date(2013, 4, 30))["ZH051300001"].budget_euro == 0
    assert lijnen.op(peildatum, date(2013, 5, 1))["ZH051300001"].budget_euro == 900
    assert lijnen.op(peildatum, date(2011, 1, 9)) == {}
    assert lijnen.op(date(2012, 6, 1), date(2012, 2, 29))["ZH051300001"].status == (
        "potentieel-spoed"
    )
    assert lijnen.op(date(2012, 6, 1))["ZH051300001"].status == "onderzocht"
