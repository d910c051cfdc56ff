"""Query parameters: how they are declared and refused, alike in every service.

- :func:`datumparameter`: a date parameter's ``Query`` with its domain rule (``x-domeinregel``).
- :func:`ongeldig` and :func:`controleer_tijdassen`: a refused value is a 400 naming
  ``query.<parameter>`` and the reason; the two time axes are checked by ``shared.tijd``'s rules.
- :func:`weiger_onbekende`: unknown query parameters are refused with 400, naming them.

A typo (``?gemeentecode=`` for ``?gemeente=``, ``?knelpunt=`` on a list that has no such filter)
would otherwise be ignored and the caller would get the whole country back as if it were the
answer to the question asked. The app runs :func:`weiger_onbekende` before every operation; it
compares the query with the parameters the route itself declares (its own and those of its
dependencies, as FastAPI reads them), so the check follows every route without a list to keep.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from weakref import finalize

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.http.problems import InvalidParam, ProblemError
from shared.http.schematypen import domeinregel
from shared.tijd import controleer_tijdreis

TIJDREIS_REGEL = "niet in de toekomst; peildatum niet na kennisdatum"
"""What :func:`controleer_tijdassen` holds a peildatum and a kennisdatum to."""


def datumparameter(omschrijving: str, regel: str, *, alias: str | None = None) -> Any:
    """The ``Query`` of a date parameter (``Annotated[Datum | None, datumparameter(...)]``): its
    description, and the rule of the domain it is checked against, which JSON Schema cannot say
    (it depends on today or on another parameter), in ``x-domeinregel``."""
    return Query(alias=alias, description=omschrijving, json_schema_extra=domeinregel(regel))


def ongeldig(naam: str, reden: str, detail: str | None = None) -> ProblemError:
    """400 for query parameter ``naam``: why its value is refused (``detail``: the sentence the
    problem's detail gives instead of ``<naam>: <reden>``)."""
    return ProblemError(
        400,
        f"{detail or f'{naam}: {reden}'}.",
        invalid_params=[InvalidParam(name=f"query.{naam}", reason=reden)],
    )


def controleer_tijdassen(
    peildatum: date | None, kennisdatum: date | None, *, peildatum_heet: str = "peildatum"
) -> None:
    """``shared.tijd``'s rules for a peildatum and a kennisdatum (:data:`TIJDREIS_REGEL`); a
    value that breaks one is refused with 400 naming its parameter (``peildatum_heet``: the name
    the operation gives its peildatum, e.g. ``tot``)."""
    try:
        controleer_tijdreis(peildatum, kennisdatum)
    except ValueError as exc:
        naam, reden = str(exc).split(": ", 1)
        raise ongeldig(peildatum_heet if naam == "peildatum" else naam, reden) from exc


def _namen(dependant: Dependant) -> set[str]:
    namen = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        namen |= _namen(sub)
    return namen


# By id(route), each entry dropped when its route is collected: an id is reused once its route
# is gone (tests build many apps), and a new route would then be checked against a dead one's
# names. (A route compares by value, so it cannot key a WeakKeyDictionary.)
_GEDECLAREERD: dict[int, frozenset[str]] = {}


def _gedeclareerd(route: APIRoute) -> frozenset[str]:
    namen = _GEDECLAREERD.get(id(route))
    if namen is None:
        namen = _GEDECLAREERD[id(route)] = frozenset(_namen(route.dependant))
        finalize(route, _GEDECLAREERD.pop, id(route), None)
    return namen


async def weiger_onbekende(request: Request) -> None:
    """400 problem+json when the query names a parameter the operation does not have."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    bekend = _gedeclareerd(route)
    onbekend = sorted({naam for naam in request.query_params} - bekend)
    if not onbekend:
        return
    kent = ", ".join(sorted(bekend)) or "geen"
    reden = f"onbekende parameter; deze operatie kent: {kent}"
    raise ProblemError(
        400,
        f"Onbekende queryparameter(s): {', '.join(onbekend)}. Deze operatie kent: {kent}.",
        invalid_params=[InvalidParam(name=f"query.{naam}", reason=reden) for naam in onbekend],
    )
