"""Unknown query parameters are refused with 400, naming them.

A typo (``?gemeentecode=`` for ``?gemeente=``, ``?knelpunt=`` on a list that has no such filter)
would otherwise be ignored and the caller would get the whole country back as if it were the
answer to the question asked. The app runs :func:`weiger_onbekende` before every operation; it
compares the query with the parameters the route itself declares (its own and those of its
dependencies, as FastAPI reads them), so the check follows every route without a list to keep.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.http.problems import InvalidParam, ProblemError


def _namen(dependant: Dependant) -> set[str]:
    namen = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        namen |= _namen(sub)
    return namen


_GEDECLAREERD: dict[int, frozenset[str]] = {}  # by id(route): routes live as long as the app


def _gedeclareerd(route: APIRoute) -> frozenset[str]:
    namen = _GEDECLAREERD.get(id(route))
    if namen is None:
        namen = _GEDECLAREERD[id(route)] = frozenset(_namen(route.dependant))
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
