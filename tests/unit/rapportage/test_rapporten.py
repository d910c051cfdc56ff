"""Folding facts to a peildatum, the reports' numbers, and their digests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Feit, toestand_op

T = datetime(2020, 1, 1, tzinfo=UTC)


class Log:
    """Builds facts the way locaties writes events."""

    def __init__(self) -> None:
        self.feiten: list[Feit] = []
        self.versies: dict[str, int] = {}

    def add(self, locatie: str, soort: str, **data: Any) -> None:
        v = self.versies.get(locatie, 0) + 1
        self.versies[locatie] = v
        self.feiten.append(Feit(len(self.feiten) + 1, locatie, v, soort, T, data))

    def registreer(self, locatie: str, bg: str, datum: str) -> None:
        self.add(
            locatie,
            f.GEREGISTREERD,
            bevoegd_gezag=bg,
            gemeentecode="0513",
            naam="x",
            status="potentieel-spoed",
            registratiedatum=datum,
        )

    def status(self, locatie: str, naar: str, datum: str) -> None:
        self.add(locatie, f.STATUS, van="?", naar=naar, besluitdatum=datum, toelichting="")

    def humaan(self, locatie: str, datum: str) -> None:
        self.add(
            locatie,
            f.RISICO,
            risicotype="humaan",
            vastgesteld=True,
            criteria=["ingestie-grond"],
            beoordelingsdatum=datum,
            toelichting="",
        )


def _bevestigd(log: Log, locatie: str, bg: str, humaan: bool = True) -> None:
    log.registreer(locatie, bg, "2010-02-01")
    log.status(locatie, "onderzocht", "2010-05-01")
    log.status(locatie, "ernstig-spoed", "2010-09-01")
    if humaan:
        log.humaan(locatie, "2010-09-01")


def _voorbeeld() -> Log:
    log = Log()
    _bevestigd(log, "ZH051300001", "ZH")
    log.status("ZH051300001", "saneringsplan", "2012-01-01")
    log.status("ZH051300001", "sanering-gestart", "2013-01-01")
    log.status("ZH051300001", "gesaneerd", "2014-06-30")
    _bevestigd(log, "ZH051300002", "ZH")
    log.status("ZH051300002", "tijdelijke-beveiliging", "2015-03-01")
    log.status("ZH051300002", "beheerst", "2017-03-01")  # too late for 2015
    _bevestigd(log, "UT035600001", "UT", humaan=False)
    log.registreer("AM036300001", "AM", "2011-06-01")  # after the 2010 overview deadline
    log.status("AM036300001", "onderzocht", "2011-09-01")
    log.status("AM036300001", "niet-ernstig", "2012-01-01")
    return log


def test_the_state_on_a_peildatum_follows_the_business_dates() -> None:
    log = _voorbeeld()
    op_2013 = toestand_op(log.feiten, date(2013, 6, 1))
    assert str(op_2013["ZH051300001"].status) == "sanering-gestart"
    assert op_2013["ZH051300001"].afgehandeld_op is None
    op_2016 = toestand_op(log.feiten, date(2016, 1, 1))
    assert op_2016["ZH051300001"].afgehandeld_op == date(2014, 6, 30)
    assert str(op_2016["ZH051300002"].status) == "tijdelijke-beveiliging"
    assert "AM036300001" not in toestand_op(log.feiten, date(2011, 1, 1))


def test_a_correction_changes_the_state_it_corrects() -> None:
    log = _voorbeeld()
    log.add(
        "ZH051300002",
        f.CORRECTIE,
        gecorrigeerde_versie=6,
        correctie={"besluitdatum": "2015-11-30"},
        reden="datum verkeerd overgenomen",
    )
    locatie = toestand_op(log.feiten, date(2016, 1, 1))["ZH051300002"]
    assert locatie.afgehandeld_op == date(2015, 11, 30)


def test_progress_counts_against_the_targets() -> None:
    locaties = toestand_op(_voorbeeld().feiten, date(2018, 1, 1))
    rapport = rapporten.voortgang(locaties, date(2018, 1, 1), positie=99)
    s = rapport.inhoud["samenvatting"]
    assert (s["geregistreerd"], s["bevestigd"], s["afgehandeld"]) == (4, 3, 2)
    assert (s["humaan"], s["humaanAfgehandeld"]) == (2, 2)
    humaan_doel = rapport.inhoud["doelen"][0]
    assert humaan_doel["opTijd"] == 1 and humaan_doel["gehaald"] is False
    assert rapport.inhoud["doelen"][1]["gehaald"] is None  # 2020 not reached on the peildatum
    assert rapport.inhoud["perStatus"]["niet-ernstig"] == 1
    jaar_2014 = next(j for j in rapport.inhoud["perJaar"] if j["jaar"] == 2014)
    assert jaar_2014["afgehandeld"] == 1


def test_the_list_ranks_bevoegde_gezagen_and_marks_who_is_behind() -> None:
    locaties = toestand_op(_voorbeeld().feiten, date(2018, 1, 1))
    rapport = rapporten.per_bevoegd_gezag(locaties, date(2018, 1, 1), positie=1)
    rijen = {r["code"]: r for r in rapport.inhoud["ranglijst"]}
    assert len(rijen) == 42
    assert rijen["ZH"]["plaats"] == 1 and rijen["ZH"]["humaanTeLaat"] == 1
    # Behind against its own task, with the reason: ZH missed the humane deadline with one
    # site, UT's only site is open at 73 % of the way to 2020.
    assert rijen["ZH"]["redenen"] == [
        "humaan: deadline 2015-12-31 verstreken, 1 van 2 niet op tijd afgehandeld"
    ]
    assert rijen["UT"]["redenen"] == [
        "alle: 0 van 1 afgehandeld, pro rata 0,7 op weg naar 2020-12-31"
    ]
    assert rijen["UT"]["achter"] is True and rijen["ZH"]["achter"] is True
    assert rijen["AM"]["achter"] is False  # its one site left the list: no task
    per_provincie = rapporten.per_bevoegd_gezag(locaties, date(2018, 1, 1), 1, "provincie")
    nh = next(r for r in per_provincie.inhoud["ranglijst"] if r["code"] == "NH")
    assert nh["geregistreerd"] == 1  # Amsterdam lies in Noord-Holland


def test_deadlines_list_late_humane_sites_and_incomplete_lists() -> None:
    locaties = toestand_op(_voorbeeld().feiten, date(2016, 6, 1))
    rapport = rapporten.deadlines(locaties, date(2016, 6, 1), positie=1)
    te_laat = [r["locatieId"] for r in rapport.inhoud["humaanNietOpTijd"]["locaties"]]
    assert te_laat == ["ZH051300002"]
    assert [r["locatieId"] for r in rapport.inhoud["verlopen"]["locaties"]] == ["ZH051300002"]
    overzicht = rapport.inhoud["onvolledigeLijsten"][0]
    assert overzicht["later"] == 1 and overzicht["perBevoegdGezag"] == {"AM": 1}


def test_the_kamerbrief_annex_lists_sites_dealt_with_in_the_period() -> None:
    locaties = toestand_op(_voorbeeld().feiten, date(2017, 12, 31))
    rapport = rapporten.kamerbrief_bijlage(locaties, date(2017, 1, 1), date(2017, 12, 31), 1)
    assert rapport.inhoud["aantal"] == 1
    assert rapport.inhoud["perBevoegdGezag"][0]["locaties"][0]["locatieId"] == "ZH051300002"


def test_the_digest_is_stable_and_covers_parameters_position_and_content() -> None:
    log = _voorbeeld()
    a = rapporten.voortgang(toestand_op(log.feiten, date(2016, 1, 1)), date(2016, 1, 1), 10)
    b = rapporten.voortgang(toestand_op(list(log.feiten), date(2016, 1, 1)), date(2016, 1, 1), 10)
    assert a.digest == b.digest and a.digest.startswith("sha256:")
    assert (
        rapporten.voortgang(toestand_op(log.feiten, date(2016, 1, 1)), date(2016, 1, 1), 11).digest
        != a.digest
    )
    assert (
        rapporten.voortgang(toestand_op(log.feiten, date(2016, 1, 2)), date(2016, 1, 2), 10).digest
        != a.digest
    )


def test_percentages_are_rounded_exactly_half_to_even() -> None:
    # 3/2000 is 0.15 % exactly; the float 0.15 lies just below it and would round to 0.1.
    assert rapporten._pct(3, 2000) == 0.2
    assert rapporten._pct(1, 16) == 6.2  # 6.25: a tie, to even
    assert rapporten._pct(3, 16) == 18.8  # 18.75: a tie, to even
    assert rapporten._pct(1, 3) == 33.3 and rapporten._pct(0, 0) is None
