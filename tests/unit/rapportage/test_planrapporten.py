"""Plans in the reports, on a small history with known answers: every site against its plan,
the prognosis by plan and by pace, the fair ranking, the midterm comparison of two peildata
and the Kamerbrief annex with names. Plans are bitemporal: set on a business date, known from
their record time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.rapportage.domain import afspraken as a
from services.rapportage.domain import feiten as f
from services.rapportage.domain import planrapporten, rapporten
from services.rapportage.domain.afspraken import oorspronkelijk
from services.rapportage.domain.feiten import Feit, Locatie, toestand_op
from services.rapportage.domain.tijdlijn import Tijdlijnen

VROEG = datetime(2011, 1, 1, tzinfo=UTC)
LAAT = datetime(2013, 3, 1, tzinfo=UTC)  # when S4's revision was put on record


class Log:
    def __init__(self) -> None:
        self.feiten: list[Feit] = []
        self.versies: dict[str, int] = {}

    def add(self, locatie: str, soort: str, moment: datetime = VROEG, **data: Any) -> None:
        v = self.versies[locatie] = self.versies.get(locatie, 0) + 1
        self.feiten.append(Feit(len(self.feiten) + 1, locatie, v, soort, moment, data))

    def bevestigd(self, locatie: str, humaan: bool) -> None:
        self.add(
            locatie,
            f.GEREGISTREERD,
            bevoegd_gezag=locatie[:2],
            gemeentecode=locatie[2:6],
            naam=f"Locatie {locatie[-1]}",
            status="potentieel-spoed",
            registratiedatum="2010-02-01",
        )
        self.status(locatie, "onderzocht", "2010-05-01")
        self.status(locatie, "ernstig-spoed", "2010-09-01")
        if humaan:
            self.add(
                locatie,
                f.RISICO,
                risicotype="humaan",
                vastgesteld=True,
                criteria=["ingestie-grond"],
                beoordelingsdatum="2010-09-01",
                toelichting="",
            )

    def status(self, locatie: str, naar: str, datum: str) -> None:
        self.add(locatie, f.STATUS, van="?", naar=naar, besluitdatum=datum, toelichting="")

    def plan(
        self,
        locatie: str,
        datum: str,
        afgehandeld: str,
        start: str | None = None,
        moment: datetime = VROEG,
    ) -> None:
        self.add(
            locatie,
            f.PLANNING,
            moment,
            onderzoek_gereed=None,
            start_sanering=start,
            afgehandeld=afgehandeld,
            datum=datum,
            reden="",
        )


S1, S2, S3, S4, U1 = (
    "ZH051300001",
    "ZH051300002",
    "ZH051300003",
    "ZH051300004",
    "UT035600001",
)


def _historie() -> Log:
    log = Log()
    log.bevestigd(S1, humaan=True)
    log.plan(S1, "2011-01-01", "2014-12-31", start="2012-01-01")
    log.status(S1, "saneringsplan", "2011-06-01")
    log.status(S1, "sanering-gestart", "2011-12-01")
    log.status(S1, "gesaneerd", "2014-06-30")
    log.bevestigd(S2, humaan=True)
    log.plan(S2, "2011-01-01", "2015-06-01", start="2012-06-01")  # never started
    log.bevestigd(S3, humaan=True)  # no plan
    log.bevestigd(S4, humaan=False)
    log.plan(S4, "2012-01-01", "2019-01-01")
    log.plan(S4, "2013-02-01", "2021-06-01", moment=LAAT)
    log.bevestigd(U1, humaan=False)
    log.plan(U1, "2011-01-01", "2013-01-01")
    log.status(U1, "tijdelijke-beveiliging", "2011-09-01")
    log.status(U1, "beheerst", "2012-06-01")
    return log


def _op(peildatum: date, kennisdatum: date | None = None) -> dict[str, Locatie]:
    feiten = _historie().feiten
    return rapporten.toestand_uit(feiten, len(feiten), kennisdatum)(peildatum)


P2013 = date(2013, 1, 1)


def test_each_site_on_schedule_behind_its_plan_without_one_or_dealt_with() -> None:
    rapport = planrapporten.planning_rapport(_op(P2013), P2013, 1)
    regels = {r["locatieId"]: r for r in rapport.inhoud["locaties"]}
    assert regels[S1]["planstatus"] == "op schema"  # started as planned, done later
    assert (regels[S2]["planstatus"], regels[S2]["achterOp"]) == (
        "achter op planning",
        "startSanering",
    )
    assert regels[S3]["planstatus"] == "geen planning"
    assert (regels[S4]["planstatus"], regels[S4]["afgehandeldGepland"]) == (
        "op schema",
        "2019-01-01",  # the revision is dated after the peildatum
    )
    assert regels[U1]["planstatus"] == "afgehandeld"
    assert rapport.inhoud["landelijk"] == {
        "afgehandeld": 1,
        "op schema": 2,
        "achter op planning": 1,
        "geen planning": 1,
    }


def test_a_plan_counts_from_the_day_it_is_known() -> None:
    na = planrapporten.planning_rapport(_op(date(2014, 1, 1)), date(2014, 1, 1), 1)
    voor = planrapporten.planning_rapport(
        _op(date(2014, 1, 1), date(2013, 2, 28)), date(2014, 1, 1), 1
    )

    def s4(r: rapporten.Rapport) -> Any:
        return next(x["afgehandeldGepland"] for x in r.inhoud["locaties"] if x["locatieId"] == S4)

    assert (s4(voor), s4(na)) == ("2019-01-01", "2021-06-01")


def test_the_timelines_carry_the_plan_as_the_fold_does() -> None:
    feiten = _historie().feiten
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(feiten)
    for peildatum in (date(2011, 6, 1), P2013, date(2013, 6, 1)):
        for kennis in (None, date(2012, 1, 1), date(2013, 2, 28), date(2013, 3, 1)):
            verwacht = toestand_op(rapporten.bekend_op(feiten, kennis), peildatum)
            gekregen = lijnen.op(peildatum, kennis)
            assert {k: v.planning for k, v in gekregen.items()} == {
                k: v.planning for k, v in verwacht.items()
            }, (peildatum, kennis)


def _goal(r: rapporten.Rapport, doel: str, gezag: str | None = None) -> dict[str, Any]:
    if gezag is None:
        return next(x for x in r.inhoud["landelijk"] if x["doel"] == doel)
    return next(
        x for x in r.inhoud["perBevoegdGezag"] if x["doel"] == doel and x["bevoegdGezag"] == gezag
    )


def test_the_prognosis_by_plan_and_by_pace_against_the_targets() -> None:
    r = planrapporten.prognose_rapport(_op(P2013), P2013, 1, oorspronkelijk(P2013))
    humaan = _goal(r, "humaan")
    # S1 planned in time and on schedule; S2 behind its plan; S3 without one. Nothing humane
    # was dealt with in the 1,096 days measured, so the pace adds nothing.
    assert {k: humaan[k] for k in ("totaal", "nodig", "afgehandeld")} == {
        "totaal": 3,
        "nodig": 3,
        "afgehandeld": 0,
    }
    assert (humaan["verwachtVolgensPlanning"], humaan["zonderPlanning"]) == (1, 1)
    assert (humaan["verwachtVolgensTempo"], humaan["tempoPerJaar"]) == (0, 0.0)
    assert humaan["haalbaar"] == "nee"
    alle = _goal(r, "alle")
    # U1 done; S1 and S4 planned by 2020; pace 1 per 1,096 days over 2,922 days left: 2 more.
    assert (alle["totaal"], alle["afgehandeld"]) == (5, 1)
    assert (alle["verwachtVolgensPlanning"], alle["verwachtVolgensTempo"]) == (3, 3)
    assert alle["tempoPerJaar"] == 0.3 and alle["haalbaar"] == "nee"
    ut = _goal(r, "alle", "UT")
    assert (ut["verwachtVolgensPlanning"], ut["verwachtVolgensTempo"], ut["haalbaar"]) == (
        1,
        1,
        "ja",
    )
    assert _goal(r, "humaan", "UT")["haalbaar"] == "geen opgave"
    assert r.inhoud["afspraken"]["doelen"][0]["deadline"] == "2015-12-31"


def test_after_the_deadline_the_goal_is_met_or_missed_on_the_sites_in_time() -> None:
    p = date(2016, 6, 1)
    r = planrapporten.prognose_rapport(_op(p), p, 1, oorspronkelijk(p))
    humaan = _goal(r, "humaan")
    assert (humaan["afgehandeld"], humaan["haalbaar"]) == (1, "niet gehaald")


def test_the_fair_ranking_says_who_is_behind_its_own_plan_and_path_and_why() -> None:
    r = rapporten.per_bevoegd_gezag(_op(P2013), P2013, 1)
    rijen = {x["code"]: x for x in r.inhoud["ranglijst"]}
    zh = rijen["ZH"]
    assert zh["achter"] is True
    assert zh["redenen"] == [
        "1 locatie(s) achter op de eigen planning",
        "humaan: 0 van 3 afgehandeld, pro rata 1,5 op weg naar 2015-12-31",
        "alle: 0 van 4 afgehandeld, pro rata 1,1 op weg naar 2020-12-31",
    ]
    assert (zh["opSchema"], zh["percentageOpSchema"], zh["zonderPlanning"]) == (2, 50.0, 1)
    assert (rijen["UT"]["achter"], rijen["UT"]["reden"]) == (False, "")
    assert rijen["GR"]["achter"] is False  # no sites, no task


def test_the_ranking_measures_budget_used_against_the_envelopes_in_force() -> None:
    log = _historie()
    log.add(U1, f.BUDGET, bedrag_euro=200_000, datum="2011-02-01", bron="convenant")
    log.add(U1, f.KOSTEN, bedrag_euro=50_000, datum="2011-10-01", omschrijving="")
    locaties = toestand_op(log.feiten, P2013)
    for doel, bedrag in (("land", 600_000), ("waterbodem", 400_000)):
        log.add(
            a.PROGRAMMA,
            a.ENVELOP,
            bevoegd_gezag="UT",
            doel=doel,
            bedrag_euro=bedrag,
            ingangsdatum="2010-01-01",
            besluit_id=f"rijk-{doel}",
            besluitdatum="2009-12-01",
            besluit_titel=f"Envelop {doel}",
        )
    met = a.afspraken_op(log.feiten, P2013)
    ut = next(
        x
        for x in rapporten.per_bevoegd_gezag(locaties, P2013, 1, afspraken=met).inhoud["ranglijst"]
        if x["code"] == "UT"
    )
    assert (ut["percentageBudgetBesteed"], ut["enveloppeEuro"]) == (25.0, 1_000_000)
    assert ut["percentageEnveloppeBesteed"] == 5.0
    assert [b["titel"] for b in ut["enveloppeBesluiten"]] == ["Envelop land", "Envelop waterbodem"]


def test_the_midterm_review_compares_two_peildata_and_the_plans_made_then() -> None:
    vorige, peildatum = date(2011, 6, 1), date(2015, 1, 1)
    midterm = rapporten.midterm_review(_op(vorige), _op(peildatum), peildatum, 1, vorige)
    assert midterm.parameters["vorigePeildatum"] == "2011-06-01"
    assert midterm.inhoud["start"]["datum"] == "2011-06-01"
    r = planrapporten.haalbaarheid_rapport(
        _op(vorige), vorige, _op(peildatum), peildatum, 1, oorspronkelijk(peildatum)
    )
    h = {x["doel"]: x for x in r.inhoud["landelijk"]}
    # Planned then to be dealt with by 2015-01-01: S1 (humane), and U1 too for all sites.
    assert (h["humaan"]["geplandTotPeildatum"], h["humaan"]["daarvanAfgehandeld"]) == (1, 1)
    assert (h["alle"]["geplandTotPeildatum"], h["alle"]["daarvanAfgehandeld"]) == (2, 2)
    assert (h["humaan"]["afgehandeldVorige"], h["humaan"]["afgehandeld"]) == (0, 1)
    assert h["humaan"]["nogHaalbaar"] == "nee"
    assert h["humaan"]["verwachtVolgensPlanning"] == 1  # S2 behind, S3 without a plan
    zh = next(
        x
        for x in r.inhoud["perBevoegdGezag"]
        if x["bevoegdGezag"] == "ZH" and x["doel"] == "humaan"
    )
    assert zh["geplandTotPeildatum"] == 1 and zh["nogHaalbaar"] == "nee"


def test_the_annex_names_sites_municipalities_and_the_humane_sites_open_at_the_deadline() -> None:
    tot = date(2016, 6, 1)
    r = rapporten.kamerbrief_bijlage(_op(tot), date(2010, 1, 1), tot, 1)
    s1 = r.inhoud["perBevoegdGezag"][-1]["locaties"][0]
    assert (s1["naam"], s1["gemeente"], s1["bevoegdGezagNaam"]) == (
        "Locatie 1",
        "Gouda",
        "Provincie Zuid-Holland",
    )
    open_ = r.inhoud["humaanOpen"]
    assert [x["locatieId"] for x in open_["locaties"]] == [S2, S3]
    assert (open_["locaties"][0]["afgehandeldGepland"], open_["locaties"][0]["naDeadline"]) == (
        "2015-06-01",
        False,
    )
    assert open_["locaties"][1]["afgehandeldGepland"] is None
    tabel = r.tabellen[1]
    assert tabel.rijen[0][tabel.kolommen.index("gemeente")] == "Gouda"
