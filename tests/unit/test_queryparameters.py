"""The shared declarations and refusals of query parameters (shared/http/queryparameters.py)."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.routing import APIRoute

from shared.http.problems import ProblemError
from shared.http.queryparameters import TIJDREIS_REGEL, controleer_tijdassen, datumparameter

VANDAAG = datetime.now(UTC).date()
MORGEN = VANDAAG + timedelta(days=1)


def _geweigerd(peildatum: date | None, kennisdatum: date | None, **kw: str) -> ProblemError:
    with pytest.raises(ProblemError) as fout:
        controleer_tijdassen(peildatum, kennisdatum, **kw)
    assert fout.value.status == 400
    return fout.value


def test_a_peildatum_in_the_future_is_refused_under_the_name_the_operation_gives_it() -> None:
    fout = _geweigerd(MORGEN, None, peildatum_heet="tot")
    assert [p.name for p in fout.invalid_params or []] == ["query.tot"]
    assert fout.detail == f"tot: {MORGEN} ligt in de toekomst."


def test_a_kennisdatum_before_the_peildatum_names_the_peildatum() -> None:
    fout = _geweigerd(date(2013, 1, 2), date(2013, 1, 1))
    assert [p.name for p in fout.invalid_params or []] == ["query.peildatum"]


def test_a_kennisdatum_in_the_future_names_the_kennisdatum() -> None:
    fout = _geweigerd(None, MORGEN, peildatum_heet="tot")
    assert [p.name for p in fout.invalid_params or []] == ["query.kennisdatum"]


def test_dates_that_keep_the_rules_pass() -> None:
    controleer_tijdassen(date(2013, 1, 1), VANDAAG)
    controleer_tijdassen(None, None)


def test_a_date_parameter_carries_its_rule_in_the_schema() -> None:
    query = datumparameter("Peildatum.", TIJDREIS_REGEL, alias="vorigePeildatum")
    assert query.alias == "vorigePeildatum"
    assert query.description == "Peildatum."
    assert query.json_schema_extra == {"x-domeinregel": TIJDREIS_REGEL}


def test_a_routes_declared_parameters_are_forgotten_with_the_route() -> None:
    """The names are kept per route object, not per ``id()``: an id is reused once its route
    is gone (tests build many apps), and a new route must not get a dead one's names."""
    from fastapi import APIRouter

    from shared.http import queryparameters

    router = APIRouter()

    @router.get("/dingen")
    async def dingen(soort: str | None = None) -> None:
        """Dingen."""

    (route,) = router.routes
    assert isinstance(route, APIRoute)
    voor = len(queryparameters._GEDECLAREERD)
    assert queryparameters._gedeclareerd(route) == {"soort"}
    assert len(queryparameters._GEDECLAREERD) == voor + 1
    del route, router, dingen
    gc.collect()
    assert len(queryparameters._GEDECLAREERD) == voor
