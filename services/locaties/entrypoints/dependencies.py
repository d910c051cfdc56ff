"""FastAPI dependencies of the locaties service."""

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
from shared.eventstore import EventMetadata
from shared.http.problems import InvalidParam, ProblemError
from shared.tijd import controleer_tijdreis

_ETAG = re.compile(r'^(W/)?"(\d+)"$')


def container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


Services = Annotated[Container, Depends(container)]


def actor(
    principal: CurrentPrincipal,
    services: Services,
    correlatie: Annotated[str | None, Header(alias="X-Correlation-ID", max_length=100)] = None,
) -> Actor:
    """Who acts in a command. The events name them by pseudonym only (the login stays in the
    erasable person store). This only looks the pseudonym up: a first-time caller becomes a
    person in the command's transaction, after the policy allowed it (handlers.Actor.nieuw),
    so a refused or invalid request stores nothing."""
    pseudoniem, nieuw = services.wie(principal.sub)
    meta = EventMetadata(
        actor=pseudoniem,
        organisation=principal.organisatie,
        role=str(principal.rol),
        correlation_id=correlatie or str(uuid4()),
    )
    return Actor(principal, meta, nieuw)


CurrentActor = Annotated[Actor, Depends(actor)]


def verwachte_versie(
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


def content_crs(content_crs: Annotated[str | None, Header(alias="Content-Crs")] = None) -> str:
    return _crs("Content-Crs", content_crs)


def accept_crs(accept_crs: Annotated[str | None, Header(alias="Accept-Crs")] = None) -> str:
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
