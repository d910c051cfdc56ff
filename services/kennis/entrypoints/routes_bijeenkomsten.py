"""/v1/bijeenkomsten and /v1/experts: meetings and the people who know."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from sqlalchemy import select

from services.kennis.adapters.tables import (
    bijeenkomsten,
    experts,
    kennisvragen,
)
from services.kennis.domain import commands
from services.kennis.domain.bijeenkomsten import Bijeenkomst
from services.kennis.domain.experts import Vraag, stel_voor
from services.kennis.domain.vocabulaire import Thema
from services.kennis.entrypoints import personen, schemas
from services.kennis.entrypoints.dependencies import ERRORS, Services, VraagId
from services.kennis.service_layer import messagebus
from shared import beleid
from shared.auth import CurrentPrincipal
from shared.http.actor import CurrentActor
from shared.http.idempotency import IdempotenteRoute
from shared.http.problems import ProblemError
from shared.privacy import ONBEKEND

router = APIRouter(route_class=IdempotenteRoute)


BijeenkomstId = Annotated[str, Path(alias="bijeenkomstId", pattern=r"^bk-[0-9a-f]{12}$")]
BIJEENKOMST_FOUTEN: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"description": "Bijeenkomst niet gevonden"},
}


def _bijeenkomst(bijeenkomst: Bijeenkomst) -> schemas.BijeenkomstOut:
    return schemas.BijeenkomstOut.model_validate(bijeenkomst.samenvatting())


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
    actor: CurrentActor,
) -> schemas.BijeenkomstOut:
    """Informatiebijeenkomst, workshop of informeel bestuurlijk overleg, gekoppeld aan de
    thema's en kennisvragen die ze dient (alleen het programma)."""
    cmd = commands.PlanBijeenkomst(
        body.soort, body.titel, body.datum, tuple(body.themas), tuple(body.vraag_ids)
    )
    bijeenkomst = messagebus.handle(cmd, services.uow(actor))
    response.headers["Location"] = f"/v1/bijeenkomsten/{bijeenkomst.id}"
    return _bijeenkomst(bijeenkomst)


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
    bijeenkomst_id: BijeenkomstId,
    services: Services,
    actor: CurrentActor,
    body: schemas.Aanmelding | None = None,
) -> schemas.BijeenkomstOut:
    """Aanmelden kan tot en met de dag zelf; een aanmelding uit een eerdere administratie
    draagt haar eigen datum."""
    cmd = commands.MeldAan(bijeenkomst_id, body.datum if body is not None else None)
    return _bijeenkomst(messagebus.handle(cmd, services.uow(actor)))


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
    actor: CurrentActor,
) -> schemas.BijeenkomstOut:
    """Wie van de aangemelden er was (het programma, op of na de dag), op login."""
    cmd = commands.RegistreerAanwezigheid(bijeenkomst_id, tuple(body.aanwezig))
    return _bijeenkomst(messagebus.handle(cmd, services.uow(actor)))


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
    actor: CurrentActor,
) -> schemas.BijeenkomstOut:
    """Een score van 1 tot 5, één keer, door wie aanwezig was."""
    cmd = commands.EvalueerBijeenkomst(bijeenkomst_id, body.score, body.opmerking, body.datum)
    return _bijeenkomst(messagebus.handle(cmd, services.uow(actor)))


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
    body: schemas.NieuweExpert,
    response: Response,
    services: Services,
    actor: CurrentActor,
) -> schemas.ExpertOut:
    """Een mens of organisatie met expertise op thema's, zodat schaarse bodemkennis vindbaar
    blijft (alleen het programma)."""
    cmd = commands.RegistreerExpert(
        body.naam, body.organisatie, tuple(body.themas), body.contact, body.datum
    )
    expert = messagebus.handle(cmd, services.uow(actor)).geregistreerd
    response.headers["Location"] = f"/v1/experts/{expert.expert_id}"
    return _expert(
        expert.expert_id,
        expert.persoon,
        expert.organisatie,
        list(expert.themas),
        personen.lees(services, [expert.persoon]),
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


def _expert(
    expert_id: str,
    persoon: str | None,
    organisatie: str | None,
    themas: list[str],
    wie: personen.Personen,
) -> schemas.ExpertOut:
    return schemas.ExpertOut(
        expert_id=expert_id,
        persoon=persoon or ONBEKEND,
        naam=wie.veld(persoon or "", expert_id, "naam"),
        organisatie=organisatie,
        themas=themas,
        contact=wie.veld(persoon or "", expert_id, "contact"),
    )


def _experts(services: Services) -> list[schemas.ExpertOut]:
    """Every expert with name and address from the person store, by name."""
    with services.sessions() as session:
        rijen = session.execute(select(experts)).all()
    wie = personen.lees(services, [r.persoon for r in rijen if r.persoon])
    uit = [_expert(r.expert_id, r.persoon, r.organisatie, list(r.themas), wie) for r in rijen]
    return sorted(uit, key=lambda e: (e.naam, e.expert_id))


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
    herkend aan zijn contactadres als login: dezelfde persoon, hetzelfde pseudoniem;
    geaccepteerde antwoorden tellen zwaarder), dan
    wie de meeste thema's van de vraag deelt. Per expert de vergelijkbare vragen die hij
    beantwoordde (geaccepteerde eerst) en de gedeelde thema's."""
    with services.sessions() as session:
        vragen = {r.vraag_id: _voor_voorstel(r) for r in session.execute(select(kennisvragen))}
    if vraag_id not in vragen:
        raise ProblemError(404, f"Er is geen kennisvraag {vraag_id}.")
    return [
        voorstel.expert.model_copy(
            update={
                "gedeelde_themas": voorstel.gedeelde_themas,
                "beantwoorde_vergelijkbare": voorstel.beantwoorde_vergelijkbare,
            }
        )
        for voorstel in stel_voor(vraag_id, vragen, _experts(services))
    ]


def _voor_voorstel(rij: Any) -> Vraag:
    return Vraag(
        f"{rij.titel} {rij.tekst}",
        tuple(rij.themas),
        tuple((a["door"], a["antwoordId"] == rij.geaccepteerd) for a in rij.antwoorden),
    )
