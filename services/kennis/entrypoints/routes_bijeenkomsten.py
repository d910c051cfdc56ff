"""/v1/bijeenkomsten and /v1/experts: meetings and the people who know."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from sqlalchemy import select

from services.kennis.adapters.tables import (
    bijeenkomsten,
    experts,
    kennisvragen,
)
from services.kennis.domain.bijeenkomsten import Bijeenkomst
from services.kennis.domain.gelijkenis import rangschik
from services.kennis.domain.vocabulaire import Thema
from services.kennis.entrypoints import schemas
from services.kennis.entrypoints.dependencies import ERRORS, Services, VraagId, meta
from services.kennis.service_layer import handlers
from shared import beleid
from shared.auth import CurrentPrincipal
from shared.http.problems import ProblemError

router = APIRouter()


BijeenkomstId = Annotated[str, Path(alias="bijeenkomstId", pattern=r"^bk-[0-9a-f]{12}$")]
BIJEENKOMST_FOUTEN: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"description": "Bijeenkomst niet gevonden"},
}


def _bijeenkomst(b: Bijeenkomst) -> schemas.BijeenkomstOut:
    return schemas.BijeenkomstOut.model_validate(b.samenvatting())


@router.post(
    "/bijeenkomsten",
    status_code=201,
    response_model=schemas.BijeenkomstOut,
    summary="Plan een bijeenkomst",
    openapi_extra=beleid.openapi_extra("kennis.plan_bijeenkomst"),
    tags=["Bijeenkomsten"],
    responses=ERRORS,
)
def plan(
    body: schemas.NieuweBijeenkomst,
    response: Response,
    services: Services,
    principal: CurrentPrincipal,
) -> schemas.BijeenkomstOut:
    """Informatiebijeenkomst, workshop of informeel bestuurlijk overleg, gekoppeld aan de
    thema's en kennisvragen die ze dient (alleen het programma)."""
    b = handlers.plan_bijeenkomst(
        services.uow(),
        body.soort,
        body.titel,
        body.datum,
        tuple(body.themas),
        tuple(body.vraag_ids),
        principal,
        meta(principal),
    )
    response.headers["Location"] = f"/v1/bijeenkomsten/{b.id}"
    return _bijeenkomst(b)


@router.get(
    "/bijeenkomsten",
    response_model=list[schemas.BijeenkomstOut],
    summary="Bijeenkomsten",
    tags=["Bijeenkomsten"],
    responses={401: ERRORS[401]},
)
def bijeenkomsten_lijst(
    services: Services, principal: CurrentPrincipal
) -> list[schemas.BijeenkomstOut]:
    """Alle bijeenkomsten, nieuwste eerst, met aanmeldingen, aanwezigheid en evaluatie."""
    with services.sessions() as session:
        rijen = (
            session.execute(
                select(bijeenkomsten.c.samenvatting).order_by(bijeenkomsten.c.datum.desc())
            )
            .scalars()
            .all()
        )
    return [schemas.BijeenkomstOut.model_validate(r) for r in rijen]


@router.post(
    "/bijeenkomsten/{bijeenkomstId}/aanmeldingen",
    status_code=201,
    response_model=schemas.BijeenkomstOut,
    summary="Meld je aan",
    openapi_extra=beleid.openapi_extra("kennis.meld_aan"),
    tags=["Bijeenkomsten"],
    responses=BIJEENKOMST_FOUTEN,
)
def meld_aan(
    bijeenkomst_id: BijeenkomstId, services: Services, principal: CurrentPrincipal
) -> schemas.BijeenkomstOut:
    """Aanmelden kan tot en met de dag zelf."""
    vandaag = datetime.now(UTC).date()
    return _bijeenkomst(
        handlers.meld_aan(services.uow(), bijeenkomst_id, vandaag, principal, meta(principal))
    )


@router.post(
    "/bijeenkomsten/{bijeenkomstId}/aanwezigheden",
    status_code=201,
    response_model=schemas.BijeenkomstOut,
    summary="Registreer de aanwezigheid",
    openapi_extra=beleid.openapi_extra("kennis.registreer_aanwezigheid"),
    tags=["Bijeenkomsten"],
    responses=BIJEENKOMST_FOUTEN,
)
def aanwezigheid(
    bijeenkomst_id: BijeenkomstId,
    body: schemas.Aanwezigheid,
    services: Services,
    principal: CurrentPrincipal,
) -> schemas.BijeenkomstOut:
    """Wie van de aangemelden er was (het programma, op of na de dag)."""
    vandaag = datetime.now(UTC).date()
    return _bijeenkomst(
        handlers.registreer_aanwezigheid(
            services.uow(),
            bijeenkomst_id,
            tuple(body.aanwezig),
            vandaag,
            principal,
            meta(principal),
        )
    )


@router.post(
    "/bijeenkomsten/{bijeenkomstId}/evaluaties",
    status_code=201,
    response_model=schemas.BijeenkomstOut,
    summary="Evalueer een bijeenkomst",
    openapi_extra=beleid.openapi_extra("kennis.evalueer"),
    tags=["Bijeenkomsten"],
    responses=BIJEENKOMST_FOUTEN,
)
def evalueer(
    bijeenkomst_id: BijeenkomstId,
    body: schemas.Evaluatie,
    services: Services,
    principal: CurrentPrincipal,
) -> schemas.BijeenkomstOut:
    """Een score van 1 tot 5, één keer, door wie aanwezig was."""
    return _bijeenkomst(
        handlers.evalueer(
            services.uow(),
            bijeenkomst_id,
            body.score,
            body.opmerking,
            principal,
            meta(principal),
        )
    )


@router.post(
    "/experts",
    status_code=201,
    response_model=schemas.ExpertOut,
    summary="Registreer een expert",
    openapi_extra=beleid.openapi_extra("kennis.registreer_expert"),
    tags=["Experts"],
    responses=ERRORS,
)
def registreer_expert(
    body: schemas.NieuweExpert, response: Response, services: Services, principal: CurrentPrincipal
) -> schemas.ExpertOut:
    """Een mens of organisatie met expertise op thema's, zodat schaarse bodemkennis vindbaar
    blijft (alleen het programma)."""
    g = handlers.registreer_expert(
        services.uow(),
        body.naam,
        body.organisatie,
        tuple(body.themas),
        body.contact,
        principal,
        meta(principal),
    ).geregistreerd
    response.headers["Location"] = f"/v1/experts/{g.expert_id}"
    return schemas.ExpertOut(
        expert_id=g.expert_id,
        naam=g.naam,
        organisatie=g.organisatie,
        themas=list(g.themas),
        contact=g.contact,
    )


@router.get(
    "/experts",
    response_model=list[schemas.ExpertOut],
    summary="Experts",
    tags=["Experts"],
    responses={401: ERRORS[401]},
)
def experts_lijst(
    services: Services, principal: CurrentPrincipal, thema: Thema | None = None
) -> list[schemas.ExpertOut]:
    """Experts, te filteren op thema."""
    return [e for e in _experts(services) if thema is None or str(thema) in e.themas]


def _experts(services: Services) -> list[schemas.ExpertOut]:
    with services.sessions() as session:
        rijen = session.execute(select(experts).order_by(experts.c.naam)).all()
    return [
        schemas.ExpertOut(
            expert_id=r.expert_id,
            naam=r.naam,
            organisatie=r.organisatie,
            themas=list(r.themas),
            contact=r.contact,
        )
        for r in rijen
    ]


@router.get(
    "/kennisvragen/{vraagId}/experts",
    response_model=list[schemas.ExpertOut],
    summary="Voorgestelde experts",
    tags=["Experts"],
    responses=ERRORS,
)
def voorgestelde_experts(
    vraag_id: VraagId, services: Services, principal: CurrentPrincipal
) -> list[schemas.ExpertOut]:
    """Experts voor deze vraag. Eerst wie vergelijkbare vragen al beantwoordde (een expert is
    herkend aan zijn contactadres als account; geaccepteerde antwoorden tellen zwaarder), dan
    wie de meeste thema's van de vraag deelt. Per expert de vergelijkbare vragen die hij
    beantwoordde (geaccepteerde eerst) en de gedeelde thema's."""
    with services.sessions() as session:
        vragen = {r.vraag_id: r for r in session.execute(select(kennisvragen))}
    doel = vragen.get(vraag_id)
    if doel is None:
        raise ProblemError(404, f"Er is geen kennisvraag {vraag_id}.")
    kandidaten = {k: f"{r.titel} {r.tekst}" for k, r in vragen.items() if k != vraag_id}
    # Per account: the similar questions it answered, and whether that answer was accepted.
    hulp: dict[str, dict[str, bool]] = {}
    for k, _, _ in rangschik(f"{doel.titel} {doel.tekst}", kandidaten)[:VERGELIJKBAAR]:
        for a in vragen[k].antwoorden:
            geaccepteerd = a["antwoordId"] == vragen[k].geaccepteerd
            per_vraag = hulp.setdefault(a["door"].lower(), {})
            per_vraag[k] = per_vraag.get(k, False) or geaccepteerd
    uit = []
    for e in _experts(services):
        gedeeld = sorted(set(e.themas) & set(doel.themas))
        beantwoord = hulp.get(e.contact.lower(), {})
        if gedeeld or beantwoord:
            volgorde = sorted(beantwoord, key=lambda k: (not beantwoord[k], k))
            uit.append(
                e.model_copy(
                    update={"gedeelde_themas": gedeeld, "beantwoorde_vergelijkbare": volgorde}
                )
            )

    def rang(e: schemas.ExpertOut) -> tuple[int, int, int, str]:
        beantwoord = hulp.get(e.contact.lower(), {})
        return (-sum(beantwoord.values()), -len(beantwoord), -len(e.gedeelde_themas), e.naam)

    return sorted(uit, key=rang)


# How many of the most similar questions count when looking for who answered them.
VERGELIJKBAAR = 10
