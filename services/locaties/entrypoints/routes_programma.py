"""/v1/programma: the programme's decisions (agreements on deadlines and targets, budget
envelopes), with the same contract as a site's commands: If-Match (428 without, 412 when
stale; "0" before the first decision), Idempotency-Key, 201 with the programme, its ETag and a
Location; 403 for a role the policy refuses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import AfterValidator, Field
from starlette.concurrency import run_in_threadpool

from services.locaties.domain import programma as domein
from services.locaties.entrypoints.dependencies import CurrentActor, ExpectedVersion, Services
from services.locaties.entrypoints.routes_spoedlocaties import COMMAND_ERRORS
from services.locaties.entrypoints.schemas import GEZAGEN, Bedrijfsdatum, Model
from services.locaties.service_layer import programma as service
from services.locaties.service_layer.programma import SqlProgrammaUnitOfWork
from services.locaties.service_layer.unit_of_work import Actor
from shared import beleid
from shared.http.idempotency import IdempotenteRoute
from shared.http.schematypen import Datum, domeinregel
from shared.tekst import Naam, OptioneleTekst

router = APIRouter(prefix="/programma", tags=["Programma"], route_class=IdempotenteRoute)
PAD = "/v1/programma"
EERSTE, LAATSTE = date(1987, 1, 1), date(2100, 12, 31)
BEREIK = f"niet voor {EERSTE}, niet na {LAATSTE}"


def _bereik(datum: date) -> date:
    if not EERSTE <= datum <= LAATSTE:
        raise ValueError(f"{datum} ligt buiten {EERSTE}..{LAATSTE}")
    return datum


# A deadline or the day a decision takes effect may lie ahead; within the programme's horizon.
Programmadatum = Annotated[
    Datum,
    AfterValidator(_bereik),
    Field(description=f"{BEREIK.capitalize()}.", json_schema_extra=domeinregel(BEREIK)),
]


class BesluitIn(Model):
    id: Naam = Field(
        min_length=1,
        max_length=100,
        examples=["SG-2013-04"],
        description="Kenmerk van het besluit; één besluit legt elke afspraak of envelop ten "
        "hoogste één keer vast.",
        json_schema_extra=domeinregel("legt dezelfde afspraak of envelop niet twee keer vast"),
    )
    datum: Bedrijfsdatum
    titel: Naam = Field(min_length=1, max_length=300, examples=["Stuurgroep Bodem, 12 juni 2013"])


class BesluitOut(Model):
    id: str
    datum: date
    titel: str


class AfspraakIn(Model):
    afspraak: str = Field(
        json_schema_extra={"enum": list(domein.AFSPRAKEN)},
        description="Welke convenantsafspraak: "
        + "; ".join(f"{k}: {v}" for k, v in domein.AFSPRAKEN.items()),
    )
    deadline: Programmadatum
    doel_percentage: int = Field(
        100, ge=1, le=100, description="Het deel van de groep dat voor de deadline klaar is."
    )
    ingangsdatum: Programmadatum
    besluit: BesluitIn
    toelichting: OptioneleTekst = Field("", max_length=2000)


class EnvelopIn(Model):
    bevoegd_gezag: str = Field(pattern=r"^[A-Z]{2}$", examples=["ZH"], json_schema_extra=GEZAGEN)
    doel: str = Field(
        json_schema_extra={"enum": list(domein.DOELEN)},
        description="land (landbodems) of waterbodem (het geoormerkte deel).",
    )
    bedrag_euro: int = Field(
        ge=0, le=10**11, description="Het nieuwe bedrag van de envelop (geen verschil)."
    )
    ingangsdatum: Programmadatum
    besluit: BesluitIn
    toelichting: OptioneleTekst = Field("", max_length=2000)


class AfspraakOut(Model):
    afspraak: str
    omschrijving: str
    deadline: date
    doel_percentage: int
    ingangsdatum: date
    besluit: BesluitOut
    toelichting: str


class EnvelopOut(Model):
    bevoegd_gezag: str
    doel: str
    bedrag_euro: int
    ingangsdatum: date
    besluit: BesluitOut
    toelichting: str


class ProgrammaOut(Model):
    versie: int = Field(description="De versie voor If-Match; 0 voor het eerste besluit.")
    afspraken: list[AfspraakOut] = Field(description="Elk vastgelegd besluit, in volgorde.")
    enveloppen: list[EnvelopOut] = Field(description="Elke vastgestelde envelop, in volgorde.")


def _besluit(b: BesluitIn) -> domein.Besluit:
    return domein.Besluit(b.id, b.datum, b.titel)


def _uit(p: domein.Programma) -> ProgrammaOut:
    return ProgrammaOut(
        versie=p.version,
        afspraken=[
            AfspraakOut(
                afspraak=a.afspraak,
                omschrijving=domein.AFSPRAKEN[a.afspraak],
                deadline=a.deadline,
                doel_percentage=a.doel_percentage,
                ingangsdatum=a.ingangsdatum,
                besluit=BesluitOut(id=a.besluit_id, datum=a.besluitdatum, titel=a.besluit_titel),
                toelichting=a.toelichting,
            )
            for a in p.afspraken
        ],
        enveloppen=[
            EnvelopOut(
                bevoegd_gezag=e.bevoegd_gezag,
                doel=e.doel,
                bedrag_euro=e.bedrag_euro,
                ingangsdatum=e.ingangsdatum,
                besluit=BesluitOut(id=e.besluit_id, datum=e.besluitdatum, titel=e.besluit_titel),
                toelichting=e.toelichting,
            )
            for e in p.enveloppen
        ],
    )


def _uow(services: Services, actor: Actor) -> SqlProgrammaUnitOfWork:
    relay = services.relay
    return SqlProgrammaUnitOfWork(
        services.sessions,
        actor,
        services.settings.spoedlocaties_topic,
        on_commit=relay.wake if relay else None,
        personen=services.personen,
    )


def _antwoord(p: domein.Programma, status: int) -> Response:
    headers = {"ETag": f'"{p.version}"'}
    if status == 201:
        headers["Location"] = PAD
    body = _uit(p).model_dump_json(by_alias=True).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def _voer_uit(services: Services, actor: Actor, cmd: domein.Programmacommando) -> Response:
    def stap() -> Response:
        return _antwoord(service.handle(cmd, _uow(services, actor)), 201)

    return await run_in_threadpool(stap)


FOUTEN: dict[int | str, dict[str, Any]] = {
    **COMMAND_ERRORS,
    403: {"description": "Deze rol mag dit besluit niet vastleggen"},
    404: {"description": "Niet gevonden"},
    409: {"description": "Een gelijktijdig verzoek met dezelfde Idempotency-Key"},
}


@router.get(
    "",
    response_model=ProgrammaOut,
    summary="De besluiten van het programma",
    responses={401: {"description": "Geen of een ongeldig token"}},
)
async def programma(services: Services, actor: CurrentActor) -> Response:
    """Alle vastgelegde afspraken (deadlines en doelen, met het besluit van de Stuurgroep dat ze
    vastlegde) en budgetenveloppen per bevoegd gezag en doel, in de volgorde van vastleggen.
    Wat op een peildatum gold, zoals bekend op een kennisdatum, staat in de rapportages. De
    ETag is de versie voor If-Match."""

    def lees() -> Response:
        return _antwoord(service.lees(_uow(services, actor)), 200)

    return await run_in_threadpool(lees)


@router.post(
    "/afspraken",
    status_code=201,
    response_model=ProgrammaOut,
    summary="Leg een afspraak van de Stuurgroep vast",
    responses=FOUTEN,
    openapi_extra=beleid.openapi_extra(domein.StelAfspraakVast.OPERATIE),
)
async def afspraken(
    body: AfspraakIn, services: Services, actor: CurrentActor, versie: ExpectedVersion
) -> Response:
    """Een besluit van de Stuurgroep dat een convenantsdeadline en haar doel vastlegt of
    verschuift, vanaf de ingangsdatum. Het uitvoeringsprogramma legt het vast. Vereist
    If-Match (de versie van het programma; "0" voor het eerste besluit)."""
    cmd = domein.StelAfspraakVast(
        versie,
        body.afspraak,
        body.deadline,
        body.doel_percentage,
        body.ingangsdatum,
        _besluit(body.besluit),
        body.toelichting,
    )
    return await _voer_uit(services, actor, cmd)


@router.post(
    "/enveloppen",
    status_code=201,
    response_model=ProgrammaOut,
    summary="Stel een budgetenvelop vast",
    responses=FOUTEN,
    openapi_extra=beleid.openapi_extra(domein.StelEnvelopVast.OPERATIE),
)
async def enveloppen(
    body: EnvelopIn, services: Services, actor: CurrentActor, versie: ExpectedVersion
) -> Response:
    """Het budget van het Rijk voor een bevoegd gezag en doel (land of waterbodem), of een
    herziening ervan: het nieuwe bedrag geldt vanaf de ingangsdatum. Alleen de rol rijk.
    Vereist If-Match."""
    cmd = domein.StelEnvelopVast(
        versie,
        body.bevoegd_gezag,
        body.doel,
        body.bedrag_euro,
        body.ingangsdatum,
        _besluit(body.besluit),
        body.toelichting,
    )
    return await _voer_uit(services, actor, cmd)
