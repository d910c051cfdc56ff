"""/v1/kennisvragen: questions from the field, answers, acceptance, combining similar ones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import select

from services.kennis.adapters.tables import (
    bijeenkomsten,
    experts,
    k_locaties,
    kennisvragen,
    zoekindex,
)
from services.kennis.adapters.zoeken import zoek
from services.kennis.bootstrap import Container
from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.bijeenkomsten import Bijeenkomst
from services.kennis.domain.gelijkenis import rangschik
from services.kennis.domain.koplopers import bepaal
from services.kennis.domain.model import Kennisvraag
from services.kennis.domain.vocabulaire import Thema, VraagStatus
from services.kennis.entrypoints import schemas
from services.kennis.service_layer import handlers
from shared.auth import CurrentPrincipal, Principal
from shared.eventstore import EventMetadata
from shared.http.problems import ProblemError

router = APIRouter(tags=["Kennisvragen"])
VraagId = Annotated[str, Path(alias="vraagId", pattern=r"^kv-[0-9a-f]{12}$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Geen of een ongeldig token"},
    403: {"description": "Alleen de vrager (of het programma) mag dit"},
    404: {"description": "Kennisvraag niet gevonden"},
    409: {"description": "Niet mogelijk in de huidige toestand van de vraag"},
}


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


Services = Annotated[Container, Depends(container)]


def _meta(principal: Principal) -> EventMetadata:
    return EventMetadata(
        actor=principal.sub,
        organisation=principal.organisatie,
        role=str(principal.rol),
        correlation_id=str(uuid4()),
    )


def _out(vraag: Kennisvraag, groep_id: str | None = None) -> schemas.VraagOut:
    v = vraag.v
    return schemas.VraagOut(
        vraag_id=vraag.id,
        titel=v.titel,
        tekst=v.tekst,
        themas=list(v.themas),
        gesteld_door=v.gesteld_door,
        organisatie=v.organisatie,
        status=v.status,
        antwoorden=[
            schemas.AntwoordOut(
                antwoord_id=a.antwoord_id, tekst=a.tekst, door=a.door, organisatie=a.organisatie
            )
            for a in v.antwoorden
        ],
        geaccepteerd=v.geaccepteerd,
        groep_id=groep_id,
        versie=vraag.version,
    )


def _van_rij(r: Any) -> schemas.VraagOut:
    return schemas.VraagOut(
        vraag_id=r.vraag_id,
        titel=r.titel,
        tekst=r.tekst,
        themas=list(r.themas),
        gesteld_door=r.gesteld_door,
        organisatie=r.organisatie,
        status=r.status,
        antwoorden=[schemas.AntwoordOut.model_validate(a) for a in r.antwoorden],
        geaccepteerd=r.geaccepteerd,
        groep_id=r.groep_id,
        versie=r.versie,
    )


@router.post(
    "/kennisvragen",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Stel een kennisvraag",
    responses={401: ERRORS[401]},
)
def stel(
    body: schemas.NieuweVraag, response: Response, services: Services, principal: CurrentPrincipal
) -> schemas.VraagOut:
    """Een vraag uit het veld, op een of meer thema's van de beleidstransitie."""
    vraag = handlers.stel_vraag(
        services.uow(), body.titel, body.tekst, tuple(body.themas), principal, _meta(principal)
    )
    response.headers["Location"] = f"/v1/kennisvragen/{vraag.id}"
    return _out(vraag)


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
    uit = [_van_rij(r) for r in rijen if thema is None or str(thema) in r.themas]
    return uit[:limiet]


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
        return _out(uow.vragen.get(vraag_id), groep)


@router.post(
    "/kennisvragen/{vraagId}/antwoorden",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Beantwoord een kennisvraag",
    responses=ERRORS,
)
def antwoord(
    vraag_id: VraagId,
    body: schemas.NieuwAntwoord,
    response: Response,
    services: Services,
    principal: CurrentPrincipal,
) -> schemas.VraagOut:
    """Iedereen met een account kan antwoorden, zolang de vraag niet gesloten is."""
    vraag, antwoord_id = handlers.beantwoord(
        services.uow(), vraag_id, body.tekst, principal, _meta(principal)
    )
    response.headers["Location"] = f"/v1/kennisvragen/{vraag_id}#{antwoord_id}"
    return _out(vraag)


@router.post(
    "/kennisvragen/{vraagId}/acceptaties",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Accepteer een antwoord",
    responses=ERRORS,
)
def accepteer(
    vraag_id: VraagId, body: schemas.Acceptatie, services: Services, principal: CurrentPrincipal
) -> schemas.VraagOut:
    """De vrager (of het programma) accepteert één antwoord; de vraag is dan beantwoord."""
    return _out(
        handlers.accepteer(services.uow(), vraag_id, body.antwoord_id, principal, _meta(principal))
    )


@router.post(
    "/kennisvragen/{vraagId}/sluitingen",
    status_code=201,
    response_model=schemas.VraagOut,
    summary="Sluit een kennisvraag",
    responses=ERRORS,
)
def sluit(
    vraag_id: VraagId, body: schemas.Sluiting, services: Services, principal: CurrentPrincipal
) -> schemas.VraagOut:
    """De vrager (of het programma) sluit de vraag; daarna kan niemand meer antwoorden."""
    return _out(handlers.sluit(services.uow(), vraag_id, body.reden, principal, _meta(principal)))


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
    responses={**ERRORS, 404: {"description": "Onbekende vraag"}},
)
def combineer(
    body: schemas.NieuweGroep, response: Response, services: Services, principal: CurrentPrincipal
) -> schemas.GroepOut:
    """Legt vast dat het programma deze vragen samen beantwoordt (alleen het programma)."""
    groep = handlers.combineer(
        services.uow(), body.titel, tuple(body.vraag_ids), body.aanpak, principal, _meta(principal)
    )
    response.headers["Location"] = f"/v1/vraaggroepen/{groep.id}"
    return schemas.GroepOut(groep_id=groep.id, vraag_ids=list(groep.vraag_ids))


@router.get(
    "/koplopers",
    response_model=list[schemas.KoploperOut],
    summary="Koplopers",
    tags=["Koplopers"],
    responses={401: ERRORS[401]},
)
def koplopers(services: Services, principal: CurrentPrincipal) -> list[schemas.KoploperOut]:
    """Wie een podium verdient, afgeleid uit feiten: bevoegde gezagen die voorop lopen in de
    sanering (uit de gebeurtenissen van het register) en organisaties die veel vragen uit het
    veld beantwoorden."""
    with services.sessions() as session:
        statussen = [
            (r.bevoegd_gezag, r.status)
            for r in session.execute(select(k_locaties.c.bevoegd_gezag, k_locaties.c.status))
        ]
        antwoorden: Counter[str] = Counter()
        for rij in session.execute(select(kennisvragen.c.antwoorden)):
            antwoorden.update(a["organisatie"] for a in rij.antwoorden if a["organisatie"])
    return [
        schemas.KoploperOut(organisatie=k.organisatie, redenen=list(k.redenen))
        for k in bepaal(statussen, antwoorden)
    ]


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
    tags=["Documenten"],
    responses={401: ERRORS[401]},
)
def publiceer(
    body: schemas.NieuwDocument, response: Response, services: Services, principal: CurrentPrincipal
) -> schemas.Bijdrage:
    """Een handreiking, best practice of tips en trucs, zodat kennis beschikbaar blijft."""
    d = handlers.publiceer_document(
        services.uow(),
        body.soort,
        body.titel,
        body.tekst,
        tuple(body.themas),
        principal,
        _meta(principal),
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
    tags=["Successen"],
    responses={401: ERRORS[401], 403: ERRORS[403]},
)
def meld(
    body: schemas.NieuwSucces, response: Response, services: Services, principal: CurrentPrincipal
) -> schemas.Bijdrage:
    """Een beleidsinnovatie of klein succes van een bevoegd gezag: het podium voor koplopers."""
    s = handlers.meld_succes(
        services.uow(), body.titel, body.verhaal, tuple(body.themas), principal, _meta(principal)
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
        _meta(principal),
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
    tags=["Bijeenkomsten"],
    responses=BIJEENKOMST_FOUTEN,
)
def meld_aan(
    bijeenkomst_id: BijeenkomstId, services: Services, principal: CurrentPrincipal
) -> schemas.BijeenkomstOut:
    """Aanmelden kan tot en met de dag zelf."""
    vandaag = datetime.now(UTC).date()
    return _bijeenkomst(
        handlers.bij_bijeenkomst(
            services.uow(),
            bijeenkomst_id,
            lambda b: b.meld_aan(principal, _meta(principal), vandaag),
        )
    )


@router.post(
    "/bijeenkomsten/{bijeenkomstId}/aanwezigheden",
    status_code=201,
    response_model=schemas.BijeenkomstOut,
    summary="Registreer de aanwezigheid",
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
        handlers.bij_bijeenkomst(
            services.uow(),
            bijeenkomst_id,
            lambda b: b.registreer_aanwezigheid(
                tuple(body.aanwezig), principal, _meta(principal), vandaag
            ),
        )
    )


@router.post(
    "/bijeenkomsten/{bijeenkomstId}/evaluaties",
    status_code=201,
    response_model=schemas.BijeenkomstOut,
    summary="Evalueer een bijeenkomst",
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
        handlers.bij_bijeenkomst(
            services.uow(),
            bijeenkomst_id,
            lambda b: b.evalueer(body.score, body.opmerking, principal, _meta(principal)),
        )
    )


@router.post(
    "/experts",
    status_code=201,
    response_model=schemas.ExpertOut,
    summary="Registreer een expert",
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
        _meta(principal),
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
    """Experts op de thema's van de vraag, wie de meeste thema's deelt eerst."""
    with services.sessions() as session:
        themas = session.execute(
            select(kennisvragen.c.themas).where(kennisvragen.c.vraag_id == vraag_id)
        ).scalar()
    if themas is None:
        raise ProblemError(404, f"Er is geen kennisvraag {vraag_id}.")
    uit = []
    for e in _experts(services):
        gedeeld = sorted(set(e.themas) & set(themas))
        if gedeeld:
            uit.append(e.model_copy(update={"gedeelde_themas": gedeeld}))
    return sorted(uit, key=lambda e: (-len(e.gedeelde_themas), e.naam))
