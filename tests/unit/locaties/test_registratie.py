"""Risks, knelpunten, money, transfer and corrections."""

from __future__ import annotations

from datetime import date

import pytest

from services.locaties.domain.model import OngeldigeWaarde, Spoedlocatie
from shared.vocabulaire import Knelpunt, RisicoType, Status
from tests.support.spoedlocatie import nieuwe_locatie


def test_registration_checks_the_bevoegd_gezag_and_its_municipality() -> None:
    with pytest.raises(OngeldigeWaarde, match="onbekend bevoegd gezag"):
        Spoedlocatie.registreer(
            "XX051300001", "XX", "0513", "n", "landbodem", (), None, date(2010, 1, 4)
        )
    with pytest.raises(OngeldigeWaarde, match="valt niet onder"):
        Spoedlocatie.registreer(
            "ZH036300001", "ZH", "0363", "n", "landbodem", (), None, date(2010, 1, 4)
        )


def test_a_risk_is_assessed_with_criteria_of_its_own_type() -> None:
    locatie = nieuwe_locatie()
    locatie.beoordeel_risico(
        RisicoType.HUMAAN, True, ("uitdamping-binnenlucht",), date(2010, 3, 1), ""
    )
    assert locatie.stand.risicos[RisicoType.HUMAAN].vastgesteld
    with pytest.raises(OngeldigeWaarde, match="geen criteria voor ecologisch"):
        locatie.beoordeel_risico(RisicoType.ECOLOGISCH, True, ("drijflaag",), date(2010, 3, 1), "")
    with pytest.raises(OngeldigeWaarde, match="minstens één"):
        locatie.beoordeel_risico(RisicoType.VERSPREIDING, True, (), date(2010, 3, 1), "")


def test_budget_and_costs_add_up() -> None:
    locatie = nieuwe_locatie()
    locatie.ken_budget_toe(100_000, date(2011, 1, 1), "convenant")
    locatie.ken_budget_toe(-20_000, date(2012, 1, 1), "herverdeling")
    locatie.boek_kosten(30_000, date(2012, 5, 1), "onderzoek")
    assert (locatie.stand.budget_euro, locatie.stand.kosten_euro) == (80_000, 30_000)
    with pytest.raises(OngeldigeWaarde):
        locatie.ken_budget_toe(-90_000, date(2012, 6, 1), "")
    with pytest.raises(OngeldigeWaarde):
        locatie.boek_kosten(0, date(2012, 6, 1), "")


def test_a_knelpunt_is_recorded() -> None:
    locatie = nieuwe_locatie()
    locatie.stel_knelpunt_vast(Knelpunt.FINANCIEEL, date(2014, 2, 1), "geen dekking")
    assert locatie.stand.knelpunt is Knelpunt.FINANCIEEL


def test_a_transfer_moves_the_site_to_another_bevoegd_gezag() -> None:
    locatie = nieuwe_locatie()
    locatie.draag_over("UT", date(2013, 1, 1), "herindeling")
    assert locatie.bevoegd_gezag == "UT"
    with pytest.raises(OngeldigeWaarde, match="al onder"):
        locatie.draag_over("UT", date(2013, 2, 1), "")
    with pytest.raises(OngeldigeWaarde, match="onbekend"):
        locatie.draag_over("QQ", date(2013, 2, 1), "")


def test_a_correction_is_its_own_event_and_changes_the_rebuilt_state() -> None:
    locatie = nieuwe_locatie()
    locatie.wijzig_status(Status.ONDERZOCHT, date(2010, 6, 1), "")
    locatie.wijzig_status(Status.ERNSTIG_SPOED, date(2011, 2, 1), "")
    locatie.corrigeer(3, {"besluitdatum": "2010-12-15"}, "typefout in datum")
    assert locatie.status_sinds == date(2010, 12, 15)
    assert locatie.version == 4
    assert locatie.pending[-1].event_type == "spoedlocatie-registratie-gecorrigeerd"
    assert locatie.pending[2].data["besluitdatum"] == "2011-02-01"  # the original stays


def test_a_correction_that_would_break_the_lifecycle_is_refused() -> None:
    locatie = nieuwe_locatie()
    locatie.wijzig_status(Status.ONDERZOCHT, date(2010, 6, 1), "")
    locatie.wijzig_status(Status.ERNSTIG_SPOED, date(2011, 2, 1), "")
    with pytest.raises(OngeldigeWaarde, match="klopt de historie niet"):
        locatie.corrigeer(2, {"naar": "niet-ernstig"}, "verkeerd besluit")
    with pytest.raises(OngeldigeWaarde, match="klopt de historie niet"):
        locatie.corrigeer(3, {"besluitdatum": "2010-01-01"}, "")
    with pytest.raises(OngeldigeWaarde, match="corrigeerbaar"):
        locatie.corrigeer(2, {"van": "x"}, "")
    with pytest.raises(OngeldigeWaarde, match="geen versie 9"):
        locatie.corrigeer(9, {"naam": "x"}, "")
    assert locatie.version == 3
