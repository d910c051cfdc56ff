"""What changed between two versions of a report: figures old and new, and per site why it
moved (a new decision in the period, a late registration, a correction with its reason, a
transfer)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten, verschillen
from services.rapportage.domain.feiten import toestand_op
from services.rapportage.domain.verschillen import Moment
from tests.unit.rapportage.test_rapporten import Log, _bevestigd

TOEN = datetime(2013, 1, 20, tzinfo=UTC)  # the first letter was made on 1 Feb 2013
LATER = datetime(2014, 3, 1, tzinfo=UTC)


def _log() -> Log:
    log = Log()
    _bevestigd(log, "ZH051300001", "ZH")
    log.status("ZH051300001", "sanering-gestart", "2011-09-01")
    log.status("ZH051300001", "gesaneerd", "2012-11-30")  # version 6
    _bevestigd(log, "ZH051300002", "ZH")
    _bevestigd(log, "UT035600001", "UT")
    log.feiten = [dataclasses.replace(x, vastgelegd_op=TOEN) for x in log.feiten]
    return log


def _later(log: Log) -> None:
    """What is put on record after the first letter."""
    n = len(log.feiten)
    # Remediation turned out to be completed only in 2013: a correction with its reason.
    log.add(
        "ZH051300001",
        f.CORRECTIE,
        gecorrigeerde_versie=6,
        correctie={"besluitdatum": "2013-01-10"},
        reden="evaluatierapport later goedgekeurd",
    )
    # Decided in 2012, registered only in 2014: a late registration.
    log.status("ZH051300002", "tijdelijke-beveiliging", "2012-06-01")
    # Decided in the period between the two peildata.
    log.status("UT035600001", "tijdelijke-beveiliging", "2013-05-01")
    log.add("UT035600001", f.OVERDRACHT, van="UT", naar="UH", datum="2013-06-01", reden="taak")
    log.feiten[n:] = [dataclasses.replace(x, vastgelegd_op=LATER) for x in log.feiten[n:]]


def test_a_correction_after_the_letter_moves_the_site_with_its_reason() -> None:
    log = _log()
    oud = Moment(len(log.feiten), date(2012, 12, 31), date(2013, 2, 1))
    _later(log)
    nieuw = Moment(len(log.feiten), date(2012, 12, 31), None)
    regels = {r["locatieId"]: r for r in verschillen.locaties(log.feiten, oud, nieuw)}
    gasfabriek = regels["ZH051300001"]
    assert gasfabriek["oud"]["status"] == "gesaneerd"
    assert gasfabriek["nieuw"]["status"] == "sanering-gestart"
    (reden,) = gasfabriek["redenen"]
    assert reden["soort"] == "correctie"
    assert reden["reden"] == "evaluatierapport later goedgekeurd"
    assert reden["correctie"] == {"besluitdatum": "2013-01-10"}
    assert reden["vastgelegdOp"].startswith("2014-03-01")
    late = regels["ZH051300002"]["redenen"]
    assert [(x["soort"], x["naar"], x["datum"]) for x in late] == [
        ("late-registratie", "tijdelijke-beveiliging", "2012-06-01")
    ]
    # Decisions dated after both peildata do not move anything on 31 Dec 2012.
    assert "UT035600001" not in regels


def test_decisions_and_transfers_in_the_period_between_two_peildata() -> None:
    log = _log()
    _later(log)
    oud = Moment(len(log.feiten), date(2012, 12, 31))
    nieuw = Moment(len(log.feiten), date(2013, 12, 31))
    regels = {r["locatieId"]: r for r in verschillen.locaties(log.feiten, oud, nieuw)}
    utrecht = regels["UT035600001"]
    assert [x["soort"] for x in utrecht["redenen"]] == ["nieuw-besluit", "overdracht"]
    assert utrecht["redenen"][1]["naar"] == "UH"
    assert (utrecht["oud"]["bevoegdGezag"], utrecht["nieuw"]["bevoegdGezag"]) == ("UT", "UH")
    # Known to both versions and dated before both peildata: nothing to explain.
    assert "ZH051300002" not in regels
    assert verschillen.samenvatting(list(regels.values()))["overdracht"] == 1


def test_every_figure_that_differs_with_old_and_new_value() -> None:
    log = _log()
    oud_feiten = list(log.feiten)
    _later(log)
    peil = date(2012, 12, 31)
    a = rapporten.per_bevoegd_gezag(toestand_op(oud_feiten, peil), peil, len(oud_feiten))
    b = rapporten.per_bevoegd_gezag(toestand_op(log.feiten, peil), peil, len(log.feiten))
    cijfers = {c["cijfer"]: (c["oud"], c["nieuw"]) for c in verschillen.cijfers(a.inhoud, b.inhoud)}
    assert cijfers["landelijk.afgehandeld"] == (1, 0)
    # Lists are keyed by what names their items, not their place (the ranking moved).
    assert cijfers["ranglijst[ZH].afgehandeld"] == (1, 0)
    assert "ranglijst[UT].afgehandeld" not in cijfers
    assert verschillen.cijfers(a.inhoud, a.inhoud) == []


def test_the_moment_of_a_report_comes_from_its_parameters() -> None:
    kamerbrief = {"van": "2010-01-01", "tot": "2013-12-31", "kennisdatum": "2014-02-01"}
    assert verschillen.moment_van(kamerbrief, 7) == Moment(7, date(2013, 12, 31), date(2014, 2, 1))
    assert verschillen.moment_van({"peildatum": "2012-12-31"}, 3).kennisdatum is None
