"""/v1/documenten, /v1/successen and /v1/zoeken: knowledge that stays available."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from services.kennis.adapters.tables import (
    zoekindex,
)
from services.kennis.adapters.zoeken import zoek
from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.vocabulaire import Thema
from services.kennis.entrypoints import schemas
from services.kennis.entrypoints.dependencies import ERRORS, PseudonymousPrincipal, Services, meta
from services.kennis.service_layer import handlers
from shared import beleid
from shared.auth import CurrentPrincipal
from shared.http.idempotentie import IdempotenteRoute

router = APIRouter(route_class=IdempotenteRoute)


def _bijdragen(
    services: Services, soorten: tuple[str, ...], thema: Thema | None
) -> list[schemas.Bijdrage]:
    with services.sessions() as session:
        rijen = session.execute(
            select(zoekindex)
            .where(zoekindex.c.soort.in_(soorten))
            .order_by(zoekindex.c.vastgelegd_op.desc())
        ).all()
    return [
        schemas.Bijdrage(
            ref=r.ref,
            soort=r.soort,
            titel=r.titel,
            tekst=r.tekst,
            themas=list(r.themas),
            organisatie=r.organisatie,
        )
        for r in rijen
        if thema is None or str(thema) in r.themas
    ]


@router.post(
    "/documenten",
    status_code=201,
    response_model=schemas.Bijdrage,
    summary="Publiceer een document",
    openapi_extra=beleid.openapi_extra("kennis.publiceer_document"),
    tags=["Documenten"],
    responses={401: ERRORS[401]},
)
def publiceer(
    body: schemas.NieuwDocument,
    response: Response,
    services: Services,
    principal: PseudonymousPrincipal,
) -> schemas.Bijdrage:
    """Een handreiking, best practice of tips en trucs, zodat kennis beschikbaar blijft."""
    d = handlers.publiceer_document(
        services.uow(),
        body.soort,
        body.titel,
        body.tekst,
        tuple(body.themas),
        principal,
        meta(principal),
    ).gepubliceerd
    response.headers["Location"] = f"/v1/documenten/{d.document_id}"
    return schemas.Bijdrage(
        ref=d.document_id,
        soort=d.soort,
        titel=d.titel,
        tekst=d.tekst,
        themas=list(d.themas),
        organisatie=d.organisatie,
    )


@router.get(
    "/documenten",
    response_model=list[schemas.Bijdrage],
    summary="Documenten",
    tags=["Documenten"],
    responses={401: ERRORS[401]},
)
def documenten(
    services: Services, principal: CurrentPrincipal, thema: Thema | None = None
) -> list[schemas.Bijdrage]:
    """Handreikingen, best practices en tips, nieuwste eerst."""
    return _bijdragen(services, tuple(str(s) for s in DocumentSoort), thema)


@router.post(
    "/successen",
    status_code=201,
    response_model=schemas.Bijdrage,
    summary="Meld een succes",
    openapi_extra=beleid.openapi_extra("kennis.meld_succes"),
    tags=["Successen"],
    responses={401: ERRORS[401], 403: ERRORS[403]},
)
def meld(
    body: schemas.NieuwSucces,
    response: Response,
    services: Services,
    principal: PseudonymousPrincipal,
) -> schemas.Bijdrage:
    """Een beleidsinnovatie of klein succes van een bevoegd gezag: het podium voor koplopers."""
    s = handlers.meld_succes(
        services.uow(), body.titel, body.verhaal, tuple(body.themas), principal, meta(principal)
    ).gemeld
    response.headers["Location"] = f"/v1/successen/{s.succes_id}"
    return schemas.Bijdrage(
        ref=s.succes_id,
        soort="succes",
        titel=s.titel,
        tekst=s.verhaal,
        themas=list(s.themas),
        organisatie=s.bevoegd_gezag,
    )


@router.get(
    "/successen",
    response_model=list[schemas.Bijdrage],
    summary="Successen",
    tags=["Successen"],
    responses={401: ERRORS[401]},
)
def successen(
    services: Services, principal: CurrentPrincipal, thema: Thema | None = None
) -> list[schemas.Bijdrage]:
    """Gemelde successen, nieuwste eerst."""
    return _bijdragen(services, ("succes",), thema)


@router.get(
    "/zoeken",
    response_model=list[schemas.Treffer],
    summary="Zoek in de kennis",
    tags=["Zoeken"],
    responses={401: ERRORS[401]},
)
def zoeken(
    services: Services,
    principal: CurrentPrincipal,
    q: Annotated[
        str, Query(min_length=2, max_length=200, description="Zoekwoorden in het Nederlands.")
    ],
    limiet: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[schemas.Treffer]:
    """Zoekt in vragen en antwoorden, documenten en successen, met Nederlandse stamvormen
    (saneringen vindt sanering), best passende eerst."""
    with services.sessions() as session:
        return [
            schemas.Treffer(ref=t.ref, soort=t.soort, titel=t.titel, score=t.score)
            for t in zoek(session, q, limiet)
        ]
