"""The timelines keep the facts in columns: they hold on to none of the facts they were given,
and a site's facts come back equal in everything the fold reads."""

from __future__ import annotations

import gc
import sys
from datetime import UTC, date, datetime, timedelta, timezone

from bench.rapportage_schaal import feiten as demo_feiten
from services.rapportage.domain import feiten as f
from services.rapportage.domain.feitkolommen import VELDEN, Feitkolommen, microseconden
from services.rapportage.domain.tijdlijn import Tijdlijnen
from services.rapportage.service_layer.rapportage import opbouw

OP = datetime(2011, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _bewaard(feiten: list[f.Feit]) -> list[f.Feit]:
    kolommen, laatste = Feitkolommen(), -1
    for feit in feiten:
        laatste = kolommen.voeg_toe(feit, laatste, microseconden(feit.vastgelegd_op), feit.datum())
    return kolommen.van_site(laatste, feiten[0].locatie_id)


def _gelezen(feit: f.Feit) -> dict[str, object]:
    velden = VELDEN.get(feit.soort, tuple(feit.data))
    veld = f.DATUMVELD.get(feit.soort)
    return {v: feit.data[v] for v in (*velden, *([veld] if veld else [])) if v in feit.data}


def test_a_sites_facts_come_back_with_what_the_fold_reads() -> None:
    registratie: dict[str, object] = {
        "bevoegd_gezag": "ZH",
        "gemeentecode": "0513",
        "naam": "Gasfabriek aan de Lange Haven, terrein noord",
        "status": "potentieel-spoed",
        "registratiedatum": "2011-01-05",
        "toelichting": "not read by the fold",
    }
    data: list[tuple[str, dict[str, object]]] = [
        (f.GEREGISTREERD, registratie),
        (f.STATUS, {"van": "x", "naar": "onderzocht", "besluitdatum": "2011-02-01"}),
        (
            f.RISICO,
            {"risicotype": "humaan", "vastgesteld": True, "beoordelingsdatum": "2011-03-01"},
        ),
        (f.BUDGET, {"bedrag_euro": 123456789, "datum": "2011-04-01", "bron": "rijk"}),
        (f.KOSTEN, {"bedrag_euro": 7, "datum": ""}),  # no usable date: kept as it came
        (f.KNELPUNT, {"knelpunt": "geen"}),  # no date at all
        (f.OVERDRACHT, {"van": "ZH", "naar": "0513", "datum": "2011-05-01"}),
        (
            f.CORRECTIE,
            {"gecorrigeerde_versie": 2, "correctie": {"besluitdatum": "2011-01-20"}, "reden": "r"},
        ),
        ("iets-anders", {"wat": [1, 2]}),
    ]
    # Record times in another zone and without one come back as the same moments in UTC.
    zones = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]
    feiten = [
        f.Feit(
            10 + n, "ZH051300001", n + 1, soort, OP.astimezone(zones[n % 3]) + n * OP.resolution, d
        )
        for n, (soort, d) in enumerate(data)
    ]
    terug = _bewaard(feiten)
    for oud, nieuw in zip(feiten, terug, strict=True):
        assert (nieuw.positie, nieuw.locatie_id, nieuw.versie, nieuw.soort) == (
            oud.positie,
            oud.locatie_id,
            oud.versie,
            oud.soort,
        )
        assert nieuw.vastgelegd_op == oud.vastgelegd_op
        assert nieuw.vastgelegd_op.tzinfo is UTC
        assert nieuw.data == _gelezen(oud)
        assert nieuw.datum() == oud.datum()
    for peildatum in (date(2011, 1, 31), date(2011, 3, 31), date(2012, 1, 1)):
        assert f.toestand_op(terug, peildatum) == f.toestand_op(feiten, peildatum)


def test_the_demo_history_folds_the_same_from_the_columns() -> None:
    alle = demo_feiten(0.1)
    per_site: dict[str, list[f.Feit]] = {}
    for feit in alle:
        per_site.setdefault(feit.locatie_id, []).append(feit)
    terug = [x for lijst in per_site.values() for x in _bewaard(lijst)]
    for peildatum in (date(2010, 6, 30), date(2013, 1, 1), date(2021, 1, 1)):
        assert f.toestand_op(terug, peildatum) == f.toestand_op(alle, peildatum)


def test_the_timelines_hold_on_to_none_of_the_facts_they_were_given() -> None:
    alle = demo_feiten(0.05)
    lijnen = Tijdlijnen()
    voor = [(sys.getrefcount(x), sys.getrefcount(x.data)) for x in alle]
    lijnen.voeg_toe(alle)
    assert [(sys.getrefcount(x), sys.getrefcount(x.data)) for x in alle] == voor
    assert len(lijnen) == len(alle)


def test_the_first_build_runs_without_the_collector_and_is_frozen_after() -> None:
    assert gc.isenabled()
    try:
        with opbouw():
            assert not gc.isenabled()
            gebouwd = [[n] for n in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(gebouwd)
    finally:
        gc.unfreeze()
