"""FastAPI dependencies of the locaties service. They are ``async``: each is cheap, and a sync
dependency would cost a hop to the thread pool and back."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from uuid import uuid4

from fastapi import Depends, Header, Request

from services.locaties.bootstrap import Container
from services.locaties.domain.geometrie import CRS84, OngeldigeGeometrie, crs_naam
from services.locaties.service_layer.handlers import Actor
from shared.auth import CurrentPrincipal
from shared.http.logs import CORRELATIE_PATROON
from shared.http.problems import InvalidParam, ProblemError
from shared.http.queryparameters import TIJDREIS_REGEL, controleer_tijdassen, datumparameter
from shared.http.schematypen import Datum

ETAG_PATROON = r'^(W/)?"([0-9]+)"$'
_ETAG = re.compile(ETAG_PATROON)


async def container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


Services = Annotated[Container, Depends(container)]


async def actor(
    principal: CurrentPrincipal,
    correlatie: Annotated[
        str | None, Header(alias="X-Correlation-ID", max_length=100, pattern=CORRELATIE_PATROON)
    ] = None,
) -> Actor:
    """Who acts in a command. The unit of work stamps them on the events by pseudonym only
    (the login stays in the erasable person store); a first-time caller becomes a person in
    the command's transaction, after the policy allowed it, so a refused or invalid request
    stores nothing."""
    return Actor(principal, correlatie or str(uuid4()))


CurrentActor = Annotated[Actor, Depends(actor)]


async def verwachte_versie(
    if_match: Annotated[
        str,
        Header(
            alias="If-Match",
            description='De ETag van de versie die je wijzigt, bijvoorbeeld "3". Zonder: 428.',
            pattern=ETAG_PATROON,
        ),
    ],
) -> int:
    # Missing: 428 (shared/http/problems.py answers a missing precondition header so).
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


# The two CRSs, in any case (crs_naam compares case-insensitively); empty means the default.
CRS_PATROON = r"^([Ee][Pp][Ss][Gg]:28992|[Oo][Gg][Cc]:[Cc][Rr][Ss]84)?$"


async def content_crs(
    content_crs: Annotated[
        str | None,
        Header(
            alias="Content-Crs",
            pattern=CRS_PATROON,
            description="Het CRS van de geometrie in de body: EPSG:28992 (RD) of OGC:CRS84 "
            "(standaard).",
        ),
    ] = None,
) -> str:
    return _crs("Content-Crs", content_crs)


async def accept_crs(
    accept_crs: Annotated[
        str | None,
        Header(
            alias="Accept-Crs",
            pattern=CRS_PATROON,
            description="Het CRS van de geometrie in het antwoord: EPSG:28992 (RD) of "
            "OGC:CRS84 (standaard).",
        ),
    ] = None,
) -> str:
    return _crs("Accept-Crs", accept_crs)


ContentCrs = Annotated[str, Depends(content_crs)]
AcceptCrs = Annotated[str, Depends(accept_crs)]


def tijdreis(
    peildatum: Annotated[
        Datum | None,
        datumparameter(
            "Toestand op deze (besluit)datum; standaard de actuele toestand. Niet in de toekomst.",
            TIJDREIS_REGEL,
        ),
    ] = None,
    kennisdatum: Annotated[
        Datum | None,
        datumparameter(
            "Zoals bekend aan het eind van deze dag (registratietijd). Niet in de "
            "toekomst, niet voor de peildatum.",
            TIJDREIS_REGEL,
        ),
    ] = None,
) -> tuple[date | None, date | None]:
    controleer_tijdassen(peildatum, kennisdatum)
    return peildatum, kennisdatum


Tijdreis = Annotated[tuple[date | None, date | None], Depends(tijdreis)]
