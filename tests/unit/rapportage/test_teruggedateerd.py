"""Back-dating is visible: a dealt-with decision dated before a covenant deadline but put on
record more than 90 days later is listed in the deadlines report, per bevoegd gezag."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Feit, toestand_op
from services.rapportage.domain.tijdlijn import Tijdlijnen


class Log:
    def __init__(self) -> None:
        self.feiten: list[Feit] = []
        self.versies: dict[str, int] = {}

    def add(self, lid: str, soort: str, op: datetime, **data: Any) -> int:
        v = self.versies.get(lid, 0) + 1
        self.versies[lid] = v
        self.feiten.append(Feit(len(self.feiten) + 1, lid, v, soort, op, data))
        return v

    def site(self, lid: str, bg: str, besluit: date, vastgelegd: date, humaan: bool) -> int:
        """A confirmed site dealt with on ``besluit``, that decision recorded on ``vastgelegd``;
        the returned version is the decision's."""
        vroeg = datetime(2010, 2, 1, 9, tzinfo=UTC)
        self.add(
            lid,
            f.GEREGISTREERD,
            vroeg,
            bevoegd_gezag=bg,
            gemeentecode="0513",
            naam=f"locatie {lid}",
            status="potentieel-spoed",
            registratiedatum="2010-01-15",
        )
        for naar, d in (("onderzocht", "2010-03-01"), ("ernstig-spoed", "2010-06-01")):
            self.add(lid, f.STATUS, vroeg, van="?", naar=naar, besluitdatum=d, toelichting="")
        self.add(
            lid,
            f.RISICO,
            vroeg,
            risicotype="humaan",
            vastgesteld=humaan,
            beoordelingsdatum="2010-06-01",
            toelichting="",
        )
        op = datetime.combine(vastgelegd, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23)
        return self.add(
            lid,
            f.STATUS,
            op,
            van="ernstig-spoed",
            naar="beheerst",
            besluitdatum=besluit.isoformat(),
            toelichting="",
        )


BESLUIT = date(2015, 6, 1)


def _rapport(log: Log, peildatum: date, kennisdatum: date | None = None) -> dict[str, Any]:
    bekend = rapporten.bekend_op(log.feiten, kennisdatum)
    nu = toestand_op(bekend, peildatum)
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(log.feiten)
    assert lijnen.op(peildatum, kennisdatum) == nu  # the service's timelines agree
    inhoud: Mapping[str, Any] = rapporten.deadlines(nu, peildatum, len(log.feiten)).inhoud
    return inhoud["teruggedateerd"]


def test_a_back_dated_decision_is_listed_a_timely_one_and_one_at_exactly_90_days_are_not() -> None:
    log = Log()
    log.site("ZH1", "ZH", BESLUIT, BESLUIT + timedelta(days=400), humaan=True)  # back-dated
    log.site("ZH2", "ZH", BESLUIT, BESLUIT + timedelta(days=3), humaan=True)  # on time
    log.site("ZH3", "ZH", BESLUIT, BESLUIT + timedelta(days=90), humaan=True)  # the boundary
    log.site("UT1", "UT", BESLUIT, BESLUIT + timedelta(days=91), humaan=False)  # just over
    # Dealt with after the last deadline: no deadline invites back-dating it.
    log.site("UT2", "UT", date(2021, 3, 1), date(2023, 1, 1), humaan=False)
    t = _rapport(log, date(2024, 1, 1))
    assert t["grensDagen"] == 90
    assert t["aantal"] == 2
    assert [(g["bevoegdGezag"], g["aantal"]) for g in t["perBevoegdGezag"]] == [
        ("UT", 1),
        ("ZH", 1),
    ]
    ut, zh = (g["locaties"][0] for g in t["perBevoegdGezag"])
    assert zh == {
        "bevoegdGezag": "ZH",
        "locatieId": "ZH1",
        "naam": "locatie ZH1",
        "status": "beheerst",
        "besluitdatum": "2015-06-01",
        "vastgelegdOp": "2016-07-05",
        "dagenLaat": 400,
        "deadline": "2015-12-31",
        "besluit": "Convenant bodemontwikkelingsbeleid en aanpak spoedlocaties (2009)",
    }
    assert (ut["locatieId"], ut["dagenLaat"], ut["deadline"]) == ("UT1", 91, "2020-12-31")
    rapport = rapporten.deadlines(toestand_op(log.feiten, date(2024, 1, 1)), date(2024, 1, 1), 0)
    (tabel,) = (t for t in rapport.tabellen if t.titel.startswith("Afgehandeld voor"))
    assert [r[1] for r in tabel.rijen] == ["UT1", "ZH1"]


def test_a_decision_not_yet_on_record_at_the_kennisdatum_is_not_listed() -> None:
    log = Log()
    log.site("ZH1", "ZH", BESLUIT, date(2016, 7, 5), humaan=True)
    assert _rapport(log, date(2016, 1, 1), date(2016, 7, 4))["aantal"] == 0
    assert _rapport(log, date(2016, 1, 1), date(2016, 7, 5))["aantal"] == 1
    # On the peildatum the decision had not been taken yet, whatever we know now.
    assert _rapport(log, date(2015, 5, 31))["aantal"] == 0


def test_a_correction_that_moves_a_timely_decision_back_counts_from_its_own_record_day() -> None:
    log = Log()
    versie = log.site("ZH1", "ZH", date(2016, 3, 1), date(2016, 3, 2), humaan=True)
    assert _rapport(log, date(2024, 1, 1))["aantal"] == 0  # recorded the next day
    log.add(
        "ZH1",
        f.CORRECTIE,
        datetime(2017, 1, 10, 8, tzinfo=UTC),
        gecorrigeerde_versie=versie,
        correctie={"besluitdatum": "2015-12-01"},
        reden="besluit eerder genomen",
    )
    regel = _rapport(log, date(2024, 1, 1))["perBevoegdGezag"][0]["locaties"][0]
    assert (regel["besluitdatum"], regel["vastgelegdOp"], regel["dagenLaat"]) == (
        "2015-12-01",
        "2017-01-10",
        406,
    )
    assert regel["deadline"] == "2015-12-31"
    # Known before the correction: the decision as first recorded, on time.
    assert _rapport(log, date(2024, 1, 1), date(2017, 1, 9))["aantal"] == 0
