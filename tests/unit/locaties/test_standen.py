"""The state of a site folded from its events (services/locaties/domain/standen.py): a pure
step, the state on a peildatum with corrections applied, and no time travel left in the
aggregate (the projection's rows and the single read fold the events themselves)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from services.locaties.adapters.projection import rij, stand_rij, tijdlijn
from services.locaties.domain import standen
from services.locaties.domain.model import Spoedlocatie
from shared.vocabulaire import Status
from tests.support.spoedlocatie import nieuwe_locatie


def _site() -> Spoedlocatie:
    locatie = nieuwe_locatie()  # v1, registered 4 Jan 2010
    locatie.wijzig_status(Status.ONDERZOCHT, date(2011, 6, 1), "")  # v2
    locatie.ken_budget_toe(100_000, date(2012, 1, 1), "convenant")  # v3
    return locatie


def test_een_stap_laat_de_vorige_stand_zoals_hij_was() -> None:
    locatie = _site()
    voor = standen.huidig(locatie.history[:1])
    kopie = dataclasses.replace(voor)
    na = standen.stap(voor, locatie.history[1])
    assert na.status is Status.ONDERZOCHT and len(na.statushistorie) == 2
    assert voor == kopie and voor.status is Status.POTENTIEEL_SPOED


def test_de_stand_op_een_peildatum_telt_alleen_wat_toen_besloten_was() -> None:
    history = _site().history
    assert standen.op_peildatum(history, date(2010, 1, 3)) is None
    op_registratie = standen.op_peildatum(history, date(2010, 1, 4))
    assert op_registratie is not None and op_registratie.status is Status.POTENTIEEL_SPOED
    toen = standen.op_peildatum(history, date(2011, 12, 31))
    assert toen is not None
    assert (toen.status, toen.budget_euro) == (Status.ONDERZOCHT, 0)
    assert standen.op_peildatum(history, date(2012, 1, 1)) == standen.huidig(history)
    assert standen.peildata(history) == [date(2010, 1, 4), date(2011, 6, 1), date(2012, 1, 1)]


def test_een_correctie_verschuift_de_stand_op_een_peildatum() -> None:
    locatie = _site()
    locatie.corrigeer(2, {"besluitdatum": "2012-06-01"}, "besluit later genomen")  # v4
    toen = standen.op_peildatum(locatie.history, date(2011, 12, 31))
    assert toen is not None and toen.status is Status.POTENTIEEL_SPOED
    assert standen.peildata(locatie.history)[-1] == date(2012, 6, 1)
    # The history up to the correction still says what was recorded then.
    voor = standen.op_peildatum(locatie.history[:3], date(2011, 12, 31))
    assert voor is not None and voor.status is Status.ONDERZOCHT


def test_het_aggregaat_houdt_alleen_de_actuele_stand_bij() -> None:
    locatie = _site()
    assert locatie.stand == standen.huidig(locatie.history)
    for tijdreis in ("op_peildatum", "peildata", "t"):
        assert not hasattr(locatie, tijdreis)


def test_de_standen_komen_uit_de_gebeurtenissen_alleen() -> None:
    """The bitemporal rows need nothing but the events: one row per business-date interval."""
    locatie = _site()
    rijen = tijdlijn(locatie.id, list(locatie.history))
    assert [(r["geldig_vanaf"], r["geldig_tot"], r["status"], r["budget_euro"]) for r in rijen] == [
        (date(2010, 1, 4), date(2011, 6, 1), "potentieel-spoed", 0),
        (date(2011, 6, 1), date(2012, 1, 1), "onderzocht", 0),
        (date(2012, 1, 1), None, "onderzocht", 100_000),
    ]
    nu = rij(locatie)
    assert {k: nu[k] for k in rijen[-1] if k in nu} == {
        k: v for k, v in rijen[-1].items() if k in nu
    }
    assert nu == {
        **stand_rij(locatie.id, 3, standen.huidig(locatie.history)),
        "bijgewerkt_op": nu["bijgewerkt_op"],
    }


def test_the_fast_copy_equals_dataclasses_replace_and_refuses_unknown_fields() -> None:
    from services.locaties.domain.standen import Toestand, _met

    basis = Toestand(naam="a", budget_euro=5, budgetregels=((date(2010, 1, 1), 5),))
    for veld in dataclasses.fields(Toestand):
        waarde: Any = object()
        assert _met(basis, **{veld.name: waarde}) == dataclasses.replace(
            basis, **{veld.name: waarde}
        )
    assert basis.naam == "a"  # the original is untouched
    with pytest.raises(TypeError):
        _met(basis, bestaat_niet=1)
