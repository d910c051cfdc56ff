"""Deadlines and envelopes in force on the peildatum as known on the kennisdatum: a deadline
moved by a recorded decision changes the reports from the decision's ingangsdatum on, the
reports as known before it was recorded keep the old one, and every deadline figure names the
agreement it was measured against. Through the real handlers (the timelines), the auditor's
replay and the DuckDB second computation alike."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from auditor import export, replay
from auditor.recompute_duckdb import Herberekening
from services.rapportage.domain import afspraken as a
from services.rapportage.domain import feiten as f
from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.queries import VraagRapport
from services.rapportage.entrypoints import weergave
from services.rapportage.service_layer import messagebus
from services.rapportage.service_layer.unit_of_work import FakeRapportageUnitOfWork
from tests.support.demo_log import verzegel

CONVENANT = "Convenant bodemontwikkelingsbeleid en aanpak spoedlocaties (2009)"
TEMPO = "Nieuwe afspraken over het tempo van de aanpak (2013)"


def _op(dag: str) -> datetime:
    return datetime.combine(date.fromisoformat(dag), time(12), tzinfo=UTC)


class Log:
    """Facts with their record days, as locaties writes the events."""

    def __init__(self) -> None:
        self.feiten: list[Feit] = []
        self.versies: dict[str, int] = {}

    def add(self, onderwerp: str, soort: str, vastgelegd: str, **data: Any) -> None:
        v = self.versies[onderwerp] = self.versies.get(onderwerp, 0) + 1
        self.feiten.append(Feit(len(self.feiten) + 1, onderwerp, v, soort, _op(vastgelegd), data))

    def humane_site(self, lid: str, afgehandeld: str) -> None:
        self.add(
            lid,
            f.GEREGISTREERD,
            "2010-02-01",
            bevoegd_gezag="ZH",
            gemeentecode="0513",
            naam=f"locatie {lid}",
            status="potentieel-spoed",
            registratiedatum="2010-02-01",
            bodemtype="landbodem",
        )
        self.add(
            lid,
            f.STATUS,
            "2010-09-01",
            van="?",
            naar="ernstig-spoed",
            besluitdatum="2010-09-01",
            toelichting="",
        )
        self.add(
            lid,
            f.RISICO,
            "2010-09-01",
            risicotype="humaan",
            vastgesteld=True,
            criteria=["ingestie-grond"],
            beoordelingsdatum="2010-09-01",
            toelichting="",
        )
        self.add(
            lid,
            f.STATUS,
            afgehandeld,
            van="?",
            naar="gesaneerd",
            besluitdatum=afgehandeld,
            toelichting="",
        )

    def afspraak(
        self, vastgelegd: str, ingang: str, soort: str, deadline: str, titel: str, doel: int = 100
    ) -> None:
        self.add(
            a.PROGRAMMA,
            a.AFSPRAAK,
            vastgelegd,
            afspraak=soort,
            deadline=deadline,
            doel_percentage=doel,
            ingangsdatum=ingang,
            besluit_id=f"SG-{ingang}",
            besluitdatum=vastgelegd,
            besluit_titel=titel,
            toelichting="",
        )

    def envelop(self, vastgelegd: str, ingang: str, gezag: str, doel: str, bedrag: int) -> None:
        self.add(
            a.PROGRAMMA,
            a.ENVELOP,
            vastgelegd,
            bevoegd_gezag=gezag,
            doel=doel,
            bedrag_euro=bedrag,
            ingangsdatum=ingang,
            besluit_id=f"RIJK-{ingang}",
            besluitdatum=vastgelegd,
            besluit_titel=f"Envelop {ingang}",
            toelichting="",
        )

    def events(self) -> list[dict[str, Any]]:
        return verzegel(
            [
                (
                    x.locatie_id,
                    x.versie,
                    f"nl.overheid.bodem.{x.soort}",
                    1,
                    x.vastgelegd_op,
                    x.vastgelegd_op,
                    x.data,
                )
                for x in self.feiten
            ],
            "00000000-0000-0000-0000-000000000001",
            "bodemregie-locaties",
        )


def _geschiedenis() -> Log:
    """One humane site remediated in June 2016, half a year after the covenant's deadline;
    in 2013 the Stuurgroep moved the deadline to the end of 2016 (recorded on 20 June 2013,
    in force from 1 July 2013)."""
    log = Log()
    log.humane_site("ZH1", "2016-06-01")
    log.humane_site("ZH2", "2015-03-01")
    log.afspraak("2013-06-20", "2013-07-01", a.HUMAAN, "2016-12-31", TEMPO)
    return log


def _rapport(log: Log, naam: str, peil: date, kennis: date | None = None) -> dict[str, Any]:
    uow = FakeRapportageUnitOfWork(spoedlocaties=log.feiten)
    r = messagebus.handle(VraagRapport(naam, peil, kennis), uow)
    return json.loads(json.dumps(weergave.als_json(r, "/"), default=str))["inhoud"]


def test_a_moved_deadline_counts_from_its_ingangsdatum_and_not_as_known_before_it() -> None:
    log = _geschiedenis()
    voor = _rapport(log, "deadlines", date(2013, 6, 30))["humaanNietOpTijd"]
    assert (voor["deadline"], voor["besluit"]["titel"]) == ("2015-12-31", CONVENANT)
    na = _rapport(log, "deadlines", date(2013, 7, 1))["humaanNietOpTijd"]
    assert (na["deadline"], na["besluit"]["titel"]) == ("2016-12-31", TEMPO)
    # As known on 19 June 2013 the decision was not on record: the old deadline, even on a
    # peildatum after its ingangsdatum; from its record day on the new one.
    toen = _rapport(log, "deadlines", date(2013, 7, 1), date(2013, 6, 19))["humaanNietOpTijd"]
    assert (toen["deadline"], toen["besluit"]["titel"]) == ("2015-12-31", CONVENANT)
    bekend = _rapport(log, "deadlines", date(2013, 7, 1), date(2013, 6, 20))["humaanNietOpTijd"]
    assert bekend["deadline"] == "2016-12-31"
    # ZH1 (remediated mid-2016) is late against the covenant, on time against the new deadline.
    nu = _rapport(log, "deadlines", date(2017, 1, 2))["humaanNietOpTijd"]
    assert (nu["aantal"], nu["verstreken"]) == (0, True)
    # As known before the decision (no remediation on record yet either): the old deadline.
    als_toen = _rapport(log, "deadlines", date(2017, 1, 2), date(2013, 6, 19))["humaanNietOpTijd"]
    assert (als_toen["deadline"], als_toen["aantal"]) == ("2015-12-31", 2)
    assert {r["besluit"] for r in als_toen["locaties"]} == {CONVENANT}
    # The goals of the progress report and the midterm review move with it.
    for naam in ("voortgang", "midterm-review"):
        humaan = _rapport(log, naam, date(2017, 1, 2))["doelen"][0]
        assert (humaan["deadline"], humaan["opTijd"], humaan["gehaald"]) == ("2016-12-31", 2, True)
        oud = _rapport(log, naam, date(2017, 1, 2), date(2013, 6, 19))["doelen"][0]
        assert (oud["deadline"], oud["besluit"]["titel"]) == ("2015-12-31", CONVENANT)


def test_a_later_ingangsdatum_wins_and_a_target_below_100_percent_can_be_met() -> None:
    log = _geschiedenis()
    # A second decision in force later: 50 % of the humane sites by the end of 2015.
    log.afspraak("2014-02-01", "2014-03-01", a.HUMAAN, "2015-12-31", "Bijstelling 2014", doel=50)
    humaan = _rapport(log, "voortgang", date(2017, 1, 2))["doelen"][0]
    assert (humaan["deadline"], humaan["doelPercentage"], humaan["besluit"]["titel"]) == (
        "2015-12-31",
        50,
        "Bijstelling 2014",
    )
    assert (humaan["opTijd"], humaan["totaal"], humaan["gehaald"]) == (1, 2, True)
    tussen = _rapport(log, "voortgang", date(2014, 2, 28))["doelen"][0]
    assert tussen["besluit"]["titel"] == TEMPO


def _deadlines_zonder_besluit(waarde: Any, pad: str = "") -> list[str]:
    """Every place in a report's content with a deadline but no decision beside it."""
    if isinstance(waarde, dict):
        eigen = [pad] if "deadline" in waarde and "besluit" not in waarde else []
        return eigen + [
            p for k, v in waarde.items() for p in _deadlines_zonder_besluit(v, f"{pad}.{k}")
        ]
    if isinstance(waarde, list):
        return [
            p for i, v in enumerate(waarde) for p in _deadlines_zonder_besluit(v, f"{pad}[{i}]")
        ]
    return []


@pytest.mark.parametrize(
    "naam", ["deadlines", "voortgang", "midterm-review", "bevoegde-gezagen", "kamerbrief-bijlage"]
)
def test_every_deadline_figure_names_its_agreement_in_json_csv_and_html(naam: str) -> None:
    log = _geschiedenis()
    log.humane_site("ZH3", "2019-01-01")  # late on any deadline: listed with its agreement
    uow = FakeRapportageUnitOfWork(spoedlocaties=log.feiten)
    rapport = messagebus.handle(VraagRapport(naam, date(2018, 1, 1)), uow)
    inhoud = json.loads(json.dumps(weergave.als_json(rapport, "/"), default=str))["inhoud"]
    assert _deadlines_zonder_besluit(inhoud) == []
    assert TEMPO in json.dumps(inhoud, ensure_ascii=False)
    assert TEMPO in weergave.als_html(rapport)
    if naam == "deadlines":  # its CSV (the first table) lists sites with their deadline
        kop, eerste, *_ = weergave.als_csv(rapport).splitlines()
        assert kop.endswith("deadline,besluit") and eerste.endswith(f"2016-12-31,{TEMPO}")


def test_the_annex_lists_the_humane_sites_open_at_the_deadline_in_force() -> None:
    log = _geschiedenis()
    log.humane_site("ZH3", "2019-01-01")
    log.add(
        "ZH3", f.KNELPUNT, "2015-01-01", knelpunt="financieel", datum="2015-01-01", toelichting=""
    )
    deel = _rapport(log, "kamerbrief-bijlage", date(2018, 1, 1))["humaanOpenOpDeadline"]
    assert (deel["deadline"], deel["besluit"]["titel"], deel["bereikt"]) == (
        "2016-12-31",
        TEMPO,
        True,
    )
    assert [(r["locatieId"], r["knelpunt"]) for r in deel["locaties"]] == [("ZH3", "financieel")]
    # As known before the decision: the covenant's deadline, and ZH1 (done mid-2016, recorded
    # then) was not known as done either, so all three were open on it as known then.
    toen = _rapport(log, "kamerbrief-bijlage", date(2018, 1, 1), date(2013, 6, 19))
    assert toen["humaanOpenOpDeadline"]["deadline"] == "2015-12-31"
    assert toen["humaanOpenOpDeadline"]["besluit"]["titel"] == CONVENANT
    # Before the deadline: nothing is open "at the deadline" yet.
    nog_niet = _rapport(log, "kamerbrief-bijlage", date(2016, 6, 1))["humaanOpenOpDeadline"]
    assert (nog_niet["bereikt"], nog_niet["aantal"]) == (False, 0)


def test_without_decisions_the_covenant_of_2009_is_named() -> None:
    log = Log()
    log.humane_site("ZH1", "2016-06-01")
    inhoud = _rapport(log, "deadlines", date(2017, 1, 2))
    assert {x["besluit"]["titel"] for x in inhoud["afspraken"]} == {CONVENANT}
    assert [x["deadline"] for x in inhoud["afspraken"]] == [
        "2010-12-31",
        "2015-12-31",
        "2015-12-31",
        "2020-12-31",
    ]


def test_the_budget_report_uses_the_envelope_in_force_per_authority_and_soil_type() -> None:
    log = _geschiedenis()
    log.add("ZH1", f.BUDGET, "2011-01-01", bedrag_euro=400_000, datum="2011-01-01", bron="c")
    log.add("ZH1", f.KOSTEN, "2016-06-01", bedrag_euro=350_000, datum="2016-06-01", omschrijving="")
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
    log.add("ZW1", f.BUDGET, "2011-04-01", bedrag_euro=2_000_000, datum="2011-04-01", bron="c")
    log.envelop("2009-12-01", "2010-01-01", "ZH", "land", 1_000_000)
    log.envelop("2009-12-01", "2010-01-01", "ZH", "waterbodem", 1_500_000)
    log.envelop("2012-05-01", "2012-06-01", "ZH", "waterbodem", 2_500_000)  # the revision

    def regel(peil: date, kennis: date | None, doel: str) -> dict[str, Any]:
        rijen = _rapport(log, "budget", peil, kennis)["perBevoegdGezag"]
        return next(r for r in rijen if (r["bevoegdGezag"], r["doel"]) == ("ZH", doel))

    land = regel(date(2017, 1, 1), None, "land")
    assert (land["envelopEuro"], land["toegekendEuro"], land["besteedEuro"]) == (
        1_000_000,
        400_000,
        350_000,
    )
    assert (land["resterendEuro"], land["percentageBesteed"]) == (600_000, 35.0)
    water = regel(date(2017, 1, 1), None, "waterbodem")
    assert (water["envelopEuro"], water["resterendEuro"]) == (2_500_000, 500_000)
    assert water["besluit"]["titel"] == "Envelop 2012-06-01"
    # Before the revision took effect, and as known before it was recorded: the first envelope.
    assert regel(date(2012, 5, 31), None, "waterbodem")["resterendEuro"] == -500_000
    assert regel(date(2017, 1, 1), date(2012, 4, 30), "waterbodem")["envelopEuro"] == 1_500_000
    leeg = _rapport(log, "budget", date(2017, 1, 1))["perBevoegdGezag"]
    ut = next(r for r in leeg if (r["bevoegdGezag"], r["doel"]) == ("UT", "land"))
    assert (ut["envelopEuro"], ut["resterendEuro"], ut["besluit"]) == (None, None, None)
    landelijk = _rapport(log, "budget", date(2017, 1, 1))["landelijk"]
    assert landelijk["totaal"]["envelopEuro"] == 3_500_000
    assert landelijk["totaal"]["toegekendEuro"] == 2_400_000
    # CSV: one row per authority and soil type; HTML names the decision behind an envelope.
    rapport = messagebus.handle(
        VraagRapport("budget", date(2017, 1, 1)), FakeRapportageUnitOfWork(spoedlocaties=log.feiten)
    )
    kop, *rijen = weergave.als_csv(rapport).splitlines()
    assert kop.startswith("bevoegdGezag,naam,doel,envelopEuro,toegekendEuro,besteedEuro")
    assert len(rijen) == 84
    assert (
        "ZH,Provincie Zuid-Holland,waterbodem,2500000,2000000,0,500000,0.0,Envelop 2012-06-01"
        in rijen
    )
    assert "Envelop 2012-06-01" in weergave.als_html(rapport)


PEILDATA = [
    (date(2013, 6, 30), None),
    (date(2013, 7, 1), None),
    (date(2013, 7, 1), date(2013, 6, 19)),
    (date(2017, 1, 2), None),
    (date(2017, 1, 2), date(2013, 6, 19)),
    (date(2021, 1, 2), None),
]


@pytest.mark.parametrize(
    "naam",
    [
        "deadlines",
        "voortgang",
        "midterm-review",
        "bevoegde-gezagen",
        "budget",
        "kamerbrief-bijlage",
    ],
)
def test_the_replay_and_duckdb_use_the_same_agreements_as_the_service(
    naam: str, tmp_path: Path
) -> None:
    log = _geschiedenis()
    log.humane_site("ZH3", "2019-01-01")
    log.afspraak("2016-03-01", "2016-03-01", a.ALLE, "2022-12-31", "Convenant 2016-2020")
    log.afspraak("2010-11-01", "2010-11-01", a.OVERZICHT, "2011-06-30", "Uitstel overzicht")
    log.add("ZH1", f.BUDGET, "2011-01-01", bedrag_euro=400_000, datum="2011-01-01", bron="c")
    log.add("ZH2", f.KOSTEN, "2015-03-01", bedrag_euro=90_000, datum="2015-03-01", omschrijving="")
    log.envelop("2009-12-01", "2010-01-01", "ZH", "land", 1_000_000)
    log.envelop("2009-12-01", "2010-01-01", "UT", "waterbodem", 0)
    log.envelop("2013-05-01", "2013-07-01", "ZH", "land", 1_200_000)
    events = log.events()
    pad = tmp_path / "log.jsonl"
    with pad.open("w", encoding="utf-8") as fh:
        export.schrijf(events, fh)
    duck = Herberekening(pad)
    positie = len(events)
    for peil, kennis in PEILDATA:
        dienst = _rapport(log, naam, peil, kennis)
        opnieuw = replay.herspeel(events, naam, peil, positie, kennis).inhoud
        assert json.loads(json.dumps(opnieuw, default=str)) == dienst, (peil, kennis)
        assert duck.rapport(naam, peil, kennis)["inhoud"] == dienst, (peil, kennis)
