"""/v1/documenten, /v1/successen and /v1/zoeken: knowledge that stays available."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from services.kennis.adapters.tables import (
    zoekindex,
)
from services.kennis.adapters.zoeken import zoek
from services.kennis.domain import commands
from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.vocabulaire import Thema
from services.kennis.entrypoints import schemas
from services.kennis.entrypoints.dependencies import ERRORS, Services
from services.kennis.service_layer import messagebus
from shared import beleid
from shared.auth import CurrentPrincipal
from shared.http.actor import CurrentActor
from shared.http.idempotency import IdempotenteRoute

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
    actor: CurrentActor,
) -> schemas.Bijdrage:
    """Een handreiking, best practice of tips en trucs, zodat kennis beschikbaar blijft."""
    cmd = commands.PubliceerDocument(
        body.soort, body.titel, body.tekst, tuple(body.themas), body.datum
    )
    document = messagebus.handle(cmd, services.uow(actor)).gepubliceerd
    response.headers["Location"] = f"/v1/documenten/{document.document_id}"
    return schemas.Bijdrage(
        ref=document.document_id,
        soort=document.soort,
        titel=document.titel,
        tekst=document.tekst,
        themas=list(document.themas),
        organisatie=document.organisatie,
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
    actor: CurrentActor,
) -> schemas.Bijdrage:
    """Een beleidsinnovatie of klein succes van een bevoegd gezag: het podium voor koplopers."""
    cmd = commands.MeldSucces(body.titel, body.verhaal, tuple(body.themas), body.datum)
    succes = messagebus.handle(cmd, services.uow(actor)).gemeld
    response.headers["Location"] = f"/v1/successen/{succes.succes_id}"
    return schemas.Bijdrage(
        ref=succes.succes_id,
        soort="succes",
        titel=succes.titel,
        tekst=succes.verhaal,
        themas=list(succes.themas),
        organisatie=succes.bevoegd_gezag,
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
