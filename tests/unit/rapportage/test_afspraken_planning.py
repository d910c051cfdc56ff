"""The planning reports measure against the agreements in force: a recorded decision that moves
the humane deadline changes the prognosis, the fair ranking and the Kamerbrief annex from its
ingangsdatum on, and not as known before it was recorded; each names the decision it used. The
ranking's envelope is the one in force. Through the real handlers, the auditor's replay and the
DuckDB second computation, on a log with decisions AND plans."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor import export, replay
from auditor.recompute_duckdb import Herberekening
from services.rapportage.domain import afspraken as a
from services.rapportage.domain import feiten as f
from services.rapportage.domain.feitkolommen import microseconden
from services.rapportage.domain.queries import VraagRapport
from services.rapportage.domain.tijdlijn import Tijdlijnen
from services.rapportage.entrypoints import weergave
from services.rapportage.service_layer import messagebus
from services.rapportage.service_layer.unit_of_work import FakeRapportageUnitOfWork
from tests.unit.rapportage.test_afspraken import CONVENANT, TEMPO, Log


class PlanLog(Log):
    def open_humane_site(self, lid: str) -> None:
        """A confirmed humane site in ZH, not dealt with."""
        self.humane_site(lid, "2030-01-01")
        self.feiten.pop()  # without its remediation
        self.versies[lid] -= 1

    def plan(self, lid: str, afgehandeld: str) -> None:
        self.add(
            lid,
            f.PLANNING,
            "2011-01-01",
            onderzoek_gereed=None,
            start_sanering=None,
            afgehandeld=afgehandeld,
            datum="2011-01-01",
            reden="",
        )


def _geschiedenis() -> PlanLog:
    """Four open humane sites in ZH, two planned dealt with by mid-2015 and two by mid-2016;
    on 20 June 2013 the Stuurgroep moved the humane deadline to the end of 2016 (in force from
    1 July 2013). Against 2015 the plans reach two of four, against 2016 all four."""
    log = PlanLog()
    for lid, klaar in (
        ("ZH1", "2015-06-01"),
        ("ZH2", "2015-06-01"),
        ("ZH3", "2016-06-01"),
        ("ZH4", "2016-06-01"),
    ):
        log.open_humane_site(lid)
        log.plan(lid, klaar)
    log.afspraak("2013-06-20", "2013-07-01", a.HUMAAN, "2016-12-31", TEMPO)
    log.add("ZH1", f.BUDGET, "2011-01-01", bedrag_euro=400_000, datum="2011-01-01", bron="c")
    log.add("ZH1", f.KOSTEN, "2012-06-01", bedrag_euro=50_000, datum="2012-06-01", omschrijving="")
    log.envelop("2012-01-05", "2012-01-01", "ZH", "land", 1_000_000)
    log.envelop("2012-01-05", "2012-01-01", "ZH", "waterbodem", 1_500_000)
    return log


def _rapport(log: Log, naam: str, peil: date, kennis: date | None = None) -> dict[str, Any]:
    uow = FakeRapportageUnitOfWork(spoedlocaties=log.feiten)
    r = messagebus.handle(VraagRapport(naam, peil, kennis), uow)
    return json.loads(json.dumps(weergave.als_json(r, "/"), default=str))["inhoud"]


def _humaan(inhoud: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in inhoud["landelijk"] if p["doel"] == "humaan")


def test_a_moved_deadline_changes_the_prognosis_from_its_date_and_not_as_known_before() -> None:
    log = _geschiedenis()
    voor = _rapport(log, "prognose", date(2013, 6, 30))
    assert (_humaan(voor)["deadline"], _humaan(voor)["verwachtVolgensPlanning"]) == (
        "2015-12-31",
        2,
    )
    assert (_humaan(voor)["haalbaarVolgensPlanning"], _humaan(voor)["haalbaar"]) == (False, "nee")
    assert voor["afspraken"]["doelen"][0]["besluit"]["titel"] == CONVENANT
    na = _rapport(log, "prognose", date(2014, 1, 1))
    assert (_humaan(na)["deadline"], _humaan(na)["verwachtVolgensPlanning"]) == ("2016-12-31", 4)
    assert (_humaan(na)["haalbaarVolgensPlanning"], _humaan(na)["haalbaar"]) == (True, "onzeker")
    assert na["afspraken"]["doelen"][0]["besluit"]["titel"] == TEMPO
    assert na["afspraken"]["doelen"][0]["ingangsdatum"] == "2013-07-01"
    # As known the day before it was recorded: the covenant's deadline, still "nee".
    toen = _rapport(log, "prognose", date(2014, 1, 1), date(2013, 6, 19))
    assert (_humaan(toen)["deadline"], _humaan(toen)["haalbaar"]) == ("2015-12-31", "nee")
    assert toen["afspraken"]["doelen"][0]["besluit"]["titel"] == CONVENANT
    bekend = _rapport(log, "prognose", date(2014, 1, 1), date(2013, 6, 20))
    assert _humaan(bekend)["haalbaar"] == "onzeker"
    # Per authority too.
    zh = next(
        p for p in na["perBevoegdGezag"] if (p["bevoegdGezag"], p["doel"]) == ("ZH", "humaan")
    )
    assert (zh["deadline"], zh["verwachtVolgensPlanning"]) == ("2016-12-31", 4)


def test_the_feasibility_review_measures_against_the_agreements_in_force() -> None:
    log = _geschiedenis()
    na = json.dumps(_rapport(log, "haalbaarheid", date(2014, 1, 1)), ensure_ascii=False)
    assert TEMPO in na and "2016-12-31" in na
    toen = _rapport(log, "haalbaarheid", date(2014, 1, 1), date(2013, 6, 19))
    assert TEMPO not in json.dumps(toen, ensure_ascii=False)


def test_the_ranking_path_and_envelope_are_the_ones_in_force() -> None:
    log = _geschiedenis()

    def zh(peil: date, kennis: date | None = None) -> dict[str, Any]:
        rijen = _rapport(log, "bevoegde-gezagen", peil, kennis)["ranglijst"]
        return next(r for r in rijen if r["code"] == "ZH")

    # 1,461 of 2,190 days to the end of 2015 (pro rata 2,7 of 4); of 2,556 to the end of 2016: 2,3.
    assert (
        "humaan: 0 van 4 afgehandeld, pro rata 2,3 op weg naar 2016-12-31"
        in zh(date(2014, 1, 1))["redenen"]
    )
    assert (
        "humaan: 0 van 4 afgehandeld, pro rata 2,7 op weg naar 2015-12-31"
        in zh(date(2014, 1, 1), date(2013, 6, 19))["redenen"]
    )
    rij = zh(date(2013, 1, 1))
    assert (rij["enveloppeEuro"], rij["percentageEnveloppeBesteed"]) == (2_500_000, 2.0)
    assert [b["id"] for b in rij["enveloppeBesluiten"]] == ["RIJK-2012-01-01"] * 2
    # As known before the envelopes were recorded: none.
    eerder = zh(date(2013, 1, 1), date(2012, 1, 4))
    assert (eerder["enveloppeEuro"], eerder["enveloppeBesluiten"]) == (None, [])


def test_the_annex_lists_the_humane_sites_open_at_the_deadline_in_force_with_its_plan() -> None:
    log = _geschiedenis()
    open_ = _rapport(log, "kamerbrief-bijlage", date(2016, 2, 1))["humaanOpen"]
    assert (open_["deadline"], open_["besluit"]["titel"], open_["verstreken"]) == (
        "2016-12-31",
        TEMPO,
        False,
    )
    assert [r["naDeadline"] for r in open_["locaties"]] == [False] * 4
    toen = _rapport(log, "kamerbrief-bijlage", date(2016, 2, 1), date(2013, 6, 19))["humaanOpen"]
    assert (toen["deadline"], toen["besluit"]["titel"], toen["verstreken"]) == (
        "2015-12-31",
        CONVENANT,
        True,
    )
    assert [r["naDeadline"] for r in toen["locaties"]] == [False, False, True, True]


@pytest.mark.parametrize(
    "naam",
    [
        "deadlines",
        "voortgang",
        "midterm-review",
        "bevoegde-gezagen",
        "provincies",
        "budget",
        "kamerbrief-bijlage",
    ],
)
def test_replay_and_duckdb_agree_on_a_log_with_decisions_and_plans(
    naam: str, tmp_path: Path
) -> None:
    log = _geschiedenis()
    log.afspraak("2016-03-01", "2016-03-01", a.ALLE, "2022-12-31", "Convenant 2016-2020")
    events = log.events()
    pad = tmp_path / "log.jsonl"
    with pad.open("w", encoding="utf-8") as fh:
        export.schrijf(events, fh)
    duck = Herberekening(pad)
    for peil, kennis in [
        (date(2013, 1, 1), date(2012, 1, 4)),
        (date(2014, 1, 1), None),
        (date(2014, 1, 1), date(2013, 6, 19)),
        (date(2016, 2, 1), None),
        (date(2017, 1, 2), None),
    ]:
        dienst = _rapport(log, naam, peil, kennis)
        opnieuw = replay.herspeel(events, naam, peil, len(events), kennis).inhoud
        assert json.loads(json.dumps(opnieuw, default=str)) == dienst, (peil, kennis)
        assert duck.rapport(naam, peil, kennis)["inhoud"] == dienst, (peil, kennis)


def test_the_bulk_row_path_keeps_the_decisions_plans_and_soil_type_as_the_fold_does() -> None:
    log = _geschiedenis()
    log.add(
        "ZW1",
        f.GEREGISTREERD,
        "2011-03-01",
        bevoegd_gezag="ZH",
        gemeentecode="0513",
        naam="haven",
        status="potentieel-spoed",
        registratiedatum="2011-03-01",
        bodemtype="waterbodem",
    )
    log.add(
        "ZW1",
        f.STATUS,
        "2011-09-01",
        van="?",
        naar="onderzocht",
        besluitdatum="2011-09-01",
        toelichting="",
    )
    rijen = Tijdlijnen()
    for begin in range(0, len(log.feiten), 5):  # in slices, as the start reads the log
        rijen.voeg_toe_rijen(
            [
                (x.positie, x.locatie_id, x.versie, x.soort, microseconden(x.vastgelegd_op), x.data)
                for x in log.feiten[begin : begin + 5]
            ]
        )
    per_feit = Tijdlijnen()
    per_feit.voeg_toe(log.feiten)
    for peil, kennis in [(date(2014, 1, 1), None), (date(2014, 1, 1), date(2013, 6, 19))]:
        assert rijen.op(peil, kennis) == per_feit.op(peil, kennis)
        beide = [a.afspraken_op(t.feiten_van(a.PROGRAMMA), peil, kennis) for t in (rijen, per_feit)]
        assert beide[0] == beide[1] == a.afspraken_op(log.feiten, peil, kennis)
    nu = rijen.op(date(2014, 1, 1))
    assert nu["ZW1"].bodemtype == "waterbodem" and nu["ZH1"].planning is not None
    assert a.afspraken_op(rijen.feiten_van(a.PROGRAMMA), date(2014, 1, 1))[
        a.HUMAAN
    ].besluit.titel == (TEMPO)
