"""FastAPI dependencies of the locaties service. They are ``async``: each is cheap, and a sync
dependency would cost a hop to the thread pool and back."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from uuid import uuid4

from fastapi import Depends, Header, Query, Request

from services.locaties.bootstrap import Container
from services.locaties.domain.geometrie import CRS84, OngeldigeGeometrie, crs_naam
from services.locaties.service_layer.handlers import Actor
from shared.auth import CurrentPrincipal
from shared.http.problems import InvalidParam, ProblemError
from shared.tijd import controleer_tijdreis

_ETAG = re.compile(r'^(W/)?"(\d+)"$')


async def container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


Services = Annotated[Container, Depends(container)]


async def actor(
    principal: CurrentPrincipal,
    correlatie: Annotated[str | None, Header(alias="X-Correlation-ID", max_length=100)] = None,
) -> Actor:
    """Who acts in a command. The unit of work stamps them on the events by pseudonym only
    (the login stays in the erasable person store); a first-time caller becomes a person in
    the command's transaction, after the policy allowed it, so a refused or invalid request
    stores nothing."""
    return Actor(principal, correlatie or str(uuid4()))


CurrentActor = Annotated[Actor, Depends(actor)]


async def verwachte_versie(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match", description='De ETag van de versie die je wijzigt, bijvoorbeeld "3".'
        ),
    ] = None,
) -> int:
    if if_match is None:
        raise ProblemError(
            428,
            "Stuur de ETag van de locatie mee in If-Match (bijvoorbeeld "
            'If-Match: "3"), zodat een gelijktijdige wijziging niet verloren '
            "gaat.",
        )
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise ProblemError(
            400,
            f"If-Match {if_match!r} is geen ETag van deze API.",
            invalid_params=[InvalidParam(name="header.If-Match", reason='verwacht "<versie>"')],
        )
    return int(match.group(2))


ExpectedVersion = Annotated[int, Depends(verwachte_versie)]


def _crs(header: str, waarde: str | None) -> str:
    try:
        return crs_naam(waarde, CRS84)
    except OngeldigeGeometrie as exc:
        raise ProblemError(
            400, str(exc), invalid_params=[InvalidParam(name=f"header.{header}", reason=str(exc))]
        ) from exc


async def content_crs(
    content_crs: Annotated[str | None, Header(alias="Content-Crs")] = None,
) -> str:
    return _crs("Content-Crs", content_crs)


async def accept_crs(accept_crs: Annotated[str | None, Header(alias="Accept-Crs")] = None) -> str:
    return _crs("Accept-Crs", accept_crs)


ContentCrs = Annotated[str, Depends(content_crs)]
AcceptCrs = Annotated[str, Depends(accept_crs)]


def tijdreis(
    peildatum: Annotated[
        date | None,
        Query(description="Toestand op deze (besluit)datum; standaard de actuele toestand."),
    ] = None,
    kennisdatum: Annotated[
        date | None, Query(description="Zoals bekend aan het eind van deze dag (registratietijd).")
    ] = None,
) -> tuple[date | None, date | None]:
    try:
        controleer_tijdreis(peildatum, kennisdatum)
    except ValueError as exc:
        naam, reden = str(exc).split(": ", 1)
        raise ProblemError(
            400, f"{exc}.", invalid_params=[InvalidParam(name=f"query.{naam}", reason=reden)]
        ) from exc
    return peildatum, kennisdatum


Tijdreis = Annotated[tuple[date | None, date | None], Depends(tijdreis)]
