"""/v1/kennisvragen and /v1/koplopers: questions from the field, answers, acceptance,
similar questions, combining them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from services.kennis.adapters.tables import bijdragen, kennisvragen, locatie_standen
from services.kennis.domain import commands
from services.kennis.domain.gelijkenis import rangschik
from services.kennis.domain.koplopers import bepaal, standen_op, tot_en_met
from services.kennis.domain.model import Kennisvraag
from services.kennis.domain.vocabulaire import Thema, VraagStatus
from services.kennis.entrypoints import personen, schemas
from services.kennis.entrypoints.dependencies import ERRORS, Services, VraagId
from services.kennis.service_layer import messagebus
from shared import beleid
from shared.auth import CurrentPrincipal, Principal
from shared.http.actor import CurrentActor
from shared.http.idempotency import IdempotenteRoute
from shared.http.problems import ProblemError
from shared.http.queryparameters import controleer_tijdassen, datumparameter
from shared.http.schematypen import Datum

router = APIRouter(tags=["Kennisvragen"], route_class=IdempotenteRoute)


def _out(
    services: Services, vraag: Kennisvraag, principal: Principal, groep_id: str | None = None
) -> schemas.VraagOut:
    toestand = vraag.toestand
    wie = personen.lees(
        services, [toestand.gesteld_door, *(a.door for a in toestand.antwoorden)], principal
    )
    return schemas.VraagOut(
        vraag_id=vraag.id,
        titel=toestand.titel,
        tekst=toestand.tekst,
        themas=list(toestand.themas),
        gesteld_door=wie.login(toestand.gesteld_door),
        organisatie=toestand.organisatie,
        status=toestand.status,
        antwoorden=[
            schemas.AntwoordOut(
                antwoord_id=antwoord.antwoord_id,
                tekst=antwoord.tekst,
                door=wie.login(antwoord.door),
                organisatie=antwoord.organisatie,
            )
            for antwoord in toestand.antwoorden
        ],
        geaccepteerd=toestand.geaccepteerd,
        groep_id=groep_id,
        versie=vraag.version,
    )


def _van_rij(r: Any, wie: personen.Personen) -> schemas.VraagOut:
    return schemas.VraagOut(
        vraag_id=r.vraag_id,
        titel=r.titel,
        tekst=r.tekst,
        themas=list(r.themas),
        gesteld_door=wie.login(r.gesteld_door),
        organisatie=r.organisatie,
        status=r.status,
        antwoorden=[
            schemas.AntwoordOut.model_validate({**a, "door": wie.login(a["door"])})
            for a in r.antwoorden
        ],
        geaccepteerd=r.geaccepteerd,
        groep_id=r.groep_id,
        versie=r.versie,
    )


@router.post(
    "/kennisvragen",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Stel een kennisvraag",
    openapi_extra=beleid.openapi_extra("kennis.stel_vraag"),
    responses={401: ERRORS[401]},
)
def stel(
    body: schemas.NieuweVraag,
    response: Response,
    services: Services,
    actor: CurrentActor,
) -> schemas.VraagOut:
    """Een vraag uit het veld, op een of meer thema's van de beleidstransitie."""
    cmd = commands.StelVraag(body.titel, body.tekst, tuple(body.themas), body.datum)
    vraag = messagebus.handle(cmd, services.uow(actor))
    response.headers["Location"] = f"/v1/kennisvragen/{vraag.id}"
    return _out(services, vraag, actor.principal)


@router.get(
    "/kennisvragen",
    response_model=list[schemas.VraagOut],
    summary="Kennisvragen",
    responses={401: ERRORS[401]},
)
def lijst(
    services: Services,
    principal: CurrentPrincipal,
    thema: Thema | None = None,
    status: VraagStatus | None = None,
    limiet: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[schemas.VraagOut]:
    """Kennisvragen, nieuwste eerst, te filteren op thema en status."""
    query = select(kennisvragen).order_by(kennisvragen.c.gesteld_op.desc())
    if status is not None:
        query = query.where(kennisvragen.c.status == str(status))
    with services.sessions() as session:
        rijen = session.execute(query).all()
    rijen = [r for r in rijen if thema is None or str(thema) in r.themas][:limiet]
    wie = personen.lees(
        services,
        [p for r in rijen for p in (r.gesteld_door, *(a["door"] for a in r.antwoorden))],
        principal,
    )
    return [_van_rij(r, wie) for r in rijen]


@router.get(
    "/kennisvragen/{vraagId}",
    response_model=schemas.VraagOut,
    summary="Eén kennisvraag",
    responses=ERRORS,
)
def een(vraag_id: VraagId, services: Services, principal: CurrentPrincipal) -> schemas.VraagOut:
    """De vraag met haar antwoorden, herbouwd uit de gebeurtenissen."""
    with services.sessions() as session:
        groep = session.execute(
            select(kennisvragen.c.groep_id).where(kennisvragen.c.vraag_id == vraag_id)
        ).scalar()
    with services.uow() as uow:
        vraag = uow.vragen.get(vraag_id)
    return _out(services, vraag, principal, groep)


@router.post(
    "/kennisvragen/{vraagId}/antwoorden",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Beantwoord een kennisvraag",
    openapi_extra=beleid.openapi_extra("kennis.beantwoord"),
    responses=ERRORS,
)
def antwoord(
    vraag_id: VraagId,
    body: schemas.NieuwAntwoord,
    response: Response,
    services: Services,
    actor: CurrentActor,
) -> schemas.VraagOut:
    """Iedereen met een account kan antwoorden, zolang de vraag niet gesloten is."""
    cmd = commands.BeantwoordVraag(vraag_id, body.tekst, body.datum)
    vraag = messagebus.handle(cmd, services.uow(actor))
    antwoord_id = vraag.toestand.antwoorden[-1].antwoord_id
    response.headers["Location"] = f"/v1/kennisvragen/{vraag_id}#{antwoord_id}"
    return _out(services, vraag, actor.principal)


@router.post(
    "/kennisvragen/{vraagId}/acceptaties",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Accepteer een antwoord",
    openapi_extra=beleid.openapi_extra("kennis.accepteer"),
    responses=ERRORS,
)
def accepteer(
    vraag_id: VraagId,
    body: schemas.Acceptatie,
    services: Services,
    actor: CurrentActor,
) -> schemas.VraagOut:
    """De vrager (of het programma) accepteert één antwoord; de vraag is dan beantwoord."""
    cmd = commands.AccepteerAntwoord(vraag_id, body.antwoord_id, body.datum)
    return _out(services, messagebus.handle(cmd, services.uow(actor)), actor.principal)


@router.post(
    "/kennisvragen/{vraagId}/sluitingen",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Sluit een kennisvraag",
    openapi_extra=beleid.openapi_extra("kennis.sluit"),
    responses=ERRORS,
)
def sluit(
    vraag_id: VraagId, body: schemas.Sluiting, services: Services, actor: CurrentActor
) -> schemas.VraagOut:
    """De vrager (of het programma) sluit de vraag; daarna kan niemand meer antwoorden."""
    cmd = commands.SluitVraag(vraag_id, body.reden, body.datum)
    return _out(services, messagebus.handle(cmd, services.uow(actor)), actor.principal)


@router.get(
    "/kennisvragen/{vraagId}/vergelijkbare",
    response_model=list[schemas.Vergelijkbaar],
    summary="Vergelijkbare vragen",
    responses=ERRORS,
)
def vergelijkbare(
    vraag_id: VraagId,
    services: Services,
    principal: CurrentPrincipal,
    limiet: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[schemas.Vergelijkbaar]:
    """Vragen uit andere regio's die op deze lijken, best passende eerst, met de woorden waarop
    ze overeenkomen: zo kan het programma één keer antwoorden in plaats van vele keren."""
    with services.sessions() as session:
        rijen = {
            r.vraag_id: r
            for r in session.execute(
                select(kennisvragen.c.vraag_id, kennisvragen.c.titel, kennisvragen.c.tekst)
            )
        }
    if vraag_id not in rijen:
        raise ProblemError(404, f"Er is geen kennisvraag {vraag_id}.")
    doel = rijen[vraag_id]
    kandidaten = {k: f"{r.titel} {r.tekst}" for k, r in rijen.items() if k != vraag_id}
    return [
        schemas.Vergelijkbaar(vraag_id=k, titel=rijen[k].titel, score=s, gedeeld=g)
        for k, s, g in rangschik(f"{doel.titel} {doel.tekst}", kandidaten)[:limiet]
    ]


@router.post(
    "/vraaggroepen",
    status_code=201,
    response_model=schemas.GroepOut,
    summary="Combineer vergelijkbare vragen",
    openapi_extra=beleid.openapi_extra("kennis.combineer"),
    responses={**ERRORS, 404: {"description": "Onbekende vraag"}},
)
def combineer(
    body: schemas.NieuweGroep,
    response: Response,
    services: Services,
    actor: CurrentActor,
) -> schemas.GroepOut:
    """Legt vast dat het programma deze vragen samen beantwoordt (alleen het programma)."""
    cmd = commands.CombineerVragen(body.titel, tuple(body.vraag_ids), body.aanpak, body.datum)
    groep = messagebus.handle(cmd, services.uow(actor))
    response.headers["Location"] = f"/v1/vraaggroepen/{groep.id}"
    return schemas.GroepOut(groep_id=groep.id, vraag_ids=list(groep.vraag_ids))


@router.get(
    "/koplopers",
    response_model=list[schemas.KoploperOut],
    summary="Koplopers",
    tags=["Koplopers"],
    responses={401: ERRORS[401]},
)
def koplopers(
    services: Services,
    principal: CurrentPrincipal,
    peildatum: Annotated[
        Datum | None,
        datumparameter(
            "Koplopers zoals ze op deze dag waren (besluitdatum, dag van het "
            "antwoord of succes); standaard vandaag. Niet in de toekomst.",
            "niet in de toekomst",
        ),
    ] = None,
) -> list[schemas.KoploperOut]:
    """Wie een podium verdient, afgeleid uit feiten op de peildatum: bevoegde gezagen die
    voorop lopen in de sanering (uit de gebeurtenissen van het register), organisaties die
    veel vragen uit het veld beantwoorden en wie successen meldde."""
    controleer_tijdassen(peildatum, None)
    op = peildatum or datetime.now(UTC).date()
    with services.sessions() as session:
        s = locatie_standen.c
        standen = session.execute(
            select(s.locatie_id, s.datum, s.volgnummer, s.bevoegd_gezag, s.status)
        )
        statussen = standen_op(standen, op)
        b = bijdragen.c
        per_soort: dict[str, list[tuple[str | None, date | None]]] = {"antwoord": [], "succes": []}
        for soort, organisatie, datum in session.execute(select(b.soort, b.organisatie, b.datum)):
            per_soort[soort].append((organisatie, datum))
    gevonden = bepaal(
        statussen, tot_en_met(per_soort["antwoord"], op), tot_en_met(per_soort["succes"], op)
    )
    return [
        schemas.KoploperOut(organisatie=k.organisatie, redenen=list(k.redenen)) for k in gevonden
    ]
