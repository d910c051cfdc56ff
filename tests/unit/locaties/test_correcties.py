"""Corrections in the domain: the corrected history keeps every rule a command is held to
(dates, money, texts, geometry, lifecycle), whatever form the correction arrives in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.locaties.domain import datums
from services.locaties.domain.events import RegistratieGecorrigeerd
from services.locaties.domain.model import CORRIGEERBAAR, OngeldigeWaarde, Spoedlocatie
from services.locaties.entrypoints.correcties import SCHEMA
from shared.vocabulaire import Status
from tests.support.spoedlocatie import nieuwe_locatie


def _site() -> Spoedlocatie:
    locatie = nieuwe_locatie()
    locatie.wijzig_status(Status.ONDERZOCHT, date(2010, 6, 1), "")  # v2
    locatie.ken_budget_toe(100_000, date(2011, 1, 1), "convenant")  # v3
    locatie.ken_budget_toe(-40_000, date(2012, 1, 1), "herverdeling")  # v4
    locatie.boek_kosten(30_000, date(2012, 5, 1), "onderzoek")  # v5
    return locatie


@pytest.mark.parametrize(
    ("versie", "correctie", "veld"),
    [
        (1, {"naam": 12345}, "correctie.naam"),
        (1, {"naam": "  Gasfabriek"}, "correctie.naam"),
        (1, {"naam": "a\u202eb"}, "correctie.naam"),
        (1, {"geometrie": {"foo": "bar"}}, "correctie.geometrie"),
        (1, {"geometrie": {"type": "Point", "coordinates": [1e308, 1e308]}}, "correctie.geometrie"),
        (1, {"registratiedatum": "9999-12-31"}, "correctie.registratiedatum"),
        (1, {"registratiedatum": "1986-12-31"}, "correctie.registratiedatum"),
        (1, {"registratiedatum": "gisteren"}, "correctie.registratiedatum"),
        (1, {"gemeentecode": "../../etc"}, "correctie.gemeentecode"),
        (1, {"bodemtype": "lucht"}, "correctie.bodemtype"),
        (3, {"bedrag_euro": 10_000}, "correctie.bedragEuro"),
        (3, {"bedrag_euro": "100000"}, "correctie.bedragEuro"),
        (3, {"datum": "2012-06-01"}, "correctie.datum"),
        (5, {"bedrag_euro": -1}, "correctie.bedragEuro"),
        (2, {"naar": "gesaneerd"}, "correctie.naar"),
        (2, {"toelichting": "\x07"}, "correctie.toelichting"),
        (1, {"bevoegd_gezag": "UT"}, "correctie.bevoegdGezag"),
    ],
)
def test_a_correction_breaking_a_rule_is_refused_and_nothing_recorded(
    versie: int, correctie: dict[str, object], veld: str
) -> None:
    locatie = _site()
    with pytest.raises(OngeldigeWaarde) as exc:
        locatie.corrigeer(versie, correctie, "test")
    assert exc.value.veld == veld
    assert locatie.version == 5 and len(locatie.history) == 5


def test_money_is_never_negative_on_any_business_date() -> None:
    locatie = _site()
    # A withdrawal dated before the grant it withdraws: negative in the months in between.
    with pytest.raises(OngeldigeWaarde, match="negatief"):
        locatie.ken_budget_toe(-60_000, date(2010, 12, 1), "te vroeg")
    locatie.ken_budget_toe(-60_000, date(2012, 1, 1), "op dezelfde dag als de vorige")
    assert locatie.stand.budget_euro == 0
    locatie.corrigeer(3, {"bedrag_euro": 150_000}, "meer toegekend")
    assert locatie.stand.budget_euro == 50_000


def test_business_dates_lie_between_the_wbb_and_today_in_the_netherlands() -> None:
    assert datums.bedrijfsdatum(date(1987, 1, 1)) == date(1987, 1, 1)
    assert datums.bedrijfsdatum(datums.vandaag()) == datums.vandaag()
    for datum in (date(1986, 12, 31), date(1, 1, 1), datums.vandaag() + timedelta(days=1)):
        with pytest.raises(ValueError):
            datums.bedrijfsdatum(datum)
    locatie = _site()
    with pytest.raises(OngeldigeWaarde, match="toekomst"):
        locatie.wijzig_status(Status.ERNSTIG_SPOED, datums.vandaag() + timedelta(days=1), "")


def test_old_breaches_do_not_block_a_correction_but_a_new_one_does() -> None:
    locatie = _site()
    # A raw correction from before corrections were typed: a number for a name.
    locatie.when(RegistratieGecorrigeerd(1, {"naam": 12345}, "oud"))
    locatie.version += 1
    assert set(locatie.schendingen()) == {(1, "naam")}
    locatie.corrigeer(5, {"bedrag_euro": 31_000}, "factuur")  # unrelated: allowed
    with pytest.raises(OngeldigeWaarde):
        locatie.corrigeer(5, {"bedrag_euro": 0}, "fout")
    locatie.corrigeer(1, {"naam": "Gasfabriek Gouda"}, "naam hersteld")
    assert locatie.schendingen() == {}
    assert locatie.stand.naam == "Gasfabriek Gouda"


def test_every_correctable_field_is_validated_by_its_commands_schema() -> None:
    assert set(SCHEMA) == set(CORRIGEERBAAR)
    for soort, velden in CORRIGEERBAAR.items():
        assert velden <= set(SCHEMA[soort].model_fields), soort.__name__
